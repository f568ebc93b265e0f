"""The outcome document as a Word file, built from an outcome as plain data.

``build_docx(data)`` takes what ``parts.as_data`` gives (or the same read back from JSON) and
returns the .docx bytes. It reads no database and translates nothing: every word comes in the
data. The same data gives the same bytes: the zip entries carry a fixed time, and the core
properties take theirs from the data's ``generated_at``.

The document uses Word's own styles (Title, Subtitle, Heading 1 to 3, List Number, List Bullet,
TOC Heading, toc 1 and 2, Table Grid, a "Numbered paragraph" style whose paragraphs are
numbered through the body as UN outcome documents number them, and a "Missing text" character
style for what is not available in its language), a header with the title and a footer with
the page number (PAGE and NUMPAGES fields) on every page but the cover, A4 pages, the language
set on every run of text, and right-to-left paragraphs, runs, tables and page layout for
Arabic.

The table of contents is a TOC field whose result already holds an entry for each heading of
levels 1 and 2, linked to a bookmark on the heading, with a PAGEREF field for its page: every
reader shows the entries, Word fills in the page numbers (it updates the fields on opening),
and so does LibreOffice when it lays the document out for the PDF (``pdf.pdf_of``).

The participation chart is drawn with paragraphs, not as an image: each bar is a paragraph
shaded in the bar's colour, as long as its count makes it, under its label and count written
as text in the document's language and script; the table below it stays as the accessible
text.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from recommendations.outcome.docx_writing import (
    NUMBERED_STYLE,
    TEXT_WIDTH,
    TOC_INSTRUCTION,
    DocumentWriter,
    add_field,
    indent_paragraph,
    open_field,
    shading_of,
    with_fixed_times,
)
from recommendations.outcome.prose import isolated


def build_docx(data: dict) -> bytes:
    """The .docx file of the outcome ``data``."""
    return _Writer(data).write()


class _Writer(DocumentWriter):
    def __init__(self, data: dict):
        self.data = data
        self.labels = data["labels"]
        self.rtl = bool(data["right_to_left"])
        self.language = data["language_tag"]
        self.document = Document()
        self.annexes = 0
        #: The headings of the table of contents: level, parts, bookmark.
        self.headings: list[tuple[int, tuple, str]] = []
        #: The paragraph the table of contents follows.
        self.contents_heading = None
        self.last_paragraph = None
        #: Style ids by name, found once: python-docx looks a name up among every style of
        #: the template (and its default) on each use.
        self.style_ids: dict[str, str] = {}

    # The file ------------------------------------------------------------------------------

    def write(self) -> bytes:
        self.set_up()
        self.cover()
        self.contents_heading = self.paragraph(self.labels["contents"], "TOC Heading")
        self.contents_heading.paragraph_format.page_break_before = True
        self.written_parts()
        self.participation()
        self.adopted()
        self.breakouts()
        self.annex_sections()
        self.contents()
        self.set_direction_and_language()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return with_fixed_times(buffer.getvalue())

    # Sections --------------------------------------------------------------------------------

    def cover(self) -> None:
        cover = self.data["cover"]
        # The top of a UN document's first page: symbol, distribution, date and original
        # language, at the end of the line (right in English, left in Arabic: Word and
        # LibreOffice read "right" as the end of a right-to-left paragraph).
        top = [(cover.get(key) or "") for key in ("symbol", "distribution", "date", "original")]
        for number, line in enumerate(top):
            if line:
                paragraph = self.paragraph()
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                paragraph.paragraph_format.space_after = Pt(0)
                self.add_run(paragraph, line, bold=number == 0)
        if any(top):
            self.paragraph()
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

    def contents(self) -> None:
        """The table of contents, after its heading: a TOC field whose result holds an entry
        per heading, each a link to the heading with a PAGEREF field for its page."""
        anchor = self.contents_heading._p
        entries = []
        for level, parts, bookmark in self.headings:
            paragraph = self.paragraph(style=f"toc {level}")
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), bookmark)
            link.set(qn("w:history"), "1")
            self.inline_parts(paragraph, parts)
            for run in list(paragraph._p.iterchildren(qn("w:r"))):
                link.append(run)
            tab = OxmlElement("w:r")
            tab.append(OxmlElement("w:tab"))
            link.append(tab)
            add_field(link, f"PAGEREF {bookmark} \\h")
            paragraph._p.append(link)
            entries.append(paragraph._p)
        if not entries:
            return
        open_field(entries[0], TOC_INSTRUCTION, dirty=True)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run = OxmlElement("w:r")
        run.append(end)
        entries[-1].append(run)
        for entry in reversed(entries):
            anchor.addnext(entry)

    def written_parts(self) -> None:
        self.heading(1, self.labels["executive_summary"])
        self.passage(self.data["executive_summary"], numbered=True)
        self.heading(1, self.labels["introduction"])
        self.passage(self.data["introduction"], numbered=True)

    def participation(self) -> None:
        participation = self.data["participation"]
        labels = self.labels
        self.heading(1, labels["participation"])
        self.paragraph(participation["lead"], NUMBERED_STYLE)
        self.heading(2, labels["by_group"])
        if participation.get("small_groups_note"):
            self.paragraph(participation["small_groups_note"], NUMBERED_STYLE)
        self.bars(participation["by_group"] or [])
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
            self.paragraph(sentence, NUMBERED_STYLE)

    def bars(self, figures: list[dict]) -> None:
        """The bar chart of the participants by stakeholder group, as paragraphs: for each
        row its label and count, then its bar, a paragraph shaded in the row's colour whose
        end is set in by the share of the width its count does not take. Bars start where
        the text does: at the left in English, at the right in Arabic."""
        largest = max((figure["count"] for figure in figures), default=0)
        if largest <= 0:
            return
        for figure in figures:
            label = self.paragraph()
            label.paragraph_format.keep_with_next = True
            label.paragraph_format.space_after = Pt(1)
            self.add_run(label, self.labels["colon"] % {"label": figure["label"]})
            self.add_run(label, f" {figure['count']}", bold=True)
            bar = self.paragraph()
            bar.paragraph_format.space_after = Pt(6)
            bar.paragraph_format.line_spacing = Pt(9)
            properties = bar._p.get_or_add_pPr()
            if figure["count"] > 0:
                properties.insert_element_before(
                    shading_of(figure["colour"]), "w:tabs", "w:suppressAutoHyphens",
                    "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct",
                    "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
                    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                    "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId",
                    "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
            rest = TEXT_WIDTH - round(TEXT_WIDTH * figure["count"] / largest)
            indent_paragraph(bar, 0, 0, end=rest)

    def recommendation(self, entry: dict, level: int = 3) -> None:
        self.heading(level, f"{entry['reference']}. ", entry["title"])
        self.passage(entry["text"])
        # The text's last paragraph stays on the page of the line under it.
        self.last_paragraph.paragraph_format.keep_with_next = True
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
        paragraph.paragraph_format.keep_with_next = True
        labels = self.labels
        rows = [[count["choice"], count["devices"], count["in_room"], count["total"]]
                for count in result["counts"]]
        rows.append([labels["total"], *[sum(row[column] for row in rows)
                                         for column in (1, 2, 3)]])
        self.table([labels["choice"], labels["devices"], labels["in_room"], labels["total"]],
                   rows, caption=f"{labels['result']}: {entry['reference']}",
                   numeric=(1, 2, 3), widths=[7.0, 3.0, 3.0, 3.0], total_row=True)
        self.paragraph(result["turnout"])
        if result.get("rule"):
            self.paragraph(result["rule"])
        if result["reservations"]:
            heading = self.paragraph()
            heading.paragraph_format.keep_with_next = True
            self.add_run(heading, labels["reservations"], bold=True)
            # The participants' words, in whatever language they wrote them, isolated
            # within the sentence that quotes them.
            self.numbered([(labels["quote"] if reservation["by"]
                            else labels["quote_unattributed"]) % {
                               "text": isolated(reservation["text"]),
                               "by": isolated(reservation["by"])}
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
            self.passage(entry["summary"], numbered=True)

    def annex(self, title: str) -> None:
        self.annexes += 1
        self.heading(2, self.labels["annex"] % {"number": self.annexes, "title": title})

    def annex_sections(self) -> None:
        data, labels = self.data, self.labels
        self.heading(1, labels["annexes"], page_break=True)
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
                       caption=labels["agenda"], widths=[5.6, 7.4, 3.0])
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
