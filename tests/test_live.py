import time

from consultations.models import ConsultationStatus
from portal.extensions import socketio
from tests.conftest import sign_in


def test_an_anonymous_connection_is_refused(connect_socket, app, client):
    socket = connect_socket(client)

    assert not socket.is_connected()


def test_a_signed_in_user_connects_and_follows_a_published_consultation(connect_socket,
    app, client, make_user, make_consultation
):
    make_user(email="participant@example.org")
    consultation = make_consultation()
    sign_in(client, "participant@example.org")

    socket = connect_socket(client)
    reply = socket.emit("join", {"room": f"consultation:{consultation.id}"}, callback=True)

    assert socket.is_connected()
    assert reply == {"ok": True, "room": f"consultation:{consultation.id}"}
    socket.disconnect()


def test_following_a_draft_or_an_unknown_room_is_refused(connect_socket,
    app, client, make_user, make_consultation
):
    make_user(email="participant@example.org")
    draft = make_consultation(status=ConsultationStatus.draft)
    sign_in(client, "participant@example.org")
    socket = connect_socket(client)

    for room in [f"consultation:{draft.id}", "consultation:999999", "admin:1", "x" * 500, 42,
                 "consultation:\u00b2", "consultation:99999999999999999999999"]:
        reply = socket.emit("join", {"room": room}, callback=True)
        assert reply == {"ok": False, "error": "You may not follow this room.",
                         "code": "not_allowed"}, room
    assert socket.emit("join", "not an object", callback=True)["ok"] is False
    socket.disconnect()


def test_a_follower_receives_what_is_emitted_to_the_room(connect_socket,
    app, client, make_user, make_consultation
):
    make_user(email="participant@example.org")
    consultation = make_consultation()
    sign_in(client, "participant@example.org")
    socket = connect_socket(client)
    room = f"consultation:{consultation.id}"
    socket.emit("join", {"room": room}, callback=True)
    socket.get_received()

    socketio.emit("consultation_updated", {"id": consultation.id}, to=room)

    received = wait_for(socket, "consultation_updated")
    assert received == [{"id": consultation.id}]
    socket.disconnect()


def wait_for(socket, event: str, seconds: float = 5.0) -> list:
    """Events of that name received within ``seconds`` (they may cross Redis first)."""
    deadline = time.monotonic() + seconds
    found = []
    while time.monotonic() < deadline and not found:
        found = [packet["args"][0] for packet in socket.get_received()
                 if packet["name"] == event]
        if not found:
            time.sleep(0.05)
    return found
