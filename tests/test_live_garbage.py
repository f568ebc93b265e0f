"""A live event leaves nothing for the garbage collector. A process holding thousands of
websockets pays for every object a collection has to look at: with Python's default
thresholds it stopped for half a second several times during a ten-second vote, and every vote
and tally waited (bench/README.md, "Arrival")."""

import gc

from flask.ctx import RequestContext

from portal import gunicorn_config
from tests.test_live_voting import live_round, voter  # noqa: F401  (the fixture is used)


def test_votes_leave_no_request_behind_for_the_garbage_collector(app, connect_socket,
                                                                   live_round):
    socket = voter(app, connect_socket, "p0@example.org", room=f"round:{live_round.id}")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for choice in ["support", "oppose"] * 10:
            assert socket.emit("cast_vote", {"round_id": live_round.id, "choice": choice},
                               callback=True)["ok"]
        gc.collect()
        left = [thing for thing in gc.garbage if isinstance(thing, RequestContext)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()

    # Each event's context, held in a cycle by the NotFound its path raised, waited there.
    assert left == []


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
