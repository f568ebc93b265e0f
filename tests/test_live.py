import time
from datetime import UTC, datetime, timedelta

from consultations import discussion
from consultations.models import ConsultationStatus, Role
from portal.extensions import socketio
from portal.live import broadcast_after_commit
from recommendations import drafting, voting
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
    assert reply["ok"] and reply["room"] == f"consultation:{consultation.id}"
    assert reply["state"] == {"open_rounds": []}
    socket.disconnect()


def test_joining_a_thread_again_brings_the_comments_written_edited_or_hidden_while_away(
    connect_socket, app, client, session, make_user, make_consultation, register
):
    reader = make_user(email="reader@example.org")
    writer = make_user(email="writer@example.org")
    facilitator = make_user(email="facilitator@example.org")
    consultation = make_consultation()
    for user, role in ((reader, Role.participant), (writer, Role.participant),
                       (facilitator, Role.facilitator)):
        register(user, consultation, role=role)
    thread = discussion.add_thread(consultation, facilitator, "Contact points")
    long_ago = discussion.post_comment(thread, writer, "Said an hour before the page")
    long_ago.created_at = datetime.now(UTC) - timedelta(hours=1)
    to_hide = discussion.post_comment(thread, writer, "Will be hidden")
    to_hide.created_at = datetime.now(UTC) - timedelta(hours=1)
    session.commit()
    sign_in(client, "reader@example.org")
    socket = connect_socket(client)
    room = f"thread:{thread.id}"

    first = socket.emit("join", {"room": room}, callback=True)
    assert first["ok"] and first["state"] == {"comments": [], "complete": True}

    # Away: a comment and a reply are written and another comment is hidden.
    said = discussion.post_comment(thread, writer, "Said while the reader was away")
    discussion.post_comment(thread, facilitator, "A reply", parent=said)
    discussion.hide_comment(to_hide, facilitator, "Off topic")
    session.commit()

    again = socket.emit("join", {"room": room, "since": first["now"]}, callback=True)

    comments = again["state"]["comments"]
    assert [(c["html"], c["state"]) for c in comments] == [
        ("", "hidden"), ("<p>Said while the reader was away</p>", "visible"),
        ("<p>A reply</p>", "visible")]
    assert comments[2]["parent_id"] == said.id
    assert again["state"]["complete"] is True
    # A "since" that is not a time is a first join, not an error.
    assert socket.emit("join", {"room": room, "since": "yesterday"},
                       callback=True)["state"]["comments"] == []
    socket.disconnect()


def test_joining_the_consultation_again_tells_which_round_is_open(
    connect_socket, app, client, session, make_user, make_consultation, register
):
    make_user(email="participant@example.org")
    facilitator = make_user(email="facilitator@example.org")
    consultation = make_consultation()
    register(facilitator, consultation, role=Role.facilitator)
    recommendation = drafting.create_recommendation(consultation, facilitator,
                                                    title="Contact points", text="One each.")
    round_ = voting.open_round(recommendation, facilitator)
    session.commit()
    sign_in(client, "participant@example.org")
    socket = connect_socket(client)

    reply = socket.emit("join", {"room": f"consultation:{consultation.id}"}, callback=True)

    assert reply["state"] == {"open_rounds": [round_.id]}
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


def test_a_live_event_leaves_when_the_transaction_commits_not_when_a_savepoint_is_released(
    connect_socket, app, client, session, make_user, make_consultation
):
    make_user(email="participant@example.org")
    consultation = make_consultation()
    session.commit()
    sign_in(client, "participant@example.org")
    socket = connect_socket(client)
    room = f"consultation:{consultation.id}"
    socket.emit("join", {"room": room}, callback=True)
    socket.get_received()

    with session.begin_nested():
        broadcast_after_commit("consultation_updated", {"id": consultation.id}, room)
    assert wait_for(socket, "consultation_updated", seconds=0.5) == []

    session.commit()
    assert wait_for(socket, "consultation_updated") == [{"id": consultation.id}]
    socket.disconnect()
