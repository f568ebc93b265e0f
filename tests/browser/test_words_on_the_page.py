"""Words on a phone, in English, French and Arabic at 360 px: long words wrap and the page stays
as wide as the screen; a comment box counts its characters and keeps a text past its limit."""

import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale, ngettext
from playwright.sync_api import expect

from consultations import discussion, operations
from consultations.models import (
    ApprovalRule,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from tests.browser.test_consultation_day import PASSWORD

#: The browser's language for each interface language tried.
BROWSERS = {"en": "en-GB", "fr": "fr-FR", "ar": "ar-EG"}
PHONE = {"width": 360, "height": 740}
#: Screenshots, to look at: ``WORDS_SCREENSHOTS=/some/folder pytest ...``.
SCREENSHOTS = os.environ.get("WORDS_SCREENSHOTS")

LONG_WORD = "Mediterranean" * 384  # 4,992 letters and no space
LONG_URL = "https://missing-migrants.example.org/" + "data-" * 150


@pytest.fixture
def thread_day(portal_data):
    """A live consultation in English, French and Arabic whose plenary thread holds a comment
    with a 5,000-letter word and a long address, written by someone with a long name."""
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)

    def person(name, locale="en"):
        return create_account(email=f"{name}-{tag}@example.org", password=PASSWORD,
                              name=name.title() + "-" + "Diallo" * 18,
                              organisation="Senegalese Red Cross Society",
                              stakeholder_group=StakeholderGroup.red_cross, country="SN",
                              preferred_locale=locale)

    facilitator = person("facilitator")
    consultation = operations.create_consultation(
        facilitator, slug=f"words-{tag}", title="Red Talks Dakar", region=Region.africa,
        starts_at=starts, ends_at=starts + timedelta(days=1), time_zone="Africa/Dakar",
        working_languages=["en", "fr", "ar"], capacity=50,
        approval_rule=ApprovalRule.automatic, gcm_objectives=[8])
    for status in (ConsultationStatus.registration_open, ConsultationStatus.live):
        operations.change_status(consultation, facilitator, status)
    people = {}
    for name in ("writer", "reader"):
        user = person(name)
        db.session.add(Registration(
            consultation=consultation, user=user, role=Role.participant,
            status=RegistrationStatus.approved, organisation=user.organisation,
            stakeholder_group=user.stakeholder_group, country=user.country))
        db.session.flush()
        people[name] = user
    thread = discussion.plenary_thread(consultation)
    discussion.post_comment(thread, people["writer"], LONG_WORD)
    discussion.post_comment(thread, people["writer"], f"The data: {LONG_URL}")
    made = {"thread_path": f"/c/{consultation.slug}/threads/{thread.id}",
            "reader": people["reader"].email, "reader_id": people["reader"].id}
    db.session.commit()
    db.session.remove()
    return made


def reader_page(chromium, portal_server, portal_data, thread_day, locale):
    """A phone, signed in as the reader, who reads the portal in ``locale``."""
    from portal.accounts.models import User

    db = portal_data
    db.session.get(User, thread_day["reader_id"]).preferred_locale = locale
    db.session.commit()
    db.session.remove()
    context = chromium.new_context(base_url=portal_server.url, locale=BROWSERS[locale],
                                   viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/account/sign-in")
    page.locator("#email").fill(thread_day["reader"])
    page.locator("#password").fill(PASSWORD)
    page.locator("#password").press("Enter")
    page.wait_for_url(lambda url: "/account/sign-in" not in url)
    page.goto(thread_day["thread_path"])
    expect(page.locator("html")).to_have_attribute("lang", locale)
    # Joined, the page brings its comments up to date (js/thread.js): after that, they stay.
    expect(page.locator("html")).to_have_attribute("data-live", "connected")
    return context, page


def screenshot(page, name: str) -> None:
    """What the phone's screen shows now."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"))


@pytest.mark.parametrize("locale", ["en", "fr", "ar"])
def test_a_five_thousand_letter_word_wraps_on_a_360_px_phone(
        chromium, portal_server, portal_data, thread_day, locale):
    context, page = reader_page(chromium, portal_server, portal_data, thread_day, locale)
    try:
        expect(page.locator(".comment-body").first).to_contain_text("Mediterranean")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(page, f"long-word-{locale}")
        page.evaluate("[...document.querySelectorAll('.comment-body')].pop().scrollIntoView()")
        screenshot(page, f"long-address-{locale}")
    finally:
        context.close()


@pytest.fixture
def say(browser_app):
    """A message with a count as the portal's catalogs write it in a language."""

    def translate(locale: str, singular: str, plural: str, number: int, **variables) -> str:
        with browser_app.test_request_context(), force_locale(locale):
            return ngettext(singular, plural, number, **variables)

    return translate


@pytest.mark.parametrize("locale", ["en", "fr", "ar"])
def test_a_comment_box_counts_the_characters_and_keeps_a_text_past_the_limit(
        chromium, portal_server, portal_data, thread_day, say, locale):
    limit = format_decimal(5000, locale=locale)
    context, page = reader_page(chromium, portal_server, portal_data, thread_day, locale)
    try:
        box = page.locator("textarea#body")
        counter = page.locator("#body-count")
        hint = say(locale, "At most %(count)s character.", "At most %(count)s characters.",
                   5000, count=limit)
        expect(page.locator("#body-limit")).to_have_text(hint)

        box.press_sequentially("Families need news.")
        expect(counter).to_have_text(say(
            locale, "{count} of %(limit)s character", "{count} of %(limit)s characters", 5000,
            limit=limit).replace("{count}", "19"))

        box.fill("Families need news. " * 250 + "One more sentence.")  # 5,018 characters
        expect(counter).to_have_text(say(
            locale, "{count} of %(limit)s character: shorten the text to send it",
            "{count} of %(limit)s characters: shorten the text to send it", 5000,
            limit=limit).replace("{count}", format_decimal(5018, locale=locale)))
        assert len(box.input_value()) == 5018, "the browser cut the text"
        expect(box).to_have_attribute("aria-invalid", "true")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.evaluate("document.getElementById('body').scrollIntoView()")
        screenshot(page, f"counter-{locale}")

        page.locator("form.stacked-form button[type=submit]").click()
        expect(page.locator(".error-summary")).to_be_visible()
        assert len(page.locator("textarea#body").input_value()) == 5018
    finally:
        context.close()
