"""The outcome document: what the Word file holds, checked against the database after opening
it again with python-docx; its table of contents, languages, determinism, hostile text,
Chatham House, written parts out of date, and LibreOffice's PDF of it."""

import copy
import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from lxml import etree
from sqlalchemy import func, select

from consultations.models import AttributionRule, Registration, RegistrationStatus, Role
from portal.accounts.models import STAKEHOLDER_GROUP_LABELS
from recommendations import drafting, voting
from recommendations.outcome import content, exports, operations, words
from recommendations.outcome.chart import bar_chart
from recommendations.outcome.docx_writing import ZIP_TIME
from recommendations.outcome.models import OutcomeDocument
from recommendations.outcome.prose import FSI, PDI, blocks_of, xml_safe
from recommendations.outcome.word import build_docx
from tests.outcome_data import PDF_TOOLS, RESERVATION, build_outcome_consultation, pdf_pages

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def plain(text: str) -> str:
    """``text`` without its bidirectional isolates (invisible: they only keep directions)."""
    return text.replace(FSI, "").replace(PDI, "")


@pytest.fixture
def built(session, make_user, make_consultation, register):
    def build(**options):
        return build_outcome_consultation(session, make_user, make_consultation, register,
                                          **options)

    return build


def compiled(built_consultation, locale: str) -> OutcomeDocument:
    return operations.compile_outcome(built_consultation.consultation, locale,
                                      built_consultation.users["secretariat"])


def reopen(document: OutcomeDocument):
    return Document(io.BytesIO(document.content))


def paragraphs(docx, style: str | None = None) -> list[str]:
    return [paragraph.text for paragraph in docx.paragraphs
            if style is None or paragraph.style.name == style]


def table_after_header(docx, first_header: str, second_header: str | None = None):
    """The rows (as lists of cell texts) of the first table whose header starts so."""
    for table in docx.tables:
        header = [cell.text for cell in table.rows[0].cells]
        if first_header in header and (second_header is None or second_header in header):
            return [[cell.text for cell in row.cells] for row in table.rows[1:]]
    raise AssertionError(f"no table headed {first_header}")


def xml_parts(document_bytes: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(document_bytes)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_document_holds_the_headings_texts_and_counts_of_the_database(built, session):
    made = built()
    consultation = made.consultation
    docx = reopen(compiled(made, "en"))

    assert paragraphs(docx, "Title") == [consultation.title]
    assert paragraphs(docx, "Heading 1") == [
        "Executive summary", "Introduction", "Participation", "Adopted recommendations",
        "Breakout summaries", "Annexes"]
    assert paragraphs(docx, "Heading 2") == [
        "By stakeholder group", "By region", "By country", "In person and online",
        "Discussion and voting", "Search and identification", "Assistance",
        "Recommendations by GCM objective", "Group 1: Search and identification",
        "Group 2: Support to families", "Annex 1. Recommendations not adopted",
        "Annex 2. Recommendations without a result", "Annex 3. Agenda",
        "Annex 4. Amendments accepted", "Annex 5. List of participants"]
    recommendations = made.recommendations
    assert paragraphs(docx, "Heading 3") == [
        f"{reference}. {recommendations[reference].title}" for reference in
        ("R1", "R2", "R3", "R4")]
    every_paragraph = paragraphs(docx)
    for recommendation in recommendations.values():
        assert recommendation.current_version.text in every_paragraph
    assert "States should each designate without delay" in recommendations[
        "R1"].current_version.text

    # Participants by stakeholder group, as the database counts them.
    by_group = dict(session.execute(
        select(Registration.stakeholder_group, func.count())
        .where(Registration.consultation_id == consultation.id,
               Registration.status == RegistrationStatus.approved,
               Registration.role.in_([Role.participant, Role.rapporteur]))
        .group_by(Registration.stakeholder_group)).all())
    rows = table_after_header(docx, "Stakeholder group", "Colour in the chart")
    assert {row[1]: int(row[2]) for row in rows} == {
        str(STAKEHOLDER_GROUP_LABELS[group]): count for group, count in by_group.items()}
    attendance = {row[0]: int(row[1]) for row in table_after_header(docx, "Taking part")}
    assert attendance == {"In person": 4, "Online": 2}

    # R1's vote: device votes and the show of hands apart, and their totals.
    r1_round = session.scalars(select(voting.VoteRound).where(
        voting.VoteRound.recommendation_id == recommendations["R1"].id)).one()
    tally = voting.tally(r1_round)
    result_tables = [table for table in docx.tables
                     if table.rows[0].cells[0].text == "Choice"]
    r1_rows = {row.cells[0].text: [int(cell.text) for cell in row.cells[1:]]
               for row in result_tables[0].rows[1:]}
    assert r1_rows["Support"] == [tally.devices.support, tally.in_room.support,
                                  tally.devices.support + tally.in_room.support]
    assert r1_rows["Abstain"] == [0, 2, 2]
    assert r1_rows["Total"] == [5, 9, 14]
    # The turnout comes with the quorum and the rule the round was decided by.
    assert ("5 of the 6 voting participants present voted on a device. 9 votes were counted "
            "by show of hands in the room. Votes cast: 14, for a quorum of "
            f"{r1_round.quorum_applied}: the quorum was reached.") in every_paragraph
    assert "Adoption rule: consensus, adopted when nobody opposes." in every_paragraph

    # The reservation, quoted by name under the attributed rule, in a numbered list.
    reservations = [plain(text) for text in paragraphs(docx, "List Number")]
    assert f"“{RESERVATION}” (Aminata Delegate (Senegalese Red Cross Society))" in reservations
    # Written parts keep their lists: bullets and numbers.
    assert paragraphs(docx, "List Bullet")[-2:] == ["a regional network", "safe landing"]
    assert "Breakouts" in reservations and "Plenary" in reservations

    # Only those who agreed are listed; the one who did not is not.
    listed = table_after_header(docx, "Name", "Organisation")
    assert [row[0] for row in listed] == ["Aminata Delegate", "Fatou Delegate", "Kwame Delegate",
                                          "Leila Delegate"]
    assert "Moussa Delegate" not in "".join(xml.decode("utf-8", "replace") for xml in
                                            xml_parts(compiled(made, "en").content).values())

    amendments = table_after_header(docx, "Amendment", "Versions")
    assert amendments[0][:2] == [f"Amendment {amendments[0][0].split()[1]} to R1", "1 → 2"]
    objectives = table_after_header(docx, "GCM objective")
    assert [row[1] for row in objectives] == ["R2", "R1, R2"]


def test_a_result_is_dated_by_its_round_and_a_low_turnout_is_said(built, session):
    made = built()
    consultation = made.consultation
    rounds = {round_.recommendation_id: round_ for round_ in session.scalars(
        select(voting.VoteRound).where(voting.VoteRound.consultation_id == consultation.id))}
    # The vote on R2 closed on the consultation's first day (the document is compiled today),
    # with a quorum of 2 set for it: 5 votes of the 13 voting participants present.
    r2_round = rounds[made.recommendations["R2"].id]
    r2_round.closed_at = consultation.starts_at + timedelta(hours=6)
    r2_round.quorum = r2_round.quorum_applied = 2
    r2_round.present = 13
    session.flush()
    every_paragraph = [plain(text) for text in paragraphs(reopen(compiled(made, "en")))]

    day = r2_round.closed_at.astimezone(ZoneInfo(consultation.time_zone))
    assert day.date() != datetime.now(UTC).date()
    sentence = next(text for text in every_paragraph if text.startswith("Result:") and
                    "round 1: 5 of 13 voted" in text)
    assert sentence.startswith(f"Result: Adopted by consensus on {day.day} {day:%B %Y}")
    assert ("5 of the 13 voting participants present voted on a device. Votes cast: 5, for a "
            "quorum of 2: the quorum was reached. This is a low turnout: fewer votes were "
            "cast than half the voting participants present.") in every_paragraph


def test_the_file_uses_words_styles_fields_properties_and_the_language(built):
    made = built()
    document = compiled(made, "en")
    docx = reopen(document)
    used = {paragraph.style.name for paragraph in docx.paragraphs}
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "List Number",
            "List Bullet", "TOC Heading", "toc 1", "toc 2", "Numbered paragraph"} <= used
    assert {table.style.name for table in docx.tables} == {"Table Grid"}
    section = docx.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == made.consultation.title

    parts = xml_parts(document.content)
    body = parts["word/document.xml"].decode()
    assert 'TOC \\o "1-2" \\h \\z \\u' in body
    assert 'w:dirty="true"' in body
    assert b'<w:updateFields w:val="true"/>' in parts["word/settings.xml"]
    footers = [part for name, part in parts.items() if name.startswith("word/footer")]
    assert any(b'w:instr=" PAGE "' in footer and b'w:instr=" NUMPAGES "' in footer
               for footer in footers)
    assert b'w:lang w:val="en-GB"' in parts["word/styles.xml"]
    runs = etree.fromstring(parts["word/document.xml"]).iter(f"{W}r")
    assert all(run.find(f"{W}rPr/{W}lang").get(f"{W}val") == "en-GB" for run in runs)
    assert "docProps/thumbnail.jpeg" not in parts
    # The chart's bars are shaded paragraphs under their labels, not an image.
    assert not [name for name in parts if name.startswith("word/media/")]
    body_xml = etree.fromstring(parts["word/document.xml"])
    bars = [paragraph for paragraph in body_xml.iter(f"{W}p")
            if paragraph.find(f"{W}pPr/{W}shd") is not None]
    widths = [9072 - int(bar.find(f"{W}pPr/{W}ind").get(f"{W}right")) for bar in bars]
    counts = [int(row[2]) for row in table_after_header(docx, "Stakeholder group")]
    assert widths == [round(9072 * count / max(counts)) for count in counts]
    assert max(widths) == 9072 and len(set(widths)) == len(widths)
    labels = [text for text in paragraphs(docx) if text.endswith(tuple(
        f": {count}" for count in counts))]
    assert labels[:len(counts)] == [f"{row[1]}: {row[2]}" for row in table_after_header(
        docx, "Stakeholder group")]

    properties = docx.core_properties
    assert properties.title == made.consultation.title
    assert properties.author == "IFRC, ICRC, IOM"
    assert properties.created == properties.modified == document.generated_at
    assert properties.language == "en-GB"
    assert properties.revision == document.number
    assert b"<Application>Red Talks portal</Application>" in parts["docProps/app.xml"]


def test_the_french_document_never_puts_english_in_place_of_a_missing_text(built):
    made = built()
    document = compiled(made, "fr")
    docx = reopen(document)
    text = "\n".join(paragraphs(docx))

    for reference in ("R1", "R2", "R3"):
        recommendation = made.recommendations[reference]
        assert recommendation.current_version.text not in text
    assert "Les États devraient chacun désigner sans délai un point focal" in text
    assert "Débarquement sûr" in text
    # R4's translation is a draft: neither it nor the English original stands in for it.
    r4 = made.recommendations["R4"]
    assert r4.current_version.text not in text
    assert "Les États devraient informer les migrants." not in text
    missing = [run.text for paragraph in docx.paragraphs for run in paragraph.runs
               if run.style.name == "Missing text"]
    assert any("R4" in note for note in missing)
    # The written parts exist in English only; Group 2's summary exists in French too.
    assert "The consultation agreed two recommendations." not in text
    assert "The group asked for a regional focal point network." not in text
    assert "Les familles ont besoin d'un point de contact de confiance." in text
    # The title has no French name yet: the note saying so stands in its place.
    title_runs = [run for paragraph in docx.paragraphs if paragraph.style.name == "Title"
                  for run in paragraph.runs]
    assert [run.style.name for run in title_runs] == ["Missing text"]
    assert made.consultation.title in title_runs[0].text

    gaps = {(gap["kind"], gap["subject"], gap["draft"]) for gap in document.data["gaps"]}
    assert {("executive_summary", "", False), ("introduction", "", False),
            ("translation", "R4", True), ("result", "R4", False),
            ("breakout_summary", "Group 1", False),
            ("name", made.consultation.title, False)} <= gaps
    assert document.missing_count == len(document.data["gaps"])
    assert docx.core_properties.language == "fr-FR"


def test_names_and_texts_written_for_french_complete_the_french_document(built):
    made = built()
    consultation, secretariat = made.consultation, made.users["secretariat"]
    names = {name: f"[fr] {name}" for name in words.names_to_translate(consultation, "fr")}
    operations.save_outcome_text(consultation, secretariat, "fr",
                                 executive_summary="La consultation a adopté deux "
                                                   "recommandations.",
                                 introduction="Les participants se sont réunis à Dakar.",
                                 names=names)
    docx = reopen(compiled(made, "fr"))

    assert paragraphs(docx, "Title") == [f"[fr] {consultation.title}"]
    assert "La consultation a adopté deux recommandations." in paragraphs(docx)
    assert "[fr] Search and identification" in paragraphs(docx, "Heading 2")
    assert docx.sections[0].header.paragraphs[0].text == f"[fr] {consultation.title}"


def test_the_same_data_gives_the_same_bytes_and_only_the_time_changes_them(built):
    made = built()
    document = compiled(made, "en")

    assert build_docx(document.data) == document.content
    assert hashlib.sha256(document.content).hexdigest() == document.sha256
    with zipfile.ZipFile(io.BytesIO(document.content)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {ZIP_TIME}
    later = copy.deepcopy(document.data)
    later["generated_at"] = datetime(2030, 1, 1, tzinfo=UTC).isoformat()
    assert build_docx(later) != document.content
    parts_now, parts_later = xml_parts(document.content), xml_parts(build_docx(later))
    assert [name for name in parts_now if parts_now[name] != parts_later[name]] == [
        "docProps/core.xml"]


def test_versions_are_numbered_per_language(built):
    made = built()
    numbers = [(document.locale, document.number) for document in (
        compiled(made, "en"), compiled(made, "fr"), compiled(made, "en"))]
    assert numbers == [("en", 1), ("fr", 1), ("en", 2)]


def _run_text(run) -> str:
    return "".join(text.text or "" for text in run.iter(f"{W}t"))


def _scripts(text: str) -> set[str]:
    import unicodedata

    return {{"L": "latin", "R": "rtl", "AL": "rtl"}.get(unicodedata.bidirectional(character), "")
            for character in text} - {""}


def test_arabic_paragraphs_runs_tables_and_pages_read_right_to_left(built):
    made = built()
    document = compiled(made, "ar")
    body = etree.fromstring(xml_parts(document.content)["word/document.xml"])

    paragraphs_ = list(body.iter(f"{W}p"))
    assert paragraphs_ and all(p.find(f"{W}pPr/{W}bidi") is not None for p in paragraphs_)
    runs = list(body.iter(f"{W}r"))
    assert {run.find(f"{W}rPr/{W}lang").get(f"{W}bidi") for run in runs} == {"ar-SA"}
    # Every run reads right to left but the stretches of Latin letters (names not
    # translated, references), which Word would otherwise turn around; Arabic and Latin
    # letters never share a run.
    for run in runs:
        scripts = _scripts(_run_text(run))
        assert scripts != {"latin", "rtl"}, _run_text(run)
        right_to_left = run.find(f"{W}rPr/{W}rtl") is not None
        assert right_to_left == (scripts != {"latin"}) or run.find(f"{W}instrText") is not None
    assert any(run.find(f"{W}rPr/{W}rtl") is None for run in runs)
    assert all(table.find(f"{W}tblPr/{W}bidiVisual") is not None
               for table in body.iter(f"{W}tbl"))
    assert body.find(f"{W}body/{W}sectPr/{W}bidi") is not None
    assert document.data["right_to_left"] is True


def test_arabic_notes_of_what_is_missing_keep_their_brackets_around_latin_names(built):
    made = built()
    docx = reopen(compiled(made, "ar"))
    notes = []
    for paragraph in docx.paragraphs:
        note = ""
        for run in paragraph.runs:
            if run.style.name == "Missing text":
                note += run.text
            elif note:
                notes.append(note)
                note = ""
        if note:
            notes.append(note)
    assert any(made.consultation.title in note for note in notes)
    for note in notes:
        # The brackets open and close the note, and whatever is in Latin letters inside it
        # is isolated: the bidirectional algorithm lays the note out right to left with its
        # brackets at its two ends, the Latin name read left to right in between.
        assert note.startswith("[") and note.endswith("]"), note
        outside = note
        while FSI in outside:
            start = outside.index(FSI)
            outside = outside[:start] + outside[outside.index(PDI, start) + 1:]
        assert "latin" not in _scripts(outside), note


def test_a_chatham_house_document_names_nobody_in_any_part(built):
    made = built(attribution=AttributionRule.chatham_house)
    for locale in ("en", "fr"):
        document = compiled(made, locale)
        for name, part in xml_parts(document.content).items():
            text = part.decode("utf-8", "replace")
            for person in made.names:
                assert person not in text, f"{person} in {name}"
        archive = str(document.data)
        assert not [person for person in made.names if person in archive]
        assert document.data["participants"] is None
    docx = reopen(compiled(made, "en"))
    # Two Red Cross voters only: the reservation is quoted with the small groups together.
    assert (f"“{RESERVATION}” (Other groups)"
            in [plain(text) for text in paragraphs(docx, "List Number")])
    assert ("The consultation was held under the Chatham House Rule: participants are not "
            "named.") in paragraphs(docx)


HOSTILE = ("<w:t>&amp; </w:p>]]><!-- --> <script>alert(1)</script> "
           "\x01\x02\x08\x0b\x0c\x1b\x1f\x7f\ufffe\uffff "
           "👩🏽‍⚕️🚤🇸🇳 العربية עברית \u202eevil\u202c \u200f «guillemets» \t tab")


def test_hostile_text_gives_valid_xml_and_keeps_what_can_be_shown(built, session):
    made = built()
    consultation = made.consultation
    secretariat, rapporteur = made.users["secretariat"], made.users["rapporteur"]
    consultation.title = f"Title {HOSTILE}"[:200]
    registration = next(r for r in consultation.registrations
                        if r.user_id == made.users["p1"].id)
    registration.organisation = f"Org {HOSTILE}"[:200]
    drafting.create_recommendation(consultation, rapporteur, title=f"R {HOSTILE}"[:300],
                                   theme=f"Theme {HOSTILE}"[:300], text=f"Text {HOSTILE}\n\n"
                                   f"- item {HOSTILE}\n- {HOSTILE}")
    operations.save_outcome_text(consultation, secretariat, "en",
                                 executive_summary=f"Summary {HOSTILE}",
                                 introduction=f"1. {HOSTILE}\n2. {HOSTILE}", names={})
    session.flush()
    for locale in ("en", "ar"):
        document = compiled(made, locale)
        for name, part in xml_parts(document.content).items():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(part)  # raises on anything XML cannot carry
        text = "\n".join(paragraphs(reopen(document)))
        if locale == "en":
            assert "<w:t>&amp; </w:p>]]><!-- --> <script>alert(1)</script>" in text
            assert "👩🏽‍⚕️🚤🇸🇳 العربية עברית \u202eevil\u202c" in text
            assert "\x01" not in text and "\ufffe" not in text


def test_the_builder_strips_what_xml_cannot_carry_even_from_data_no_database_holds(built):
    made = built()
    data = compiled(made, "en").data
    data["executive_summary"]["text"] = "NUL\x00 and a lone surrogate \ud800 and \x0b."
    data["cover"]["title"]["text"] = "Title\x00\udfff"
    document = build_docx(data)
    docx = Document(io.BytesIO(document))
    assert "NUL and a lone surrogate  and ." in paragraphs(docx)
    assert paragraphs(docx, "Title") == ["Title"]
    assert xml_safe("a\x00b\r\nc\rd") == "ab\nc\nd"


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_turns_each_language_into_a_pdf(built, tmp_path):
    libreoffice = shutil.which("libreoffice")
    made = built()
    for locale in ("en", "fr", "ar"):
        source = tmp_path / f"outcome-{locale}.docx"
        source.write_bytes(compiled(made, locale).content)
    # A profile of its own, so that a LibreOffice running elsewhere does not take the job.
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [libreoffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *sorted(str(path) for path in tmp_path.glob("*.docx"))],
        check=True, capture_output=True, timeout=240,
        env={**os.environ, "HOME": str(tmp_path)})
    for locale in ("en", "fr", "ar"):
        pdf = tmp_path / f"outcome-{locale}.pdf"
        # LibreOffice can exit 0 without writing anything: the file itself is the proof.
        assert pdf.exists(), f"no PDF for {locale}"
        assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5_000


def test_the_command_line_compiles_stores_and_writes_the_document(app, built, tmp_path):
    made = built()
    output = tmp_path / "out.docx"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["outcome-document", made.consultation.slug, "--locale", "fr",
                                 "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert "Version 1 in fr" in result.output
    stored = operations.documents_of(made.consultation, "fr")
    assert [(document.number, document.generated_by_id) for document in stored] == [(1, None)]
    assert output.read_bytes()[:2] == b"PK"
    assert Document(str(output)).core_properties.language == "fr-FR"

    refused = runner.invoke(args=["outcome-document", made.consultation.slug, "--final",
                                  "--locale", "fr", "--output", str(output)])
    assert refused.exit_code != 0 and "No final version in fr" in refused.output
    unknown = runner.invoke(args=["outcome-document", "no-such-consultation", "--output",
                                  str(output)])
    assert unknown.exit_code != 0


def test_exports_hold_the_recommendations_and_the_whole_outcome(built):
    made = built()
    document = compiled(made, "fr")
    rows = exports.csv_rows(document.data)
    assert [row[0] for row in rows] == ["R1", "R2", "R3", "R4"]
    r4 = rows[-1]
    assert r4[2] == "" and r4[3] == "" and "R4" in r4[-1]
    header = exports.CSV_HEADER
    r1 = dict(zip(header, rows[0], strict=True))
    assert (r1["support"], r1["in_room_support"], r1["translated"]) == (5, 7, "yes")


def test_the_chart_is_a_valid_png_whose_bars_follow_the_counts():
    import struct
    import zlib

    png = bar_chart([3, 1, 2])
    assert png == bar_chart([3, 1, 2])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, {}
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        data = png[position + 8:position + 8 + length]
        crc = struct.unpack(">I", png[position + 8 + length:position + 12 + length])[0]
        assert crc == zlib.crc32(kind + data) & 0xFFFFFFFF
        chunks[kind] = data
        position += 12 + length
    width, height = struct.unpack(">II", chunks[b"IHDR"][:8])
    rows = zlib.decompress(chunks[b"IDAT"])
    assert len(rows) == height * (width + 1)

    def bar_length(row_index: int) -> int:
        y = 24 + row_index * 64 + 20
        line = rows[y * (width + 1) + 1:(y + 1) * (width + 1)]
        return sum(1 for pixel in line if pixel == 3 + row_index)

    assert bar_length(0) > bar_length(2) > bar_length(1) > 0
    assert bar_chart([]) is None and bar_chart([0, 0]) is None
    mirrored = bar_chart([3, 1, 2], right_to_left=True)
    assert mirrored != png


def test_written_texts_become_paragraphs_and_lists():
    assert blocks_of("One\nline.\n\n- a\n- b\n\n1. first\n2) second\n\n3 apples") == [
        {"kind": "paragraph", "lines": ["One", "line."]},
        {"kind": "bullets", "items": ["a", "b"]},
        {"kind": "numbers", "items": ["first", "second"]},
        {"kind": "paragraph", "lines": ["3 apples"]},
    ]
    assert blocks_of("   \n\n ") == []


def test_the_table_of_contents_lists_every_heading_and_links_to_it(built):
    made = built()
    document = compiled(made, "en")
    docx = reopen(document)
    headings = [paragraph for paragraph in docx.paragraphs
                if paragraph.style.name in ("Heading 1", "Heading 2")]
    entries = [paragraph for paragraph in docx.paragraphs
               if paragraph.style.name in ("toc 1", "toc 2")]

    # Every reader shows the entries: they are the field's result, as text.
    assert [entry.text for entry in entries] == [f"{heading.text}\t" for heading in headings]
    assert [entry.style.name[-1] for entry in entries] == [
        heading.style.name[-1] for heading in headings]
    assert entries[0].text == "Executive summary\t"
    assert "Annex 5. List of participants\t" in [entry.text for entry in entries]
    # Each entry links to its heading's bookmark and asks for its page (PAGEREF).
    for entry, heading in zip(entries, headings, strict=True):
        bookmark = heading._p.find(f"{W}bookmarkStart").get(f"{W}name")
        link = entry._p.find(f"{W}hyperlink")
        assert link.get(f"{W}anchor") == bookmark
        assert "".join(code.text for code in link.iter(f"{W}instrText")).strip() == \
            f"PAGEREF {bookmark} \\h"
    # The entries are the result of the TOC field, which Word updates on opening.
    codes = [code.text.strip() for code in entries[0]._p.iter(f"{W}instrText")]
    assert codes[0] == 'TOC \\o "1-2" \\h \\z \\u'
    last = list(entries[-1]._p.iter(f"{W}fldChar"))
    assert last[-1].get(f"{W}fldCharType") == "end"
    # The contents follow the cover on a page of their own; the body follows on.
    contents = next(paragraph for paragraph in docx.paragraphs
                    if paragraph.style.name == "TOC Heading")
    assert contents.paragraph_format.page_break_before
    breaks = [paragraph.text for paragraph in docx.paragraphs
              if paragraph.paragraph_format.page_break_before]
    assert breaks == ["Contents", "Annexes"]
    assert b"w:br w:type=\"page\"" not in xml_parts(document.content)["word/document.xml"]


def test_the_body_numbers_its_paragraphs_as_un_documents_do(built):
    docx = reopen(compiled(built(), "en"))
    numbered = [paragraph.text for paragraph in docx.paragraphs
                if paragraph.style.name == "Numbered paragraph"]
    assert numbered[0] == "The consultation agreed two recommendations."
    assert "States, National Societies and civil society met in Dakar." in numbered
    assert "The group asked for a regional focal point network." in numbered
    assert numbered[-1] == "Families need one trusted contact point."
    # One numbering runs through them all, from the executive summary to the breakouts.
    style = docx.styles["Numbered paragraph"].element
    assert style.find(f"{W}pPr/{W}numPr/{W}numId") is not None
    assert not [paragraph for paragraph in docx.paragraphs
                if paragraph.style.name == "Numbered paragraph"
                and paragraph._p.find(f"{W}pPr/{W}numPr") is not None]


def test_the_cover_carries_the_symbol_distribution_date_and_original_language(
    built, session
):
    made = built()
    operations.save_cover(made.consultation, made.users["secretariat"],
                          symbol="IOM/RT/DAKAR/2024/1", distribution="general")
    english = compiled(made, "en")
    french = compiled(made, "fr")
    top = {locale: paragraphs(reopen(document))[:4]
           for locale, document in (("en", english), ("fr", french))}
    assert top["en"][0] == "IOM/RT/DAKAR/2024/1" and top["fr"][0] == "IOM/RT/DAKAR/2024/1"
    assert top["en"][1:] == ["Distr.: General", english.data["cover"]["date"],
                             "Original: English"]
    assert top["fr"][1] == "Distr. : générale"
    assert top["fr"][3] == "Original : anglais"
    day = english.generated_at
    assert english.data["cover"]["date"] == f"{day.day} {day:%B %Y}"
    assert french.data["cover"]["date"].endswith(str(day.year))
    assert day.strftime("%B") not in french.data["cover"]["date"]
    with pytest.raises(operations.OutcomeRefused):
        operations.save_cover(made.consultation, made.users["p1"], symbol="X",
                              distribution="")
    with pytest.raises(operations.OutcomeRefused):
        operations.save_cover(made.consultation, made.users["secretariat"], symbol="X",
                              distribution="everyone")


def _write_before(made, session, *, summary: str, seconds: int = 60) -> None:
    """The English executive summary as ``summary``, last edited ``seconds`` before now."""
    from portal.database import utcnow

    operations.save_outcome_text(made.consultation, made.users["secretariat"], "en",
                                 executive_summary=summary, introduction="", names={})
    written = words.outcome_text_of(made.consultation, "en")
    written.updated_at = utcnow() - timedelta(seconds=seconds)
    session.flush()


def _decide(made, reference: str, choice: str = "support") -> None:
    recommendation = made.recommendations[reference]
    if "[" in recommendation.current_version.text:
        drafting.revise(recommendation, made.users["rapporteur"],
                        recommendation.current_version.text.replace("[", "").replace("]", ""))
    round_ = voting.open_round(recommendation, made.users["facilitator"])
    for key in ("p1", "p2", "p3", "p4", "p5"):
        voting.cast_vote(round_, made.users[key], choice)
    voting.close_round(round_, made.users["facilitator"], confirmed=True)


def test_a_written_part_naming_a_recommendation_decided_after_it_is_flagged(built, session):
    made = built()
    _write_before(made, session, summary="R4 remains under discussion.")
    group = made.consultation.agenda_items[1].groups[0]
    summary = operations.save_breakout_summary(
        group, made.users["rapporteur"], "en",
        "The group asked for information before departure.")
    summary.updated_at = summary.updated_at - timedelta(seconds=60)
    session.flush()
    assert content.outcome_of(made.consultation, "en",
                              generated_at=datetime.now(UTC)).stale == []

    _decide(made, "R4")
    outcome = content.outcome_of(made.consultation, "en", generated_at=datetime.now(UTC))
    flags = {(flag.part, flag.reference, flag.change, flag.group) for flag in outcome.stale}
    # Named by its reference in the executive summary, by its title in Group 1's summary.
    assert flags == {("executive_summary", "R4", "adopted", ""),
                     ("breakout_summary", "R4", "adopted", "Group 1")}
    r4_round = session.scalars(select(voting.VoteRound).where(
        voting.VoteRound.recommendation_id == made.recommendations["R4"].id)).one()
    assert {flag.changed_at for flag in outcome.stale} == {r4_round.closed_at.isoformat()}

    # Rewritten after the vote, the executive summary is no longer flagged; a part naming
    # R40 or "R4a" never named R4.
    _write_before(made, session, summary="R4 was adopted. R40 and R4a are other texts.",
                  seconds=-60)
    outcome = content.outcome_of(made.consultation, "en", generated_at=datetime.now(UTC))
    assert [flag.part for flag in outcome.stale] == ["breakout_summary"]
    _write_before(made, session, summary="R40 and R4a remain under discussion.")
    outcome = content.outcome_of(made.consultation, "en", generated_at=datetime.now(UTC))
    assert [flag.part for flag in outcome.stale] == ["breakout_summary"]


def test_a_flagged_version_becomes_final_only_once_the_flag_is_confirmed(built, session):
    made = built()
    _write_before(made, session, summary="The plenary did not vote on R4 yet.")
    _decide(made, "R4", "oppose")
    document = compiled(made, "en")
    assert [(flag["reference"], flag["change"]) for flag in document.data["stale"]] == [
        ("R4", "not_adopted")]
    secretariat = made.users["secretariat"]
    with pytest.raises(operations.OutcomeRefused, match="changed after the part was written"):
        operations.mark_final(document, secretariat, missing_acknowledged=True)
    operations.mark_final(document, secretariat, missing_acknowledged=True,
                          stale_acknowledged=True)
    assert document.final


needs_pdf_tools = pytest.mark.skipif(
    not all(PDF_TOOLS.values()), reason="LibreOffice and poppler's utilities are not installed")


@needs_pdf_tools
def test_the_pdf_holds_the_table_of_contents_with_the_pages_of_the_headings(
    app, built, tmp_path
):
    import re

    app.config["LIBREOFFICE"] = "soffice"
    made = built()
    document = operations.make_pdf(compiled(made, "en"), made.users["secretariat"])
    assert document.pdf.startswith(b"%PDF")
    assert document.pdf_sha256 == hashlib.sha256(document.pdf).hexdigest()
    pages, info = pdf_pages(document.pdf, tmp_path)
    assert len(pages) == int(info["Pages"]) >= 3
    # Tagged, for screen readers (PDF/UA).
    assert info["Tagged"] == "yes"

    docx = reopen(document)
    headings = [paragraph.text for paragraph in docx.paragraphs
                if paragraph.style.name in ("Heading 1", "Heading 2")]
    contents = pages[1]
    for heading in headings:
        entry = re.search(rf"^\s*{re.escape(heading)}\s*\.{{3,}}\s*(\d+)\s*$", contents,
                          re.MULTILINE)
        assert entry, f"{heading} is not in the table of contents:\n{contents}"
        page = int(entry.group(1))
        lines = [line.strip() for line in pages[page - 1].splitlines()]
        assert heading in lines, f"{heading} is not on page {page}"
    # The page count the footer states is the PDF's, on every page but the cover.
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {len(pages)}" in page
    text = " ".join(" ".join(pages).split())
    for recommendation in made.recommendations.values():
        assert " ".join(recommendation.current_version.text.split()) in text


def test_the_layout_copy_only_unwraps_the_table_of_contents(built):
    from recommendations.outcome.pdf import for_layout

    document = compiled(built(), "en")
    before = xml_parts(document.content)
    after = xml_parts(for_layout(document.content))
    assert [name for name in before if before[name] != after[name]] == ["word/document.xml"]
    original = Document(io.BytesIO(document.content))
    laid_out = Document(io.BytesIO(for_layout(document.content)))
    assert paragraphs(original) == paragraphs(laid_out)
    assert b"TOC \\o" in before["word/document.xml"]
    assert b"TOC \\o" not in after["word/document.xml"]
    assert after["word/document.xml"].count(b"PAGEREF") == \
        before["word/document.xml"].count(b"PAGEREF") > 10
