"""The Socket.IO wiring: who may connect, who may follow which room, what is pushed, and who
is present.

Rooms are named ``kind:id`` (``consultation:3``, ``thread:12``, ``group:4``). Each area
registers, with ``room_kind``, the predicate that says whether a user may follow a room of its
kind; joining any other room is refused. Clients send ``join`` again after a reconnect.

Changes are pushed with ``broadcast_after_commit``: the event leaves only once the transaction
that made the change has committed, so nobody sees what was then rolled back.
"""

import threading
from collections.abc import Callable

import redis
from flask import current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.database import is_row_id
from portal.extensions import db, socketio

RoomCheck = Callable[[object, int], bool]
RoomSnapshot = Callable[[int], dict]

ROOM_KINDS: dict[str, RoomCheck] = {}
#: For room kinds whose state a client needs on (re)joining: the state, sent in the join ack.
ROOM_SNAPSHOTS: dict[str, RoomSnapshot] = {}

#: Room kinds whose followers are counted and told how many are present.
PRESENCE_KINDS: set[str] = set()


def room_kind(kind: str, presence: bool = False,
              snapshot: RoomSnapshot | None = None) -> Callable[[RoomCheck], RoomCheck]:
    def register(check: RoomCheck) -> RoomCheck:
        ROOM_KINDS[kind] = check
        if presence:
            PRESENCE_KINDS.add(kind)
        if snapshot is not None:
            ROOM_SNAPSHOTS[kind] = snapshot
        return check

    return register


def parse_room(room: object) -> tuple[str, int] | None:
    if not isinstance(room, str) or len(room) > 64:
        return None
    kind, _separator, identifier = room.partition(":")
    if kind not in ROOM_KINDS or not (identifier.isascii() and identifier.isdigit()):
        return None
    number = int(identifier)
    return (kind, number) if is_row_id(number) else None


def may_follow(user, room: object) -> bool:
    parsed = parse_room(room)
    return parsed is not None and ROOM_KINDS[parsed[0]](user, parsed[1])


def broadcast_after_commit(name: str, payload: dict, room: str) -> None:
    db.session.info.setdefault("broadcasts", []).append((name, payload, room))


@event.listens_for(Session, "after_commit")
def _send_broadcasts(session: Session) -> None:
    for name, payload, room in session.info.pop("broadcasts", []):
        socketio.emit(name, payload, to=room)


@event.listens_for(Session, "after_rollback")
def _drop_broadcasts(session: Session) -> None:
    session.info.pop("broadcasts", None)


class Presence:
    """Who follows which counted room: connection id to user id, per room.

    Kept in Redis when the portal runs with ``REDIS_URL`` (so every process counts the same
    people), in this process otherwise.
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
                self._clients[url] = redis.Redis.from_url(url)
            return self._clients[url]

    def enter(self, room: str, sid: str, user_id: int) -> int:
        store = self._redis()
        if store is not None:
            key = f"presence:{room}"
            store.hset(key, sid, user_id)
            store.expire(key, 24 * 3600)
            return len(set(store.hvals(key)))
        with self._lock:
            self._rooms.setdefault(room, {})[sid] = user_id
            return len(set(self._rooms[room].values()))

    def leave(self, room: str, sid: str) -> int:
        store = self._redis()
        if store is not None:
            key = f"presence:{room}"
            store.hdel(key, sid)
            return len(set(store.hvals(key)))
        with self._lock:
            followers = self._rooms.get(room, {})
            followers.pop(sid, None)
            return len(set(followers.values()))


presence = Presence()
#: What this process remembers about each of its connections between their events (a
#: connection's events all reach the process it connected to), forgotten at disconnect.
_connections: dict[str, dict] = {}


def connection_memory() -> dict:
    """What the current connection's handlers remember between its events."""
    return _connections.setdefault(request.sid, {})


def _counted_rooms() -> set[str]:
    """The counted rooms the current connection is in, to leave them on disconnect."""
    return connection_memory().setdefault("counted_rooms", set())


def _counted(room: str) -> bool:
    parsed = parse_room(room)
    return parsed is not None and parsed[0] in PRESENCE_KINDS


@socketio.on("connect")
def connect(auth=None):
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("authentication required")


@socketio.on("join")
def join(payload):
    room = payload.get("room") if isinstance(payload, dict) else None
    if not may_follow(current_user, room):
        return {"ok": False, "error": _("You may not follow this room.")}
    join_room(room)
    if _counted(room):
        _counted_rooms().add(room)
        count = presence.enter(room, request.sid, current_user.id)
        socketio.emit("presence", {"room": room, "count": count}, to=room)
    kind, identifier = parse_room(room)
    if kind in ROOM_SNAPSHOTS:
        # A client joining, or joining again after a reconnect, gets the current state.
        return {"ok": True, "room": room, "state": ROOM_SNAPSHOTS[kind](identifier)}
    return {"ok": True, "room": room}


@socketio.on("leave")
def leave(payload):
    room = payload.get("room") if isinstance(payload, dict) else None
    if parse_room(room) is None:
        return {"ok": False, "error": _("There is no such room.")}
    leave_room(room)
    if room in _counted_rooms():
        _counted_rooms().discard(room)
        socketio.emit("presence", {"room": room, "count": presence.leave(room, request.sid)},
                      to=room)
    return {"ok": True, "room": room}


@socketio.on("disconnect")
def disconnect(reason=None):
    remembered = _connections.pop(request.sid, {})
    for room in remembered.get("counted_rooms", set()):
        socketio.emit("presence", {"room": room, "count": presence.leave(room, request.sid)},
                      to=room)
