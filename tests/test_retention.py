"""A consultation's retention date, and the command that anonymises after it."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from consultations.models import Comment, Invitation, Registration, RegistrationStatus
from portal.accounts import anonymisation
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
    assert not anonymisation.is_expired(consultation, datetime(2024, 12, 31, 11, tzinfo=UTC))
    assert anonymisation.is_expired(consultation, datetime(2024, 12, 31, 10, tzinfo=UTC)) is False
    assert anonymisation.is_expired(consultation, datetime(2025, 1, 1, 10, 30, tzinfo=UTC))
    assert not anonymisation.is_expired(make_consultation(), AFTER)


def test_an_expired_consultation_is_anonymised_once_and_its_people_keep_their_accounts(
        plenary, make_consultation, register, session):  # noqa: F811
    consultation, person, round_ = plenary["consultation"], plenary["person"], plenary["round"]
    elsewhere = make_consultation(personal_data_kept_until=date(2030, 1, 1))
    other_registration = register(person, elsewhere)
    session.add(Invitation(consultation=consultation, email="invited@example.org"))
    consultation.personal_data_kept_until = date(2025, 1, 1)
    session.flush()
    tally_before = voting.tally(round_).as_payload()

    assert anonymisation.expired_consultations(AFTER) == [consultation]
    done = anonymisation.anonymise_consultation(consultation, AFTER)
    assert done.registrations == 6
    assert anonymisation.anonymise_consultation(consultation, AFTER) is None, "done once"
    assert anonymisation.expired_consultations(AFTER) == []
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
