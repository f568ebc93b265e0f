"""The synthesis document: a Word file (python-docx) in one language, made from a saved
version. A title page; the synthesised recommendations by GCM objective, with their text; an
annex tracing each of them to its sources (consultation, reference, source text, result,
turnout, reservations by stakeholder group). Arabic is laid out right to left, as the outcome
document is (recommendations/outcome/docx_writing.py). The PDF is LibreOffice's (portal/pdf.py).
A pure function of the version and the language: the same version gives the same bytes."""

import io

from docx import Document
from flask_babel import force_locale
from flask_babel import gettext as _

from consultations.gcm import OBJECTIVES
from portal.i18n import RIGHT_TO_LEFT, language_name
from recommendations.outcome.content import LANGUAGE_TAGS
from recommendations.outcome.docx_writing import DocumentWriter, with_fixed_times
from reviews import provenance, versions
from reviews.models import SynthesisVersion

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def filename_of(version: SynthesisVersion, locale: str, extension: str) -> str:
    return f"{version.review.slug}-synthesis-v{version.number}-{locale}.{extension}"


def build_synthesis_docx(version: SynthesisVersion, locale: str) -> bytes:
    """The .docx of the version in ``locale``, its words in that language."""
    with force_locale(locale):
        return _SynthesisWriter(version, locale).write()


class _SynthesisWriter(DocumentWriter):
    def __init__(self, version: SynthesisVersion, locale: str):
        self.version, self.content, self.locale = version, version.content, locale
        self.rtl = locale in RIGHT_TO_LEFT
        self.language = LANGUAGE_TAGS.get(locale, locale)
        self.document = Document()
        self.headings: list = []
        self.style_ids: dict[str, str] = {}
        self.last_paragraph = None
        title = _("Synthesis of the recommendations: %(title)s", title=self.content["title"])
        self.labels = {"page": _("Page %(page)s of %(pages)s")}
        self.data = {"generated_at": version.created_at.isoformat(), "number": version.number,
                     "consultation": version.review.slug,
                     "properties": {"title": title, "subject": self.content["title"],
                                    "author": "", "keywords": "GCM",
                                    "category": _("Synthesis")}}

    def write(self) -> bytes:
        self.set_up()
        self.title_page()
        self.recommendations()
        self.annex()
        self.set_direction_and_language()
        buffer = io.BytesIO()
        self.document.save(buffer)
        return with_fixed_times(buffer.getvalue())

    def title_page(self) -> None:
        self.document.add_paragraph(self.data["properties"]["title"], style="Title")
        self.paragraph(_("Version %(number)d, saved on %(date)s (UTC)",
                         number=self.version.number,
                         date=self.version.created_at.strftime("%Y-%m-%d %H:%M")), "Subtitle")
        if self.version.note:
            self.paragraph(self.version.note)
        self.paragraph(_("Language of this document: %(language)s",
                         language=language_name(self.locale)))
        consultations = sorted({source["consultation"]["title"]
                                for entry in self.content["recommendations"]
                                for source in entry["sources"]})
        self.add_run(self.paragraph(), _("Consultations whose adopted recommendations it brings "
                                         "together:"), bold=True)
        for title in consultations:
            self.paragraph(title, "List Bullet")

    def text_of(self, entry: dict) -> str:
        return entry["texts"].get(self.locale) or _("The synthesised text in this language is "
                                                     "not written yet.")

    def recommendations(self) -> None:
        for objective, entries in versions.by_objective(self.content):
            heading = (_("GCM objective %(number)d: %(name)s", number=objective,
                         name=OBJECTIVES[objective]) if objective
                       else _("Without a GCM objective"))
            self.heading(1, heading, page_break=True)
            for entry in entries:
                self.heading(2, f"{entry['reference']}. {entry['title']}")
                self.paragraph(self.text_of(entry))
                if entry["objectives"]:
                    self.add_run(self.paragraph(), _("GCM objectives: %(numbers)s", numbers=", "
                                 .join(str(number) for number in entry["objectives"])),
                                 italic=True)

    def annex(self) -> None:
        self.heading(1, _("Annex: the sources of each synthesised recommendation"),
                     page_break=True)
        for entry in self.content["recommendations"]:
            self.heading(2, f"{entry['reference']}. {entry['title']}")
            for source in entry["sources"]:
                self.source(source)

    def source(self, source: dict) -> None:
        paragraph = self.paragraph()
        self.add_run(paragraph, f"{source['reference']}, {source['consultation']['title']}",
                     bold=True)
        self.paragraph(source["texts"].get(self.locale) or source["texts"][source["locale"]])
        self.paragraph(provenance.result_line(source["result"]))
        reservations = (source["result"] or {}).get("reservations", [])
        for reservation in reservations:
            self.paragraph(_("Reservation (%(group)s):", group=provenance.reservation_group_label(
                reservation["group"])) + " " + reservation["text"], "List Bullet")
