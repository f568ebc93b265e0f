"""Writing a Word file with python-docx for the outcome document: its page set-up, styles,
numbering, settings and properties, header and footer, and the paragraphs, headings, passages,
numbered lists and tables the document is made of, in its language and direction; with the
Office Open XML that python-docx does not offer (bidirectional text, fields, shading) and
zip entries with a fixed time. word.py writes the document's sections with these.
"""

import io
import unicodedata
import zipfile
from datetime import datetime

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_DIRECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from lxml import etree

from recommendations.outcome.prose import blocks_of, xml_safe

#: The time every zip entry carries (the earliest a zip file can hold).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MISSING_STYLE = "Missing text"
TABLE_STYLE = "Table Grid"
PRODUCER = "Red Talks portal"
#: Light grey behind the header rows of tables.
HEADER_SHADING = "E7E6E6"
NUMBERED_STYLE = "Numbered paragraph"
#: Heading levels listed in the table of contents.
TOC_LEVELS = 2
TOC_INSTRUCTION = f'TOC \\o "1-{TOC_LEVELS}" \\h \\z \\u'
#: The width of the text between the margins, in twentieths of a point (16 cm).
TEXT_WIDTH = 9072
#: Where a paragraph's text starts after its number, in twentieths of a point (1 cm).
NUMBER_INDENT = 567

_P_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                 "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                 "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_R_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_SECT_AFTER_BIDI = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


class DocumentWriter:
    """The document being written, and the ways of writing its parts. A subclass sets the
    state (``data``, ``labels``, ``rtl``, ``language``, ``document``...) and the sections."""

    def set_up(self) -> None:
        document = self.document
        package = document.part.package
        # The template's thumbnail shows an empty page, and its styles-with-effects part
        # repeats the styles for Word 2010 alone: neither belongs in the document.
        for rel_id, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                package.rels.pop(rel_id)
        for rel_id, rel in list(document.part.rels.items()):
            if rel.reltype == "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects":
                document.part.drop_rel(rel_id)
        section = document.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Cm(2.5)
        section.left_margin = section.right_margin = Cm(2.5)
        section.header_distance = section.footer_distance = Cm(1.25)
        section.different_first_page_header_footer = True
        if self.rtl:
            bidi = OxmlElement("w:bidi")
            section._sectPr.insert_element_before(bidi, *_SECT_AFTER_BIDI)
        self.defaults()
        self.styles()
        self.settings()
        self.properties()
        self.header_and_footer()

    def defaults(self) -> None:
        """The language of every style's text, for spelling and grammar."""
        styles = self.document.styles.element
        r_pr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        language = r_pr.find(qn("w:lang"))
        if language is None:
            language = OxmlElement("w:lang")
            r_pr.insert_element_before(language, *_R_AFTER_LANG)
        self.set_language(language)

    def set_language(self, element) -> None:
        element.set(qn("w:val"), self.language)
        element.set(qn("w:eastAsia"), self.language)
        element.set(qn("w:bidi"), self.language if self.rtl else "ar-SA")

    def styles(self) -> None:
        styles = self.document.styles
        missing = styles.add_style(MISSING_STYLE, WD_STYLE_TYPE.CHARACTER)
        missing.base_style = styles["Default Paragraph Font"]
        missing.font.italic = True
        missing.font.highlight_color = WD_COLOR_INDEX.YELLOW
        missing.font.color.rgb = RGBColor(0x80, 0x00, 0x00)
        missing.quick_style = True
        # Paragraphs numbered 1, 2, 3... through the body, the number hanging in the margin
        # of the text.
        numbered = styles.add_style(NUMBERED_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        numbered.base_style = styles["Normal"]
        numbered.quick_style = True
        number = numbered.element.get_or_add_pPr().get_or_add_numPr()
        number.get_or_add_numId().val = self.body_numbering()
        # Word's own names for the entries of a table of contents: "toc 1", "toc 2".
        for level in range(1, TOC_LEVELS + 1):
            style = styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
            style.element.set(qn("w:styleId"), f"TOC{level}")
            style.base_style = styles["Normal"]
            style.paragraph_format.space_after = Pt(3 if level > 1 else 4)
            style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
            style.paragraph_format.right_indent = Cm(0.8)
            if level == 1:
                style.font.bold = True
                style.element.get_or_add_rPr().get_or_add_bCs()
            tabs = OxmlElement("w:tabs")
            tab = OxmlElement("w:tab")
            tab.set(qn("w:val"), "right")
            tab.set(qn("w:leader"), "dot")
            tab.set(qn("w:pos"), str(TEXT_WIDTH))
            tabs.append(tab)
            style.element.get_or_add_pPr().insert_element_before(
                tabs, "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
        self.style_ids = {style.name: style.style_id for style in styles}

    def body_numbering(self) -> int:
        """A numbering of its own for the numbered paragraphs: "1.", "2."... with the number
        at the margin and the text 1 cm in. Returns its number id."""
        numbering = self.document.part.numbering_part.element
        abstract_id = max(int(element.get(qn("w:abstractNumId")))
                          for element in numbering.findall(qn("w:abstractNum"))) + 1
        abstract = etree.fromstring(
            f'<w:abstractNum xmlns:w="{_W}" w:abstractNumId="{abstract_id}">'
            '<w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{NUMBER_INDENT}" w:hanging="{NUMBER_INDENT}"/></w:pPr>'
            '</w:lvl></w:abstractNum>')
        first_num = numbering.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            numbering.append(abstract)
        return numbering.add_num(abstract_id).numId

    def settings(self) -> None:
        settings = self.document.settings.element
        # Word fills in the table of contents' page numbers (and the page count) when it
        # opens the file.
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.insert_element_before(
            update, "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
            "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
            "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
            "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
            "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
            "w:listSeparator")
        for preview in settings.findall(qn("w:savePreviewPicture")):
            settings.remove(preview)
        theme_language = settings.find(qn("w:themeFontLang"))
        if theme_language is not None:
            theme_language.set(qn("w:val"), self.language)
            if self.rtl:
                theme_language.set(qn("w:bidi"), self.language)

    def properties(self) -> None:
        data = self.data
        generated_at = datetime.fromisoformat(data["generated_at"])
        core = self.document.core_properties
        core.title = xml_safe(data["properties"]["title"])
        core.subject = xml_safe(data["properties"]["subject"])
        core.author = xml_safe(data["properties"]["author"]) or PRODUCER
        core.keywords = xml_safe(data["properties"]["keywords"])
        core.category = xml_safe(data["properties"]["category"])
        core.comments = ""
        core.language = self.language
        core.last_modified_by = PRODUCER
        core.created = core.modified = generated_at
        core.revision = data["number"] or 1
        core.identifier = data["consultation"]
        for part in self.document.part.package.parts:
            if str(part.partname) == "/docProps/app.xml":
                part._blob = _app_properties(core.author)

    def header_and_footer(self) -> None:
        section = self.document.sections[0]
        header = section.header.paragraphs[0]
        header.style = self.document.styles["Header"]
        self.add_run(header, self.data["properties"]["title"])
        footer = section.footer.paragraphs[0]
        footer.style = self.document.styles["Footer"]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # "Page %(page)s of %(pages)s", in whatever order the language puts them.
        text = self.labels["page"]
        pieces = text.replace("%(pages)s", "\0NUMPAGES\0").replace("%(page)s", "\0PAGE\0")
        for piece in pieces.split("\0"):
            if piece in ("PAGE", "NUMPAGES"):
                footer._p.append(_simple_field(piece))
            elif piece:
                self.add_run(footer, piece)

    # Pieces of text -------------------------------------------------------------------------

    def add_run(self, paragraph, text: str, *, bold: bool = False, italic: bool = False,
                style: str | None = None):
        text = xml_safe(text)
        run = paragraph.add_run()
        if style:
            run._r.style = self.style_ids[style]
        # Bold for the complex scripts too (Arabic): it is a property of its own, without
        # which Arabic text is not bold. (Arabic is not set in italics.)
        if bold:
            run.bold = True
            run._r.get_or_add_rPr().get_or_add_bCs()
        if italic:
            run.italic = True
        if "\n" in text or "\t" in text:
            run.text = text  # line breaks and tabs become <w:br/> and <w:tab/>
        elif text:
            run._r.add_t(text)
        return run

    def paragraph(self, text: str = "", style: str | None = None):
        paragraph = self.last_paragraph = self.document.add_paragraph()
        if style:
            paragraph._p.style = self.style_ids[style]
        if text:
            self.add_run(paragraph, text)
        return paragraph

    def passage_inline(self, paragraph, passage: dict) -> None:
        """A passage inside a paragraph: its text, or the note that it is missing."""
        if passage["text"]:
            self.add_run(paragraph, passage["text"])
        else:
            self.add_run(paragraph, passage["missing"], style=MISSING_STYLE)

    def heading(self, level: int, *parts, page_break: bool = False) -> None:
        """A heading made of strings and passages; those of the table of contents' levels
        are bookmarked for its entries to point to."""
        paragraph = self.paragraph(style=f"Heading {level}")
        if page_break:
            paragraph.paragraph_format.page_break_before = True
        self.inline_parts(paragraph, parts)
        if level <= TOC_LEVELS:
            name = f"_Toc{len(self.headings) + 1:08d}"
            self.headings.append((level, parts, name))
            start = OxmlElement("w:bookmarkStart")
            start.set(qn("w:id"), str(len(self.headings)))
            start.set(qn("w:name"), name)
            end = OxmlElement("w:bookmarkEnd")
            end.set(qn("w:id"), str(len(self.headings)))
            properties = paragraph._p.pPr
            if properties is not None:
                properties.addnext(start)
            else:
                paragraph._p.insert(0, start)
            paragraph._p.append(end)

    def inline_parts(self, paragraph, parts) -> None:
        for part in parts:
            if isinstance(part, dict):
                self.passage_inline(paragraph, part)
            elif part:
                self.add_run(paragraph, part)

    def passage(self, passage: dict, *, numbered: bool = False) -> None:
        """A written text as its paragraphs and lists, or the note that it is missing.
        ``numbered``: its paragraphs are numbered paragraphs of the body, its lists set in
        under them."""
        if not passage["text"]:
            self.add_run(self.paragraph(), passage["missing"], style=MISSING_STYLE)
            return
        for block in blocks_of(passage["text"]):
            if block["kind"] == "paragraph":
                self.paragraph("\n".join(block["lines"]),
                               NUMBERED_STYLE if numbered else None)
            elif block["kind"] == "bullets":
                for item in block["items"]:
                    bullet = self.paragraph(item, "List Bullet")
                    if numbered:
                        indent_paragraph(bullet, NUMBER_INDENT + 397, 397)
            else:
                for item in self.numbered(block["items"]):
                    if numbered:
                        indent_paragraph(item, NUMBER_INDENT + 397, 397)

    def numbered(self, items: list[str], *, italic: bool = False) -> list:
        """A numbered list (style List Number) that starts again from 1."""
        number_id = self.restarted_numbering()
        paragraphs = []
        for item in items:
            paragraph = self.paragraph(style="List Number")
            number = paragraph._p.get_or_add_pPr().get_or_add_numPr()
            number.get_or_add_ilvl().val = 0
            number.get_or_add_numId().val = number_id
            self.add_run(paragraph, item, italic=italic)
            paragraphs.append(paragraph)
        return paragraphs

    def restarted_numbering(self) -> int:
        numbering = self.document.part.numbering_part.element
        style = self.document.styles["List Number"]
        style_number = style.element.pPr.numPr.numId.val
        abstract = numbering.num_having_numId(style_number).abstractNumId.val
        number = numbering.add_num(abstract)
        number.add_lvlOverride(ilvl=0).add_startOverride(1)
        return number.numId

    def table(self, header: list[str], rows: list[list], *, caption: str,
              numeric: tuple[int, ...] = (), shading: list[str] | None = None,
              widths: list[float] | None = None, total_row: bool = False) -> None:
        """A table with its header row repeated on every page. Made whole, then filled
        through ``row.cells`` (``Table.cell`` rebuilds the grid on every call)."""
        table = self.document.add_table(rows=len(rows) + 1, cols=len(header))
        properties = table._tbl.tblPr
        properties.style = self.style_ids[TABLE_STYLE]
        if self.rtl:
            table.table_direction = WD_TABLE_DIRECTION.RTL
        caption_element = OxmlElement("w:tblCaption")
        caption_element.set(qn("w:val"), xml_safe(caption)[:255])
        properties.append(caption_element)
        twips = [str(round(Cm(width).twips)) for width in widths] if widths else None
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)
        table_rows = table.rows
        head = table_rows[0]
        head._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for cell, text in zip(head.cells, header, strict=True):
            _shade(cell, HEADER_SHADING)
            self.add_run(cell.paragraphs[0], text, bold=True)
        for number, (row, values) in enumerate(zip(table_rows[1:], rows, strict=True)):
            cells = row.cells
            bold = total_row and number == len(rows) - 1
            for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
                paragraph = cell.paragraphs[0]
                if isinstance(value, dict):
                    self.passage_inline(paragraph, value)
                elif value != "":
                    self.add_run(paragraph, str(value), bold=bold)
                if column in numeric and not self.rtl:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if shading:
                _shade(cells[0], shading[number])
        if twips:
            for row in table._tbl.tr_lst:
                for cell, width in zip(row.tc_lst, twips, strict=True):
                    preferred = cell.get_or_add_tcPr().get_or_add_tcW()
                    preferred.set(qn("w:type"), "dxa")
                    preferred.set(qn("w:w"), width)
        self.paragraph()

    def figures_table(self, figures: list[dict] | None, label: str, caption: str, *,
                      with_colours: bool = False) -> None:
        if figures is None:
            self.paragraph(self.labels["withheld"])
            return
        if not figures:
            self.paragraph(self.labels["nothing"])
            return
        rows = [[figure["label"], figure["count"]] for figure in figures]
        header = [label, self.labels["participants"]]
        if with_colours:
            rows = [["", *row] for row in rows]
            header = [self.labels["colour"], *header]
        self.table(header, rows, caption=caption, numeric=(len(header) - 1,),
                   shading=[figure["colour"] for figure in figures] if with_colours else None,
                   widths=[3.2, 9.3, 3.5] if with_colours else [12.5, 3.5])

    # Direction and language of every paragraph and run -------------------------------------------

    def set_direction_and_language(self) -> None:
        """The language of every run; in a right-to-left document, every paragraph right to
        left, and every run too but the stretches of left-to-right text (a name in Latin
        letters, say), which Word would otherwise lay out right to left, neutral characters
        and all."""
        parts = [self.document.element.body]
        for section in self.document.sections:
            for piece in (section.header, section.footer, section.first_page_header,
                          section.first_page_footer):
                if not piece.is_linked_to_previous:
                    parts.append(piece._element)
        for part in parts:
            for paragraph in part.iter(qn("w:p")):
                if self.rtl:
                    properties = paragraph.get_or_add_pPr()
                    if properties.find(qn("w:bidi")) is None:
                        properties.insert_element_before(OxmlElement("w:bidi"), *_P_AFTER_BIDI)
            if self.rtl:
                for run in list(part.iter(qn("w:r"))):
                    _split_left_to_right(run)
            # Nothing the document's runs hold comes after w:rtl and w:lang in w:rPr (the
            # schema's order), so both are appended.
            for run in part.iter(qn("w:r")):
                properties = run.get_or_add_rPr()
                if self.rtl and properties.find(qn("w:rtl")) is None and not _left_to_right(run):
                    etree.SubElement(properties, qn("w:rtl"))
                language = etree.SubElement(properties, qn("w:lang"))
                self.set_language(language)



_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _strong(character: str) -> str:
    """"L" for a letter written left to right, "R" for one written right to left, "" for a
    character that takes the direction of its neighbours (digits, spaces, punctuation)."""
    kind = unicodedata.bidirectional(character)
    return "L" if kind == "L" else "R" if kind in ("R", "AL") else ""


def _left_to_right_stretches(text: str) -> list[tuple[str, bool]]:
    """``text`` cut into stretches: those from a left-to-right letter to the last one before
    a right-to-left letter (True), and the rest (False)."""
    pieces, start, position = [], 0, 0
    while position < len(text):
        if _strong(text[position]) != "L":
            position += 1
            continue
        end = last = position
        while end < len(text) and _strong(text[end]) != "R":
            if _strong(text[end]) == "L":
                last = end
            end += 1
        if position > start:
            pieces.append((text[start:position], False))
        pieces.append((text[position:last + 1], True))
        start = position = last + 1
    if start < len(text):
        pieces.append((text[start:], False))
    return pieces


def _split_left_to_right(run) -> None:
    """Cut a run of plain text (one w:t) into runs of its left-to-right stretches and the
    rest, with the same properties, so that each is given its direction."""
    texts = run.findall(qn("w:t"))
    if len(texts) != 1 or len([child for child in run if child.tag != qn("w:rPr")]) != 1:
        return
    pieces = _left_to_right_stretches(texts[0].text or "")
    if len(pieces) < 2:
        return
    for text, _left in pieces:
        piece = parse_xml(etree.tostring(run))
        piece.find(qn("w:t")).text = text
        piece.find(qn("w:t")).set(qn("xml:space"), "preserve")
        run.addprevious(piece)
    run.getparent().remove(run)


def _left_to_right(run) -> bool:
    """Whether a run's text has left-to-right letters and no right-to-left ones."""
    text = "".join(t.text or "" for t in run.iter(qn("w:t"), qn("w:instrText")))
    kinds = {_strong(character) for character in text}
    return "L" in kinds and "R" not in kinds


def indent_paragraph(paragraph, start: int, hanging: int, *, end: int = 0) -> None:
    """Indents in twentieths of a point. "left" and "right" are the start and end of the line
    in a right-to-left paragraph too, as Word and LibreOffice read them."""
    indent = paragraph._p.get_or_add_pPr().get_or_add_ind()
    indent.set(qn("w:left"), str(start))
    indent.set(qn("w:right"), str(end))
    if hanging:
        indent.set(qn("w:hanging"), str(hanging))


def shading_of(colour: str):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    return shading


def _shade(cell, colour: str) -> None:
    cell._tc.get_or_add_tcPr().insert_element_before(
        shading_of(colour), "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
        "w:hideMark", "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")


def _simple_field(instruction: str):
    """A field Word computes when it lays the page out (PAGE, NUMPAGES)."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def _field_runs(instruction: str, *, dirty: bool = False) -> list:
    """The runs that open a field: its beginning, its instruction, the start of its result."""
    runs = []
    for kind in ("begin", "instr", "separate"):
        run = OxmlElement("w:r")
        if kind == "instr":
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run.append(code)
        else:
            mark = OxmlElement("w:fldChar")
            mark.set(qn("w:fldCharType"), kind)
            if dirty and kind == "begin":
                mark.set(qn("w:dirty"), "true")
            run.append(mark)
        runs.append(run)
    return runs


def open_field(paragraph, instruction: str, *, dirty: bool = False) -> None:
    """Open a field at the start of ``paragraph`` (after its properties); its end is placed
    by the caller. ``dirty``: Word updates it on opening."""
    position = 1 if paragraph.pPr is not None else 0
    for offset, run in enumerate(_field_runs(instruction, dirty=dirty)):
        paragraph.insert(position + offset, run)


def add_field(parent, instruction: str, result: str = "") -> None:
    """A whole field (PAGEREF) at the end of ``parent``, with ``result`` as its shown value
    until it is updated."""
    for run in _field_runs(instruction):
        parent.append(run)
    if result:
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = result
        run.append(text)
        parent.append(run)
    run = OxmlElement("w:r")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run.append(end)
    parent.append(run)


def _app_properties(company: str) -> bytes:
    # escape writes XML, it parses nothing: no XML attack applies.
    from xml.sax.saxutils import escape  # nosec B406

    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
        'docPropsVTypes">'
        "<Template>Normal.dotm</Template><TotalTime>0</TotalTime>"
        f"<Application>{PRODUCER}</Application><DocSecurity>0</DocSecurity>"
        f"<ScaleCrop>false</ScaleCrop><Company>{escape(company)}</Company>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def with_fixed_times(docx: bytes) -> bytes:
    """The same zip with every entry dated ZIP_TIME, so that equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(entry.filename))
    return buffer.getvalue()
