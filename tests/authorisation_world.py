"""One consultation with something of every kind, and a person of every kind around it, for
the authorisation matrix and the fuzzing tests.

``build_world`` writes it into the current database session (the caller commits) and returns
the ids the tests need: the consultation is live, its breakout assignment published; it has
threads, a comment, recommendations with versions, an open amendment, an open vote round, a
translation, the outcome's written parts and a compiled outcome document.
"""

import hashlib
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from flask_migrate import upgrade
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from consultations import breakouts, discussion
from consultations import registrations as registration_rules
from consultations.models import (
    Consultation,
    ConsultationStatus,
    QuestionKind,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account, hash_password, start_sign_in
from portal.extensions import db, socketio
from recommendations import drafting, voting
from recommendations.models import RecommendationStatus
from recommendations.outcome import operations as outcome
from reviews import commitments, setting_up, silence, synthesis, versions
from tests.conftest import (
    PASSWORD,
    FreshContextClient,
    FreshContextSocketClient,
    suite_settings,
)
from tests.databases import scratch_database
from tests.outcome_data import build_outcome_consultation

#: The kinds of user the matrix checks, in the order its tables list them.
KINDS = (
    "anonymous", "signed_in", "pending", "other_breakout", "participant", "observer",
    "translator", "rapporteur", "other_facilitator", "facilitator", "secretariat", "admin",
)


@dataclass
class World:
    #: Identifiers of the world's objects, named as the URL rules name their arguments.
    ids: dict[str, object] = field(default_factory=dict)
    #: Each kind of user's account id (None for the anonymous visitor).
    users: dict[str, int | None] = field(default_factory=dict)
    #: Each signed-in kind's sign-in token, as the session cookie carries it.
    tokens: dict[str, str] = field(default_factory=dict)


class _Makers:
    """The suite's factory fixtures, as plain functions on the current session."""

    def __init__(self):
        self.number = 0
        self.password_hash = hash_password(PASSWORD)

    def _next(self) -> int:
        self.number += 1
        return self.number

    def user(self, **overrides) -> User:
        number = self._next()
        fields = {
            "email": f"matrix{number}@example.org", "password_hash": self.password_hash,
            "name": f"Delegate {number}", "organisation": "Senegalese Red Cross Society",
            "stakeholder_group": StakeholderGroup.red_cross, "country": "SN",
        }
        is_admin = overrides.pop("is_admin", False)
        fields.update(overrides)
        user = create_account(**fields)
        user.is_admin = is_admin
        db.session.flush()
        return user

    def consultation(self, **overrides) -> Consultation:
        number = self._next()
        starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
        fields = {
            "slug": f"consultation-{number}", "title": f"Regional consultation {number}",
            "region": Region.africa, "starts_at": starts, "ends_at": starts + timedelta(days=1),
            "time_zone": "Africa/Dakar", "working_languages": ["en", "fr"],
            "status": ConsultationStatus.live,
        }
        objectives = overrides.pop("gcm_objectives", [8])
        fields.update(overrides)
        consultation = Consultation(**fields)
        consultation.gcm_objectives = objectives
        db.session.add(consultation)
        db.session.flush()
        return consultation

    def register(self, user, consultation, role=Role.participant,
                 status=RegistrationStatus.approved) -> Registration:
        registration = Registration(
            consultation=consultation, user=user, role=role, status=status,
            organisation=user.organisation, stakeholder_group=user.stakeholder_group,
            country=user.country)
        db.session.add(registration)
        db.session.flush()
        return registration


def build_world() -> World:
    make = _Makers()
    built = build_outcome_consultation(db.session, make.user, make.consultation, make.register,
                                       slug="matrix")
    consultation, people = built.consultation, built.users
    facilitator = people["facilitator"]

    observer = make.user(email="observer@example.org")
    make.register(observer, consultation, Role.observer)
    translator = make.user(email="translator@example.org")
    make.register(translator, consultation, Role.translator)
    pending = make.user(email="pending@example.org")
    make.register(pending, consultation, status=RegistrationStatus.pending)
    admin = make.user(email="admin@example.org", is_admin=True)
    other_facilitator = make.user(email="other-facilitator@example.org")
    elsewhere = make.consultation(slug="elsewhere", title="Another consultation")
    make.register(other_facilitator, elsewhere, Role.facilitator)

    # The participant sits in Group 1 (with the rapporteur), the other in Group 2.
    breakout_round = next(item for item in consultation.agenda_items
                          if item.is_breakout_round)
    groups = {group.name: group for group in breakout_round.groups}
    participant, other = people["p1"], people["p2"]
    for user, group in ((participant, groups["Group 1"]), (other, groups["Group 2"])):
        breakouts.move(breakout_round, _registration(consultation, user), group, facilitator)
    breakouts.publish(breakout_round, facilitator)
    breakout_round.allow_choices = True

    thread = discussion.add_thread(consultation, facilitator, "Search and identification",
                                   groups["Group 1"])
    comment = discussion.post_comment(thread, participant, "Families need one contact point.")
    question = registration_rules.add_question(
        consultation, facilitator, prompt="Which session will you attend?",
        kind=QuestionKind.short_text, options=[], required=False)
    choice = registration_rules.add_question(
        consultation, facilitator, prompt="Which field visit?", kind=QuestionKind.single_choice,
        options=["Port of Dakar", "Red Cross branch"], required=True)

    recommendation = drafting.create_recommendation(
        consultation, people["rapporteur"], title="Information before departure",
        theme="Prevention", gcm_objectives=[3],
        text="States should inform migrants of the risks on the routes.")
    amendment = drafting.propose_amendment(
        recommendation, participant, rationale="Clearer.",
        text="States should inform migrants of the risks of the routes.")
    vote_round = voting.open_round(recommendation, facilitator)
    document = outcome.compile_outcome(consultation, "en", people["secretariat"])
    # A public review whose team is the consultation's secretariat, holding the consultation.
    review = setting_up.create_review(
        people["secretariat"], title="Matrix review", region=Region.africa, gcm_objectives=[8],
        starts_on=date(2024, 9, 1), ends_on=date(2024, 9, 3), description="", is_public=True)
    setting_up.attach_consultation(review, consultation, facilitator)
    adopted = next(item for item in built.recommendations.values()
                   if item.status == RecommendationStatus.adopted)
    commitment = commitments.make_commitment(
        review, participant, target=f"r{adopted.id}", action="Train volunteers.",
        organisation=participant.organisation)
    db.session.flush()
    synthesis_ids = _review_synthesis(review, built.recommendations["R1"], people["secretariat"])

    world = World()
    world.ids = {
        "slug": consultation.slug, "consultation_id": consultation.id,
        "round_id": breakout_round.id, "item_id": breakout_round.id,
        "group_id": groups["Group 1"].id, "thread_id": thread.id, "comment_id": comment.id,
        "recommendation_id": recommendation.id, "amendment_id": amendment.id,
        "vote_round_id": vote_round.id, "document_id": document.id,
        "registration_id": _registration(consultation, participant).id,
        "question_id": question.id, "choice_question_id": choice.id, "locale": "fr",
        "token": "not-a-token", "user_id": participant.id,
        "review_slug": review.slug, "member_id": review.secretariat[0].id,
        "commitment_id": commitment.id, "review_id": review.id,
        # No identity provider is configured in the world: its routes are not found.
        "provider": "unhcr", "code": "not-a-badge", **synthesis_ids,
    }
    world.users = {
        "anonymous": None, "signed_in": people["outsider"].id, "pending": pending.id,
        "other_breakout": other.id, "participant": participant.id, "observer": observer.id,
        "translator": translator.id, "rapporteur": people["rapporteur"].id,
        "other_facilitator": other_facilitator.id,
        "facilitator": facilitator.id, "secretariat": people["secretariat"].id,
        "admin": admin.id,
    }
    assert set(world.users) == set(KINDS)
    return world


def _review_synthesis(review, recommendation, secretariat: User) -> dict:
    """The synthesis of the world's review, built by its team (the consultation's
    secretariat): one synthesised recommendation, a saved version, an open silence procedure
    whose validator is Ghana (the other breakout group's participant)."""
    group = synthesis.create_group(review, secretariat, [recommendation])
    version = versions.save_version(review, secretariat, "")
    procedure = silence.open_procedure(
        version, secretariat, deadline=datetime(2099, 1, 1, tzinfo=UTC),
        validators=silence.default_validators(review), amendments_allowed=True)
    return {"synthesised_id": group.id,
            "synthesis_source_id": group.sources[0].id, "synthesis_version": version.number,
            "silence_procedure_id": procedure.id, "synthesis_extension": "docx",
            "synthesis_direction": "up"}


def _registration(consultation: Consultation, user: User) -> Registration:
    return next(r for r in consultation.registrations if r.user_id == user.id)


@dataclass
class WorldApp:
    app: Flask
    world: World
    #: The Socket.IO server bound to this app (building an app rebinds the shared object).
    socket_server: object


@pytest.fixture(scope="module")
def world_app(tmp_path_factory):
    """An app on a database of its own holding the world, committed once for the module."""
    with scratch_database(tmp_path_factory.mktemp("world"), "world") as url:
        app = create_app(suite_settings(url))
        app.test_client_class = FreshContextClient
        socket_server = socketio.server
        with app.app_context():
            upgrade()
            world = build_world()
            world.tokens = {kind: start_sign_in(db.session.get(User, user_id), "credentials")
                            for kind, user_id in world.users.items() if user_id is not None}
            db.session.commit()
            db.session.remove()
        yield WorldApp(app, world, socket_server)
        with app.app_context():
            db.engine.dispose()


@contextmanager
def world_transaction(world_app: WorldApp):
    """A database session on the world inside a transaction that is rolled back at the end,
    the requests' commits included."""
    with world_app.app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def world_session(world_app):
    """The world's database session; whatever a test does to the world is rolled back."""
    with world_transaction(world_app) as session:
        yield session


def client_as(world_app: WorldApp, kind: str):
    """A test client signed in as that kind of user, and a CSRF token valid for its session."""
    app = world_app.app
    client = app.test_client()
    raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324  (as Flask-WTF makes it)
    with client.session_transaction() as cookie:
        cookie["csrf_token"] = raw
        if kind != "anonymous":
            cookie["_user_id"] = world_app.world.tokens[kind]
            cookie["_fresh"] = True
    token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return client, token


def database_digest() -> str:
    """A digest of every row of every table: equal digests, nothing stored or changed."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        for row in db.session.execute(select(table).order_by(*order)):
            digest.update(repr((table.name, tuple(row))).encode())
    return digest.hexdigest()


def socket_client_as(world_app: WorldApp, client, monkeypatch):
    """A Socket.IO connection carrying the client's cookies (its sign-in)."""
    monkeypatch.setattr(socketio, "server", world_app.socket_server)
    return FreshContextSocketClient(world_app.app, socketio, flask_test_client=client)
