"""The review's secretariat confirms a suggested group, writes its text and saves a version,
then opens a silence procedure on it; a State's delegate breaks the silence in Arabic, right
to left, on a 360 px phone. Screenshots go to a temporary folder for a look at the layout."""

import os
import tempfile
import uuid
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from consultations.models import Region
from reviews.models import Review, ReviewConsultation, ReviewSecretariatMember
from tests.browser.conftest import assert_accessible, served_outcome_consultation
from tests.browser.test_consultation_day import PASSWORD, sign_in

SHOTS = Path(os.environ.get("SYNTHESIS_SCREENSHOTS") or tempfile.mkdtemp(prefix="synthesis-"))


@pytest.fixture
def review(portal_data):
    db = portal_data
    tag = uuid.uuid4().hex[:8]

    served = [served_outcome_consultation(db.session, f"{slug}-{tag}",
                                          languages=("en", "fr", "ar"))
              for slug in ("dakar", "abuja")]
    built, make_user = [made for made, _maker in served], served[0][1]
    secretary = make_user(f"secretary-{tag}@example.org", name="Review Secretary",
                          organisation="IOM")
    review = Review(slug=f"review-{tag}", title="2024 GCM regional review for Africa",
                    region=Region.africa, starts_on=date(2024, 3, 1), ends_on=date(2024, 12, 1))
    review.attachments = [ReviewConsultation(consultation=made.consultation) for made in built]
    review.secretariat = [ReviewSecretariatMember(user=secretary)]
    db.session.add(review)
    ghana = built[0].users["p2"]
    ghana.preferred_locale = "ar"
    facts = {"slug": review.slug, "secretary": secretary.email, "ghana": ghana.email,
             "ghana_name": ghana.name}
    db.session.commit()
    return facts


def test_the_secretariat_builds_a_version_and_a_state_breaks_the_silence_on_a_phone(
        page, chromium, portal_server, review):
    synthesis = f"/reviews/{review['slug']}/synthesis"
    sign_in(page, review["secretary"])
    page.goto(synthesis)
    expect(page.get_by_role("heading", name="Suggested groups")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm this group").first.click()
    group = page.locator("article#" + page.locator("article").first.get_attribute("id"))
    expect(group.get_by_role("heading", name="S1. A regional network of focal points")
           ).to_be_visible()
    group.get_by_label("Synthesised text in English").fill(
        "Every State designates a focal point on missing migrants, joined in a regional "
        "network.")
    group.get_by_role("button", name="Save S1").click()
    expect(page.get_by_text("S1 is saved.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "synthesis.png"), full_page=True)
    page.get_by_label("Note on this version").fill("For the Member States")
    page.get_by_role("button", name="Save a version").click()
    expect(page.get_by_role("heading", name="Synthesis, version 1: 2024 GCM regional review "
                                            "for Africa")).to_be_visible()
    expect(page.get_by_text("Every State designates a focal point")).to_be_visible()
    page.screenshot(path=str(SHOTS / "version.png"), full_page=True)
    page.get_by_role("link", name="Open a silence procedure on this version").click()
    page.get_by_label("Deadline (UTC)").fill("2099-06-30T17:00")
    page.get_by_role("button", name="Open the silence procedure").click()
    expect(page.get_by_text("The silence procedure is open.")).to_be_visible()
    assert_accessible(page)
    procedure = page.url

    phone = chromium.new_context(base_url=portal_server.url, locale="ar-EG",
                                 viewport={"width": 360, "height": 740}, is_mobile=True)
    phone.set_default_timeout(10_000)
    delegate = phone.new_page()
    try:
        delegate.goto("/account/sign-in")
        delegate.locator("input[name=email]").fill(review["ghana"])
        delegate.locator("input[name=password]").fill(PASSWORD)
        delegate.locator("form button[type=submit]").first.click()
        delegate.goto(procedure)
        expect(delegate.locator("html")).to_have_attribute("dir", "rtl")
        delegate.locator("textarea[name=reason]").fill(
            "لا يمكن لغانا قبول المهلة في الفقرة الأولى قبل إنشاء جهة الاتصال بقانون.")
        delegate.screenshot(path=str(SHOTS / "break-form-ar.png"), full_page=True)
        delegate.locator("#break button[type=submit]").click()
        expect(delegate.get_by_text("لا يمكن لغانا قبول المهلة")).to_be_visible()
        expect(delegate.get_by_text(review["ghana_name"])).to_be_visible()
        assert delegate.evaluate("document.documentElement.scrollWidth") <= 360
        delegate.screenshot(path=str(SHOTS / "broken-ar.png"), full_page=True)
        assert_accessible(delegate)
    finally:
        phone.close()
    print(f"screenshots in {SHOTS}")
