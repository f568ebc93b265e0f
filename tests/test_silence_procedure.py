"""The silence procedure on a saved version of the synthesis: who may break the silence (only
the people of a validating State), never after the deadline; closing by itself at the
deadline, by the command and by the next request, once; reminders 48 and 24 hours before;
every step audited and told by e-mail."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from consultations.models import RegistrationStatus, Role
from portal.accounts.models import StakeholderGroup
from portal.audit.models import AuditEvent
from portal.database import utcnow
from portal.mail import OutgoingMail
from portal.permissions import NotPermitted
from reviews import silence, synthesis, versions
from reviews.models import SilenceStatus
from tests.conftest import csrf_token_from, sign_in, submit
from tests.review_fixtures import build_review
from tests.test_api_documentation import check

TEMPLATE = "/api/v1/reviews/{review_id}/synthesis"
GHANA = "Ministry of Foreign Affairs of Ghana"


@pytest.fixture
def world(session, make_user, make_consultation, register):
    world = build_review(session, make_user, make_consultation, register)
    d, a = world.dakar.recommendations, world.abuja.recommendations
    synthesis.create_group(world.review, world.secretary, [d["R1"], a["R1"]])
    world.version = versions.save_version(world.review, world.secretary, "")
    senegal = make_user(email="senegal@example.org", name="Awa Diop",
                        organisation="Government  of SENEGAL",
                        stakeholder_group=StakeholderGroup.member_state, country="SN")
    register(senegal, world.dakar.consultation, Role.observer)
    pending = make_user(email="mali@example.org", organisation="Government of Mali",
                        stakeholder_group=StakeholderGroup.member_state, country="ML")
    register(pending, world.dakar.consultation, status=RegistrationStatus.pending)
    world.senegal = senegal
    return world


def opened(world, hours: float = 72, amendments: bool = False):
    return silence.open_procedure(
        world.version, world.secretary, deadline=utcnow() + timedelta(hours=hours),
        validators=silence.default_validators(world.review), amendments_allowed=amendments)


def post(client, path: str, data: dict, **kwargs):
    """Post a form with a CSRF token of the person's session, whatever page they may see."""
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


def mails(session, since: int = 0) -> list[tuple[str, str]]:
    return [(mail.recipient, mail.subject) for mail in session.scalars(
        select(OutgoingMail).where(OutgoingMail.id > since).order_by(OutgoingMail.id))]


def last_mail_id(session) -> int:
    return max([mail.id for mail in session.scalars(select(OutgoingMail))], default=0)


def test_the_validators_are_the_member_states_registered_in_the_review_consultations(world):
    assert silence.default_validators(world.review) == [("Government of SENEGAL", "SN"),
                                                        (GHANA, "GH")]


def test_the_secretary_opens_one_procedure_at_a_time_with_a_deadline_in_the_future(
        session, client, world):
    sign_in(client, world.secretary.email)
    form = "/reviews/africa-2024/synthesis/versions/1/silence"
    page = client.get(form).get_data(as_text=True)
    assert GHANA in page and "Government of SENEGAL" in page and "Government of Mali" not in page
    past = submit(client, form, {"deadline": "2020-01-01T12:00", "validators_chosen": [GHANA]})
    assert past.status_code == 400 and "The deadline must be in the future." in past.get_data(
        as_text=True)
    response = submit(client, form, {"deadline": "2099-06-30T17:00",
                                     "validators_chosen": [GHANA], "amendments_allowed": "y"})
    assert response.status_code == 302
    procedure = silence.open_procedure_of(world.review)
    assert [v.organisation for v in procedure.validators] == [GHANA]
    assert procedure.deadline == datetime(2099, 6, 30, 17, 0, tzinfo=UTC)
    again = submit(client, form, {"deadline": "2099-07-30T17:00", "validators_chosen": [GHANA]})
    assert "A silence procedure is open for this review already" in again.get_data(as_text=True)
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "silence.opened"))


def test_only_the_people_of_a_validating_state_may_break_the_silence(app, session, client,
                                                                   world):
    procedure = opened(world, amendments=True)
    with pytest.raises(NotPermitted):
        silence.break_silence(procedure.validators[1], world.dakar.users["p1"], reason="No.")
    address = f"/reviews/africa-2024/silence/{procedure.id}"
    sign_in(client, world.dakar.users["p1"].email)
    assert "Break the silence" not in client.get(address).get_data(as_text=True)
    assert post(client, f"{address}/break", {"validator": procedure.validators[1].id,
                                             "reason": "No."}).status_code == 403
    client = app.test_client()
    ghana = world.dakar.users["p2"]
    sign_in(client, ghana.email)
    empty = submit(client, f"{address}/break", {"validator": procedure.validators[1].id,
                                                "reason": ""}, form_path=address)
    assert empty.status_code == 400
    response = submit(client, f"{address}/break", {
        "validator": procedure.validators[1].id, "reason": "Paragraph 2 goes beyond our law.",
        "amendment": "Delete paragraph 2."}, form_path=address, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Paragraph 2 goes beyond our law." in page and ghana.name in page
    assert "Delete paragraph 2." in page
    # Once per organisation: Ghana's delegate in the other consultation may not break it again.
    session.expire_all()
    with pytest.raises(silence.SilenceRefused, match="has broken the silence already"):
        silence.break_silence(procedure.validators[1], world.abuja.users["p2"], reason="Again.")
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "silence.broken"))


def test_breaking_the_silence_after_the_deadline_is_refused_and_closes_the_procedure(
        session, client, world):
    procedure = opened(world)
    procedure.deadline = utcnow() - timedelta(minutes=1)
    session.flush()
    address = f"/reviews/africa-2024/silence/{procedure.id}"
    sign_in(client, world.senegal.email)
    response = post(client, f"{address}/break", {
        "validator": procedure.validators[0].id, "reason": "Too late?"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "the silence can no longer be broken" in page
    session.expire_all()
    assert procedure.status == SilenceStatus.adopted and procedure.closed_at is not None
    assert procedure.validators[0].broke_silence_at is None


def test_the_command_closes_a_due_procedure_adopted_when_nobody_broke_the_silence(
        app, session, world):
    procedure = opened(world)
    procedure.deadline = utcnow() - timedelta(seconds=1)
    session.flush()
    before = last_mail_id(session)
    result = app.test_cli_runner().invoke(args=["reviews", "close-silence"])
    assert "1 silence procedure(s) closed" in result.output
    session.expire_all()
    assert procedure.status == SilenceStatus.adopted and procedure.closed_at is not None
    told = mails(session, before)
    assert ("review-secretary@example.org",
            "2024 GCM regional review for Africa: the synthesis is adopted by silence "
            "procedure") in told
    recipients = {recipient for recipient, _subject in told}
    assert {"p2-dakar@example.org", "p2-abuja@example.org", "senegal@example.org"} <= recipients
    assert "p1-dakar@example.org" not in recipients
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "silence.closed"))
    assert event.details["result"] == "adopted"


def test_a_broken_silence_is_recorded_at_the_deadline_by_the_next_request(
        session, client, world):
    procedure = opened(world)
    silence.break_silence(procedure.validators[0], world.senegal, reason="Not agreed.")
    procedure.deadline = utcnow() - timedelta(seconds=1)
    session.flush()
    page = client.get(f"/reviews/africa-2024/silence/{procedure.id}").get_data(as_text=True)
    assert "Silence broken" in page and "Not agreed." in page and "Awa Diop" in page
    session.expire_all()
    assert procedure.status == SilenceStatus.silence_broken


def test_a_procedure_is_closed_once_whoever_comes_second(session, world):
    procedure = opened(world)
    procedure.deadline = utcnow() - timedelta(seconds=1)
    session.flush()
    assert silence.close_due_procedures() == [procedure]
    before = last_mail_id(session)
    assert silence.close_due_procedures() == []
    assert silence.close_due_procedures(review=world.review) == []
    assert mails(session, before) == []
    assert len(session.scalars(select(AuditEvent).where(
        AuditEvent.action == "silence.closed")).all()) == 1


def test_reminders_go_48_and_24_hours_before_the_deadline_each_once(session, world):
    procedure = opened(world, hours=100)
    silence.break_silence(procedure.validators[0], world.senegal, reason="Not agreed.")
    deadline = procedure.deadline
    before = last_mail_id(session)
    assert silence.send_due_reminders(now=deadline - timedelta(hours=49)) == 0
    assert silence.send_due_reminders(now=deadline - timedelta(hours=47)) == 1
    first = mails(session, before)
    assert {recipient for recipient, _subject in first} == {"p2-dakar@example.org",
                                                            "p2-abuja@example.org"}
    assert silence.send_due_reminders(now=deadline - timedelta(hours=30)) == 0
    assert silence.send_due_reminders(now=deadline - timedelta(hours=23)) == 1
    assert silence.send_due_reminders(now=deadline - timedelta(hours=2)) == 0
    assert len(mails(session, before)) == 4
    assert procedure.reminders_sent == [48, 24]


def test_the_api_gives_the_latest_version_and_the_procedure_of_a_public_review(
        session, client, world):
    procedure = opened(world)
    response = client.get(f"/api/v1/reviews/{world.review.id}/synthesis")
    check(client.get("/api/v1/openapi.json").get_json(), TEMPLATE, response)
    answer = response.get_json()
    assert answer["latest_version"]["number"] == 1
    [entry] = answer["latest_version"]["recommendations"]
    assert entry["sources"] == [{"consultation": "dakar", "reference": "R1"},
                                {"consultation": "abuja", "reference": "R1"}]
    assert answer["silence_procedure"]["status"] == "open"
    assert answer["silence_procedure"]["id"] == procedure.id
    world.review.is_public = False
    session.flush()
    refused = client.get(f"/api/v1/reviews/{world.review.id}/synthesis")
    assert refused.status_code == 404
    check(client.get("/api/v1/openapi.json").get_json(), TEMPLATE, refused)


def test_a_delegate_s_broken_silence_is_in_their_data_and_stays_the_state_s_without_them(
        session, world):
    from portal.accounts import anonymisation, personal_data
    from tests.conftest import PASSWORD

    procedure = opened(world)
    ghana = world.dakar.users["p2"]
    validator = next(item for item in procedure.validators if item.organisation == GHANA)
    silence.break_silence(validator, ghana, reason="Paragraph 2 goes beyond our law.")
    session.flush()
    broken = personal_data.personal_data_of(ghana)["silences_broken"]
    assert [(item["organisation"], item["reason"]) for item in broken] == [
        (GHANA, "Paragraph 2 goes beyond our law.")]
    anonymisation.delete_account(ghana, PASSWORD)
    session.expire_all()
    assert validator.broken_by_id is None
    assert validator.reason == "Paragraph 2 goes beyond our law."
    assert validator.broke_silence_at is not None


def test_a_private_review_s_synthesis_is_read_by_its_validating_states_and_nobody_else(
        app, session, client, make_user, make_consultation, register):
    world = build_review(session, make_user, make_consultation, register, is_public=False)
    synthesis.create_group(world.review, world.secretary, [world.dakar.recommendations["R1"]])
    version = versions.save_version(world.review, world.secretary, "")
    address = f"/reviews/africa-2024/synthesis/versions/{version.number}"
    sign_in(client, world.dakar.users["p2"].email)  # Ghana's delegate: a Member State
    assert client.get(address).status_code == 200
    outsider = app.test_client()
    sign_in(outsider, make_user(email="someone@example.org").email)
    assert outsider.get(address).status_code == 404
    assert app.test_client().get(address).status_code == 404


def test_the_review_s_page_leads_to_its_synthesis_and_its_open_silence_procedure(
        app, session, client, world):
    procedure = opened(world)
    page = client.get("/reviews/africa-2024").get_data(as_text=True)
    assert f"/reviews/africa-2024/synthesis/versions/{world.version.number}" in page
    assert f"/reviews/africa-2024/silence/{procedure.id}" in page
    assert "Silence procedure on version 1" in page and "Open" in page
    assert "Build the synthesis" not in page
    sign_in(client, world.secretary.email)
    assert "Build the synthesis" in client.get("/reviews/africa-2024").get_data(as_text=True)


def test_the_command_links_its_e_mails_to_the_address_it_is_given(app, session, world,
                                                                 monkeypatch):
    procedure = opened(world)
    procedure.deadline = utcnow() - timedelta(seconds=1)
    session.flush()
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    refused = app.test_cli_runner().invoke(args=["reviews", "close-silence"])
    assert refused.exit_code != 0 and "--base-url" in refused.output
    before = last_mail_id(session)
    result = app.test_cli_runner().invoke(
        args=["reviews", "close-silence", "--base-url", "https://redtalks.example.org/"])
    assert "1 silence procedure(s) closed" in result.output
    bodies = [mail.body for mail in session.scalars(
        select(OutgoingMail).where(OutgoingMail.id > before))]
    assert bodies and all(
        f"https://redtalks.example.org/reviews/africa-2024/silence/{procedure.id}" in body
        for body in bodies)
