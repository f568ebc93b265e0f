"""Redis stopped while two server processes serve: votes and comments, by form POST and on
live connections, are stored and acknowledged on each process, each process's own followers
still get the updates, and updates cross processes again once Redis is back.

The two processes share one database: PostgreSQL when TEST_DATABASE_URL is set, otherwise one
SQLite file in WAL mode, which two processes on one machine share safely (its locks are the
file's; writers wait their turn through busy_timeout and BEGIN IMMEDIATE).
"""

import gc
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis
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
from portal.message_queue import redis_client
from portal.presence import Presence
from recommendations import drafting, voting
from recommendations.models import Recommendation, Vote, VoteRound
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
    drafting.create_recommendation(consultation, people[0], title="Search and rescue",
                                   text="States coordinate search and rescue.")


class Participant:
    """A participant signed in on one process, with a live connection there following the
    round, the thread, the recommendation and the consultation, and doing what the portal's
    own client does when told to resynchronise: joining every room again."""

    def __init__(self, number: int, server, ids: dict, *,
                 http: requests.Session | None = None, transports=("websocket",)):
        self.server, self.ids = server, ids
        self.round_id, self.thread_id = ids["round"], ids["thread"]
        self.http = signed_in_session(server.url, f"person{number}@example.org", PASSWORD,
                                      http=http)
        self.rooms = [f"round:{ids['round']}", f"thread:{ids['thread']}",
                      f"recommendation:{ids['recommendation']}",
                      f"consultation:{ids['consultation']}"]
        self.since: dict[str, str] = {}
        self.events: list[tuple[str, dict]] = []
        self.resyncs = 0
        self.client = socketio_client.Client(http_session=self.http)
        self.client.on("*", self._received)
        self.client.connect(server.url, transports=list(transports), wait_timeout=30)
        for room in self.rooms:
            answer = self.client.call("join", {"room": room}, timeout=30)
            assert answer["ok"]
            self._joined(room, answer)

    def _received(self, name: str, payload: dict | None = None) -> None:
        if name == "resync":
            self.resyncs += 1
            for room in self.rooms:
                # Not a blocking call: this runs on the client's reading thread.
                self.client.emit("join", {"room": room, "since": self.since.get(room)},
                                 callback=lambda answer, room=room: self._joined(room, answer))
        else:
            self.events.append((name, payload))

    def _joined(self, room: str, answer: dict) -> None:
        self.since[room] = answer["now"]
        state = answer.get("state") or {}
        if "tally" in state:
            self.events.append(("tally", state["tally"]))
        for comment in state.get("comments", []):
            self.events.append(("comment_created", comment))

    def received(self, name: str) -> list[dict]:
        return [payload for event, payload in list(self.events) if event == name]

    @property
    def tallies(self) -> list[dict]:
        return self.received("tally")

    def vote_live(self, choice: str) -> dict:
        return self.client.call("cast_vote", {"round_id": self.round_id, "choice": choice},
                                timeout=40)

    def token(self) -> str:
        return csrf_token(self.http.get(
            f"{self.server.url}/c/plenary/threads/{self.thread_id}", timeout=30).text)

    def post(self, path: str, **fields) -> int:
        return self.http.post(f"{self.server.url}{path}",
                              data={"csrf_token": self.token(), **fields},
                              allow_redirects=False, timeout=40).status_code

    def vote_by_form(self, choice: str) -> int:
        return self.post(f"/c/plenary/rounds/{self.round_id}/vote", choice=choice)

    def comment_by_form(self, body: str) -> int:
        return self.post(f"/c/plenary/threads/{self.thread_id}/comments", body=body)

    def saw_tally(self, seq: int) -> bool:
        return any(tally["seq"] >= seq for tally in self.tallies)

    def saw_comment(self, body: str) -> bool:
        return any(body in comment["html"] for comment in self.received("comment_created"))

    def close(self) -> None:
        self.client.disconnect()
        self.http.close()


def room_ids(engine) -> dict:
    """The ids of the rooms a Participant follows, in the consultation ``fill`` makes."""
    with engine.connect() as connection:
        return {
            "round": connection.execute(select(VoteRound.id)).scalar_one(),
            "thread": connection.execute(select(Thread.id)).scalar_one(),
            # The draft the plenary has not voted on yet.
            "recommendation": connection.execute(
                select(func.max(Recommendation.id))).scalar_one(),
            "consultation": connection.execute(select(Consultation.id)).scalar_one(),
        }


@pytest.fixture
def cluster(tmp_path):
    redis_server = RedisServer(tmp_path).start()
    servers: list[PortalServer] = []
    try:
        with scratch_database(tmp_path, "outage") as url:
            prepare_database(url, fill)
            engine = create_engine(url)
            ids = room_ids(engine)
            for _ in range(2):
                servers.append(PortalServer(url, tmp_path, REDIS_URL=redis_server.url).start())
            yield redis_server, servers, engine, ids
            engine.dispose()
    finally:
        for server in servers:
            server.stop()
        redis_server.stop()
        gc.collect()


def stored(engine, model) -> int:
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def comment_id(engine, body: str) -> int:
    with engine.connect() as connection:
        return connection.execute(select(Comment.id).where(Comment.body == body)).scalar_one()


def test_votes_and_comments_go_on_while_redis_is_down_and_live_updates_cross_again_after(
    cluster,
):
    redis_server, servers, engine, ids = cluster
    people = [Participant(number, server, ids)
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
        assert not first.saw_comment("on process 1") and not second.saw_comment("on process 0")

        redis_server.start()
        # Each process subscribes again and tells its own clients to resynchronise: joining
        # again, they get what the other process said while Redis was down.
        wait_until(lambda: first.saw_comment("Said while Redis was down, on process 1"),
                   what="the other process's comment from the outage, on the first")
        wait_until(lambda: second.saw_comment("Said while Redis was down, on process 0"),
                   what="the other process's comment from the outage, on the second")
        assert first.resyncs >= 1 and second.resyncs >= 1

        # Then every kind of live event crosses again, each sent once, both ways.
        for sender, receiver in ((first, second), (second, first)):
            answer = sender.vote_live("support" if sender is first else "oppose")
            assert answer["ok"]
            wait_until(lambda r=receiver, a=answer: r.saw_tally(a["seq"]),
                       what="a tally from the other process")
            body = f"Said once Redis was back, on process {people.index(sender)}"
            assert sender.comment_by_form(body) == 302
            wait_until(lambda r=receiver, b=body: r.saw_comment(b),
                       what="a comment from the other process")
            said = comment_id(engine, body)
            assert sender.post(f"/c/plenary/comments/{said}/edit", body=body + ", edited") == 302
            wait_until(lambda r=receiver, b=body: any(
                b + ", edited" in c["html"] for c in r.received("comment_updated")),
                what="an edited comment from the other process")

        facilitator = Participant(0, servers[1], ids)
        people.append(facilitator)
        hidden = comment_id(engine, "Said once Redis was back, on process 0, edited")
        assert facilitator.post(f"/c/plenary/comments/{hidden}/hide", reason="Off topic") == 302
        wait_until(lambda: any(c["id"] == hidden and c["state"] == "hidden"
                               for c in first.received("comment_hidden")),
                   what="a hidden comment from the other process")
        assert facilitator.post(f"/c/plenary/rounds/{ids['round']}/close", confirm="y") == 302
        wait_until(lambda: any(state["round_id"] == ids["round"]
                               for state in first.received("round_closed")),
                   what="the round closed on the other process")
        recommendation = f"/c/plenary/recommendations/{ids['recommendation']}"
        assert facilitator.post(f"{recommendation}/revise",
                                text="States coordinate search and rescue at sea.") == 302
        wait_until(lambda: any(version["number"] == 2
                               for version in first.received("version_created")),
                   what="a new version from the other process")
        assert facilitator.post(f"{recommendation}/rounds") == 302
        wait_until(lambda: any(state["round_id"] != ids["round"]
                               for state in first.received("round_opened")),
                   what="a round opened on the other process")
        assert stored(engine, Comment) == 4
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


def test_more_redis_commands_at_once_than_connections_wait_their_turn(tmp_path):
    # A gevent process with a thousand phones joining publishes from more greenlets at once
    # than redis-py's default pool allows (100): those events never crossed to the other
    # processes.
    redis_server = RedisServer(tmp_path).start()
    try:
        client = redis_client(redis_server.url)
        refused = []

        def hold_a_connection():
            try:
                client.blpop(["nothing-comes"], timeout=0.2)
            except redis.RedisError as error:
                refused.append(error)

        commands = [threading.Thread(target=hold_a_connection) for _ in range(150)]
        for command in commands:
            command.start()
        for command in commands:
            command.join()
        client.close()
    finally:
        redis_server.stop()

    assert refused == []


def test_a_participant_declined_on_one_process_stops_receiving_on_the_other(cluster):
    _redis_server, servers, engine, ids = cluster
    declined = Participant(1, servers[0], ids)
    staying = Participant(2, servers[0], ids)
    facilitator = Participant(0, servers[1], ids)
    people = [declined, staying, facilitator]
    try:
        with engine.connect() as connection:
            registration_id = connection.execute(
                select(Registration.id).join(Registration.user)
                .where(Registration.role == Role.participant)
                .order_by(Registration.id)).scalars().first()
        assert facilitator.post("/c/plenary/registrations/decide", registration=registration_id,
                                decision="declined") == 302
        # The other process checks its connections of that person once told through Redis;
        # a comment then reaches whoever may still read the thread, and not them.
        body = "Said after the decision"
        deadline = 60
        while deadline:
            probe = f"{body} ({deadline})"
            assert facilitator.comment_by_form(probe) == 302
            wait_until(lambda p=probe: staying.saw_comment(p), what="the comment")
            time.sleep(0.5)  # both follow the thread on the same process: the same moment
            if not declined.saw_comment(probe):
                break
            deadline -= 1
        assert deadline, ("the declined participant kept receiving the thread:\n"
                          + servers[0].log()[-3000:])
        answer = staying.vote_live("support")
        wait_until(lambda: staying.saw_tally(answer["seq"]), what="the tally")
        assert not declined.saw_tally(answer["seq"])
        assert declined.client.connected
    finally:
        for person in people:
            person.close()
