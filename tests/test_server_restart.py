"""The server process killed (SIGKILL) during an open vote round and started again: every vote
it acknowledged is in the database, and the voters' clients reconnect and get the round's
state (its tally and their own vote) back."""

import gc
import threading
from datetime import UTC, datetime, timedelta

import pytest
import socketio as socketio_client
from sqlalchemy import create_engine, select
from werkzeug.security import generate_password_hash

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from portal.extensions import db
from recommendations import drafting, voting
from recommendations.models import Vote, VoteRound
from tests.databases import scratch_database
from tests.servers import PortalServer, prepare_database, signed_in_session, wait_until

# The websocket client leaves the sockets of its failed reconnection attempts (while the
# server is down) to the garbage collector.
pytestmark = pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")

VOTERS = 16
PASSWORD = "restart-voter-password-2024"
CHOICES = ("support", "oppose", "abstain")


def fill(app):
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    consultation = Consultation(slug="plenary", title="Plenary", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live)
    db.session.add(consultation)
    # One cheap hash for everyone: the sign-ins stay real HTTP, without 17 argon2 runs.
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    people = []
    for number in range(VOTERS + 1):
        user = create_account(email=f"voter{number}@example.org", password_hash=cheap,
                              name=f"Voter {number}", organisation="IFRC",
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


class Voter:
    """A python-socketio client that reconnects by itself and joins the round's room on every
    connection, keeping each state the join answer carries."""

    def __init__(self, number: int, base_url: str, round_id: int):
        self.number, self.round_id = number, round_id
        self.states: list[dict] = []
        self.votes = 0
        #: The choice and answer of the last vote acknowledged, and the last vote sent.
        self.last_acknowledged: tuple[str, dict] | None = None
        self.last_sent: str | None = None
        self.http = signed_in_session(base_url, f"voter{number}@example.org", PASSWORD)
        self.client = socketio_client.Client(
            http_session=self.http,
            reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)
        self.client.on("connect", self._join)
        self.client.connect(base_url, transports=["websocket"], wait_timeout=30)

    def _join(self):
        # Not client.call: the connect handler runs on the thread that reads the answers.
        self.client.emit("join", {"room": f"round:{self.round_id}"}, callback=self._joined)

    def _joined(self, answer):
        if answer.get("ok"):
            self.states.append(answer["state"])

    def vote(self) -> bool:
        """Vote (changing the vote each time); whether the vote was acknowledged."""
        choice = CHOICES[(self.number + self.votes) % len(CHOICES)]
        self.votes += 1
        self.last_sent = choice
        try:
            answer = self.client.call("cast_vote", {"round_id": self.round_id,
                                                    "choice": choice}, timeout=10)
        except (socketio_client.exceptions.TimeoutError,
                socketio_client.exceptions.BadNamespaceError,
                socketio_client.exceptions.DisconnectedError):
            return False
        if not answer.get("ok"):
            return False
        self.last_acknowledged = (choice, answer)
        return True

    def keep_voting(self, until: threading.Event) -> None:
        while not until.is_set() and self.vote():
            pass


def stored_votes(url: str) -> dict[int, Vote]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(Vote.id, Vote.choice, Vote.seq)).all()
    finally:
        engine.dispose()
    return {row.id: row for row in rows}


def test_acknowledged_votes_survive_a_killed_server_and_clients_get_the_round_back(tmp_path):
    with scratch_database(tmp_path, "restart") as url:
        prepare_database(url, fill)
        engine = create_engine(url)
        with engine.connect() as connection:
            round_id = connection.execute(select(VoteRound.id)).scalar_one()
        engine.dispose()
        server = PortalServer(url, tmp_path).start()
        voters: list[Voter] = []
        try:
            voters = [Voter(number, server.url, round_id) for number in range(1, VOTERS + 1)]
            wait_until(lambda: all(voter.states for voter in voters), what="every join")

            # Every voter keeps changing their vote; the server is killed in the middle of
            # it, with votes on their way and others waiting in the ballot box for the
            # commit of their batch.
            stop_voting = threading.Event()
            threads = [threading.Thread(target=voter.keep_voting, args=(stop_voting,))
                       for voter in voters]
            for thread in threads:
                thread.start()
            wait_until(lambda: sum(voter.votes for voter in voters) >= 10 * VOTERS,
                       interval=0.005, what="votes under way")
            server.kill()
            stop_voting.set()
            for thread in threads:
                thread.join(timeout=60)

            stored = stored_votes(url)
            acknowledged = [voter for voter in voters if voter.last_acknowledged]
            assert len(acknowledged) == VOTERS, server.log()
            for voter in acknowledged:
                choice, answer = voter.last_acknowledged
                vote = stored.get(answer["vote_id"])
                assert vote is not None, f"voter {voter.number}'s acknowledged vote is lost"
                # Stored as acknowledged, or changed since by the vote still on its way.
                assert vote.seq >= answer["seq"]
                assert vote.choice.value == (choice if vote.seq == answer["seq"]
                                             else voter.last_sent)

            joins_before = {voter.number: len(voter.states) for voter in voters}
            server.start()
            wait_until(lambda: all(len(voter.states) > joins_before[voter.number]
                                   for voter in voters), what="every client's state again")

            stored = stored_votes(url)
            for voter in voters:
                state = voter.states[-1]
                assert state["open"] and state["round_id"] == round_id
                assert state["tally"]["turnout"]["voted"] == len(stored)
                mine = stored[voter.last_acknowledged[1]["vote_id"]]
                assert state["your_vote"] == {"choice": mine.choice.value,
                                              "reservation": None, "seq": mine.seq}

            # Each voter votes again on the same, reconnected client.
            for voter in voters:
                assert voter.vote()
            stored = stored_votes(url)
            assert len(stored) == VOTERS
            seqs = [vote.seq for vote in stored.values()]
            assert len(set(seqs)) == len(seqs)
        finally:
            for voter in voters:
                voter.client.disconnect()
                voter.http.close()
            server.stop()
            gc.collect()
