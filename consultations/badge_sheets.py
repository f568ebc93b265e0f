"""The check-in desk's printouts as Word files, from plain data: name badges, eight to a
page with dashed cut lines, and the attendance list people sign. The desk gets them as PDF,
laid out by LibreOffice (``portal.pdf.pdf_of``).

Each function takes what is to be printed, already in the reader's language, and returns the
.docx bytes; it reads no database and translates nothing.
"""

import io
import unicodedata
from dataclasses import dataclass

import segno
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from consultations.badges import Paper
from portal.plain_text import xml_safe

#: Page width and height of each paper, portrait.
PAPER_SIZES = {Paper.a4: (Mm(210), Mm(297)), Paper.letter: (Mm(215.9), Mm(279.4))}
#: Badges across and down a page.
COLUMNS, ROWS = 2, 4
SIDE_MARGIN, TOP_MARGIN = Mm(10), Mm(12)
QR_WIDTH = Mm(24)
GREY = RGBColor(0x55, 0x55, 0x55)


@dataclass(frozen=True)
class Badge:
    name: str
    organisation: str
    stakeholder_group: str
    consultation: str
    #: What the QR code holds: the badge's check-in address.
    address: str


@dataclass(frozen=True)
class AttendanceSheet:
    title: str
    consultation: str
    #: Dates and venue, on one line.
    details: str
    headings: list[str]
    #: One row per person, as many cells as headings but the last (the signature).
    rows: list[list[str]]
    language: str
    right_to_left: bool


def _right_to_left(text: str) -> bool:
    """Whether the first letter of ``text`` is written right to left (an Arabic name)."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def _new_document(paper: Paper, *, landscape: bool, language: str,
                  right_to_left: bool = False) -> Document:
    document = Document()
    section = document.sections[0]
    width, height = PAPER_SIZES[paper]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    section.left_margin = section.right_margin = SIDE_MARGIN
    section.top_margin = section.bottom_margin = TOP_MARGIN
    if right_to_left:
        section._sectPr.append(OxmlElement("w:bidi"))
    style = document.styles["Normal"]
    style.font.name = "Liberation Sans"
    style.font.size = Pt(10)
    style.paragraph_format.space_after = Pt(0)
    language_element = OxmlElement("w:lang")
    style.element.get_or_add_rPr().append(language_element)
    language_element.set(qn("w:val"), language)
    language_element.set(qn("w:bidi"), language if right_to_left else "ar-SA")
    document.core_properties.language = language
    return document


def _write(paragraph, text: str, *, size: float, bold: bool = False, grey: bool = False,
           right_to_left: bool | None = None) -> None:
    text = xml_safe(text)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.font.bold = bold
    if grey:
        run.font.color.rgb = GREY
    if right_to_left if right_to_left is not None else _right_to_left(text):
        paragraph.paragraph_format.element.get_or_add_pPr().append(OxmlElement("w:bidi"))
        run._r.get_or_add_rPr().append(OxmlElement("w:rtl"))


def _borders(table, value: str) -> None:
    """Every border of the table, outside and between cells, drawn as ``value``."""
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{edge}")
        border.set(qn("w:val"), value)
        border.set(qn("w:sz"), "4")
        border.set(qn("w:space"), "0")
        border.set(qn("w:color"), "888888")
        borders.append(border)
    properties.append(borders)


def _row_kept_whole(row, *, header: bool = False) -> None:
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def badges_docx(badges: list[Badge], paper: Paper, *, language: str) -> bytes:
    """Name badges, ``COLUMNS`` x ``ROWS`` to a page, in a table whose dashed borders are
    the cut lines: each with the name, organisation, stakeholder group, the consultation and
    the QR code of its check-in address."""
    document = _new_document(paper, landscape=False, language=language)
    section = document.sections[0]
    cell_width = (section.page_width - 2 * SIDE_MARGIN) // COLUMNS
    # A little under the page's height, so that a last row never spills onto a blank page.
    cell_height = (section.page_height - 2 * TOP_MARGIN - Mm(2)) // ROWS
    rows = max(1, -(-len(badges) // COLUMNS))
    table = document.add_table(rows=rows, cols=COLUMNS)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table, "dashed")
    for row in table.rows:
        row.height = cell_height
        row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
        _row_kept_whole(row)
        for cell in row.cells:
            cell.width = cell_width
    for index, badge in enumerate(badges):
        cell = table.cell(index // COLUMNS, index % COLUMNS)
        first = cell.paragraphs[0]
        first.paragraph_format.space_before = Mm(6)
        lines = [(badge.name, 18, True, False), (badge.organisation, 11, False, False),
                 (badge.stakeholder_group, 10, False, False),
                 (badge.consultation, 8, False, True)]
        for number, (text, size, bold, grey) in enumerate(lines):
            paragraph = first if number == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(3)
            _write(paragraph, text, size=size, bold=bold, grey=grey)
        code = io.BytesIO()
        segno.make(badge.address, error="m").save(code, kind="png", scale=8, border=2)
        code.seek(0)
        picture = cell.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.space_before = Mm(2)
        picture.add_run().add_picture(code, width=QR_WIDTH)
    return _saved(document)


def attendance_docx(sheet: AttendanceSheet, paper: Paper) -> bytes:
    """The attendance list: a title, the consultation, its dates and venue, and a table of
    the people with a wide column to sign in, its heading row on every page."""
    rtl = sheet.right_to_left
    document = _new_document(paper, landscape=True, language=sheet.language,
                             right_to_left=rtl)
    for text, size, bold in ((sheet.title, 16, True), (sheet.consultation, 12, True),
                             (sheet.details, 10, False)):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(4)
        _write(paragraph, text, size=size, bold=bold, right_to_left=rtl)
    document.add_paragraph()
    table = document.add_table(rows=1, cols=len(sheet.headings))
    table.autofit = False
    _borders(table, "single")
    if rtl:
        table._tbl.tblPr.append(OxmlElement("w:bidiVisual"))
    section = document.sections[0]
    usable = section.page_width - 2 * SIDE_MARGIN
    # Shares of the width: number, name, organisation, group, country, attendance, signature.
    shares = [4, 18, 20, 14, 10, 9, 25][:len(sheet.headings)]
    widths = [usable * share // sum(shares) for share in shares]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    header = table.rows[0]
    _row_kept_whole(header, header=True)
    for cell, heading, width in zip(header.cells, sheet.headings, widths, strict=True):
        cell.width = width
        _write(cell.paragraphs[0], heading, size=9, bold=True, right_to_left=rtl)
    for values in sheet.rows:
        row = table.add_row()
        row.height = Mm(11)
        row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        _row_kept_whole(row)
        for cell, value, width in zip(row.cells, [*values, ""], widths, strict=True):
            cell.width = width
            _write(cell.paragraphs[0], value, size=9,
                   right_to_left=rtl or _right_to_left(value))
    return _saved(document)
