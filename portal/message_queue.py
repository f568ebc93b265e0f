"""Socket.IO's Redis message queue between server processes, listening again soon after Redis
comes back.

python-socketio's listener waits twice as long after each failed attempt to reach Redis, up to
60 s, so after an outage of a minute live updates between processes could stay away for up to a
minute more. Here it tries again every ``RETRY_SECONDS``, which costs one refused connection
per process and pause while Redis is away. Publishing never raises: an event that cannot be
published still reaches this process's own clients (python-socketio delivers locally first).
"""

import logging
import time

import socketio

log = logging.getLogger(__name__)

#: Seconds between two attempts to reach Redis again while it is away.
RETRY_SECONDS = 1.0


class MessageQueue(socketio.RedisManager):
    def __init__(self, url: str, channel: str = "flask-socketio", write_only: bool = False):
        super().__init__(url, channel=channel, write_only=write_only, redis_options={
            # An unreachable host is given up on quickly, not after the system's timeout.
            "socket_connect_timeout": 2, "socket_keepalive": True})

    def _redis_listen_with_retries(self):
        reported = False
        while True:
            try:
                self._redis_connect()
                self.pubsub.subscribe(self.channel)
                if reported:
                    log.warning("Redis is back: live updates cross processes again")
                    reported = False
                yield from self.pubsub.listen()
            except Exception as error:  # noqa: BLE001  (whatever the client raises: retry)
                if not reported:
                    log.error("Redis does not answer (%s): live updates stay within each "
                              "process until it is back", error)
                    reported = True
                time.sleep(RETRY_SECONDS)
