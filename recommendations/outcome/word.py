"""The outcome document as a Word file, built from an outcome as plain data.

``build_docx(data)`` takes what ``content.as_data`` gives (or the same read back from JSON) and
returns the .docx bytes. It reads no database and translates nothing: every word comes in the
data. The same data gives the same bytes: the zip entries carry a fixed time, and the core
properties take theirs from the data's ``generated_at``.

The document uses Word's own styles (Title, Subtitle, Heading 1 to 3, List Number, List Bullet,
TOC Heading, Table Grid, and a "Missing text" character style for what is not available in its
language), a table of contents field that Word fills in when it opens the file, a header with
the title and a footer with the page number (PAGE and NUMPAGES fields) on every page but the
cover, A4 pages, the language set on every run of text, and right-to-left paragraphs, runs,
tables and page layout for Arabic.
"""

import io
import zipfile
from datetime import datetime

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_DIRECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_COLOR_INDEX
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, RGBColor
from lxml import etree

from recommendations.outcome.chart import bar_chart
from recommendations.outcome.prose import blocks_of, xml_safe

#: The time every zip entry carries (the earliest a zip file can hold).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
MISSING_STYLE = "Missing text"
TABLE_STYLE = "Table Grid"
PRODUCER = "Red Talks portal"
#: Light grey behind the header rows of tables.
HEADER_SHADING = "E7E6E6"

_P_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                 "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
                 "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
_R_AFTER_LANG = ("w:eastAsianLayout", "w:specVanish", "w:oMath")
_SECT_AFTER_BIDI = ("w:rtlGutter", "w:docGrid", "w:printerSettings", "w:sectPrChange")


def build_docx(data: dict) -> bytes:
    """The .docx file of the outcome ``data``."""
    return _Writer(data).write()


class _Writer:
    def __init__(self, data: dict):
        self.data = data
        self.labels = data["labels"]
        self.rtl = bool(data["right_to_left"])
        self.language = data["language_tag"]
        self.document = Document()
        self.annexes = 0
        #: Style ids by name, found once: python-docx looks a name up among every style of
        #: the template (and its default) on each use.
        self.style_ids: dict[str, str] = {}

    # The file ------------------------------------------------------------------------------

    def write(self) -> bytes:
        self.set_up()
        self.cover()
        self.contents()
        self.written_parts()
        self.participation()
        self.adopted()
        self.breakouts()
        self.annex_sections()
        self.set_direction_and_language()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return _with_fixed_times(buffer.getvalue())

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
        self.style_ids = {style.name: style.style_id for style in styles}

    def settings(self) -> None:
        settings = self.document.settings.element
        # Word fills in the table of contents (and the page count) when it opens the file.
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
        if bold:
            run.bold = True
        if italic:
            run.italic = True
        if "\n" in text or "\t" in text:
            run.text = text  # line breaks and tabs become <w:br/> and <w:tab/>
        elif text:
            run._r.add_t(text)
        return run

    def paragraph(self, text: str = "", style: str | None = None):
        paragraph = self.document.add_paragraph()
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

    def heading(self, level: int, *parts) -> None:
        """A heading made of strings and passages."""
        paragraph = self.paragraph(style=f"Heading {level}")
        for part in parts:
            if isinstance(part, dict):
                self.passage_inline(paragraph, part)
            elif part:
                self.add_run(paragraph, part)

    def passage(self, passage: dict) -> None:
        """A written text as its paragraphs and lists, or the note that it is missing."""
        if not passage["text"]:
            self.add_run(self.paragraph(), passage["missing"], style=MISSING_STYLE)
            return
        for block in blocks_of(passage["text"]):
            if block["kind"] == "paragraph":
                self.paragraph("\n".join(block["lines"]))
            elif block["kind"] == "bullets":
                for item in block["items"]:
                    self.paragraph(item, "List Bullet")
            else:
                self.numbered(block["items"])

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

    def page_break(self) -> None:
        self.paragraph().add_run().add_break(WD_BREAK.PAGE)

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
                   widths=[2.5, 10.0, 3.5] if with_colours else [12.5, 3.5])

    # Sections --------------------------------------------------------------------------------

    def cover(self) -> None:
        cover = self.data["cover"]
        title = self.document.add_paragraph(style="Title")
        self.passage_inline(title, cover["title"])
        self.paragraph(cover["subtitle"], "Subtitle")
        for fact in cover["facts"]:
            paragraph = self.paragraph()
            self.add_run(paragraph, self.labels["colon"] % {"label": fact["label"]}, bold=True)
            self.add_run(paragraph, " ")
            self.passage_inline(paragraph, fact["value"])
        if cover["objectives"]:
            label = self.paragraph()
            self.add_run(label, self.labels["objectives"], bold=True)
            for objective in cover["objectives"]:
                self.paragraph(objective, "List Bullet")
        self.add_run(self.paragraph(), cover["version"], italic=True)
        self.page_break()

    def contents(self) -> None:
        self.paragraph(self.labels["contents"], "TOC Heading")
        paragraph = self.document.add_paragraph()
        _complex_field(paragraph._p, 'TOC \\o "1-3" \\h \\z \\u',
                       xml_safe(self.labels["toc_placeholder"]))
        self.page_break()

    def written_parts(self) -> None:
        self.heading(1, self.labels["executive_summary"])
        self.passage(self.data["executive_summary"])
        self.heading(1, self.labels["introduction"])
        self.passage(self.data["introduction"])

    def participation(self) -> None:
        participation = self.data["participation"]
        labels = self.labels
        self.heading(1, labels["participation"])
        self.paragraph(participation["lead"])
        self.heading(2, labels["by_group"])
        if participation.get("small_groups_note"):
            self.paragraph(participation["small_groups_note"])
        chart = bar_chart([figure["count"] for figure in participation["by_group"] or []],
                          right_to_left=self.rtl)
        if chart is not None:
            paragraph = self.document.add_paragraph()
            run = paragraph.add_run()
            run.add_picture(io.BytesIO(chart), width=Cm(15))
            picture = run._r.find(".//" + qn("wp:docPr"))
            picture.set("name", xml_safe(labels["by_group"]))
            picture.set("descr", xml_safe(participation["chart_description"]))
        self.figures_table(participation["by_group"], labels["stakeholder_group"],
                           labels["by_group"], with_colours=True)
        self.heading(2, labels["by_region"])
        self.figures_table(participation["by_region"], labels["region"], labels["by_region"])
        self.heading(2, labels["by_country"])
        self.figures_table(participation["by_country"], labels["country"], labels["by_country"])
        self.heading(2, labels["by_attendance"])
        self.figures_table(participation["by_attendance"], labels["attendance"],
                           labels["by_attendance"])
        self.heading(2, labels["discussion"])
        for sentence in participation["activity"]:
            self.paragraph(sentence)

    def recommendation(self, entry: dict, level: int = 3) -> None:
        self.heading(level, f"{entry['reference']}. ", entry["title"])
        self.passage(entry["text"])
        if entry["objectives_line"]:
            self.add_run(self.paragraph(), entry["objectives_line"], italic=True)
        result = entry["result"]
        if result is None:
            return
        paragraph = self.paragraph()
        self.add_run(paragraph, self.labels["colon"] % {"label": self.labels["result"]},
                     bold=True)
        self.add_run(paragraph, " ")
        self.add_run(paragraph, result["sentence"])
        labels = self.labels
        rows = [[count["choice"], count["devices"], count["in_room"], count["total"]]
                for count in result["counts"]]
        rows.append([labels["total"], *[sum(row[column] for row in rows)
                                         for column in (1, 2, 3)]])
        self.table([labels["choice"], labels["devices"], labels["in_room"], labels["total"]],
                   rows, caption=f"{labels['result']}: {entry['reference']}",
                   numeric=(1, 2, 3), widths=[7.0, 3.0, 3.0, 3.0], total_row=True)
        self.paragraph(result["turnout"])
        if result["reservations"]:
            self.add_run(self.paragraph(), labels["reservations"], bold=True)
            self.numbered([(labels["quote"] if reservation["by"]
                            else labels["quote_unattributed"]) % {
                               "text": reservation["text"], "by": reservation["by"]}
                           for reservation in result["reservations"]], italic=False)

    def adopted(self) -> None:
        labels = self.labels
        self.heading(1, labels["adopted"])
        if not self.data["adopted"]:
            self.paragraph(labels["nothing"])
        for theme in self.data["adopted"]:
            self.heading(2, theme["heading"])
            for entry in theme["recommendations"]:
                self.recommendation(entry)
        if self.data["by_objective"]:
            self.heading(2, labels["by_objective"])
            self.table([labels["objective"], labels["recommendations"]],
                       [[f"{entry['number']}. {entry['title']}", ", ".join(entry["references"])]
                        for entry in self.data["by_objective"]],
                       caption=labels["by_objective"], widths=[11.0, 5.0])

    def breakouts(self) -> None:
        self.heading(1, self.labels["breakouts"])
        if not self.data["breakouts"]:
            self.paragraph(self.labels["nothing"])
        for entry in self.data["breakouts"]:
            if entry["theme"]["text"] or entry["theme"]["missing"]:
                self.heading(2, entry["name"], ": ", entry["theme"])
            else:
                self.heading(2, entry["name"])
            self.passage(entry["summary"])

    def annex(self, title: str) -> None:
        self.annexes += 1
        self.heading(2, self.labels["annex"] % {"number": self.annexes, "title": title})

    def annex_sections(self) -> None:
        data, labels = self.data, self.labels
        self.page_break()
        self.heading(1, labels["annexes"])
        self.annex(labels["not_adopted"])
        if not data["not_adopted"]:
            self.paragraph(labels["nothing"])
        for entry in data["not_adopted"]:
            self.recommendation(entry)
        if data["undecided"]:
            self.annex(labels["undecided"])
            self.paragraph(labels["undecided_note"])
            for entry in data["undecided"]:
                self.recommendation(entry)
        self.annex(labels["agenda"])
        if data["agenda"]:
            self.table([labels["when"], labels["item"], labels["kind"]],
                       [[entry["when"], entry["title"], entry["kind"]] for entry in data["agenda"]],
                       caption=labels["agenda"], widths=[5.0, 8.0, 3.0])
        else:
            self.paragraph(labels["nothing"])
        self.annex(labels["amendments"])
        if data["amendments"]:
            self.table([labels["amendment"], labels["versions"], labels["decided"],
                        labels["proposed_by"], labels["supports"]],
                       [[entry["label"], entry["versions"], entry["decided"],
                         entry["proposed_by"], entry["supports"]]
                        for entry in data["amendments"]],
                       caption=labels["amendments"], numeric=(4,),
                       widths=[3.0, 2.2, 4.4, 4.4, 2.0])
        else:
            self.paragraph(labels["no_amendments"])
        self.annex(labels["participant_list"])
        self.paragraph(data["participants_note"])
        if data["participants"]:
            self.table([labels["name"], labels["organisation"], labels["stakeholder_group"],
                        labels["country"]],
                       [[entry["name"], entry["organisation"], entry["stakeholder_group"],
                         entry["country"]] for entry in data["participants"]],
                       caption=labels["participant_list"], widths=[4.5, 5.5, 3.5, 2.5])

    # Direction and language of every paragraph and run -------------------------------------------

    def set_direction_and_language(self) -> None:
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
            # Nothing the document's runs hold comes after w:rtl and w:lang in w:rPr (the
            # schema's order), so both are appended.
            for run in part.iter(qn("w:r")):
                properties = run.get_or_add_rPr()
                if self.rtl and properties.find(qn("w:rtl")) is None:
                    etree.SubElement(properties, qn("w:rtl"))
                language = etree.SubElement(properties, qn("w:lang"))
                self.set_language(language)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().insert_element_before(
        shading, "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign",
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


def _complex_field(paragraph, instruction: str, placeholder: str) -> None:
    """A field with a result Word replaces on updating (the table of contents): marked
    dirty, so that Word updates it on opening."""

    def run_with(child):
        run = OxmlElement("w:r")
        run.append(child)
        paragraph.append(run)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    run_with(code)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    text = OxmlElement("w:t")
    text.text = placeholder
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


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


def _with_fixed_times(docx: bytes) -> bytes:
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
