"""How the portal's websockets are served, for thousands of phones at once.

- **No compression.** Browsers offer permessage-deflate on every websocket and the websocket
  server accepts it when offered: each connection then keeps zlib's state for as long as it
  lives, some 270 KiB, that is half a gigabyte for 2,000 phones in one process, to shrink
  frames of a few hundred bytes that travel in one packet each anyway. The offer is taken out
  of the request before the websocket server reads it.
- **No garbage per event.** Flask-SocketIO runs each event in a request context made from its
  connection's first request, whose path (``/socket.io/``) is no route of the app: making the
  context records a NotFound, whose traceback holds the frames that made it, and they the
  context itself. That cycle stayed in memory until the garbage collector's next pass: some
  sixty objects per vote, a quarter of what the collector had to clear while thousands voted.
  The error is let go when the context ends, and the cycle with it.
"""

from flask import Flask, request

SOCKET_PATH = "/socket.io/"


def is_socket_path(path: str) -> bool:
    """Whether a request's path is Socket.IO's (with or without its last slash)."""
    return (path + "/").startswith(SOCKET_PATH)


class WithoutCompression:
    """WSGI middleware: a websocket request to the Socket.IO path arrives without its
    permessage-deflate offer, so the connection is made without compression."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if is_socket_path(environ.get("PATH_INFO", "")):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


def serve_websockets(app: Flask) -> None:
    """Call once Flask-SocketIO has wrapped the app."""
    app.wsgi_app = WithoutCompression(app.wsgi_app)

    @app.teardown_request
    def _let_the_routing_error_go(error=None):
        request.routing_exception = None
