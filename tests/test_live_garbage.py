"""A live event leaves next to nothing for the garbage collector. A process holding thousands
of websockets pays for every object a collection has to look at: with Python's default
thresholds it stopped for half a second several times during a ten-second vote, and every vote
and tally waited (bench/README.md, "Arrival")."""

import gc

import pytest
from flask import request
from werkzeug.test import EnvironBuilder

from portal import gunicorn_config
from tests.test_live_voting import live_round, voter  # noqa: F401  (the fixture is used)


@pytest.mark.parametrize("headers", [
    {},
    {"Upgrade": "websocket", "Connection": "Upgrade"},
], ids=["long-polling", "websocket"])
def test_an_events_request_context_is_made_without_a_routing_error(app, headers):
    # Flask-SocketIO makes each event's context from its connection's first request.
    environ = EnvironBuilder(path="/socket.io/", query_string="EIO=4&transport=websocket",
                             headers=headers).get_environ()

    with app.request_context(environ):
        assert request.routing_exception is None


def test_votes_leave_almost_no_garbage_behind(app, connect_socket, live_round):
    socket = voter(app, connect_socket, "p0@example.org", room=f"round:{live_round.id}")
    assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": "abstain"},
                       callback=True)["ok"]
    votes = ["support", "oppose"] * 10
    gc.collect()
    gc.disable()
    try:
        for choice in votes:
            assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": choice},
                               callback=True)["ok"]
        unreachable = gc.collect()
    finally:
        gc.enable()

    # Werkzeug's URL matcher leaves a closure of eight objects per request; a NotFound raised
    # for each event's context, with its traceback and frames, left sixty-four.
    assert unreachable <= 10 * len(votes)


def test_a_serving_process_freezes_what_it_loaded_and_collects_the_young_less_often():
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        gunicorn_config.post_worker_init(worker=None)

        assert gc.get_threshold() == gunicorn_config.GARBAGE_THRESHOLDS
        assert gc.get_threshold()[0] > 700
        assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
