"""Joining again costs little: after a restart a thousand phones connect and join the round's
room at once, and every query of a join is paid a thousand times. A connection's events are
answered as the person it signed in as, without loading the account again; a round's room is
checked and its state written from one query for the round, its consultation and its
recommendation; the rooms a page follows are joined as its connection opens, without an event
of their own."""

import pytest
from flask import request
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event

from portal.extensions import db
from portal.live import ROOM_SNAPSHOTS, _connections
from recommendations.live import tallies
from tests.conftest import sign_in
from tests.test_live_voting import live_round, voter  # noqa: F401  (the fixture is used)


@pytest.fixture
def statements(app):
    """The SQL statements the database is sent, in order."""
    sent = []

    def note(_connection, _cursor, statement, *_rest):
        sent.append(" ".join(statement.split()).lower())

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    yield sent
    event.remove(engine, "before_cursor_execute", note)


def test_a_connections_joins_and_votes_do_not_load_its_account_again(
    app, connect_socket, live_round, statements
):
    socket = voter(app, connect_socket, "p0@example.org")
    statements.clear()

    assert socket.emit("join", {"room": f"round:{live_round.id}"}, callback=True)["ok"]
    assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                       callback=True)["ok"]
    assert socket.emit("join", {"room": f"consultation:{live_round.consultation_id}"},
                       callback=True)["ok"]

    assert statements, "the join and the vote were answered from the database"
    reads = [s for s in statements if s.startswith("select")]
    assert not [s for s in reads if "from sign_ins" in s or "from users" in s]


def test_a_join_of_a_round_loads_the_round_its_consultation_and_recommendation_together(
    app, connect_socket, live_round, statements
):
    socket = voter(app, connect_socket, "p1@example.org")
    statements.clear()

    answer = socket.emit("join", {"room": f"round:{live_round.id}"}, callback=True)

    assert answer["ok"] and answer["state"]["title"] == "R"
    reads = [s for s in statements if s.startswith("select")]
    assert not [s for s in reads if s.startswith("select consultations.")]
    assert not [s for s in reads if s.startswith("select recommendations.")]
    rounds = [s for s in reads if s.startswith("select vote_rounds.id")]
    assert len(rounds) == 1 and "join consultations" in rounds[0]


def test_a_connections_events_read_its_session_cookie_once(app, connect_socket, live_round,
                                                           monkeypatch):
    socket = voter(app, connect_socket, "p2@example.org")
    reads = []
    read_cookie = SecureCookieSessionInterface.open_session

    def counted(interface, application, request):
        reads.append(request.path)
        return read_cookie(interface, application, request)

    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counted)

    for _ in range(5):
        assert socket.emit("join", {"room": f"round:{live_round.id}"}, callback=True)["ok"]

    # The connection's first event read it already; none of these reads it again.
    assert reads == []


def join_answers(socket) -> list[dict]:
    return [packet["args"][0] for packet in socket.get_received()
            if packet["name"] == "join_answer"]


def test_the_rooms_named_as_a_connection_opens_are_joined_and_each_answered(
    app, connect_socket, live_round
):
    browser = app.test_client()
    sign_in(browser, "p3@example.org")
    round_room = f"round:{live_round.id}"
    socket = connect_socket(browser, auth={"rooms": [
        {"room": round_room},
        {"room": f"consultation:{live_round.consultation_id}", "since": "2026-01-01T00:00:00"},
        {"room": "round:999999"},
        "not a room",
    ]})

    answers = join_answers(socket)
    assert [answer["room"] for answer in answers] == [
        round_room, f"consultation:{live_round.consultation_id}", "round:999999", None]
    round_answer = answers[0]["reply"]
    assert round_answer["ok"] and round_answer["state"]["title"] == "R"
    assert round_answer["state"]["tally"]["seq"] == 0 and round_answer["now"]
    assert answers[1]["reply"]["ok"]
    assert answers[2]["reply"]["code"] == "not_allowed"
    assert answers[3]["reply"]["code"] == "invalid_payload"

    # In the round's room without a join event: another voter's vote reaches it.
    other = voter(app, connect_socket, "p4@example.org")
    assert other.emit("cast_vote", {"round_id": live_round.id, "choice": "oppose"},
                      callback=True)["ok"]
    tallies.flush()
    pushes = [packet["args"][0] for packet in socket.get_received() if packet["name"] == "tally"]
    assert pushes and pushes[-1]["counts"]["oppose"] == 1


def test_a_voter_reconnecting_with_its_room_named_finds_its_vote_in_the_answer(
    app, connect_socket, live_round
):
    browser = app.test_client()
    sign_in(browser, "p5@example.org")
    first = connect_socket(browser)
    assert first.emit("cast_vote", {"round_id": live_round.id, "choice": "abstain"},
                      callback=True)["ok"]
    first.disconnect()

    again = connect_socket(browser, auth={"rooms": [{"room": f"round:{live_round.id}"}]})

    [answer] = join_answers(again)
    assert answer["reply"]["state"]["your_vote"]["choice"] == "abstain"


def test_a_connection_joins_a_handful_of_rooms_as_it_opens_not_hundreds(
    app, connect_socket, live_round
):
    browser = app.test_client()
    sign_in(browser, "p6@example.org")
    room = {"room": f"consultation:{live_round.consultation_id}"}

    socket = connect_socket(browser, auth={"rooms": [room] * 12})

    assert len(join_answers(socket)) == 8


def test_a_connection_gone_while_its_rooms_are_joined_is_not_kept(
    app, connect_socket, live_round, monkeypatch
):
    browser = app.test_client()
    sign_in(browser, "p7@example.org")
    server = app.extensions["suite_socket_server"]
    snapshot = ROOM_SNAPSHOTS["round"]

    def gone_meanwhile(*arguments, **options):
        # The phone's Wi-Fi drops while the server reads the round's state.
        server._handle_eio_disconnect(server.manager.eio_sid_from_sid(request.sid, "/"),
                                      "transport close")
        return snapshot(*arguments, **options)

    monkeypatch.setitem(ROOM_SNAPSHOTS, "round", gone_meanwhile)
    room = f"round:{live_round.id}"
    kept_before = set(_connections)
    followers_before = set(server.manager.get_participants("/", room))

    socket = connect_socket(browser, auth={"rooms": [{"room": room}]})

    assert not socket.is_connected()
    assert set(_connections) == kept_before
    assert set(server.manager.get_participants("/", room)) == followers_before
