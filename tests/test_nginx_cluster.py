"""Two server processes behind a real nginx on loopback, as docs/deployment.md sets them up
(sticky sessions by a cookie nginx sets, websocket upgrade, X-Forwarded-* headers), joined by
Redis, on PostgreSQL: a vote cast through one process reaches a participant connected to the
other."""

import gc
import os

import pytest
import requests

from tests.databases import scratch_database
from tests.servers import Nginx, PortalServer, RedisServer, prepare_database, wait_until
from tests.test_redis_outage import Participant, fill, room_ids

pytestmark = [
    pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                       reason="TEST_DATABASE_URL (PostgreSQL) is not set: several processes "
                              "serve one PostgreSQL database in production"),
    # The websocket client leaves the sockets of failed connection attempts to the collector.
    pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning"),
]


@pytest.fixture
def cluster(tmp_path):
    from sqlalchemy import create_engine

    redis_server = RedisServer(tmp_path).start()
    servers: list[PortalServer] = []
    proxy = None
    try:
        with scratch_database(tmp_path, "cluster") as url:
            prepare_database(url, fill)
            engine = create_engine(url)
            ids = room_ids(engine)
            engine.dispose()
            for _ in range(2):
                servers.append(PortalServer(url, tmp_path, REDIS_URL=redis_server.url,
                                            TRUSTED_PROXIES="1").start())
            proxy = Nginx(tmp_path, [server.port for server in servers]).start()
            yield proxy, servers, ids
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers:
            server.stop()
        redis_server.stop()
        gc.collect()


def pinned_to(proxy: Nginx, server: PortalServer) -> requests.Session:
    """A browser-like session that nginx's route cookie has pinned to ``server``."""
    for _ in range(64):
        http = requests.Session()
        response = http.get(f"{proxy.url}/account/sign-in", timeout=30)
        if response.headers["X-Upstream"] == f"127.0.0.1:{server.port}":
            assert "portal_route" in http.cookies
            return http
        http.close()
    raise AssertionError(f"nginx never sent a new visitor to port {server.port}")


def test_a_vote_cast_through_one_process_reaches_a_participant_on_the_other(cluster):
    proxy, (first_server, second_server), ids = cluster
    thread_id = ids["thread"]
    # Long-polling first, then the websocket upgrade: every request of a Socket.IO session
    # must reach the process that holds it, which is what the sticky route is for.
    transports = ("polling", "websocket")
    first = Participant(1, proxy, ids, transports=transports,
                        http=pinned_to(proxy, first_server))
    second = Participant(2, proxy, ids, transports=transports,
                         http=pinned_to(proxy, second_server))
    try:
        for person, server in ((first, first_server), (second, second_server)):
            page = person.http.get(f"{proxy.url}/c/plenary/threads/{thread_id}", timeout=30)
            assert page.headers["X-Upstream"] == f"127.0.0.1:{server.port}"

        answer = first.vote_live("support")
        assert answer["ok"], answer
        wait_until(lambda: second.saw_tally(answer["seq"]),
                   what="the vote cast on one process in a tally on the other")
        assert second.tallies[-1]["counts"]["support"] == 1

        # The same for a vote sent by form, and the other way round.
        assert second.vote_by_form("oppose") == 302
        wait_until(lambda: any(tally["counts"]["oppose"] == 1 for tally in first.tallies),
                   what="the form vote on the second process in a tally on the first")
        # Both processes saw everything through one nginx origin: no connection refused.
        assert "Invalid session" not in first_server.log() + second_server.log()
    finally:
        first.close()
        second.close()
