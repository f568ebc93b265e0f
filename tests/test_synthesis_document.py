"""The synthesis document: Word from a saved version, reopened with python-docx (the texts by
GCM objective, the annex tracing each synthesised recommendation to its sources), Arabic
right to left, and the PDF LibreOffice makes of it."""

import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from reviews import synthesis, versions
from reviews.synthesis_document import build_synthesis_docx
from tests.conftest import sign_in
from tests.outcome_data import PDF_TOOLS, RESERVATION, pdf_pages
from tests.review_fixtures import build_review

ARABIC = "تعين كل دولة جهة اتصال وطنية معنية بالمهاجرين المفقودين."


@pytest.fixture
def version(session, make_user, make_consultation, register):
    world = build_review(session, make_user, make_consultation, register)
    world.abuja.consultation.working_languages = ["en", "fr", "ar"]
    d, a = world.dakar.recommendations, world.abuja.recommendations
    focal = synthesis.create_group(world.review, world.secretary, [d["R1"], a["R1"]])
    synthesis.edit_group(focal, world.secretary, title="Focal points", objectives=[8, 23],
                         texts={"en": "Every State designates a focal point on missing "
                                      "migrants.",
                                "fr": "Chaque État désigne un point focal.", "ar": ARABIC})
    landing = synthesis.create_group(world.review, world.secretary, [d["R2"], a["R2"]])
    synthesis.edit_group(landing, world.secretary, title="Safe landing", objectives=[7],
                         texts={"en": "Land every person rescued at sea at a safe place."})
    return versions.save_version(world.review, world.secretary, "For the Member States")


def paragraphs(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def after(lines: list[str], heading: str) -> list[str]:
    return lines[lines.index(heading) + 1:]


def test_the_word_document_gives_the_texts_by_objective_and_traces_them_to_their_sources(
        version):
    document = Document(io.BytesIO(build_synthesis_docx(version, "en")))
    lines = paragraphs(document)
    assert lines[0] == "Synthesis of the recommendations: 2024 GCM regional review for Africa"
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [heading.split(":")[0] for heading in headings] == [
        "GCM objective 7", "GCM objective 8", "Annex"]
    body = lines[:lines.index("Annex: the sources of each synthesised recommendation")]
    assert "Every State designates a focal point on missing migrants." in body
    assert "S2. Safe landing" in body[:body.index("S1. Focal points")]
    annex = after(lines, "Annex: the sources of each synthesised recommendation")
    focal = annex[annex.index("S1. Focal points") + 1:annex.index("S2. Safe landing")]
    assert focal[0] == "R1, Regional consultation on missing migrants"
    assert focal[1].startswith("States should each designate without delay a focal point")
    assert focal[2] == ("Adopted by consensus: 12 in favour, 0 in favour with reservations, "
                        "0 against, 2 abstaining; 14 votes cast, 6 voting participants "
                        "present.")
    landing = annex[annex.index("S2. Safe landing") + 1:]
    assert f"Reservation (Red Cross / Red Crescent): {RESERVATION}" in landing
    assert document.core_properties.language == "en-GB"


def test_the_french_document_reads_the_french_texts_and_says_which_are_missing(version):
    lines = paragraphs(Document(io.BytesIO(build_synthesis_docx(version, "fr"))))
    assert "Chaque État désigne un point focal." in lines
    assert "Le texte synthétisé dans cette langue n’est pas encore rédigé." in lines
    # The source's reviewed French translation is the text quoted in the annex.
    assert any(line.startswith("Les États devraient chacun désigner sans délai") for line in lines)


def test_the_arabic_document_is_laid_out_right_to_left(version):
    document = Document(io.BytesIO(build_synthesis_docx(version, "ar")))
    assert ARABIC in paragraphs(document)
    body = document.element.body
    assert body.find(qn("w:sectPr")).find(qn("w:bidi")) is not None
    arabic = next(p for p in document.paragraphs if p.text == ARABIC)
    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    assert document.core_properties.language == "ar-SA"


@pytest.mark.skipif(not all(PDF_TOOLS.values()), reason="LibreOffice and poppler are needed")
def test_the_pdf_is_made_by_libreoffice_with_the_annex(app, client, version, tmp_path,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "LIBREOFFICE", "soffice")
    sign_in(client, "review-secretary@example.org")
    for locale in ("en", "ar"):
        response = client.get(f"/reviews/africa-2024/synthesis/versions/1/synthesis-{locale}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pages, info = pdf_pages(client.get(
        "/reviews/africa-2024/synthesis/versions/1/synthesis-en.pdf").data, tmp_path)
    text = " ".join(" ".join(pages).split())
    assert "Annex: the sources of each synthesised recommendation" in text
    assert "14 votes cast, 6 voting participants present" in text
    docx = client.get("/reviews/africa-2024/synthesis/versions/1/synthesis-en.docx")
    assert docx.headers["Content-Disposition"].endswith("africa-2024-synthesis-v1-en.docx")
    assert client.get("/reviews/africa-2024/synthesis/versions/1/synthesis-es.docx"
                      ).status_code == 404
