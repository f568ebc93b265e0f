"""A participant registers and votes in French, and in Arabic, right to left: every label they
read and every button they press is in their language, and axe finds no serious or critical
violation on the way. A facilitator gives the agenda, the venue and the organisers in French,
and a French reader sees them on the consultation's page."""

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from consultations import operations
from consultations.models import (
    AgendaItemKind,
    ApprovalRule,
    Consultation,
    ConsultationStatus,
    Region,
    Role,
)
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account
from recommendations import drafting, translating, voting
from recommendations.models import Recommendation, TranslationStatus
from tests.browser.conftest import assert_accessible
from tests.browser.test_consultation_day import PASSWORD, sign_in

#: The recommendation's reviewed Arabic translation: its title and its text.
ARABIC = ("جهات التنسيق", "تعيّن كل دولة جهة تنسيق\nلأسر المهاجرين المفقودين.")

#: The browser's language, and the interface language the portal answers in.
BROWSERS = {"fr": "fr-FR", "ar": "ar-EG"}


@pytest.fixture
def say(browser_app):
    """A message as the portal's catalogs write it in a language."""

    def translate(locale: str, message: str, **variables) -> str:
        with browser_app.test_request_context(), force_locale(locale):
            return gettext(message, **variables)

    return translate


@pytest.fixture
def open_consultation(portal_data):
    """A consultation open for registration in French and Arabic, with one draft
    recommendation written in French and its reviewed Arabic translation, and its
    facilitator."""
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 10, 8, 8, 0, tzinfo=UTC)
    facilitator = create_account(
        email=f"facilitator-{tag}@example.org", password=PASSWORD, name="Facilitator",
        organisation="IFRC", stakeholder_group=StakeholderGroup.red_cross, country="TN")
    consultation = operations.create_consultation(
        facilitator, slug=f"tunis-{tag}", title="Red Talks Tunis", region=Region.arab_states,
        starts_at=starts, ends_at=starts + timedelta(hours=9), time_zone="Africa/Tunis",
        working_languages=["fr", "ar"], capacity=40, approval_rule=ApprovalRule.automatic,
        gcm_objectives=[8])
    operations.change_status(consultation, facilitator, ConsultationStatus.registration_open)
    recommendation = drafting.create_recommendation(
        consultation, facilitator, title="Points focaux", locale="fr",
        text="Chaque État désigne un point focal\npour les familles des migrants disparus.")
    secretariat = create_account(
        email=f"secretariat-{tag}@example.org", password=PASSWORD, name="Secretariat",
        organisation="IOM", stakeholder_group=StakeholderGroup.un_agency, country="TN")
    operations.appoint(consultation, facilitator, secretariat.email, Role.secretariat)
    for person, status in ((facilitator, TranslationStatus.draft),
                           (secretariat, TranslationStatus.reviewed)):
        translating.save_translation(recommendation.current_version, person, locale="ar",
                                     title=ARABIC[0], text=ARABIC[1], status=status)
    made = {"slug": consultation.slug, "tag": tag, "facilitator": facilitator.id}
    db.session.commit()
    db.session.remove()
    return made


def open_the_vote(db, made) -> int:
    """The facilitator takes the consultation live and opens the vote on its recommendation."""
    consultation = db.session.scalar(db.select(Consultation).where(
        Consultation.slug == made["slug"]))
    facilitator = db.session.get(User, made["facilitator"])
    operations.change_status(consultation, facilitator, ConsultationStatus.live)
    recommendation = db.session.scalar(db.select(Recommendation).where(
        Recommendation.consultation_id == consultation.id))
    voting.open_round(recommendation, facilitator)
    recommendation_id = recommendation.id
    db.session.commit()
    db.session.remove()
    return recommendation_id


@pytest.mark.parametrize("locale", ["fr", "ar"])
def test_a_participant_registers_and_votes_in_their_language(
    chromium, portal_server, portal_data, open_consultation, say, locale
):
    context = chromium.new_context(base_url=portal_server.url, locale=BROWSERS[locale])
    context.set_default_timeout(10_000)
    page = context.new_page()
    slug = open_consultation["slug"]
    email = f"delegate-{locale}-{open_consultation['tag']}@example.org"
    direction = "rtl" if locale == "ar" else "ltr"
    try:
        page.goto(f"/c/{slug}")
        expect(page.locator("html")).to_have_attribute("lang", locale)
        expect(page.locator("html")).to_have_attribute("dir", direction)
        assert_accessible(page)

        page.get_by_role("link", name=say(locale, "Create an account and register"),
                         exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(say(locale, "Register"))
        page.get_by_label(say(locale, "Full name")).fill("Délégué du Croissant-Rouge tunisien")
        page.get_by_label(say(locale, "E-mail address")).fill(email)
        page.get_by_label(say(locale, "Organisation"), exact=True).fill("Croissant-Rouge tunisien")
        page.get_by_label(say(locale, "Stakeholder group")).select_option(
            label=say(locale, "Red Cross / Red Crescent"))
        page.get_by_label(say(locale, "Country"), exact=True).select_option("TN")
        page.get_by_label(say(locale, "Password"), exact=True).fill(PASSWORD)
        page.get_by_label(say(locale, "Repeat the password")).fill(PASSWORD)
        page.get_by_role("group", name=say(locale, "Languages I can work in")).get_by_label(
            "العربية" if locale == "ar" else "Français").check()
        # Forgotten consent: the error is in the page's language too.
        page.get_by_role("button", name=say(locale, "Register")).click()
        expect(page.get_by_role("alert")).to_contain_text(
            say(locale, "Registration needs your consent."))
        assert_accessible(page)

        page.get_by_label(say(locale, "Password"), exact=True).fill(PASSWORD)
        page.get_by_label(say(locale, "Repeat the password")).fill(PASSWORD)
        page.get_by_label(say(locale, "I agree to the processing of my personal data as "
                                      "described above.")).check()
        page.get_by_role("button", name=say(locale, "Register")).click()
        expect(page.get_by_role("status")).to_contain_text(
            say(locale, "You are registered. See you there!"))
        expect(page.locator("html")).to_have_attribute("dir", direction)
        assert_accessible(page)
        # The account prefers the language it was created in.
        user = portal_data.session.scalar(portal_data.select(User).where(User.email == email))
        assert user.preferred_locale == locale
        portal_data.session.remove()

        recommendation_id = open_the_vote(portal_data, open_consultation)
        page.goto(f"/c/{slug}/recommendations/{recommendation_id}")
        expect(page.locator("html")).to_have_attribute("data-live", "connected")
        expect(page.get_by_role("heading", level=2, name=say(
            locale, "Vote on %(reference)s", reference="R1"))).to_be_visible()
        # In Arabic the reviewed translation is read, marked, with the French original one
        # click away; in French the original is read as it is.
        title = page.get_by_role("heading", level=1)
        if locale == "ar":
            expect(title).to_contain_text(ARABIC[0])
            expect(page.locator(".numbered-text")).to_contain_text("لأسر المهاجرين المفقودين")
            original = page.get_by_role("link", name=say(
                "ar", "Read the original, in %(language)s", language="الفرنسية"))
            assert_accessible(page)
            original.click()
            expect(page.locator(".numbered-text")).to_contain_text("Chaque État désigne")
            expect(page.locator(".numbered-text")).to_have_attribute("lang", "fr")
            page.get_by_role("link", name=say(
                "ar", "Read the reviewed translation into %(language)s",
                language="العربية")).click()
            expect(title).to_contain_text(ARABIC[0])
        else:
            expect(title).to_contain_text("Points focaux")
            expect(page.locator(".translation-note")).to_have_count(0)
        page.get_by_label(say(locale, "Support"), exact=True).check()
        page.get_by_role("button", name=say(locale, "Send my vote")).click()
        stored = say(locale, "Your vote is stored.")
        counted = say(locale, "Your vote is counted in the tally.")
        expect(page.locator(".vote-feedback")).to_have_text(
            re.compile(f"{re.escape(stored)}|{re.escape(counted)}"))
        assert_accessible(page)

        page.goto(f"/c/{slug}/results")
        expect(page.locator("html")).to_have_attribute("dir", direction)
        expect(page.get_by_role("heading", level=1)).to_have_text(say(locale, "Results"))
        assert_accessible(page)
    finally:
        context.close()


@pytest.fixture
def dakar_in_english(portal_data):
    """A consultation written in English, with French as its other working language: its
    venue, organisers and agenda are in English until someone gives them in French."""
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
    facilitator = create_account(
        email=f"facilitator-{tag}@example.org", password=PASSWORD, name="Facilitator",
        organisation="IFRC", stakeholder_group=StakeholderGroup.red_cross, country="SN")
    consultation = operations.create_consultation(
        facilitator, slug=f"dakar-{tag}", title="Red Talks Dakar", region=Region.africa,
        venue="Dakar, Senegal", organisers="IFRC, ICRC, IOM", starts_at=starts,
        ends_at=starts + timedelta(hours=9), time_zone="Africa/Dakar",
        working_languages=["en", "fr"], gcm_objectives=[8])
    operations.change_status(consultation, facilitator, ConsultationStatus.registration_open)
    operations.add_agenda_item(consultation, facilitator, kind=AgendaItemKind.plenary,
                               title="Opening plenary", starts_at=starts,
                               ends_at=starts + timedelta(hours=1))
    made = {"slug": consultation.slug, "facilitator": facilitator.email}
    db.session.commit()
    db.session.remove()
    return made


def test_the_agenda_given_in_french_is_read_in_french_on_the_consultation_page(
    chromium, portal_server, dakar_in_english
):
    slug = dakar_in_english["slug"]
    facilitating = chromium.new_context(base_url=portal_server.url, locale="en-GB")
    reading = chromium.new_context(base_url=portal_server.url, locale=BROWSERS["fr"])
    try:
        page = facilitating.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, dakar_in_english["facilitator"])
        page.goto(f"/c/{slug}/texts/fr")
        page.get_by_label("Venue").fill("Dakar, Sénégal")
        page.get_by_label("Organisers").fill("FICR, CICR, OIM")
        page.get_by_role("group", name="Agenda item: Opening plenary").get_by_label(
            "Title").fill("Plénière d'ouverture")
        page.get_by_role("button", name="Save the texts in French").click()
        expect(page.get_by_role("status")).to_contain_text(
            "The consultation's texts in French are saved.")
        assert_accessible(page)

        french = reading.new_page()
        french.set_default_timeout(10_000)
        french.goto(f"/c/{slug}")
        expect(french.locator("html")).to_have_attribute("lang", "fr")
        agenda = french.get_by_role("heading", level=3, name="Plénière d'ouverture")
        expect(agenda).to_be_visible()
        expect(agenda).to_have_attribute("lang", "fr")
        expect(french.locator(".facts")).to_contain_text("Dakar, Sénégal")
        expect(french.locator(".facts")).to_contain_text("FICR, CICR, OIM")
        expect(french.locator("body")).not_to_contain_text("Opening plenary")
        assert_accessible(french)
    finally:
        facilitating.close()
        reading.close()
