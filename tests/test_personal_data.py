"""Everything the portal holds about a person, and deleting their account."""

import json

import pytest
from sqlalchemy import func, select

from consultations import discussion
from consultations.models import (
    Comment,
    CommentFlag,
    ConsultationStatus,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationStatus,
    Role,
)
from portal.accounts import anonymisation, personal_data, personal_records
from portal.accounts.models import SignIn, StakeholderGroup, User, token_digest
from portal.accounts.operations import create_account
from portal.audit.models import AuditEvent
from portal.extensions import db
from recommendations import drafting, voting
from recommendations.models import Amendment, AmendmentSupport, Vote
from recommendations.results import results_of
from tests.conftest import PASSWORD, find_user, sign_in, submit


@pytest.fixture
def plenary(session, make_consultation, make_user, register):
    """A live consultation with a facilitator, a rapporteur, four participants and R1, in which
    the first participant registered with an answer, commented, flagged, proposed an
    amendment, supported one and voted in a closed round."""
    consultation = make_consultation(consent_text="I agree to the processing of my data.")
    facilitator, rapporteur = make_user(), make_user()
    register(facilitator, consultation, Role.facilitator)
    register(rapporteur, consultation, Role.rapporteur)
    groups = [StakeholderGroup.member_state, StakeholderGroup.civil_society]
    voters = []
    for number in range(4):
        user = make_user(stakeholder_group=groups[number % 2], name=f"Voter {number}")
        register(user, consultation, Role.participant)
        voters.append(user)
    person = voters[0]
    registration = db.session.scalar(select(Registration).where(Registration.user_id == person.id))
    registration.notes = "Travelling from Agadez"
    registration.consented_at = registration.created_at
    question = RegistrationQuestion(consultation=consultation, prompt="Your field work?",
                                    kind="short_text")
    session.add(question)
    session.flush()
    session.add(RegistrationAnswer(registration=registration, question=question,
                                   value="Tracing families of missing migrants"))
    recommendation = drafting.create_recommendation(
        consultation, rapporteur, title="Shared data on missing migrants",
        text="States should share data.", gcm_objectives=[8])
    thread = discussion.plenary_thread(consultation)
    comment = discussion.post_comment(thread, person, "Families need one contact point.")
    discussion.edit_comment(comment, person, "Families need a single contact point.")
    other = discussion.post_comment(thread, voters[1], "Agreed.")
    discussion.flag_comment(other, person, "Off topic")
    amendment = drafting.propose_amendment(recommendation, person,
                                           text="States should share data quickly.")
    drafting.support_amendment(amendment, voters[1])
    theirs = drafting.propose_amendment(recommendation, voters[2], text="States must share data.")
    drafting.support_amendment(theirs, person)
    round_ = voting.open_round(recommendation, facilitator)
    voting.cast_vote(round_, person, "support_with_reservations", "Only with consent.")
    voting.cast_vote(round_, voters[1], "oppose")
    voting.cast_vote(round_, voters[2], "support")
    voting.close_round(round_, facilitator, confirmed=True)
    session.flush()
    return {"consultation": consultation, "facilitator": facilitator, "person": person,
            "voters": voters, "round": round_, "comment": comment, "amendment": amendment,
            "registration": registration, "recommendation": recommendation}


def _columns_referring_to(table_name: str) -> set[str]:
    return {f"{table.name}.{column.name}"
            for table in db.metadata.tables.values() for column in table.columns
            for key in column.foreign_keys if key.column.table.name == table_name}


def test_every_column_naming_a_person_is_exported_and_anonymised(app):
    """A new model with a link to users or registrations fails here until both the export
    and the anonymisation say what they do with it."""
    linked = _columns_referring_to("users") | _columns_referring_to("registrations")
    assert linked == set(personal_data.exported())
    handled = {personal_records.column_name(link.column)
               for link in anonymisation.user_links() + personal_records.registration_links()}
    assert linked == handled


def test_the_download_holds_everything_about_me_and_never_the_password_hash(
        client, plenary):
    person = plenary["person"]
    sign_in(client, person.email)
    profile = client.get("/account/profile").get_data(as_text=True)
    assert "/account/personal-data" in profile and "/account/delete" in profile

    response = client.get("/account/personal-data")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    text = response.get_data(as_text=True)
    assert "password" not in text and "argon2" not in text
    # The sign-ins are listed, when and how; never their tokens, nor their digests.
    [device] = document["sign_ins"]
    assert (device["method"], device["ended_at"]) == ("credentials", None) and device["created_at"]
    with client.session_transaction() as cookie:
        token = cookie["_user_id"]
    assert token not in text and token_digest(token) not in text

    assert document["account"]["email"] == person.email
    assert document["account"]["name"] == "Voter 0"
    [registration] = document["registrations"]
    assert registration["notes"] == "Travelling from Agadez"
    assert registration["consent"]["text"] == "I agree to the processing of my data."
    assert registration["consent"]["given_at"]
    assert registration["answers"] == [{"question": "Your field work?",
                                        "answer": "Tracing families of missing migrants"}]
    [comment] = document["comments"]
    assert comment["body"] == "Families need a single contact point."
    assert comment["revisions"][0]["body"] == "Families need one contact point."
    assert document["comment_flags"][0]["reason"] == "Off topic"
    assert document["amendments"][0]["proposed_text"] == "States should share data quickly."
    assert len(document["amendment_supports"]) == 1
    [vote] = document["votes"]
    assert (vote["recommendation"], vote["round"], vote["choice"], vote["reservation"]) == (
        "R1", 1, "support_with_reservations", "Only with consent.")
    actions = {event["action"] for event in document["audit_events"]}
    assert "account.signed_in" in actions and "account.signed_up" in actions


def test_the_download_needs_a_signed_in_person(client, session):
    assert client.get("/account/personal-data").status_code == 302


def _tallies(round_):
    db.session.expire_all()
    state = voting.tally(round_).as_payload()
    return state, results_of(round_.consultation, [round_.recommendation],
                                    show_names=False)[0]["rounds"][0]["tally"]


def test_deleting_my_account_keeps_the_record_without_me(client, plenary, session):
    person, round_ = plenary["person"], plenary["round"]
    person_id, email = person.id, person.email
    registration_id = plenary["registration"].id
    before = _tallies(round_)
    figures_before = _figures(plenary["consultation"])
    sign_in(client, email)

    page = client.get("/account/delete").get_data(as_text=True)
    assert "Deleted participant" in page and "cannot be undone" in page
    wrong = submit(client, "/account/delete", {"password": "not my password"})
    assert "The password is not right." in wrong.get_data(as_text=True)
    assert find_user(email) is not None

    done = submit(client, "/account/delete", {"password": PASSWORD})
    assert done.status_code == 302
    db.session.expire_all()
    assert find_user(email) is None
    assert session.get(User, person_id) is None
    assert client.get("/account/profile").status_code == 302, "signed out"
    assert session.scalar(select(func.count()).select_from(SignIn)
                          .where(SignIn.user_id == person_id)) == 0

    assert _tallies(round_) == before
    assert _figures(plenary["consultation"]) == figures_before
    vote = session.scalar(select(Vote).where(Vote.reservation == "Only with consent."))
    assert vote.registration_id is None

    registration = session.get(Registration, registration_id)
    assert registration.user_id is None and registration.anonymised_at is not None
    assert registration.status == RegistrationStatus.approved
    assert (registration.organisation, registration.notes) == ("", "")
    assert registration.answers == []

    comment = session.get(Comment, plenary["comment"].id)
    assert comment.body == "Families need a single contact point."
    assert (comment.author_id, comment.author_registration_id) == (None, None)
    amendment = session.get(Amendment, plenary["amendment"].id)
    assert amendment.proposed_text == "States should share data quickly."
    assert amendment.author_id is None
    assert session.scalar(select(func.count()).select_from(AmendmentSupport)) == 2
    assert session.scalar(select(func.count()).select_from(CommentFlag)
                          .where(CommentFlag.reason == "Off topic")) == 1

    events = session.scalars(select(AuditEvent)).all()
    assert all(event.actor_id != person_id for event in events)
    assert not any(email in json.dumps(event.details) for event in events)
    assert any(event.action == "account.deleted" for event in events)

    again = create_account(email=email, password=PASSWORD, name="Voter again",
                           organisation="", stakeholder_group="civil_society", country="SN")
    assert again.id != person_id


def _figures(consultation):
    from consultations.registrations import participation_figures

    return participation_figures(consultation)


def test_a_deleted_participants_comment_is_shown_as_by_a_deleted_participant(
        client, plenary, session):
    facilitator = plenary["facilitator"]
    anonymisation.delete_account(plenary["person"], PASSWORD)
    session.flush()
    sign_in(client, facilitator.email)
    thread = f"/c/{plenary['consultation'].slug}/threads/{plenary['comment'].thread_id}"
    page = client.get(thread).get_data(as_text=True)
    assert "Families need a single contact point." in page
    assert "Deleted participant" in page
    assert "Voter 0" not in page and "Voter 1" in page
    facilitator.preferred_locale = "fr"
    session.flush()
    french = client.get(thread).get_data(as_text=True)
    assert "Deleted participant" not in french
    assert "Families need a single contact point." in french


def test_deleting_an_account_before_the_event_gives_the_place_to_the_waitlist(
        plenary, make_user, register, session):
    consultation = plenary["consultation"]
    consultation.status = ConsultationStatus.registration_open
    consultation.capacity = 4
    waiting = make_user()
    waiting_registration = register(waiting, consultation, status=RegistrationStatus.waitlisted)
    anonymisation.delete_account(plenary["person"], PASSWORD)
    assert plenary["registration"].status == RegistrationStatus.cancelled
    assert waiting_registration.status == RegistrationStatus.approved


def test_the_last_facilitator_cannot_delete_their_account_and_is_told_why(
        client, plenary, make_user, register, session):
    facilitator = plenary["facilitator"]
    sign_in(client, facilitator.email)
    page = client.get("/account/delete").get_data(as_text=True)
    assert "only facilitator of" in page and plenary["consultation"].title in page
    refused = submit(client, "/account/delete", {"password": PASSWORD},
                     form_path="/account/profile")
    assert find_user(facilitator.email) is not None
    assert refused.status_code == 200

    register(make_user(), plenary["consultation"], Role.facilitator)
    assert anonymisation.deletion_refusal(facilitator) is None

    plenary["consultation"].status = ConsultationStatus.archived
    lonely = make_user()
    assert anonymisation.deletion_refusal(lonely) is None


def test_the_only_admin_cannot_delete_their_account(make_user, session):
    admin = make_user(is_admin=True)
    session.commit()
    with pytest.raises(anonymisation.AccountDeletionRefused, match="only platform admin"):
        anonymisation.delete_account(admin, PASSWORD)
    session.rollback()  # a refused transaction is never committed
    make_user(is_admin=True)
    anonymisation.delete_account(admin, PASSWORD)


def test_deleting_needs_the_csrf_token(client, plenary):
    sign_in(client, plenary["person"].email)
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    assert find_user(plenary["person"].email) is not None


def test_the_download_holds_the_texts_i_wrote_and_what_i_did_as_an_organiser(plenary):
    facilitator, recommendation = plenary["facilitator"], plenary["recommendation"]
    rapporteur = recommendation.created_by_id
    document = personal_data.personal_data_of(db.session.get(User, rapporteur))
    [version] = document["recommendation_versions"]
    assert (version["recommendation"], version["text"]) == ("R1", "States should share data.")
    assert {"record": "recommendations", "id": recommendation.id, "as": "created_by",
            "consultation": plenary["consultation"].slug} in document["other_records_naming_you"]
    opened = personal_data.personal_data_of(facilitator)["other_records_naming_you"]
    assert {"record": "vote_rounds", "id": plenary["round"].id, "as": "opened_by",
            "consultation": plenary["consultation"].slug} in opened


def test_moderation_of_my_comment_stays_in_the_audit_without_its_excerpt(plenary, session):
    comment = plenary["comment"]
    discussion.hide_comment(comment, plenary["facilitator"], "Names a family")
    document = personal_data.personal_data_of(plenary["person"])
    hidden = [e for e in document["audit_events"] if e["action"] == "comment.hidden"]
    assert hidden and not hidden[0]["you_acted"] and "excerpt" in hidden[0]["details"]

    anonymisation.delete_account(plenary["person"], PASSWORD)
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "comment.hidden"))
    assert event.actor_id == plenary["facilitator"].id, "the moderator's own action stays"
    assert "excerpt" not in event.details and event.details["reason"] == "Names a family"


def test_an_anonymised_registration_is_counted_but_nobody_acts_on_it(
        client, plenary, make_user, register, session):
    consultation, facilitator = plenary["consultation"], plenary["facilitator"]
    waiting = make_user()
    waiting_registration = register(waiting, consultation, status=RegistrationStatus.waitlisted)
    anonymisation.delete_account(plenary["person"], PASSWORD)
    anonymisation.delete_account(waiting, PASSWORD)
    assert waiting_registration.status == RegistrationStatus.cancelled, "nobody to take it up"
    session.flush()
    registration_id = plenary["registration"].id

    sign_in(client, facilitator.email)
    manage = f"/c/{consultation.slug}/registrations"
    check_in = submit(client, f"/c/{consultation.slug}/check-in/{registration_id}",
                      {"present": "1"}, form_path=f"/c/{consultation.slug}/check-in")
    assert check_in.status_code == 404
    decided = submit(client, f"{manage}/decide",
                     {"registration": registration_id, "decision": "declined"},
                     form_path=manage)
    assert decided.status_code == 302
    db.session.expire_all()
    assert session.get(Registration, registration_id).status == RegistrationStatus.approved
    assert client.get(manage).status_code == 200
    assert client.get(f"/c/{consultation.slug}/team").status_code == 200
