"""Client events that are malformed, oversized or too many are refused with an error answer;
the connection, and the server, carry on."""

import pytest

from portal import live
from tests.conftest import sign_in
from tests.test_languages import say
from tests.test_live_voting import live_round, voter  # noqa: F401  (a round open for votes)


@pytest.fixture
def socket(app, client, connect_socket, make_user, make_consultation):
    make_user(email="participant@example.org")
    sign_in(client, "participant@example.org")
    connection = connect_socket(client)
    yield connection
    connection.disconnect()


@pytest.fixture
def consultation_room(make_consultation):
    return f"consultation:{make_consultation().id}"


NESTED = [[[[[[[[[[["deep"]]]]]]]]]]]
HOSTILE_PAYLOADS = [
    "consultation:1",
    42,
    None,
    ["room", "consultation:1"],
    {"room": "x" * 100_000},
    {"room": NESTED},
    {"room": {"kind": "consultation", "id": 1}},
    {"room": "consultation:1", "junk": list(range(1000))},
    {"room": "consultation:1", "junk": "y" * 20_000},
    {str(number): number for number in range(100)},
]


@pytest.mark.parametrize("event", ["join", "leave", "cast_vote"])
@pytest.mark.parametrize("payload", HOSTILE_PAYLOADS)
def test_a_hostile_payload_is_refused_and_the_connection_goes_on(socket, consultation_room,
                                                                 event, payload):
    answer = socket.emit(event, payload, callback=True)

    assert answer["ok"] is False and answer["error"]
    assert answer["code"] in ("invalid_payload", "not_allowed", "no_room")
    assert socket.emit("join", {"room": consultation_room}, callback=True)["ok"] is True


@pytest.mark.parametrize("event", ["join", "leave", "cast_vote"])
def test_an_event_without_a_payload_or_with_two_is_refused(socket, consultation_room, event):
    assert socket.emit(event, callback=True)["code"] == "invalid_payload"
    assert socket.emit(event, {"room": consultation_room}, {"room": consultation_room},
                       callback=True)["code"] == "invalid_payload"


@pytest.mark.parametrize("room", [
    "consultation:99999999999999999999999",
    "consultation:٣",
    "consultation:007",
    "consultation:-1",
    "consultation:1 ",
    "consultation:",
])
def test_rooms_named_another_way_are_refused(socket, room):
    answer = socket.emit("join", {"room": room}, callback=True)

    assert answer == {"ok": False, "error": "You may not follow this room.",
                      "code": "not_allowed"}


@pytest.mark.parametrize("round_id", [2**63, 2**200, -(2**70), 10**30])
def test_a_vote_for_an_impossible_round_is_refused(app, connect_socket, live_round,  # noqa: F811
                                                   round_id):
    socket = voter(app, connect_socket, "p0@example.org")

    answer = socket.emit("cast_vote", {"round_id": round_id, "choice": "support"},
                         callback=True)

    assert answer["ok"] is False and answer["code"] == "no_round"


def test_a_connection_sending_too_fast_is_refused_until_it_slows_down(
        app, socket, consultation_room, monkeypatch, connect_socket, make_user):
    monkeypatch.setitem(app.config, "SOCKET_EVENT_BURST", 3)
    monkeypatch.setitem(app.config, "SOCKET_EVENTS_PER_SECOND", 0.001)
    clock = [1000.0]
    monkeypatch.setattr(live.time, "monotonic", lambda: clock[0])

    answers = [socket.emit("join", {"room": consultation_room}, callback=True)
               for _ in range(4)]

    assert [answer["ok"] for answer in answers] == [True, True, True, False]
    assert answers[3]["code"] == "rate_limited"
    assert "wait" in answers[3]["error"]

    clock[0] += 1000  # one token back at 0.001 a second
    assert socket.emit("join", {"room": consultation_room}, callback=True)["ok"] is True
    assert socket.emit("join", {"room": consultation_room}, callback=True)["ok"] is False


def test_each_connection_has_its_own_pace(app, socket, consultation_room, monkeypatch,
                                          connect_socket, make_user):
    monkeypatch.setitem(app.config, "SOCKET_EVENT_BURST", 2)
    monkeypatch.setitem(app.config, "SOCKET_EVENTS_PER_SECOND", 0.001)
    make_user(email="other@example.org")
    other_browser = app.test_client()
    sign_in(other_browser, "other@example.org")
    other = connect_socket(other_browser)

    for _ in range(3):
        socket.emit("join", {"room": consultation_room}, callback=True)

    assert other.emit("join", {"room": consultation_room}, callback=True)["ok"] is True
    other.disconnect()


def test_the_pace_refusal_is_in_the_persons_language(app, client, connect_socket, make_user,
                                                     consultation_room, monkeypatch):
    monkeypatch.setitem(app.config, "SOCKET_EVENT_BURST", 0)
    make_user(email="delegue@example.org", preferred_locale="fr")
    sign_in(client, "delegue@example.org")
    socket = connect_socket(client)

    answer = socket.emit("join", {"room": consultation_room}, callback=True)

    message = "Too many messages in a short time: wait a moment and send it again."
    assert answer["error"] == say(app, "fr", message) != message
    socket.disconnect()


def test_a_handler_that_fails_answers_with_an_error(socket, consultation_room, monkeypatch):
    def broken(user, consultation_id):
        raise RuntimeError("the database went away")

    monkeypatch.setitem(live.ROOM_KINDS, "consultation", broken)

    answer = socket.emit("join", {"room": consultation_room}, callback=True)

    assert answer["ok"] is False and answer["code"] == "server_error" and answer["error"]
