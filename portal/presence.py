"""Who is present in a counted live room (a breakout group's thread, the plenary): the
count every follower of the room is told when someone joins or leaves."""

import logging
import threading

import redis
from flask import current_app

from portal.message_queue import redis_client

log = logging.getLogger(__name__)


class Presence:
    """Who follows which counted room: connection id to user id, per room.

    Kept in Redis when the portal runs with ``REDIS_URL`` (so every process counts the same
    people), in this process otherwise. While Redis does not answer, each process counts the
    followers it has itself: a join never fails for it.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._rooms: dict[str, dict[str, int]] = {}
        self._clients: dict[str, redis.Redis] = {}

    def _redis(self) -> redis.Redis | None:
        """One client (and connection pool) per Redis URL, made on first use."""
        url = current_app.config.get("REDIS_URL")
        if not url:
            return None
        with self._lock:
            if url not in self._clients:
                self._clients[url] = redis_client(url, socket_connect_timeout=2,
                                                  socket_timeout=2)
            return self._clients[url]

    def enter(self, room: str, sid: str, user_id: int) -> int:
        with self._lock:
            self._rooms.setdefault(room, {})[sid] = user_id
            local = len(set(self._rooms[room].values()))
        store = self._redis()
        if store is None:
            return local
        key = f"presence:{room}"
        try:
            store.hset(key, sid, user_id)
            store.expire(key, 24 * 3600)
            return len(set(store.hvals(key)))
        except redis.RedisError:
            log.warning("Redis does not answer: presence in %s counted on this process", room)
            return local

    def leave(self, room: str, sid: str) -> int:
        with self._lock:
            followers = self._rooms.get(room, {})
            followers.pop(sid, None)
            local = len(set(followers.values()))
            if not followers:
                self._rooms.pop(room, None)
        store = self._redis()
        if store is None:
            return local
        key = f"presence:{room}"
        try:
            store.hdel(key, sid)
            return len(set(store.hvals(key)))
        except redis.RedisError:
            log.warning("Redis does not answer: presence in %s counted on this process", room)
            return local


presence = Presence()
