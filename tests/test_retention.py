"""A consultation's retention date, and the command that anonymises after it."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from consultations import retention
from consultations.models import Comment, Invitation, Registration, RegistrationStatus
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.extensions import db
from recommendations import voting
from tests.test_personal_data import plenary  # noqa: F401

AFTER = datetime(2025, 1, 2, 12, tzinfo=UTC)


def test_the_retention_date_is_kept_until_its_last_day_in_the_consultations_time_zone(
        make_consultation):
    consultation = make_consultation(time_zone="Pacific/Kiritimati",
                                     personal_data_kept_until=date(2025, 1, 1))
    # 11:00 UTC on 31 December is 1 January in Kiritimati (UTC+14): still kept.
    assert not retention.is_expired(consultation, datetime(2024, 12, 31, 11, tzinfo=UTC))
    assert retention.is_expired(consultation, datetime(2024, 12, 31, 10, tzinfo=UTC)) is False
    assert retention.is_expired(consultation, datetime(2025, 1, 1, 10, 30, tzinfo=UTC))
    assert not retention.is_expired(make_consultation(), AFTER)


def test_an_expired_consultation_is_anonymised_once_and_its_people_keep_their_accounts(
        plenary, make_consultation, register, session):  # noqa: F811
    consultation, person, round_ = plenary["consultation"], plenary["person"], plenary["round"]
    elsewhere = make_consultation(personal_data_kept_until=date(2030, 1, 1))
    other_registration = register(person, elsewhere)
    session.add(Invitation(consultation=consultation, email="invited@example.org"))
    consultation.personal_data_kept_until = date(2025, 1, 1)
    session.flush()
    tally_before = voting.tally(round_).as_payload()

    assert retention.expired_consultations(AFTER) == [consultation]
    done = retention.anonymise_consultation(consultation, AFTER)
    assert done.registrations == 6
    assert retention.anonymise_consultation(consultation, AFTER) is None, "done once"
    assert retention.expired_consultations(AFTER) == []
    session.flush()
    db.session.expire_all()

    assert voting.tally(round_).as_payload() == tally_before
    assert session.get(User, person.id) is not None
    assert session.get(Registration, other_registration.id).user_id == person.id
    left = session.scalars(select(Registration)
                           .where(Registration.consultation_id == consultation.id)).all()
    assert all(r.user_id is None and r.organisation == "" for r in left)
    assert all(r.status == RegistrationStatus.approved for r in left)
    comment = session.get(Comment, plenary["comment"].id)
    assert comment.author_id is None and comment.body
    assert comment.author_registration_id == plenary["registration"].id
    assert not session.scalar(select(func.count()).select_from(Invitation)
                              .where(Invitation.consultation_id == consultation.id))
    events = session.scalars(select(AuditEvent)
                             .where(AuditEvent.consultation_id == consultation.id)).all()
    assert all(event.actor_id is None and event.ip_address is None for event in events)
    assert [e.action for e in events].count("consultation.personal_data_anonymised") == 1


def test_the_command_is_safe_to_run_twice(app, plenary, session):  # noqa: F811
    consultation = plenary["consultation"]
    consultation.personal_data_kept_until = date(2020, 1, 1)
    session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["anonymise-expired"])
    assert first.exit_code == 0, first.output
    assert f"/c/{consultation.slug}: personal data of 6 registrations anonymised." in first.output
    second = runner.invoke(args=["anonymise-expired"])
    assert second.exit_code == 0
    assert "Nothing to anonymise." in second.output


def test_the_retention_date_is_asked_in_the_set_up_form(client, plenary, session):  # noqa: F811
    from tests.conftest import sign_in, submit

    consultation = plenary["consultation"]
    sign_in(client, plenary["facilitator"].email)
    path = f"/c/{consultation.slug}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'name="personal_data_kept_until"' in page
    from consultations.forms import consultation_form_data

    data = {key: value for key, value in consultation_form_data(consultation).items()
            if value not in (None, False)}
    data = {key: (value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else value)
            for key, value in data.items()}
    refused = submit(client, path, {**data, "personal_data_kept_until": "2024-01-01"})
    assert "at least until the consultation ends" in refused.get_data(as_text=True)
    saved = submit(client, path, {**data, "personal_data_kept_until": "2025-06-30"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert consultation.personal_data_kept_until == date(2025, 6, 30)


def _expired_consultations(app):
    from consultations.models import Consultation, Region, Role
    from portal.accounts.models import StakeholderGroup
    from portal.accounts.operations import create_account, hash_password

    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    password_hash = hash_password("not used in this test")
    people = [create_account(email=f"p{number}@example.org", password_hash=password_hash,
                             name=f"Participant {number}", organisation="Caritas",
                             stakeholder_group=StakeholderGroup.civil_society, country="SN")
              for number in range(3)]
    for number in range(CONCURRENT_CONSULTATIONS):
        consultation = Consultation(
            slug=f"expired-{number}", title=f"Expired {number}", region=Region.africa,
            starts_at=starts, ends_at=starts, personal_data_kept_until=date(2024, 5, 1))
        db.session.add(consultation)
        for person in people:
            db.session.add(Registration(
                consultation=consultation, user=person, role=Role.participant,
                status=RegistrationStatus.approved, organisation="Caritas",
                stakeholder_group=person.stakeholder_group, country="SN"))


CONCURRENT_CONSULTATIONS = 12


def test_two_runs_at_the_same_time_anonymise_each_consultation_once(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from portal import create_app
    from tests.conftest import suite_settings
    from tests.databases import scratch_database
    from tests.servers import prepare_database

    with scratch_database(tmp_path, "retention") as url:
        prepare_database(url, _expired_consultations)
        environment = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "retention test"}
        environment.pop("TEST_DATABASE_URL", None)
        environment.pop("REDIS_URL", None)
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "anonymise-expired"]
        root = Path(__file__).resolve().parent.parent
        runs = [subprocess.Popen(command, cwd=root, env=environment, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(2)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], outputs
        done = [line for output in outputs for line in output.splitlines()
                if line.endswith("registrations anonymised.")]
        assert len(done) == CONCURRENT_CONSULTATIONS, outputs

        app = create_app(suite_settings(url))
        with app.app_context():
            events = db.session.scalars(select(AuditEvent.consultation_id).where(
                AuditEvent.action == "consultation.personal_data_anonymised")).all()
            assert sorted(events) == sorted(set(events))
            assert len(events) == CONCURRENT_CONSULTATIONS
            assert not db.session.scalar(select(func.count()).select_from(Registration)
                                         .where(Registration.user_id.is_not(None)))
            assert db.session.scalar(select(func.count()).select_from(User)) == 3
            db.session.remove()
            db.engine.dispose()
