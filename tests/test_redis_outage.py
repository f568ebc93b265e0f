"""Redis stopped while two server processes serve: votes and comments, by form POST and on
live connections, are stored and acknowledged on each process, each process's own followers
still get the updates, and updates cross processes again once Redis is back.

The two processes share one database: PostgreSQL when TEST_DATABASE_URL is set, otherwise one
SQLite file in WAL mode, which two processes on one machine share safely (its locks are the
file's; writers wait their turn through busy_timeout and BEGIN IMMEDIATE).
"""

import gc
import threading
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio as socketio_client
from flask import Flask
from sqlalchemy import create_engine, func, select
from werkzeug.security import generate_password_hash

from consultations import discussion
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
    Thread,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from portal.extensions import db
from portal.live import Presence
from recommendations import drafting, voting
from recommendations.models import Vote, VoteRound
from tests.databases import scratch_database
from tests.mailbox import free_port
from tests.servers import (
    PortalServer,
    RedisServer,
    csrf_token,
    prepare_database,
    signed_in_session,
    wait_until,
)

# The websocket client leaves the sockets of failed connection attempts to the collector.
pytestmark = pytest.mark.filterwarnings("ignore:unclosed:ResourceWarning")

PASSWORD = "outage-password-2024"


def fill(app):
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    consultation = Consultation(slug="plenary", title="Plenary", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live)
    db.session.add(consultation)
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
    people = []
    for number, role in enumerate((Role.facilitator, Role.participant, Role.participant)):
        user = create_account(email=f"person{number}@example.org", password_hash=cheap,
                              name=f"Person {number}", organisation="IOM",
                              stakeholder_group=StakeholderGroup.un_agency, country="SN")
        db.session.add(Registration(consultation=consultation, user=user, role=role,
                                    status=RegistrationStatus.approved, organisation="IOM",
                                    stakeholder_group=user.stakeholder_group, country="SN"))
        people.append(user)
    db.session.flush()
    discussion.add_thread(consultation, people[0], "Plenary discussion")
    recommendation = drafting.create_recommendation(
        consultation, people[0], title="Contact points", text="Each State names one.")
    voting.open_round(recommendation, people[0])


class Participant:
    """A participant signed in on one process, with a live connection following the round and
    the thread there."""

    def __init__(self, number: int, server, round_id: int, thread_id: int, *,
                 http: requests.Session | None = None, transports=("websocket",)):
        self.server, self.round_id, self.thread_id = server, round_id, thread_id
        self.http = signed_in_session(server.url, f"person{number}@example.org", PASSWORD,
                                      http=http)
        self.tallies: list[dict] = []
        self.comments: list[dict] = []
        self.client = socketio_client.Client(http_session=self.http)
        self.client.on("tally", self.tallies.append)
        self.client.on("comment_created", self.comments.append)
        self.client.connect(server.url, transports=list(transports), wait_timeout=30)
        for room in (f"round:{round_id}", f"thread:{thread_id}"):
            assert self.client.call("join", {"room": room}, timeout=30)["ok"]

    def vote_live(self, choice: str) -> dict:
        return self.client.call("cast_vote", {"round_id": self.round_id, "choice": choice},
                                timeout=40)

    def vote_by_form(self, choice: str) -> int:
        page = self.http.get(f"{self.server.url}/c/plenary/threads/{self.thread_id}",
                             timeout=30).text
        return self.http.post(f"{self.server.url}/c/plenary/rounds/{self.round_id}/vote",
                              data={"csrf_token": csrf_token(page), "choice": choice},
                              allow_redirects=False, timeout=40).status_code

    def comment_by_form(self, body: str) -> int:
        url = f"{self.server.url}/c/plenary/threads/{self.thread_id}"
        page = self.http.get(url, timeout=30).text
        return self.http.post(f"{url}/comments", data={"csrf_token": csrf_token(page),
                                                       "body": body},
                              allow_redirects=False, timeout=40).status_code

    def saw_tally(self, seq: int) -> bool:
        return any(tally["seq"] >= seq for tally in self.tallies)

    def saw_comment(self, body: str) -> bool:
        return any(body in comment["html"] for comment in self.comments)

    def close(self) -> None:
        self.client.disconnect()
        self.http.close()


@pytest.fixture
def cluster(tmp_path):
    redis_server = RedisServer(tmp_path).start()
    servers: list[PortalServer] = []
    try:
        with scratch_database(tmp_path, "outage") as url:
            prepare_database(url, fill)
            engine = create_engine(url)
            with engine.connect() as connection:
                round_id = connection.execute(select(VoteRound.id)).scalar_one()
                thread_id = connection.execute(select(Thread.id)).scalar_one()
            for _ in range(2):
                servers.append(PortalServer(url, tmp_path, REDIS_URL=redis_server.url).start())
            yield redis_server, servers, engine, round_id, thread_id
            engine.dispose()
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
        gc.collect()


def stored(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def test_votes_and_comments_go_on_while_redis_is_down_and_live_updates_cross_again_after(
    cluster,
):
    redis_server, servers, engine, round_id, thread_id = cluster
    people = [Participant(number, server, round_id, thread_id)
              for number, server in ((1, servers[0]), (2, servers[1]))]
    first, second = people
    try:
        # With Redis: a vote through the first process reaches the second's follower.
        answer = first.vote_live("support")
        assert answer["ok"]
        wait_until(lambda: second.saw_tally(answer["seq"]), what="the tally on the other process")

        redis_server.stop()
        for number, person in enumerate(people):
            answer = person.vote_live("oppose")
            assert answer["ok"], answer
            # This process's own followers are still told.
            wait_until(lambda p=person, a=answer: p.saw_tally(a["seq"]),
                       what="the tally on the voter's own process")
            assert person.vote_by_form("abstain") == 302
            body = f"Said while Redis was down, on process {number}"
            assert person.comment_by_form(body) == 302
            wait_until(lambda p=person, b=body: p.saw_comment(b),
                       what="the comment on its own process")
        with engine.connect() as connection:
            votes = dict(connection.execute(select(Vote.registration_id, Vote.choice)).all())
            bodies = connection.execute(select(Comment.body)).scalars().all()
        assert sorted(choice.value for choice in votes.values()) == ["abstain", "abstain"]
        assert sorted(bodies) == [f"Said while Redis was down, on process {n}" for n in (0, 1)]

        redis_server.start()
        # Live updates cross processes again once each process's listener is back; votes
        # keep being cast until one reaches the other process (a generous deadline: the
        # listener retries with a growing pause while Redis is away).
        crossed = threading.Event()

        def vote_until_it_crosses():
            choices = ("support", "oppose")
            for attempt in range(120):
                answer = first.vote_live(choices[attempt % 2])
                assert answer["ok"]
                try:
                    wait_until(lambda a=answer: second.saw_tally(a["seq"]), seconds=1)
                except AssertionError:
                    continue
                crossed.set()
                return

        vote_until_it_crosses()
        assert crossed.is_set()
        body = "Said once Redis was back"
        assert second.comment_by_form(body) == 302
        wait_until(lambda: first.saw_comment(body), seconds=120,
                   what="the comment on the other process")
        assert stored(engine, Comment) == 3
    finally:
        for person in people:
            person.close()


def test_presence_is_counted_on_the_process_while_redis_does_not_answer():
    app = Flask(__name__)
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    presence = Presence()
    with app.app_context():
        assert presence.enter("group:1", "connection-a", 7) == 1
        assert presence.enter("group:1", "connection-b", 8) == 2
        assert presence.leave("group:1", "connection-a") == 1
