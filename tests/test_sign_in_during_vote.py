"""People signing in while a vote runs do not hold up the votes: on the production server (one
gevent process), password hashes are checked in threads of their own, so the event loop keeps
acknowledging votes while the hashes are worked out.

Measured as an ordering, not a time: twenty people press "Sign in" at once, and a voter
already in the room sends more votes one after another than there are sign-ins; every vote is
acknowledged before the last of the twenty is signed in. Were the hashes checked on the event
loop, each vote would wait for a hash: the votes would still be waiting when the sign-ins end.
"""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio as socketio_client

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account, hash_password
from portal.extensions import db
from recommendations import drafting, voting
from tests.databases import scratch_database
from tests.servers import PortalServer, csrf_token, prepare_database, signed_in_session

pytestmark = pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")

PASSWORD = "a passphrase for the plenary 2024"
ARRIVING = 20
#: More votes than sign-ins: one hash per vote would end the sign-ins first.
VOTES = 25
CHOICES = ("support", "oppose", "abstain")


def fill(app):
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    consultation = Consultation(slug="plenary", title="Plenary", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live)
    db.session.add(consultation)
    # A real argon2id hash: each sign-in checks one in full.
    password_hash = hash_password(PASSWORD)
    people = []
    for number in range(ARRIVING + 2):
        user = create_account(email=f"person{number}@example.org", password_hash=password_hash,
                              name=f"Delegate {number}", organisation="IFRC",
                              stakeholder_group=StakeholderGroup.red_cross, country="SN")
        db.session.add(Registration(
            consultation=consultation, user=user,
            role=Role.facilitator if number == 0 else Role.participant,
            status=RegistrationStatus.approved, organisation="IFRC",
            stakeholder_group=user.stakeholder_group, country="SN"))
        people.append(user)
    db.session.flush()
    recommendation = drafting.create_recommendation(
        consultation, people[0], title="Contact points", text="Each State names one.")
    voting.open_round(recommendation, people[0])


@pytest.fixture
def gevent_server(tmp_path):
    with scratch_database(tmp_path, "arrival") as url:
        prepare_database(url, fill=fill)
        # One hashing thread: the twenty hashes take their longest, one after another.
        server = PortalServer(url, tmp_path, worker=("-k", "gevent"),
                              PASSWORD_HASH_THREADS="1").start()
        try:
            yield server
        finally:
            server.stop()


class Arrival(threading.Thread):
    """One person with the sign-in form open, pressing "Sign in" when told to."""

    def __init__(self, base_url: str, number: int, go: threading.Barrier):
        super().__init__()
        self.base_url, self.go = base_url, go
        self.email = f"person{number}@example.org"
        self.http = requests.Session()
        self.token = csrf_token(self.http.get(f"{base_url}/account/sign-in", timeout=30).text)
        self.status: int | None = None
        self.finished_at = 0.0

    def run(self):
        self.go.wait()
        response = self.http.post(f"{self.base_url}/account/sign-in", timeout=120,
                                  allow_redirects=False, data={
                                      "csrf_token": self.token, "email": self.email,
                                      "password": PASSWORD})
        self.finished_at = time.monotonic()
        self.status = response.status_code


def test_votes_are_acknowledged_while_twenty_people_sign_in(gevent_server):
    base = gevent_server.url
    voter_http = signed_in_session(base, f"person{ARRIVING + 1}@example.org", PASSWORD)
    voter = socketio_client.Client(http_session=voter_http)
    voter.connect(base, transports=["websocket"], wait_timeout=30)
    round_id = 1
    assert voter.call("join", {"room": f"round:{round_id}"}, timeout=30)["ok"]

    go = threading.Barrier(ARRIVING + 1)
    arrivals = [Arrival(base, number + 1, go) for number in range(ARRIVING)]
    for arrival in arrivals:
        arrival.start()
    go.wait()
    acknowledged_at = []
    for number in range(VOTES):
        answer = voter.call("cast_vote", {"round_id": round_id,
                                          "choice": CHOICES[number % 3]}, timeout=60)
        assert answer["ok"], answer
        acknowledged_at.append(time.monotonic())
    for arrival in arrivals:
        arrival.join()
    voter.disconnect()

    assert [arrival.status for arrival in arrivals] == [302] * ARRIVING
    last_sign_in = max(arrival.finished_at for arrival in arrivals)
    assert acknowledged_at[-1] < last_sign_in, gevent_server.log()[-3000:]
