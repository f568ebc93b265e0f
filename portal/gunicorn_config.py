"""gunicorn's settings for the portal, in one place.

``gunicorn -c gunicorn.conf.py wsgi:app`` in a clone (``make serve``, ``make demo``, the tests'
servers, bench/), or ``gunicorn -c python:portal.gunicorn_config wsgi:app`` where the portal
is installed as a package. Flags on the command line override these (``--bind``, ``-k gevent``):
docs/deployment.md.
"""

import gc
import os

from portal.logs import ACCESS_LOG_FORMAT, logging_config

bind = "127.0.0.1:5000"
#: Flask-SocketIO keeps each live connection's state in the process that accepted it: one
#: worker per process, and more processes behind a proxy to use more cores.
workers = 1
#: Threads serve pages and websockets alike (simple-websocket); ``-k gevent`` serves thousands
#: of websockets in one process (docs/serving.md).
worker_class = "gthread"
threads = 64
worker_connections = 4000
timeout = 60
accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
#: The portal's logging (portal/logs.py), for gunicorn's lines as for the application's.
logconfig_dict = logging_config()
#: gunicorn 27 opens a control socket in the home folder by default: one path shared by every
#: instance, and a folder a service may not write to. The portal needs none.
control_socket_disable = True


def socketio_async_mode(worker_class_name: str) -> str:
    """The Socket.IO async mode that goes with a gunicorn worker class."""
    name = worker_class_name.lower()
    if "gevent" in name:
        return "gevent"
    if "eventlet" in name:
        return "eventlet"
    return "threading"


def on_starting(server):
    """Before the worker is made (and the app with it): the async mode follows the worker."""
    mode = socketio_async_mode(server.cfg.worker_class_str)
    chosen = os.environ.get("SOCKETIO_ASYNC_MODE")
    if chosen and chosen != mode:
        server.log.warning("SOCKETIO_ASYNC_MODE=%s does not match the %s worker: using %s",
                           chosen, server.cfg.worker_class_str, mode)
    os.environ["SOCKETIO_ASYNC_MODE"] = mode


#: The garbage collector's thresholds in a serving process (generations 0, 1 and 2). With the
#: defaults (700, 10, 10) a process holding 2,000 websockets stopped for a full collection four
#: times in a ten-second vote, half a second each time: every vote and tally waited. The
#: youngest generation is collected after 100,000 new objects instead of 700, so the packets a
#: tally leaves queued for two thousand sockets die before a collection promotes them, and the
#: older generations grow only with what lives on (connections); Python's own rule still runs a
#: full collection only when they have grown by a quarter. docs/serving.md.
GARBAGE_THRESHOLDS = (100_000, 10, 10)


def collect_garbage_for_many_connections() -> None:
    """The objects loaded with the app (some 200,000: modules, the app, its catalogs) live as
    long as the process: frozen, no collection looks at them again; then the thresholds above."""
    gc.freeze()
    gc.set_threshold(*GARBAGE_THRESHOLDS)


def post_worker_init(worker):
    """The worker has loaded the app."""
    collect_garbage_for_many_connections()
