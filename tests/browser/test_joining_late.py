"""The day as a newcomer lives it: signing up on a phone, registering late for a consultation
that is already live, and being told "Vote now" the moment the facilitator opens a round."""

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from consultations import operations
from consultations.models import ApprovalRule, ConsultationStatus, Region
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from recommendations import drafting
from tests.browser.conftest import assert_accessible
from tests.browser.test_accounts_in_the_browser import link_in, unique_email
from tests.browser.test_consultation_day import PASSWORD, sign_in

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def live_consultation(portal_data):
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    facilitator = create_account(
        email=f"chair-{tag}@example.org", password=PASSWORD, name="Chair of the plenary",
        organisation="IFRC", stakeholder_group=StakeholderGroup.red_cross, country="SN")
    consultation = operations.create_consultation(
        facilitator, slug=f"late-{tag}", title="Red Talks Dakar: the plenary",
        region=Region.africa, starts_at=starts, ends_at=starts + timedelta(hours=8),
        gcm_objectives=[8], approval_rule=ApprovalRule.automatic,
        registration_open_while_live=True)
    for status in (ConsultationStatus.registration_open, ConsultationStatus.live):
        operations.change_status(consultation, facilitator, status)
    recommendation = drafting.create_recommendation(
        consultation, facilitator, title="One contact point for families",
        text="Each State should name one contact point for the families of missing migrants.")
    made = {"slug": consultation.slug, "facilitator": facilitator.email,
            "reference": recommendation.reference}
    db.session.commit()
    db.session.remove()
    return made


@pytest.fixture
def phone(chromium, portal_server):
    context = chromium.new_context(base_url=portal_server.url, locale="en-GB",
                                   viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_up_from_the_email(phone, mailbox, slug, email, name, organisation, country) -> None:
    """Sign up from a phone, confirmed from the e-mail, which leads back to the consultation."""
    phone.goto(f"/account/sign-up?next=/c/{slug}")
    phone.get_by_label("Full name").fill(name)
    phone.get_by_label("E-mail address").fill(email)
    phone.get_by_label("Organisation").fill(organisation)
    phone.get_by_label("Stakeholder group").select_option(label="Red Cross / Red Crescent")
    phone.get_by_label("Country").select_option(label=country)
    phone.get_by_label("Password", exact=True).fill(PASSWORD)
    phone.get_by_label("Repeat the password").fill(PASSWORD)
    phone.get_by_role("button", name="Create the account").click()
    phone.goto(link_in(mailbox, email, r"\S+/account/sign-up/confirm/\S+"))
    phone.get_by_role("button", name="Create the account").click()


def test_a_newcomer_signs_up_registers_late_and_votes_when_the_round_opens_on_a_phone(
    page, phone, live_consultation, browser_mailbox, tmp_path
):
    slug = live_consultation["slug"]
    email = unique_email()
    phone.goto(f"/c/{slug}")
    expect(phone.locator("#next-step")).to_contain_text("Create an account and register")
    assert_accessible(phone)

    # Signing up is confirmed from the e-mail; the link brings the newcomer back here.
    sign_up_from_the_email(phone, browser_mailbox, slug, email, "Fatou Ndiaye",
                           "Senegalese Red Cross Society", "Senegal")

    phone.goto(f"/c/{slug}")
    next_step = phone.locator("#next-step")
    expect(next_step).to_contain_text("Your next step")
    assert_accessible(phone)
    next_step.get_by_role("link", name="Register").click()
    phone.get_by_label("English").check()
    phone.get_by_label("I agree to the processing of my personal data").check()
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_role("status").first).to_contain_text("You are registered.")

    phone.goto(f"/c/{slug}")
    expect(phone.locator("html")).to_have_attribute("data-live", "connected")
    banner = phone.locator("[data-vote-banner]")
    expect(banner).to_be_empty()
    # The newcomer is busy with a form field when the vote opens.
    phone.locator("#language-choice").focus()

    sign_in(page, live_consultation["facilitator"])
    page.goto(f"/c/{slug}/console")
    page.get_by_role("button", name=f"Open the vote on {live_consultation['reference']}").click()

    vote_now = banner.get_by_role("link", name=f"Vote now: {live_consultation['reference']}.")
    expect(vote_now).to_be_visible(timeout=5_000)
    assert phone.evaluate("performance.getEntriesByType('navigation').length") == 1
    # Announced (a polite live region), without taking the focus.
    expect(banner).to_have_attribute("aria-live", "polite")
    assert phone.evaluate("document.activeElement.id") == "language-choice"
    assert_accessible(phone)
    phone.screenshot(path=str(Path(tmp_path) / "vote-now.png"), full_page=True)

    vote_now.click()
    expect(phone).to_have_url(f"{phone.url.split('#')[0]}#vote")
    box = phone.locator("#vote")
    expect(box).to_be_in_viewport()
    assert_accessible(phone)
    box.get_by_label("Support", exact=True).check()
    box.get_by_role("button", name="Send my vote").click()
    expect(box.locator(".vote-feedback")).to_contain_text("Your vote is")

    # When the round closes, "Vote now" goes, again without a reload.
    expect(phone.locator("[data-vote-banner] a")).to_have_count(1)
    page.goto(f"/c/{slug}/console")
    page.get_by_role("button", name="Close the vote").click()
    expect(phone.locator("[data-vote-banner] a")).to_have_count(0, timeout=5_000)


@pytest.fixture
def phone_without_javascript(chromium, portal_server):
    context = chromium.new_context(base_url=portal_server.url, locale="en-GB",
                                   viewport=PHONE, is_mobile=True, has_touch=True,
                                   java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_the_same_day_without_javascript_goes_by_plain_pages_and_forms(
    page, phone_without_javascript, live_consultation, browser_mailbox
):
    """A phone with JavaScript off (a data-saving browser, a strict company setting): every
    step is a page and a form; the next step and "Vote now" come from the server. (Axe and the
    page width need scripts in the page: the same pages are checked with them on above.)"""
    phone, slug = phone_without_javascript, live_consultation["slug"]
    email = unique_email()
    sign_up_from_the_email(phone, browser_mailbox, slug, email, "Awa Diallo", "Mali Red Cross",
                           "Mali")
    phone.goto(f"/c/{slug}")
    phone.locator("#next-step").get_by_role("link", name="Register").click()
    phone.get_by_label("English").check()
    phone.get_by_label("I agree to the processing of my personal data").check()
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_role("status").first).to_contain_text("You are registered.")

    sign_in(page, live_consultation["facilitator"])
    page.goto(f"/c/{slug}/console")
    page.get_by_role("button", name=f"Open the vote on {live_consultation['reference']}").click()

    # Without the socket nothing comes by itself: the next page load says it.
    phone.goto(f"/c/{slug}")
    vote_now = phone.locator("#next-step").get_by_role(
        "link", name=f"Vote now: {live_consultation['reference']}.")
    expect(vote_now).to_be_visible()
    vote_now.click()
    box = phone.locator("#vote")
    box.get_by_label("Oppose", exact=True).check()
    box.get_by_role("button", name="Send my vote").click()
    expect(phone.get_by_role("status").first).to_contain_text("Your vote is stored: Oppose.")

    page.goto(f"/c/{slug}/console")
    page.get_by_role("button", name="Close the vote").click()
    phone.goto(f"/c/{slug}/results")
    expect(phone.locator("main")).to_contain_text("1 of 1 voted")
