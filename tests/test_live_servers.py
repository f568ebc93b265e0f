"""Live updates across real server processes joined by the Redis message queue."""

import os
import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio as socketio_client

from consultations.models import Consultation, ConsultationStatus, Region
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.databases import scratch_database
from tests.servers import PortalServer, prepare_database

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")


def fill(app):
    create_account(email="participant@example.org", password=PASSWORD, name="Delegate",
                   organisation="Kenya Red Cross Society",
                   stakeholder_group=StakeholderGroup.red_cross, country="KE")
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    db.session.add(Consultation(slug="dakar", title="Dakar", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live))


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    directory = tmp_path_factory.mktemp("live-servers")
    with scratch_database(directory, "live") as url:
        prepare_database(url, fill)
        servers = [PortalServer(url, directory, REDIS_URL=os.environ["REDIS_URL"]).start()
                   for _ in range(2)]
        try:
            yield servers
        finally:
            for server in servers:
                server.stop()


def signed_in_session(base_url: str) -> requests.Session:
    http = requests.Session()
    page = http.get(f"{base_url}/account/sign-in", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = http.post(f"{base_url}/account/sign-in", timeout=10, allow_redirects=False, data={
        "csrf_token": token, "email": "participant@example.org", "password": PASSWORD})
    assert response.status_code == 302
    return http


def follower(server: PortalServer, room: str):
    received = []
    arrived = threading.Event()
    client = socketio_client.Client(http_session=signed_in_session(server.url))

    @client.on("consultation_updated")
    def on_update(payload):
        received.append(payload)
        arrived.set()

    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    assert client.call("join", {"room": room}, timeout=10)["ok"]
    return client, received, arrived


def test_an_anonymous_socket_is_refused_by_a_real_server(two_servers):
    client = socketio_client.Client()
    with pytest.raises(socketio_client.exceptions.ConnectionError):
        client.connect(two_servers[0].url, transports=["websocket"], wait_timeout=10)


def test_an_event_reaches_followers_on_every_process(two_servers):
    from flask_socketio import SocketIO

    followers = [follower(server, "consultation:1") for server in two_servers]
    try:
        SocketIO(message_queue=os.environ["REDIS_URL"]).emit(
            "consultation_updated", {"round": 1}, to="consultation:1"
        )
        for _client, received, arrived in followers:
            assert arrived.wait(10)
            assert received == [{"round": 1}]
    finally:
        for client, _received, _arrived in followers:
            client.disconnect()
