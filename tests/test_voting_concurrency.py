"""One participant voting 50 times at once leaves one vote, and every stored change counted."""

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account, find_account
from portal.database import intending_to_write
from portal.extensions import db
from recommendations import drafting, voting
from recommendations.models import Recommendation, Vote, VoteRound
from tests.conftest import PASSWORD, suite_settings
from tests.databases import scratch_database
from tests.servers import prepare_database

ATTEMPTS = 50


def fill(app):
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    consultation = Consultation(slug="plenary", title="Plenary", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live)
    db.session.add(consultation)
    people = {}
    for role in (Role.facilitator, Role.participant):
        user = create_account(email=f"{role.value}@example.org", password=PASSWORD,
                              name=role.value, organisation="Caritas",
                              stakeholder_group=StakeholderGroup.civil_society, country="SN")
        db.session.add(Registration(consultation=consultation, user=user, role=role,
                                    status=RegistrationStatus.approved, organisation="Caritas",
                                    stakeholder_group=user.stakeholder_group, country="SN"))
        people[role] = user
    db.session.flush()
    db.session.add(Registration(consultation=consultation, user=create_account(
        email="rapporteur@example.org", password=PASSWORD, name="r", organisation="IOM",
        stakeholder_group=StakeholderGroup.un_agency, country="SN"), role=Role.rapporteur,
        status=RegistrationStatus.approved, organisation="IOM",
        stakeholder_group=StakeholderGroup.un_agency, country="SN"))
    db.session.flush()
    recommendation = drafting.create_recommendation(
        consultation, find_account("rapporteur@example.org"), title="R", text="Text.")
    voting.open_round(recommendation, people[Role.facilitator])


def test_fifty_simultaneous_attempts_by_one_participant_leave_one_vote(tmp_path):
    with scratch_database(tmp_path, "votes") as url:
        prepare_database(url, fill)
        app = create_app(suite_settings(
            url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": ATTEMPTS, "pool_pre_ping": True}))
        start = threading.Barrier(ATTEMPTS)
        stored, failures = [], []

        def attempt(number: int) -> None:
            with app.app_context(), intending_to_write():
                try:
                    # Everyone starts together, before any transaction: on SQLite the
                    # first to write holds the lock the others wait for.
                    start.wait(timeout=30)
                    round_ = db.session.scalar(select(VoteRound))
                    voter = find_account("participant@example.org")
                    choice = ("support", "oppose", "abstain")[number % 3]
                    vote = voting.cast_vote(round_, voter, choice)
                    seq = vote.seq
                    db.session.commit()
                    stored.append(seq)
                except Exception as error:  # noqa: BLE001  (reported below)
                    failures.append(repr(error))
                    db.session.rollback()
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        with app.app_context():
            votes = db.session.scalar(select(func.count()).select_from(Vote))
            round_seq = db.session.scalar(select(VoteRound.seq))
            last_vote_seq = db.session.scalar(select(Vote.seq))
            assert db.session.scalar(select(Recommendation.number)) == 1
            db.session.remove()
            db.engine.dispose()

    assert failures == []
    assert votes == 1
    assert sorted(stored) == list(range(1, ATTEMPTS + 1))
    assert round_seq == last_vote_seq == ATTEMPTS
