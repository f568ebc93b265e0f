import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from consultations import breakouts, discussion, operations
from consultations.models import (
    AgendaItemKind,
    ApprovalRule,
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from tests.browser.conftest import assert_accessible

PASSWORD = "harmattan-baobab-river-42"


@pytest.fixture
def day(portal_data):
    """A live consultation with a published breakout group holding two participants."""
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)

    def person(name, group=StakeholderGroup.red_cross, country="SN"):
        return create_account(email=f"{name}-{tag}@example.org", password=PASSWORD,
                              name=f"{name.title()} of the Senegalese Red Cross Society",
                              organisation="Senegalese Red Cross Society",
                              stakeholder_group=group, country=country)

    facilitator = person("facilitator")
    consultation = operations.create_consultation(
        facilitator, slug=f"dakar-{tag}", title="Red Talks Dakar", region=Region.africa,
        starts_at=starts, ends_at=starts + timedelta(days=1), time_zone="Africa/Dakar",
        working_languages=["en", "fr"], capacity=50, approval_rule=ApprovalRule.automatic,
        gcm_objectives=[8])
    for status in (ConsultationStatus.registration_open, ConsultationStatus.live):
        operations.change_status(consultation, facilitator, status)
    round_ = operations.add_agenda_item(
        consultation, facilitator, kind=AgendaItemKind.breakout_round, title="Round 1",
        starts_at=starts, ends_at=starts + timedelta(hours=2))
    group = operations.add_breakout_group(round_, facilitator, name="Search and identification",
                                          guiding_questions=["Who collects the data?"])
    people = {}
    for name, stakeholder_group in (("writer", StakeholderGroup.red_cross),
                                    ("reader", StakeholderGroup.civil_society)):
        user = person(name, stakeholder_group)
        registration = Registration(
            consultation=consultation, user=user, role=Role.participant,
            status=RegistrationStatus.approved, organisation=user.organisation,
            stakeholder_group=user.stakeholder_group, country=user.country)
        db.session.add(registration)
        db.session.flush()
        breakouts.move(round_, registration, group, facilitator)
        people[name] = user.email
    breakouts.publish(round_, facilitator)
    thread = discussion.threads_of(consultation, group)[0]
    made = {"consultation": consultation.slug, "group": group.id, "thread": thread.id,
            "tag": tag, **people}
    db.session.commit()
    # No transaction of the test may stay open while the server writes.
    db.session.remove()
    return made


def sign_in(page, email):
    page.goto("/account/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture
def second_page(chromium, portal_server):
    context = chromium.new_context(base_url=portal_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_comment_appears_for_the_other_participant_without_reloading(page, second_page, day):
    thread_path = f"/c/{day['consultation']}/threads/{day['thread']}"
    sign_in(second_page, day["reader"])
    second_page.goto(thread_path)
    expect(second_page.locator("html")).to_have_attribute("data-live", "connected")
    assert_accessible(second_page)

    sign_in(page, day["writer"])
    page.goto(thread_path)
    page.get_by_label("Your comment").fill("Families need **one** contact point per country.")
    page.get_by_role("button", name="Post the comment").click()
    expect(page.get_by_role("status").first).to_contain_text("Your comment is posted.")

    arrived = second_page.locator(".comment-body strong", has_text="one")
    expect(arrived).to_be_visible(timeout=5_000)
    expect(second_page.locator(".comment-author").last).to_have_text(
        "Writer of the Senegalese Red Cross Society")
    assert second_page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert_accessible(second_page)


def test_the_consultation_breakout_and_registration_pages_are_accessible(
    page, day, portal_data
):
    sign_in(page, day["reader"])
    page.goto(f"/c/{day['consultation']}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Red Talks Dakar")
    assert_accessible(page)

    # The next step leads to the reader's group, as the agenda does.
    page.locator("#next-step").get_by_role("link", name="Search and identification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Search and identification")
    expect(page.locator("[data-presence-room]")).to_contain_text("1 person is here now")
    assert_accessible(page)

    page.goto(f"/c/{day['consultation']}/registration")
    assert_accessible(page)


def test_a_visitor_registers_and_creates_the_account_in_one_form(page, portal_data):
    tag = uuid.uuid4().hex[:8]
    db = portal_data
    starts = datetime(2024, 11, 5, 9, 0, tzinfo=UTC)
    creator = create_account(email=f"creator-{tag}@example.org", password=PASSWORD,
                             name="Facilitator", organisation="IFRC",
                             stakeholder_group=StakeholderGroup.red_cross, country="KE")
    consultation = operations.create_consultation(
        creator, slug=f"nairobi-{tag}", title="Red Talks Nairobi", region=Region.africa,
        starts_at=starts, ends_at=starts + timedelta(days=1), working_languages=["en", "fr"],
        capacity=10, approval_rule=ApprovalRule.automatic, gcm_objectives=[7])
    operations.change_status(consultation, creator, ConsultationStatus.registration_open)
    slug = consultation.slug
    db.session.commit()
    db.session.remove()

    page.goto(f"/c/{slug}")
    page.get_by_role("link", name="Create an account and register").click()
    assert_accessible(page)
    page.get_by_label("Full name").fill("Delegate of the Kenya Red Cross Society")
    page.get_by_label("E-mail address").fill(f"visitor-{tag}@example.org")
    page.get_by_label("Organisation").fill("Kenya Red Cross Society")
    page.get_by_label("Stakeholder group").select_option(label="Red Cross / Red Crescent")
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("English").check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("Registration needs your consent.")
    expect(page.get_by_label("Organisation")).to_have_value("Kenya Red Cross Society")
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("I agree to the processing of my personal data").check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status")).to_contain_text("You are registered. See you there!")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration")
    assert_accessible(page)
    registration = db.session.scalar(
        db.select(Registration).join(Consultation).where(Consultation.slug == slug))
    assert registration.status == RegistrationStatus.approved
    db.session.remove()
