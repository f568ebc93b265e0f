"""Socket.IO's Redis message queue between server processes, and what happens around an outage
of Redis.

Two Redis clients, never shared: one publishes (request threads and the tally publisher, through
one connection pool that reconnects by itself), the other belongs to the listener thread alone.
python-socketio's own ``RedisManager`` keeps a single ``redis`` and ``pubsub`` attribute that
both sides replace when a command fails; after an outage a publisher could replace the
listener's subscription under it (the listener then listened on a connection that had
subscribed to nothing) and the collected client closed the pool the listener read from, so a
process lost its subscription again moments after Redis came back and every event published in
that gap was lost for good.

Redis publish/subscribe delivers to whoever is subscribed at that moment: what was published
while a process was not subscribed never reaches it. So when the listener subscribes again after
losing Redis, it tells every client connected to its own process to resynchronise (the
``resync`` event): the client joins its rooms again, and each join answers with the current
state (the round, and the thread's comments changed since the client last joined).

The portal's own messages between processes (which connections to check again, see
portal/live.py) go on a second channel, ``<channel>:portal``, which the same listener reads.

The listener tries again every ``RETRY_SECONDS`` (python-socketio waits twice as long after each
failure, up to 60 s). Publishing never raises: an event that cannot be published still reaches
this process's own clients, delivered locally before it is published.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Callable

import redis
import socketio
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

#: Seconds between two attempts to reach Redis again while it is away.
RETRY_SECONDS = 1.0

#: Sent to every client of a process whose listener is back after losing Redis.
RESYNC_EVENT = "resync"

#: Connections each Redis client of a process opens at most, and the seconds a command waits
#: for one of them to be free. redis-py's default pool refuses the 101st concurrent command
#: ("Too many connections"): with a thousand phones joining at once, a gevent process publishes
#: from more greenlets than that, and the refused events never reached the other processes.
REDIS_CONNECTIONS = 50
REDIS_CONNECTION_WAIT = 5


def redis_client(url: str, **options) -> redis.Redis:
    """A Redis client whose commands wait their turn for one of ``REDIS_CONNECTIONS``
    connections rather than fail (a publish takes a fraction of a millisecond)."""
    return redis.Redis.from_pool(redis.BlockingConnectionPool.from_url(
        url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_CONNECTION_WAIT, **options))


class MessageQueue(socketio.RedisManager):
    def __init__(self, url: str, channel: str = "flask-socketio", write_only: bool = False):
        super().__init__(url, channel=channel, write_only=write_only, redis_options={
            # An unreachable host is given up on quickly, not after the system's timeout.
            "socket_connect_timeout": 2, "socket_keepalive": True})
        self._publisher: redis.Redis | None = None
        self._publisher_lock = threading.Lock()
        self._publishing_fails = False
        self.control_channel = f"{channel}:portal"
        #: Called with each portal message another process published.
        self.on_control: Callable[[dict], None] | None = None

    def _client(self, **options) -> redis.Redis:
        return redis_client(self.redis_url, **self.redis_options, **options)

    def _publishing_client(self) -> redis.Redis:
        with self._publisher_lock:
            if self._publisher is None:
                self._publisher = self._client()
            return self._publisher

    def publish_control(self, message: dict) -> None:
        """Send a portal message to the other processes (this one acts on it itself)."""
        self._publish({**message, "host_id": self.host_id}, channel=self.control_channel)

    def _publish(self, data, channel: str | None = None) -> int | None:
        message = self.json.dumps(data)
        client = self._publishing_client()
        # Two attempts: the first may meet a pooled connection that Redis closed while away.
        for attempt in (1, 2):
            try:
                receivers = client.publish(channel or self.channel, message)
            except Exception as error:  # noqa: BLE001  (whatever the client raises: not sent)
                if attempt == 2:
                    if not self._publishing_fails:
                        log.error("Redis does not answer (%s): live updates from this process "
                                  "reach its own clients only until it is back", error)
                    self._publishing_fails = True
                    return None
            else:
                if self._publishing_fails:
                    log.warning("Redis answers again: live updates from this process cross "
                                "to the others")
                self._publishing_fails = False
                return receivers
        return None

    def _redis_listen_with_retries(self):
        away = False
        while True:
            # The listener's own client: no retries inside redis-py (this loop retries), so a
            # failure is seen at once and the subscription is made again here.
            client = self._client(retry=Retry(NoBackoff(), 0))
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel, self.control_channel)
                if away:
                    log.warning("Redis is back: live updates cross processes again")
                    away = False
                    self._resynchronise_clients()
                # listen() ends only when nothing is subscribed any more: subscribe again.
                for message in pubsub.listen():
                    if message.get("channel") in (self.control_channel,
                                                  self.control_channel.encode()):
                        self._receive_control(message.get("data"))
                    else:
                        yield message
            except Exception as error:  # noqa: BLE001  (whatever the client raises: retry)
                if not away:
                    log.error("Redis does not answer (%s): live updates stay within each "
                              "process until it is back", error)
                    away = True
                time.sleep(RETRY_SECONDS)
            finally:
                for closing in (pubsub.close, client.close):
                    # The connection may be gone already: nothing left to close.
                    with contextlib.suppress(Exception):
                        closing()

    def _receive_control(self, data) -> None:
        try:
            message = self.json.loads(data)
        except (TypeError, ValueError):
            return
        if (isinstance(message, dict) and message.get("host_id") != self.host_id
                and self.on_control is not None):
            self.server.start_background_task(self.on_control, message)

    def _resynchronise_clients(self) -> None:
        """Tell this process's clients that events may have been missed while Redis was away.
        Sent here only (never published): each process tells its own clients."""
        try:
            self.server.emit(RESYNC_EVENT, {}, namespace="/", ignore_queue=True)
        except Exception:
            log.exception("Telling this process's clients to resynchronise failed")
