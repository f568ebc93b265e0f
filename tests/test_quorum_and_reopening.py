"""Adoptions that hold up: a default quorum, closing below it (or with amendments pending)
only after a confirmation the server asks for, the turnout stated with every result, a round
closed by mistake reopened once, and the console in the order a facilitator works."""

import csv
import io
import re

import pytest
from docx import Document
from sqlalchemy import select

from consultations.models import Role
from portal.accounts.models import StakeholderGroup
from portal.audit.models import AuditEvent
from recommendations import drafting, voting
from recommendations.models import RecommendationStatus, Vote
from recommendations.outcome import operations
from tests.conftest import find_user, sign_in, submit
from tests.test_consultation_setup import FORM as SET_UP


@pytest.fixture
def plenary(session, make_consultation, make_user, register):
    """A live consultation with 21 voting participants, a facilitator, a secretariat, and R1."""

    def make(**fields):
        consultation = make_consultation(**fields)
        register(make_user(email="facilitator@example.org", name="Awa Ndiaye"), consultation,
                 Role.facilitator)
        register(make_user(email="secretariat@example.org"), consultation, Role.secretariat)
        for number in range(21):
            register(make_user(email=f"p{number}@example.org",
                               stakeholder_group=StakeholderGroup.civil_society),
                     consultation, Role.participant)
        recommendation = drafting.create_recommendation(
            consultation, find_user("facilitator@example.org"), title="Missing migrants",
            text="States should share data on missing migrants.")
        session.flush()
        return consultation, recommendation

    return make


def voted(round_, count, choice="support"):
    for number in range(count):
        voting.cast_vote(round_, find_user(f"p{number}@example.org"), choice)


def chair(app):
    client = app.test_client()
    sign_in(client, "facilitator@example.org")
    return client


def test_a_round_needs_a_majority_of_the_voting_participants_present_by_default(plenary):
    consultation, recommendation = plenary()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voted(round_, 3)

    assert voting.tally(round_).quorum == 11
    outcome = voting.close_round(round_, find_user("facilitator@example.org"), confirmed=True)

    assert not outcome.adopted
    assert (round_.result_reason, round_.quorum_applied, round_.present) == ("no_quorum", 11, 21)
    assert recommendation.status == RecommendationStatus.not_adopted


def test_once_the_desk_checks_people_in_present_means_checked_in_online_or_voted(
    plenary, session
):
    """A walk-in checked in at the desk does not make the other twenty absent: with the desk
    in use, the voting participants present are those checked in, those taking part online
    and whoever has voted; never fewer than the votes cast."""
    from consultations.models import Attendance, Registration
    from portal.database import utcnow

    consultation, recommendation = plenary()
    registrations = {registration.user.email: registration
                     for registration in session.scalars(select(Registration).where(
                         Registration.consultation_id == consultation.id))}
    registrations["p20@example.org"].checked_in_at = utcnow()
    for number in (17, 18):
        registrations[f"p{number}@example.org"].attendance = Attendance.online
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voted(round_, 6)

    counts = voting.tally(round_)
    # p20 checked in, p17 and p18 online, p0 to p5 voted: 9 present, quorum 5.
    assert (counts.cast, counts.present, counts.quorum) == (6, 9, 5)
    for registration in registrations.values():
        registration.checked_in_at = None
    assert voting.tally(round_).present == 21


def test_the_consultation_and_the_round_may_set_their_own_quorum(plenary, session):
    consultation, recommendation = plenary(quorum=3)
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voted(round_, 3)
    assert voting.close_round(round_, find_user("facilitator@example.org")).adopted

    other = drafting.create_recommendation(
        consultation, find_user("facilitator@example.org"), title="Landing",
        text="States should land people safely.")
    round_ = voting.open_round(other, find_user("facilitator@example.org"), quorum=5)
    voted(round_, 3)
    outcome = voting.close_round(round_, find_user("facilitator@example.org"), confirmed=True)
    assert outcome.reason == "no_quorum"


def test_the_set_up_form_keeps_the_consultations_quorum(app, plenary, session):
    consultation, _recommendation = plenary()
    client = chair(app)
    edit = f"/c/{consultation.slug}/edit"
    assert "Leave empty for a majority of the voting participants present." in client.get(
        edit).get_data(as_text=True)

    submit(client, edit, {**SET_UP, "quorum": "7"})
    session.refresh(consultation)
    assert consultation.quorum == 7
    submit(client, edit, {**SET_UP, "quorum": ""})
    session.refresh(consultation)
    assert consultation.quorum is None


def test_closing_below_the_quorum_asks_for_a_confirmation_the_server_requires(
    app, plenary, session
):
    consultation, recommendation = plenary()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voted(round_, 3)
    client = chair(app)
    console = f"/c/{consultation.slug}/console"
    close = f"/c/{consultation.slug}/rounds/{round_.id}/close"

    assert "Votes cast: 3 of 21 voting participants present; quorum 11." in client.get(
        console).get_data(as_text=True)
    asked = submit(client, close, {}, form_path=console)

    assert asked.status_code == 409
    html = asked.get_data(as_text=True)
    assert ("3 of 21 voting participants have voted, below the quorum of 11: closed now, the "
            "vote is not adopted.") in html
    assert 'name="confirm"' in html
    session.refresh(round_)
    assert round_.is_open

    closed = submit(client, close, {"confirm": "y"}, form_path=console)
    assert closed.status_code == 302
    session.refresh(round_)
    assert not round_.is_open and round_.result_reason == "no_quorum"


def test_closing_with_amendments_to_the_version_pending_asks_for_a_confirmation(
    app, plenary, session
):
    consultation, recommendation = plenary()
    amendment = drafting.propose_amendment(
        recommendation, find_user("p1@example.org"), text="States should share all data.")
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voted(round_, 18)
    client = chair(app)
    console = f"/c/{consultation.slug}/console"

    asked = submit(client, f"/c/{consultation.slug}/rounds/{round_.id}/close", {},
                   form_path=console)

    assert asked.status_code == 409
    assert (f"Amendment {amendment.id} to the version voted on is still proposed."
            in asked.get_data(as_text=True))
    session.refresh(round_)
    assert round_.is_open


def test_a_round_at_its_quorum_without_pending_amendments_closes_at_once(app, plenary,
                                                                         session):
    consultation, recommendation = plenary()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voted(round_, 18)
    client = chair(app)

    closed = submit(client, f"/c/{consultation.slug}/rounds/{round_.id}/close", {},
                    form_path=f"/c/{consultation.slug}/console", follow_redirects=True)

    assert "Adopted by consensus: 18 of 21 voted, none opposed." in closed.get_data(
        as_text=True)


def test_the_turnout_is_stated_with_the_result_on_every_page_and_export(app, plenary,
                                                                        session):
    consultation, recommendation = plenary()
    facilitator = find_user("facilitator@example.org")
    round_ = voting.open_round(recommendation, facilitator)
    voted(round_, 18)
    voting.close_round(round_, facilitator)
    session.flush()
    sentence = "Adopted by consensus: 18 of 21 voted, none opposed."
    client = chair(app)
    slug = consultation.slug

    assert sentence in client.get(f"/c/{slug}/results").get_data(as_text=True)
    assert sentence in client.get(
        f"/c/{slug}/recommendations/{recommendation.id}").get_data(as_text=True)
    assert sentence in client.get(f"/c/{slug}/projector").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/c/{slug}/results.csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert (rows[0]["result"], rows[0]["cast"], rows[0]["present"], rows[0]["quorum"]) == (
        sentence, "18", "21", "11")
    data = client.get(f"/c/{slug}/results.json").get_json()
    assert data["recommendations"][0]["rounds"][0]["result"] == sentence

    document = operations.compile_outcome(consultation, "en",
                                          find_user("secretariat@example.org"))
    text = "\n".join(paragraph.text for paragraph in
                     Document(io.BytesIO(document.content)).paragraphs)
    assert re.search(r"Adopted by consensus on \d+ \w+ \d{4}, in vote round 1: 18 of 21 voted, "
                     r"none opposed\.", text)


def test_a_round_closed_by_mistake_is_reopened_once_with_its_votes(app, plenary, session):
    consultation, recommendation = plenary()
    facilitator = find_user("facilitator@example.org")
    round_ = voting.open_round(recommendation, facilitator)
    voted(round_, 12)
    voting.close_round(round_, facilitator)
    client = chair(app)
    console = f"/c/{consultation.slug}/console"
    reopen = f"/c/{consultation.slug}/rounds/{round_.id}/reopen"

    without_reason = submit(client, reopen, {"reason": "  "}, form_path=console,
                            follow_redirects=True)
    assert "Say why the vote is reopened." in without_reason.get_data(as_text=True)
    submit(client, reopen, {"reason": "Closed before the interpretation finished."},
           form_path=console)

    session.refresh(round_)
    session.refresh(recommendation)
    assert round_.is_open and round_.adopted is None
    assert recommendation.status == RecommendationStatus.draft
    assert len(session.scalars(select(Vote).where(Vote.round_id == round_.id)).all()) == 12
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "vote_round.reopened")).one()
    assert event.details["reason"] == "Closed before the interpretation finished."
    results = client.get(f"/c/{consultation.slug}/results").get_data(as_text=True)
    assert "by Awa Ndiaye: Closed before the interpretation finished." in results

    voted(round_, 14)
    voting.close_round(round_, facilitator)
    again = submit(client, reopen, {"reason": "Once more."}, form_path=console,
                   follow_redirects=True)
    assert "This vote was reopened once already: it cannot be reopened again." in \
        again.get_data(as_text=True)
    session.refresh(round_)
    assert not round_.is_open and round_.adopted


def test_the_console_reads_in_the_order_a_facilitator_works(app, plenary, session):
    consultation, recommendation = plenary()
    amendment = drafting.propose_amendment(
        recommendation, find_user("p1@example.org"), text="States should share all data.")
    client = chair(app)
    console = f"/c/{consultation.slug}/console"

    html = client.get(console).get_data(as_text=True)
    put = html.index(f"Put amendment {amendment.id} to the vote")
    open_vote = html.index("Open the vote on R1")
    # The amendment is voted on first, each with its own button; the open button is never
    # hidden in a <details>.
    assert put < open_vote
    assert html.rfind("<details", 0, open_vote) < html.rfind("</details>", 0, open_vote) or \
        html.rfind("<details", 0, open_vote) == -1

    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    html = client.get(console).get_data(as_text=True)
    assert html.index("Close the vote") < html.index("To put to the vote")
    assert html.index("Turnout:") < html.index("Close the vote")
    assert f"Put amendment {amendment.id} to the vote" not in html
    assert round_.is_open
