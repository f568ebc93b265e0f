"""How the portal's websockets are served, for thousands of phones at once.

- **No compression.** Browsers offer permessage-deflate on every websocket and the websocket
  server accepts it when offered: each connection then keeps zlib's state for as long as it
  lives, some 270 KiB, that is half a gigabyte for 2,000 phones in one process, to shrink
  frames of a few hundred bytes that travel in one packet each anyway. The offer is taken out
  of the request before the websocket server reads it.
- **The Socket.IO path is a route.** Flask-SocketIO runs each event in a request context made
  from its connection's first request; were the path no route, making that context would raise
  NotFound each time, and the error's traceback, holding the event's frames and its request,
  would stay in memory until the garbage collector's next pass: some sixty objects per vote, a
  quarter of what the collector had to clear while thousands voted. Requests to the path never
  reach the app: the Socket.IO server answers them first.
"""

from flask import Flask, abort

SOCKET_PATH = "/socket.io/"


class WithoutCompression:
    """WSGI middleware: a websocket request to the Socket.IO path arrives without its
    permessage-deflate offer, so the connection is made without compression."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(SOCKET_PATH):
            environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
        return self.wsgi_app(environ, start_response)


def serve_websockets(app: Flask) -> None:
    """Call once Flask-SocketIO has wrapped the app."""
    app.wsgi_app = WithoutCompression(app.wsgi_app)

    def answered_by_socketio():
        abort(404)

    # Long-polling requests and websocket ones are routed apart.
    for websocket in (False, True):
        app.add_url_rule(SOCKET_PATH, endpoint="socketio", view_func=answered_by_socketio,
                         strict_slashes=False, websocket=websocket)
