"""A review in the browser: a facilitator attaches their consultation to it; a participant, on
a 360 px phone in French, registers a commitment for their organisation and reports progress;
the follow-up page shows it. The review's pages are also read in Arabic, right to left. No page
is wider than the phone, and axe finds no serious or critical violation."""

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    VersionSource,
)
from reviews import setting_up
from tests.browser.conftest import assert_accessible
from tests.browser.test_consultation_day import PASSWORD

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def screenshots(request):
    """Where the walk's screenshots go, to look at after a run (`.screenshots/`, ignored by
    git)."""
    folder = Path(request.config.rootpath) / ".screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def say(browser_app):
    def translate(locale: str, message: str, **variables) -> str:
        with browser_app.test_request_context(), force_locale(locale):
            return gettext(message, **variables)

    return translate


def _person(tag, role_name, organisation, group, locale="en"):
    return create_account(
        email=f"{role_name}-{tag}@example.org", password=PASSWORD, name=f"{role_name} {tag}",
        organisation=organisation, stakeholder_group=group, country="SN",
        preferred_locale=locale)


def _register(db, consultation, user, role):
    db.session.add(Registration(
        consultation=consultation, user=user, role=role, status=RegistrationStatus.approved,
        organisation=user.organisation, stakeholder_group=user.stakeholder_group,
        country=user.country))


@pytest.fixture
def review_world(portal_data):
    """A public review (its team: a consultation's secretariat) and a closed consultation
    with two adopted recommendations, not attached yet; its facilitator and a participant of
    the Senegalese Red Cross whose interface is in French."""
    db = portal_data
    tag = uuid.uuid4().hex[:8]
    starts = datetime(2024, 3, 14, 9, 0, tzinfo=UTC)
    consultation = Consultation(
        slug=f"senegal-{tag}", title="Consultation nationale du Sénégal", region=Region.africa,
        starts_at=starts, ends_at=starts + timedelta(hours=8), time_zone="Africa/Dakar",
        working_languages=["fr"], status=ConsultationStatus.closed)
    consultation.gcm_objectives = [8]
    db.session.add(consultation)
    facilitator = _person(tag, "facilitator", "IFRC", StakeholderGroup.red_cross)
    secretariat = _person(tag, "secretariat", "IOM", StakeholderGroup.un_agency)
    participant = _person(tag, "participant", "Croix-Rouge sénégalaise",
                          StakeholderGroup.red_cross, "fr")
    for user, role in ((facilitator, Role.facilitator), (secretariat, Role.secretariat),
                       (participant, Role.participant)):
        _register(db, consultation, user, role)
    for number, (title, text) in enumerate([
            ("Un point focal national", "L'État désigne un point focal pour les familles."),
            ("Des secours coordonnés", "Les secours en mer sont coordonnés.")], start=1):
        recommendation = Recommendation(consultation=consultation, number=number,
                                        position=number, title=title,
                                        status=RecommendationStatus.adopted)
        recommendation.gcm_objectives = [8]
        recommendation.versions.append(RecommendationVersion(
            number=1, text=text, locale="fr", source=VersionSource.drafted))
        db.session.add(recommendation)
    db.session.flush()
    review = setting_up.create_review(
        secretariat, title=f"Examen régional {tag}", region=Region.africa, gcm_objectives=[8],
        starts_on=date(2024, 9, 24), ends_on=date(2024, 9, 26), description="", is_public=True)
    made = {"slug": consultation.slug, "review": review.slug, "review_title": review.title,
            "facilitator": facilitator.email, "participant": participant.email}
    db.session.commit()
    db.session.remove()
    return made


def _sign_in(page, say, locale, email):
    page.goto("/account/sign-in")
    page.get_by_label(say(locale, "E-mail address")).fill(email)
    page.get_by_label(say(locale, "Password")).fill(PASSWORD)
    page.get_by_role("button", name=say(locale, "Sign in")).click()
    expect(page.get_by_role("button", name=say(locale, "Sign out"))).to_be_visible()


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), \
        f"{page.url} is wider than the phone"


def test_a_review_from_attaching_to_following_up(chromium, portal_server, review_world, say,
                                                 screenshots):
    desk = chromium.new_context(base_url=portal_server.url, locale="en-GB")
    desk.set_default_timeout(10_000)
    phone = chromium.new_context(base_url=portal_server.url, locale="fr-FR", viewport=PHONE,
                                 is_mobile=True, has_touch=True)
    phone.set_default_timeout(10_000)
    try:
        page = desk.new_page()
        _sign_in(page, say, "en", review_world["facilitator"])
        page.goto(f"/c/{review_world['slug']}/manage")
        page.get_by_role("link", name="Reviews this consultation feeds").click()
        page.get_by_label("Review").select_option(label=review_world["review_title"])
        page.get_by_role("button", name="Attach", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("The consultation is now part of")
        assert_accessible(page)
        page.goto(f"/c/{review_world['slug']}")
        expect(page.get_by_role("link", name=review_world["review_title"])).to_be_visible()

        page = phone.new_page()
        _sign_in(page, say, "fr", review_world["participant"])
        page.goto(f"/reviews/{review_world['review']}")
        expect(page.get_by_text("L'État désigne un point focal pour les familles.")).to_be_visible()
        _fits_the_phone(page)
        page.screenshot(path=str(screenshots / "review-fr.png"), full_page=True)
        page.get_by_role("link", name=say("fr", "Make a commitment")).click()
        page.get_by_label(say("fr", "Recommendation")).select_option(index=1)
        page.get_by_label(say("fr", "What the organisation will do")).fill(
            "Former 40 volontaires au rétablissement des liens familiaux.")
        page.get_by_label(say("fr", "By when")).fill("2025-06-30")
        page.get_by_label(say("fr", "Where")).fill("Thiaroye-sur-Mer")
        _fits_the_phone(page)
        assert_accessible(page)
        page.screenshot(path=str(screenshots / "commitment-form-fr.png"), full_page=True)
        page.get_by_role("button", name=say("fr", "Register the commitment")).click()
        expect(page.get_by_role("status")).to_contain_text(
            say("fr", "The commitment is registered."))

        page.get_by_label(say("fr", "Under way"), exact=True).check()
        page.get_by_label(say("fr", "What was done")).fill("20 volontaires formés.")
        page.get_by_label(say("fr", "Link")).fill("javascript:alert(1)")
        page.get_by_role("button", name=say("fr", "Send the report")).click()
        expect(page.get_by_role("alert")).to_contain_text(
            say("fr", "A link starts with http:// or https://."))
        expect(page.get_by_label(say("fr", "What was done"))).to_have_value(
            "20 volontaires formés.")
        page.get_by_label(say("fr", "Link")).fill("https://example.org/rapport")
        page.get_by_role("button", name=say("fr", "Send the report")).click()
        expect(page.get_by_role("status")).to_contain_text(
            say("fr", "Your progress report is recorded."))
        _fits_the_phone(page)
        assert_accessible(page)
        page.screenshot(path=str(screenshots / "commitment-fr.png"), full_page=True)

        page.goto(f"/reviews/{review_world['review']}/follow-up")
        commitment = page.locator(".commitments .card")
        expect(commitment).to_contain_text("Croix-Rouge sénégalaise")
        expect(commitment).to_contain_text(say("fr", "Under way"))
        expect(commitment).to_contain_text("20 volontaires formés.")
        _fits_the_phone(page)
        assert_accessible(page)
        page.screenshot(path=str(screenshots / "follow-up-fr.png"), full_page=True)
    finally:
        desk.close()
        phone.close()


def test_the_review_pages_read_right_to_left_in_arabic(chromium, portal_server, review_world,
                                                      say, screenshots):
    phone = chromium.new_context(base_url=portal_server.url, locale="ar-EG", viewport=PHONE,
                                 is_mobile=True, has_touch=True)
    phone.set_default_timeout(10_000)
    try:
        page = phone.new_page()
        for path, name in ((f"/reviews/{review_world['review']}", "review-ar"),
                           (f"/reviews/{review_world['review']}/follow-up", "follow-up-ar"),
                           ("/reviews", "reviews-ar")):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("dir", "rtl")
            _fits_the_phone(page)
            assert_accessible(page)
            page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
        expect(page.get_by_role("heading", level=1)).to_have_text(say("ar", "Reviews"))
    finally:
        phone.close()
