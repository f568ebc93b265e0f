"""The consultation's page says what each visitor is to do next: one step, from who they are
and where the consultation stands (consultations/next_step.py)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import segno

from consultations import breakouts
from consultations.models import (
    AgendaItem,
    AgendaItemKind,
    ApprovalRule,
    BreakoutGroup,
    ConsultationStatus,
    RegistrationStatus,
    Role,
)
from consultations.next_step import next_step
from recommendations import drafting, voting
from tests.conftest import sign_in

LATER = datetime(2024, 4, 23, 12, 0, tzinfo=UTC)


@pytest.fixture
def page_of(app):
    def read(consultation, email=None):
        browser = app.test_client()
        if email:
            sign_in(browser, email)
        response = browser.get(f"/c/{consultation.slug}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        start = html.find('id="next-step"')
        return html[start:html.find("</section>", start)] if start != -1 else ""

    return read


def test_a_visitor_is_asked_to_create_an_account_and_register(make_consultation, page_of):
    consultation = make_consultation(status=ConsultationStatus.registration_open)

    assert next_step(consultation, None).kind == "create_account"
    step = page_of(consultation)
    assert "Create an account and register" in step
    assert f'href="/c/{consultation.slug}/register"' in step


def test_a_signed_in_person_without_registration_is_asked_to_register(
    make_consultation, make_user, page_of
):
    consultation = make_consultation(status=ConsultationStatus.live,
                                     registration_open_while_live=True)
    person = make_user(email="newcomer@example.org")

    assert next_step(consultation, person).kind == "register"
    assert f'href="/c/{consultation.slug}/register">Register</a>' in page_of(
        consultation, "newcomer@example.org")


def test_closed_registration_says_so_and_why(make_consultation, make_user, page_of):
    consultation = make_consultation(status=ConsultationStatus.live)
    make_user(email="newcomer@example.org")

    step = page_of(consultation, "newcomer@example.org")

    assert "Registration is closed. Registration for this consultation is not open: it " \
        "closed when the consultation began." in step
    assert "/register" not in step


def test_a_pending_registration_is_told_to_wait_for_the_decision(
    make_consultation, make_user, register, page_of
):
    consultation = make_consultation(approval_rule=ApprovalRule.facilitator)
    register(make_user(email="p@example.org"), consultation, status=RegistrationStatus.pending)

    assert "Your registration is pending" in page_of(consultation, "p@example.org")


def test_a_waitlisted_person_is_told_their_position(
    session, make_consultation, make_user, register, page_of
):
    consultation = make_consultation(capacity=1)
    for number, moment in enumerate([LATER, LATER + timedelta(minutes=5)]):
        registration = register(make_user(email=f"w{number}@example.org"), consultation,
                                status=RegistrationStatus.waitlisted)
        registration.waitlisted_at = moment
    session.flush()

    assert "You are on the waitlist, in position 2." in page_of(consultation, "w1@example.org")


def test_an_approved_participant_is_sent_to_their_breakout_group_with_room_and_time(
    session, make_consultation, make_user, register, page_of
):
    consultation = make_consultation()
    person = make_user(email="p@example.org")
    facilitator = make_user()
    register(facilitator, consultation, Role.facilitator)
    round_ = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                        title="Breakouts", starts_at=LATER, ends_at=LATER + timedelta(hours=2))
    session.add(round_)
    session.add(BreakoutGroup(round=round_, name="Families of the missing", room="Salle 3"))
    register(person, consultation)
    session.flush()
    assert next_step(consultation, person, now=LATER) is None  # not published yet
    breakouts.propose(round_, facilitator)
    breakouts.publish(round_, facilitator)

    step = next_step(consultation, person, now=LATER - timedelta(hours=1))

    assert step.kind == "breakout" and step.group.name == "Families of the missing"
    page = page_of(consultation, "p@example.org")
    assert "Join your breakout group:" in page and "Families of the missing" in page
    assert "Room: Salle 3" in page
    assert "12:00" in page   # the round's time, in the consultation's time zone (Dakar: UTC)


def test_a_voter_is_told_to_vote_now_with_a_link_to_the_vote(
    session, make_consultation, make_user, register, page_of
):
    consultation = make_consultation()
    facilitator, rapporteur = make_user(), make_user()
    register(facilitator, consultation, Role.facilitator)
    register(rapporteur, consultation, Role.rapporteur)
    register(make_user(email="p@example.org"), consultation)
    recommendation = drafting.create_recommendation(
        consultation, rapporteur, title="Shared data", text="States share data.",
        gcm_objectives=[8])
    assert 'class="vote-banner"' not in page_of(consultation, "p@example.org")

    voting.open_round(recommendation, facilitator)

    step = page_of(consultation, "p@example.org")
    assert f"Vote now: {recommendation.reference}. Shared data" in step
    assert f'href="/c/{consultation.slug}/recommendations/{recommendation.id}#vote"' in step
    assert 'aria-live="polite"' in step
    # An observer follows the votes but does not vote: no "Vote now" for them.
    register(make_user(email="observer@example.org"), consultation, Role.observer)
    assert "Vote now" not in page_of(consultation, "observer@example.org")
    assert next_step(consultation, None).kind == "closed"


@pytest.fixture
def open_vote(session, make_consultation, make_user, register, app):
    consultation = make_consultation()
    facilitator, rapporteur = make_user(), make_user()
    register(facilitator, consultation, Role.facilitator)
    register(rapporteur, consultation, Role.rapporteur)
    register(make_user(email="p@example.org"), consultation)
    recommendation = drafting.create_recommendation(
        consultation, rapporteur, title="Shared data", text="States share data.",
        gcm_objectives=[8])
    round_ = voting.open_round(recommendation, facilitator)
    browser = app.test_client()
    sign_in(browser, "p@example.org")
    return consultation, recommendation, round_, facilitator, browser


def test_the_recommendation_list_and_page_say_vote_open_while_the_round_is(open_vote):
    consultation, recommendation, round_, facilitator, browser = open_vote
    base = f"/c/{consultation.slug}/recommendations"

    listing = browser.get(base).get_data(as_text=True)
    page = browser.get(f"{base}/{recommendation.id}").get_data(as_text=True)

    assert "Vote open" in listing and f'href="{base}/{recommendation.id}#vote">Vote now' in listing
    assert "Vote open" in page and 'id="vote"' in page
    # Every page of the consultation tells the voter, the discussion's as the list's.
    plenary = browser.get(f"/c/{consultation.slug}/plenary").get_data(as_text=True)
    assert f"Vote now: {recommendation.reference}. Shared data" in plenary
    voting.close_round(round_, facilitator, confirmed=True)
    listing = browser.get(base).get_data(as_text=True)
    assert "Vote open" not in listing and 'class="vote-banner"' not in listing
    assert 'class="vote-banner"' not in browser.get(f"/c/{consultation.slug}").get_data(
        as_text=True)


def test_the_short_vote_address_leads_to_the_vote_box_or_to_the_next_step(open_vote, app):
    consultation, recommendation, round_, facilitator, browser = open_vote

    response = browser.get(f"/c/{consultation.slug}/vote")

    assert response.status_code == 302
    assert response.headers["Location"] == \
        f"/c/{consultation.slug}/recommendations/{recommendation.id}#vote"
    visitor = app.test_client().get(f"/c/{consultation.slug}/vote")
    assert visitor.headers["Location"] == f"/c/{consultation.slug}#next-step"
    voting.close_round(round_, facilitator, confirmed=True)
    after = browser.get(f"/c/{consultation.slug}/vote", follow_redirects=True)
    assert "No vote is open now." in after.get_data(as_text=True)


def test_the_projector_shows_a_qr_code_and_the_short_address_of_the_vote(open_vote):
    consultation, recommendation, round_, facilitator, browser = open_vote

    page = browser.get(f"/c/{consultation.slug}/projector").get_data(as_text=True)

    address = f"http://portal.test/c/{consultation.slug}/vote"
    assert f"portal.test/c/{consultation.slug}/vote</p>" in page
    svg = re.search(r"<svg role=\"img\" aria-label=\"QR code[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg and address in svg
    # The drawing is the QR code of that address, module for module.
    expected = segno.make(address, error="m", micro=False).svg_inline(scale=1, border=4)
    assert re.search(r' d="([^"]+)"', expected.split("qrline")[1]).group(1) in svg
    assert "<script" not in svg and "http" not in svg.split("</title>")[1]
