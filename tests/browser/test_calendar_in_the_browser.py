"""A participant taking part online, on a phone in French or in Arabic: the meeting link on
the consultation's page, the agenda into their calendar, and their own calendar address made,
fetched as a calendar application does (without cookies) and renewed. JavaScript off, as a
data-saving browser has it; then the same pages with it on, for axe and the page's width."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from icalendar import Calendar
from playwright.sync_api import expect

from consultations import operations
from consultations.models import (
    AgendaItemKind,
    Attendance,
    ConsultationStatus,
    Mode,
    Region,
    Registration,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from tests.browser.conftest import assert_accessible
from tests.browser.test_consultation_day import PASSWORD
from tests.browser.test_in_french_and_arabic import BROWSERS, say  # noqa: F401  (fixture)

PHONE = {"width": 360, "height": 740}
LINK = "https://meet.example.org/red-talks-tunis"


@pytest.fixture
def online_participant(portal_data, request):
    """A hybrid consultation in Tunis in French and Arabic, with its meeting link, and a
    participant approved to take part online, reading in the test's language."""
    db, locale = portal_data, request.param
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 10, 8, 8, 0, tzinfo=UTC)
    facilitator = create_account(
        email=f"facilitator-{tag}@example.org", password=PASSWORD, name="Facilitator",
        organisation="IFRC", stakeholder_group=StakeholderGroup.red_cross, country="TN")
    consultation = operations.create_consultation(
        facilitator, slug=f"tunis-{tag}", title="Red Talks Tunis", region=Region.arab_states,
        venue="Tunis", mode=Mode.hybrid, meeting_link=LINK, starts_at=starts,
        ends_at=starts + timedelta(hours=9), time_zone="Africa/Tunis",
        working_languages=["fr", "ar"], gcm_objectives=[8])
    operations.add_agenda_item(consultation, facilitator, kind=AgendaItemKind.plenary,
                               title="Plénière d'ouverture", starts_at=starts,
                               ends_at=starts + timedelta(hours=1))
    for status in (ConsultationStatus.registration_open, ConsultationStatus.live):
        operations.change_status(consultation, facilitator, status)
    email = f"online-{locale}-{tag}@example.org"
    participant = create_account(
        email=email, password=PASSWORD, name="Délégué en ligne", organisation="Croissant-Rouge",
        stakeholder_group=StakeholderGroup.red_cross, country="TN", preferred_locale=locale)
    db.session.add(Registration(
        consultation=consultation, user=participant, role="participant", status="approved",
        organisation="Croissant-Rouge", stakeholder_group=StakeholderGroup.red_cross,
        country="TN", attendance=Attendance.online))
    made = {"slug": consultation.slug, "email": email, "locale": locale}
    db.session.commit()
    db.session.remove()
    return made


def phone_in(chromium, portal_server, locale, javascript):
    context = chromium.new_context(base_url=portal_server.url, locale=BROWSERS[locale],
                                   viewport=PHONE, is_mobile=True, has_touch=True,
                                   java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    return context


def sign_in_as(page, say, locale, email):
    page.goto("/account/sign-in")
    page.get_by_label(say(locale, "E-mail address")).fill(email)
    page.get_by_label(say(locale, "Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=say(locale, "Sign in"), exact=True).click()
    expect(page.get_by_role("button", name=say(locale, "Sign out"))).to_be_visible()


def calendar_address(page, say, locale) -> str:
    address = page.get_by_label(say(
        locale, "Or copy the address into your calendar application (in Google Calendar: "
        "Other calendars, From URL)"))
    expect(address).to_have_value(re.compile(r"^https?://[^/]+/calendar/[A-Za-z0-9_-]+\.ics$"))
    return address.input_value()


@pytest.mark.parametrize("online_participant", ["fr", "ar"], indirect=True)
def test_an_online_participant_takes_the_consultation_into_their_calendar(
        chromium, portal_server, online_participant, say, tmp_path: Path):
    locale, slug = online_participant["locale"], online_participant["slug"]
    without_javascript = phone_in(chromium, portal_server, locale, javascript=False)
    with_javascript = phone_in(chromium, portal_server, locale, javascript=True)
    try:
        phone = without_javascript.new_page()
        sign_in_as(phone, say, locale, online_participant["email"])
        phone.goto(f"/c/{slug}")
        expect(phone.locator("html")).to_have_attribute("lang", locale)
        link = phone.get_by_role("link", name=LINK)
        expect(link).to_have_attribute("href", LINK)
        expect(link).to_have_attribute("dir", "ltr")
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]

        with phone.expect_download() as download:
            phone.get_by_role("link", name=say(locale, "Add to your calendar (.ics)")).click()
        agenda = Calendar.from_ical(Path(download.value.path()).read_bytes())
        events = {str(event["SUMMARY"]): event for event in agenda.walk("VEVENT")}
        assert str(events["Red Talks Tunis"]["LOCATION"]) == LINK
        assert events["Plénière d'ouverture"]["DTSTART"].params["TZID"] == "Africa/Tunis"
        assert events["Plénière d'ouverture"]["DTSTART"].dt.hour == 9

        phone.goto("/account/profile")
        phone.get_by_role("link", name=say(
            locale, "Your consultations in your calendar application, or one at a time")).click()
        phone.get_by_role("button", name=say(locale, "Make my calendar address")).click()
        expect(phone.get_by_role("status")).to_contain_text(say(
            locale, "Your calendar address is ready. It is shown only now: copy it or "
            "subscribe before you leave this page."))
        first = calendar_address(phone, say, locale)

        # A calendar application: no cookies, the address is all it has.
        feed = requests.get(first, timeout=30)
        assert feed.status_code == 200
        assert feed.headers["Content-Type"].startswith("text/calendar")
        events = {str(event["SUMMARY"]): event
                  for event in Calendar.from_ical(feed.content).walk("VEVENT")}
        assert str(events["Red Talks Tunis"]["LOCATION"]) == LINK
        assert str(Calendar.from_ical(feed.content)["X-WR-CALNAME"]) == say(
            locale, "Red Talks: your consultations")

        phone.goto("/account/calendar")
        expect(phone.locator("body")).not_to_contain_text(first.rsplit("/", 1)[1])
        phone.get_by_role("button", name=say(locale, "Make a new calendar address")).click()
        second = calendar_address(phone, say, locale)
        assert second != first
        assert requests.get(first, timeout=30).status_code == 404
        assert requests.get(second, timeout=30).status_code == 200

        # The same pages with scripts on: axe, and nothing wider than the phone.
        page = with_javascript.new_page()
        sign_in_as(page, say, locale, online_participant["email"])
        for path in (f"/c/{slug}", "/account/calendar"):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute(
                "dir", "rtl" if locale == "ar" else "ltr")
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert_accessible(page)
        page.get_by_role("button", name=say(locale, "Make a new calendar address")).click()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert_accessible(page)
    except Exception:
        for number, context in enumerate((without_javascript, with_javascript)):
            for open_page in context.pages:
                open_page.screenshot(path=str(tmp_path / f"failed-{number}.png"),
                                     full_page=True)
        raise
    finally:
        without_javascript.close()
        with_javascript.close()
