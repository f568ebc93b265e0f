import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from consultations import operations
from consultations.models import (
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from recommendations import drafting
from tests.browser.conftest import assert_accessible
from tests.browser.test_consultation_day import PASSWORD, sign_in


@pytest.fixture
def plenary(portal_data):
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    people = {}
    for name, group in (("facilitator", StakeholderGroup.red_cross),
                        ("first", StakeholderGroup.member_state),
                        ("second", StakeholderGroup.civil_society)):
        people[name] = create_account(email=f"{name}-{tag}@example.org", password=PASSWORD,
                                      name=f"{name.title()} delegate", organisation="Org",
                                      stakeholder_group=group, country="SN")
    consultation = operations.create_consultation(
        people["facilitator"], slug=f"vote-{tag}", title="Plenary vote", region=Region.africa,
        starts_at=starts, ends_at=starts + timedelta(hours=8), gcm_objectives=[8])
    for status in (ConsultationStatus.registration_open, ConsultationStatus.live):
        operations.change_status(consultation, people["facilitator"], status)
    for name in ("first", "second"):
        user = people[name]
        db.session.add(Registration(consultation=consultation, user=user, role=Role.participant,
                                    status=RegistrationStatus.approved, organisation="Org",
                                    stakeholder_group=user.stakeholder_group, country="SN"))
    db.session.flush()
    recommendation = drafting.create_recommendation(
        consultation, people["facilitator"], title="One contact point for families",
        text="Each State should name one contact point\nfor the families of missing migrants.")
    made = {"slug": consultation.slug, "recommendation": recommendation.id,
            **{name: user.email for name, user in people.items()}}
    db.session.commit()
    db.session.remove()
    return made


@pytest.fixture
def another_page(chromium, portal_server):
    contexts = []

    def make():
        context = chromium.new_context(base_url=portal_server.url, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_two_participants_vote_and_the_projector_tally_moves_without_reload(
    page, another_page, plenary
):
    slug = plenary["slug"]
    sign_in(page, plenary["facilitator"])
    page.goto(f"/c/{slug}/console")
    assert_accessible(page)
    page.get_by_role("button", name="Open the vote on R1").click()
    expect(page.get_by_role("status").first).to_contain_text("The vote on R1 is open.")
    assert_accessible(page)

    projector = another_page()
    sign_in(projector, plenary["facilitator"])
    projector.goto(f"/c/{slug}/projector")
    expect(projector.locator("html")).to_have_attribute("data-live", "connected")
    assert_accessible(projector)
    support = projector.locator('[data-count="support"]').first
    expect(support).to_have_text("0")

    voters = []
    for name, choice in (("first", "Support"), ("second", "Oppose")):
        voter = another_page()
        sign_in(voter, plenary[name])
        voter.goto(f"/c/{slug}/recommendations/{plenary['recommendation']}")
        expect(voter.locator("html")).to_have_attribute("data-live", "connected")
        voter.get_by_label(choice, exact=True).check()
        voter.get_by_role("button", name="Send my vote").click()
        expect(voter.locator(".vote-feedback")).to_contain_text("Your vote is")
        voters.append(voter)
    assert_accessible(voters[0])

    expect(support).to_have_text("1", timeout=5_000)
    expect(projector.locator('[data-count="oppose"]').first).to_have_text("1")
    expect(projector.locator("[data-voted]").first).to_have_text("2")
    expect(voters[0].locator(".vote-feedback")).to_contain_text(
        "Your vote is counted in the tally.", timeout=5_000)
    assert projector.evaluate("performance.getEntriesByType('navigation').length") == 1
    # The console, open all along, shows the votes by group as they come; nobody else does.
    by_group = page.locator("[data-group-breakdown]")
    expect(by_group.locator('[data-group="member_state"] [data-group-count="support"]')
           ).to_have_text("1", timeout=5_000)
    expect(by_group.locator('[data-group="civil_society"] [data-group-count="oppose"]')
           ).to_have_text("1")
    expect(by_group.locator('[data-group="civil_society"]')).to_be_visible()
    assert projector.locator("[data-group-breakdown]").count() == 0

    page.goto(f"/c/{slug}/console")
    page.get_by_role("button", name="Close the vote").click()
    result = "Not adopted, opposed under the consensus rule: 2 of 2 voted, 1 opposed."
    expect(page.get_by_role("status").first).to_contain_text(f"The vote is closed. {result}")
    expect(projector.locator("[data-round-state]")).to_have_text(result, timeout=5_000)
    page.goto(f"/c/{slug}/results")
    assert_accessible(page)


STORED_OR_COUNTED = r"^Your vote is (stored: %s\.|counted in the tally\.)$"


def test_a_vote_changed_in_one_tab_shows_in_the_other(page, another_page, plenary):
    """A delegate with two tabs on the vote page: each shows the vote the server holds."""
    slug = plenary["slug"]
    sign_in(page, plenary["facilitator"])
    page.goto(f"/c/{slug}/console")
    page.get_by_role("button", name="Open the vote on R1").click()
    expect(page.get_by_role("status").first).to_contain_text("The vote on R1 is open.")

    first_tab = another_page()
    sign_in(first_tab, plenary["first"])
    second_tab = first_tab.context.new_page()
    for tab in (first_tab, second_tab):
        tab.goto(f"/c/{slug}/recommendations/{plenary['recommendation']}")
        expect(tab.locator("html")).to_have_attribute("data-live", "connected")

    first_tab.get_by_label("Abstain", exact=True).check()
    first_tab.get_by_role("button", name="Send my vote").click()
    expect(second_tab.get_by_label("Abstain", exact=True)).to_be_checked()
    # Stored, then counted once the next tally comes.
    expect(second_tab.locator(".vote-feedback")).to_have_text(
        re.compile(STORED_OR_COUNTED % "Abstain"))

    second_tab.get_by_label("Support with reservations", exact=True).check()
    second_tab.get_by_role("textbox", name="Your reservation").fill(
        "Only with funding for the contact points.")
    second_tab.get_by_role("button", name="Send my vote").click()
    expect(first_tab.get_by_label("Support with reservations", exact=True)).to_be_checked()
    expect(first_tab.get_by_role("textbox", name="Your reservation")).to_have_value(
        "Only with funding for the contact points.")
    expect(first_tab.locator(".vote-feedback")).to_have_text(
        re.compile(STORED_OR_COUNTED % "Support with reservations"))
    for tab in (first_tab, second_tab):
        assert tab.evaluate("performance.getEntriesByType('navigation').length") == 1
