"""Joining again costs little: after a restart a thousand phones connect and join the round's
room at once, and every query of a join is paid a thousand times. A connection's events are
answered as the person it signed in as, without loading the account again; a round's room is
checked and its state written from one query for the round, its consultation and its
recommendation."""

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import event

from portal.extensions import db
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
