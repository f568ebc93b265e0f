"""No over-booking when many register at the same moment, on a real PostgreSQL server."""

import os
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from consultations import registrations as rules
from consultations.models import (
    ApprovalRule,
    Attendance,
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
)
from portal import create_app
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account, find_account, hash_password
from portal.extensions import db
from tests.conftest import PASSWORD, suite_settings
from tests.databases import scratch_database
from tests.servers import prepare_database

pytestmark = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                                reason="TEST_DATABASE_URL (PostgreSQL) is not set")

PEOPLE = 24
CAPACITY = 5


def fill(app):
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    db.session.add(Consultation(
        slug="crowded", title="Crowded", region=Region.africa, starts_at=starts,
        ends_at=starts + timedelta(days=1), status=ConsultationStatus.registration_open,
        capacity=CAPACITY, approval_rule=ApprovalRule.automatic))
    password_hash = hash_password(PASSWORD)
    for number in range(PEOPLE):
        create_account(email=f"p{number}@example.org", password_hash=password_hash,
                       name=f"Participant {number}", organisation="Caritas",
                       stakeholder_group=StakeholderGroup.civil_society, country="SN")


def test_concurrent_registrations_never_take_more_places_than_there_are(tmp_path):
    with scratch_database(tmp_path, "crowd") as url:
        prepare_database(url, fill)
        # A connection for every thread, so that all of them reach the starting line.
        app = create_app(suite_settings(
            url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": PEOPLE, "pool_pre_ping": True}))
        start = threading.Barrier(PEOPLE)
        failures = []

        def register(number: int) -> None:
            with app.app_context():
                try:
                    consultation = db.session.scalar(select(Consultation))
                    user = find_account(f"p{number}@example.org")
                    start.wait(timeout=30)
                    rules.register(
                        consultation, user, organisation="Caritas",
                        stakeholder_group=StakeholderGroup.civil_society, country="SN",
                        attendance=Attendance.in_person, languages=["en"],
                        interpretation_language=None, accessibility_needs="", notes="",
                        answers={}, consented=True)
                    db.session.commit()
                except Exception as error:  # noqa: BLE001  (reported below)
                    failures.append(repr(error))
                    db.session.rollback()
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=register, args=(n,)) for n in range(PEOPLE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        with app.app_context():
            counts = dict(db.session.execute(
                select(Registration.status, func.count()).group_by(Registration.status)).all())
            db.session.remove()
            db.engine.dispose()

    assert failures == []
    assert counts == {RegistrationStatus.approved: CAPACITY,
                      RegistrationStatus.waitlisted: PEOPLE - CAPACITY}
