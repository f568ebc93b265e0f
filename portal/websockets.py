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
- **The handshake answered once.** simple-websocket writes the request gunicorn already parsed
  back into bytes, parses it again (wsproto, through h11) and writes its answer through h11
  too: a third of the CPU of opening a websocket, paid two thousand times over when a
  restarted process takes back its phones. A well-formed request (RFC 6455, section 4.2.1) is
  answered here from the parsed headers, and wsproto frames the messages from then on; any
  other request goes the library's way, as before.
"""

import base64
import binascii
import hashlib

import simple_websocket
from engineio.async_drivers._websocket_wsgi import SimpleWebSocketWSGI
from flask import Flask, request
from flask_socketio import SocketIO
from wsproto.connection import Connection, ConnectionType

SOCKET_PATH = "/socket.io/"
#: RFC 6455's constant, appended to the client's key to make the accepting answer.
WEBSOCKET_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


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


def accepting_answer(key: str) -> bytes:
    """Sec-WebSocket-Accept for a client's Sec-WebSocket-Key."""
    # RFC 6455's hash: it proves the server read the opening, it protects nothing.
    digest = hashlib.sha1(key.encode() + WEBSOCKET_GUID, usedforsecurity=False).digest()
    return base64.b64encode(digest)


def _header_tokens(environ: dict, name: str) -> set[str]:
    return {token.strip().lower() for token in environ.get(name, "").split(",")}


def is_websocket_opening(environ: dict) -> bool:
    """Whether a request opens a websocket as RFC 6455 has it: GET over HTTP/1.1, Upgrade to
    websocket, version 13, and a key of 16 bytes in base64."""
    key = environ.get("HTTP_SEC_WEBSOCKET_KEY", "")
    try:
        key_bytes = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        return False
    return (environ.get("REQUEST_METHOD") == "GET"
            and environ.get("SERVER_PROTOCOL") == "HTTP/1.1"
            and "websocket" in _header_tokens(environ, "HTTP_UPGRADE")
            and "upgrade" in _header_tokens(environ, "HTTP_CONNECTION")
            and environ.get("HTTP_SEC_WEBSOCKET_VERSION") == "13"
            and len(key_bytes) == 16)


class QuickHandshake(simple_websocket.Server):
    """simple-websocket's server, answering a well-formed opening itself (above)."""

    def handshake(self):
        if not is_websocket_opening(self.environ):
            return super().handshake()
        self.sock.send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                       b"Connection: Upgrade\r\nSec-WebSocket-Accept: "
                       + accepting_answer(self.environ["HTTP_SEC_WEBSOCKET_KEY"]) + b"\r\n\r\n")
        # The open connection, as wsproto's own handshake leaves it (no extension).
        self.ws = Connection(ConnectionType.SERVER)
        self.connected = True
        return None


def answer_handshakes_quickly(socketio: SocketIO) -> None:
    """Make Engine.IO's websockets (gevent's and threads') with ``QuickHandshake``."""
    engineio = socketio.server.eio
    websocket_wsgi = engineio._async.get("websocket")
    if websocket_wsgi is None or not issubclass(websocket_wsgi, SimpleWebSocketWSGI):
        return

    class QuickWebSocketWSGI(websocket_wsgi):
        def __call__(self, environ, start_response):
            # As simple-websocket's WSGI wrapper (engineio/async_drivers/_websocket_wsgi.py).
            self.ws = QuickHandshake(environ, **self.server_args)
            answer = self.app(self)
            if self.ws.mode == "gunicorn":
                raise StopIteration()
            if self.ws.mode == "werkzeug":
                raise ConnectionError()
            return answer

    engineio._async = {**engineio._async, "websocket": QuickWebSocketWSGI}


def serve_websockets(app: Flask, socketio: SocketIO) -> None:
    """Call once Flask-SocketIO has wrapped the app."""
    app.wsgi_app = WithoutCompression(app.wsgi_app)
    answer_handshakes_quickly(socketio)

    @app.teardown_request
    def _let_the_routing_error_go(error=None):
        request.routing_exception = None
