"""A real server accepts live connections from pages of its own origin only, behind a proxy too,
and refuses hostile messages without failing."""

import base64
import json
import os
import re
import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio as socketio_client
import websocket

from consultations.models import Consultation, ConsultationStatus, Region
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from portal.extensions import db
from portal.security import socket_origin_check
from tests.conftest import PASSWORD
from tests.databases import scratch_database
from tests.servers import PortalServer, prepare_database


def fill(app):
    create_account(email="participant@example.org", password=PASSWORD, name="Delegate",
                   organisation="Kenya Red Cross Society",
                   stakeholder_group=StakeholderGroup.red_cross, country="KE")
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    db.session.add(Consultation(slug="dakar", title="Dakar", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live))


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """One server reached directly, one behind a reverse proxy (TRUSTED_PROXIES=1)."""
    directory = tmp_path_factory.mktemp("origins")
    with scratch_database(directory, "origins") as url:
        prepare_database(url, fill)
        direct = PortalServer(url, directory, RATE_LIMITS="0")
        proxied = PortalServer(url, directory, RATE_LIMITS="0", TRUSTED_PROXIES="1")
        try:
            yield direct.start(), proxied.start()
        finally:
            direct.stop()
            proxied.stop()


def handshake(server: PortalServer, **headers) -> int:
    """The status of Engine.IO's first request (long-polling), sent with ``headers``."""
    response = requests.get(f"{server.url}/socket.io/?EIO=4&transport=polling",
                            headers=headers, timeout=10)
    return response.status_code


def test_a_page_of_another_site_cannot_open_a_connection(servers):
    direct, _proxied = servers
    assert handshake(direct, Origin="https://evil.example") == 400
    assert handshake(direct, Origin=f"http://127.0.0.1:{direct.port}.evil.example") == 400
    assert handshake(direct, Origin=f"https://127.0.0.1:{direct.port}") == 400
    with pytest.raises(websocket.WebSocketBadStatusException):
        websocket.create_connection(
            f"ws://127.0.0.1:{direct.port}/socket.io/?EIO=4&transport=websocket",
            origin="https://evil.example", timeout=10)


def test_a_page_of_the_portal_opens_one(servers):
    direct, _proxied = servers
    assert handshake(direct, Origin=direct.url) == 200
    connection = websocket.create_connection(
        f"ws://127.0.0.1:{direct.port}/socket.io/?EIO=4&transport=websocket",
        origin=direct.url, timeout=10)
    assert connection.recv().startswith("0{")  # Engine.IO's open packet
    connection.close()


def test_forwarded_headers_count_only_behind_a_trusted_proxy(servers):
    direct, proxied = servers
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "consultations.example.org"}
    public = "https://consultations.example.org"

    assert handshake(proxied, Origin=public, **forwarded) == 200
    assert handshake(proxied, Origin="https://evil.example", **forwarded) == 400
    # A client cannot make itself trusted by sending the headers to the server directly.
    assert handshake(direct, Origin=public, **forwarded) == 400
    # Behind one proxy, the value that proxy appended counts, not one the client sent.
    assert handshake(proxied, Origin="https://evil.example", **{
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "evil.example, consultations.example.org"}) == 400


def test_public_origins_replace_the_requests_own():
    accepts = socket_origin_check(["https://consultations.example.org"], 0)
    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "10.0.0.5:8000"}

    assert accepts("https://consultations.example.org", environ)
    assert not accepts("http://10.0.0.5:8000", environ)
    assert not accepts("https://evil.example", environ)
    assert not accepts(None, environ)


def signed_in(server: PortalServer) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{server.url}/account/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = http.post(f"{server.url}/account/sign-in", timeout=10, allow_redirects=False,
                         data={"csrf_token": token, "email": "participant@example.org",
                               "password": PASSWORD})
    assert response.status_code == 302
    return http


def connected(server: PortalServer) -> socketio_client.Client:
    client = socketio_client.Client(http_session=signed_in(server), reconnection=False)
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    return client


def close(client: socketio_client.Client) -> None:
    """Disconnect, and close the sockets even when the server closed the connection first."""
    client.disconnect()
    if client.eio.ws is not None:
        client.eio.ws.close()
    client.eio.http.close()


def test_hostile_messages_get_an_error_answer_from_a_real_server(servers):
    direct, _proxied = servers
    client = connected(direct)

    for arguments in [(), ("consultation:1",), ({"room": [[[[[["deep"]]]]]]},),
                      ({"room": "consultation:1"}, "two")]:
        answer = client.call("join", arguments[0] if len(arguments) == 1 else arguments,
                             timeout=10) if arguments else client.call("join", timeout=10)
        assert answer["ok"] is False, arguments
        assert answer["code"] in ("invalid_payload", "not_allowed"), arguments
    assert client.call("cast_vote", {"round_id": 2**70, "choice": "support"},
                       timeout=10)["code"] == "no_round"
    assert client.call("join", {"room": "consultation:1"}, timeout=10)["ok"] is True
    close(client)


def signed_in_cookie(server: PortalServer) -> str:
    http = signed_in(server)
    cookie = "; ".join(f"{name}={value}" for name, value in http.cookies.items())
    http.close()
    return cookie


def raw_socket(server: PortalServer, cookie: str) -> websocket.WebSocket:
    """A WebSocket speaking Socket.IO by hand, connected to the default namespace."""
    connection = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/socket.io/?EIO=4&transport=websocket",
        origin=server.url, cookie=cookie, timeout=10)
    assert connection.recv().startswith("0{")  # Engine.IO open
    connection.send("40")  # Socket.IO connect
    assert connection.recv().startswith("40{")
    return connection


def test_an_oversized_message_closes_only_its_connection(servers):
    direct, _proxied = servers
    connection = raw_socket(direct, signed_in_cookie(direct))
    try:
        connection.send('42["join",{"room":"' + "x" * 200_000 + '"}]')
        with pytest.raises((websocket.WebSocketConnectionClosedException, ConnectionError)):
            while True:  # pings may come first; then the server closes the connection
                connection.recv()
    finally:
        connection.close()

    again = connected(direct)
    assert again.call("join", {"room": "consultation:1"}, timeout=10)["ok"] is True
    close(again)
    assert "Traceback" not in direct.log()


@pytest.mark.parametrize("message", [
    '421["join",' + "[" * 20_000 + "]" * 20_000 + "]",
    "421" + "[" * 20_000 + "]" * 20_000,
    '421["join",{"room":',
])
def test_a_message_nested_too_deep_or_cut_short_gets_an_invalid_payload_answer(servers,
                                                                                 message):
    direct, _proxied = servers
    connection = raw_socket(direct, signed_in_cookie(direct))
    try:
        assert len(message.encode()) < 64 * 1024
        connection.send(message)
        answer = connection.recv()
        while answer == "2":  # a ping may come first
            connection.send("3")
            answer = connection.recv()
        assert answer.startswith("431[")
        assert json.loads(answer[3:]) == [{"ok": False, "code": "invalid_payload",
                                           "error": "The message could not be read."}]
        # The connection goes on.
        connection.send('422["join",{"room":"consultation:1"}]')
        assert json.loads(connection.recv()[3:])[0]["ok"] is True
    finally:
        connection.close()
    assert "RecursionError" not in direct.log() and "Traceback" not in direct.log()


def test_a_page_left_while_its_joins_are_on_their_way_leaves_no_error(servers):
    """Navigating fast: the page sends its joins and goes away before they are answered."""
    direct, _proxied = servers
    cookie = signed_in_cookie(direct)
    for _ in range(30):
        connection = raw_socket(direct, cookie)
        for number in range(5):
            connection.send(f'42{number}["join",{{"room":"consultation:1"}}]')
        connection.send("41")  # Socket.IO disconnect, as a page being left sends
        connection.close()
    again = connected(direct)
    assert again.call("join", {"room": "consultation:1"}, timeout=10)["ok"] is True
    close(again)
    assert "KeyError" not in direct.log() and "Traceback" not in direct.log()


def test_a_browsers_websocket_is_made_without_compression(servers):
    # Browsers offer permessage-deflate on every websocket; accepted, it would keep zlib's
    # state (some 270 KiB) for each of thousands of connections.
    direct, _proxied = servers
    with socket.create_connection(("127.0.0.1", direct.port), timeout=10) as connection:
        connection.sendall((
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{direct.port}\r\n"
            f"Origin: http://127.0.0.1:{direct.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += connection.recv(4096)

    head = answer.split(b"\r\n\r\n")[0].decode().lower()
    assert head.startswith("http/1.1 101")
    assert "sec-websocket-extensions" not in head


def websocket_opening(port: int, key: str, version: str = "13") -> bytes:
    """The server's answer to a websocket opening, as far as its first message."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall((
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            f"Sec-WebSocket-Version: {version}\r\nSec-WebSocket-Key: {key}\r\n\r\n"
        ).encode())
        answer = b""
        while b"\r\n\r\n" not in answer or (answer.startswith(b"HTTP/1.1 101")
                                             and len(answer.split(b"\r\n\r\n", 1)[1]) < 2):
            received = connection.recv(4096)
            if not received:
                break
            answer += received
    return answer


def test_a_websocket_opening_is_accepted_as_rfc_6455_says_and_its_messages_flow(servers):
    direct, _proxied = servers
    # The example of RFC 6455, section 1.3.
    answer = websocket_opening(direct.port, "dGhlIHNhbXBsZSBub25jZQ==")

    head, first_frame = answer.split(b"\r\n\r\n", 1)
    lines = head.decode().lower().split("\r\n")
    assert lines[0].startswith("http/1.1 101")
    assert "sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=" in lines
    assert "upgrade: websocket" in lines and "connection: upgrade" in lines
    # Then Engine.IO's open packet, in an unmasked text frame from the server.
    assert first_frame[0] == 0x81 and first_frame[2:3] == b"0"

