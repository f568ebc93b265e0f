"""The secretariat's evening: see what is missing in French, translate, write, compile, download
and mark the version final; then a participant finds it. Every page passes the axe check."""

import io
import uuid

import pytest
from docx import Document
from playwright.sync_api import expect

from recommendations import translating
from recommendations.models import TranslationStatus
from tests.browser.conftest import assert_accessible, served_outcome_consultation
from tests.browser.test_consultation_day import sign_in


@pytest.fixture
def evening(portal_data):
    db = portal_data
    tag = uuid.uuid4().hex[:8]

    made, _make_user = served_outcome_consultation(db.session, f"evening-{tag}")
    # R4's draft French translation is the facilitator's: the secretariat reviews it.
    r4 = made.recommendations["R4"]
    draft = translating.translation_of(r4.current_version, "fr")
    translating.save_translation(r4.current_version, made.users["facilitator"], locale="fr",
                                 title=draft.title, text=draft.text,
                                 status=TranslationStatus.draft)
    facts = {"slug": made.consultation.slug, "r4": made.recommendations["R4"].id,
             "secretariat": made.users["secretariat"].email,
             "participant": made.users["p2"].email}
    db.session.commit()
    return facts


def test_the_secretariat_compiles_downloads_and_finalises_the_french_document(
    page, chromium, portal_server, evening
):
    slug = evening["slug"]
    sign_in(page, evening["secretariat"])
    page.goto(f"/c/{slug}/outcome?locale=fr")
    expect(page.get_by_role("heading", name="Before compiling in French")).to_be_visible()
    expect(page.get_by_text("R4: the translation of its current version is not reviewed "
                            "yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Translate R4").click()
    expect(page.get_by_role("heading", name="Translate R4 into French")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Text", exact=True).fill(
        "Les États devraient informer les migrants des risques des routes.")
    page.get_by_label("Reviewed translation").check()
    page.get_by_role("button", name="Save the translation").click()
    expect(page.get_by_text("The translation of R4 into French is saved.")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/c/{slug}/outcome/texts/fr")
    assert_accessible(page)
    page.get_by_label("Executive summary").fill("La consultation a adopté deux "
                                                "recommandations.")
    page.get_by_role("button", name="Save the texts").click()
    expect(page.get_by_text("The texts in French are saved.")).to_be_visible()
    expect(page.get_by_text("R4: the translation")).to_have_count(0)

    page.get_by_role("button", name="Compile the outcome document in French").click()
    expect(page.get_by_role("heading", name="Outcome document in French, version 1")
           ).to_be_visible()
    expect(page.get_by_text("Les États devraient informer les migrants des risques des "
                            "routes.")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the Word document").click()
    download = download_info.value
    assert download.suggested_filename == f"{slug}-outcome-fr-v1.docx"
    with open(download.path(), "rb") as handle:
        docx = Document(io.BytesIO(handle.read()))
    assert "La consultation a adopté deux recommandations." in [
        paragraph.text for paragraph in docx.paragraphs]

    page.get_by_label("I know that this version has items missing").check()
    page.get_by_role("button", name="Mark this version final").click()
    expect(page.get_by_text("Version 1 is the final outcome document in French."
                            )).to_be_visible()
    expect(page.get_by_role("button", name="Mark this version final")).to_have_count(0)

    page.goto(f"/c/{slug}/outcome/preview?locale=ar")
    expect(page.locator("article.outcome-document")).to_have_attribute("dir", "rtl")
    assert_accessible(page)

    context = chromium.new_context(base_url=portal_server.url, locale="en-GB")
    participant = context.new_page()
    try:
        sign_in(participant, evening["participant"])
        participant.goto(f"/c/{slug}/outcome")
        expect(participant.get_by_role("link", name="final version 1")).to_be_visible()
        assert_accessible(participant)
    finally:
        context.close()
