"""A round's tally is computed once and shared by every join of its room: a crowd joining at
once (after a restart, at the start of the plenary) costs one computation; a vote makes the
next join count again, so nobody joins to a tally that misses a vote stored before."""

import pytest

from recommendations import live, voting
from tests.test_live_voting import live_round, voter  # noqa: F401  (the fixture is used)

JOINS = 20


@pytest.fixture
def computations(monkeypatch):
    """How many times a tally was computed, whatever the time the joins take."""
    counted = []
    compute = voting.tally

    def counting(round_):
        counted.append(round_.id)
        return compute(round_)

    monkeypatch.setattr(voting, "tally", counting)
    monkeypatch.setattr(live.SharedTallies, "MAX_AGE", 3600)
    return counted


def test_twenty_joins_of_a_round_cost_one_tally(app, connect_socket, live_round, computations):
    sockets = [voter(app, connect_socket, f"p{number}@example.org") for number in range(JOINS)]

    answers = [socket.emit("join", {"room": f"round:{live_round.id}"}, callback=True)
               for socket in sockets]

    assert all(answer["ok"] for answer in answers)
    assert computations == [live_round.id]
    assert {answer["state"]["tally"]["turnout"]["voted"] for answer in answers} == {0}


def test_a_vote_makes_the_next_join_count_it(app, connect_socket, live_round, computations):
    room = f"round:{live_round.id}"
    first = voter(app, connect_socket, "p0@example.org", room=room)
    assert first.emit("cast_vote", {"round_id": live_round.id, "choice": "support"},
                      callback=True)["ok"]

    late = voter(app, connect_socket, "p1@example.org")
    answer = late.emit("join", {"room": room}, callback=True)

    assert answer["state"]["tally"]["turnout"]["voted"] == 1
    assert computations == [live_round.id, live_round.id]


def test_the_published_tally_is_the_one_joins_are_given(app, connect_socket, live_round,
                                                        computations):
    room = f"round:{live_round.id}"
    first = voter(app, connect_socket, "p0@example.org", room=room)
    first.emit("cast_vote", {"round_id": live_round.id, "choice": "oppose"}, callback=True)
    live.tallies.flush()

    joins = [voter(app, connect_socket, f"p{number}@example.org").emit(
        "join", {"room": room}, callback=True) for number in range(1, 6)]

    assert [join["state"]["tally"]["turnout"]["voted"] for join in joins] == [1] * 5
    # One for the first join, one by the publisher after the vote: the five joins shared it.
    assert computations == [live_round.id, live_round.id]
