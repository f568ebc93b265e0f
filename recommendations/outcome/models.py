"""Compiled outcome documents, and the parts of them that people write, per language."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from consultations.models import BreakoutGroup, Consultation
from portal.accounts.models import User
from portal.database import LabelledEnum, UTCDateTime, label_members, utcnow
from portal.extensions import db


class OutcomeDocument(db.Model):
    """One compilation of a consultation's outcome document in one language.

    Versions are numbered per consultation and language (the French versions are 1, 2, 3
    whatever the English ones are), so that "version 3" names one file. The file itself is
    kept in the database, so that backups hold it. A document never changes once stored;
    one version per language can be marked final, after which nothing in that language
    changes any more.
    """

    __tablename__ = "outcome_documents"
    __table_args__ = (UniqueConstraint("consultation_id", "locale", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    number: Mapped[int]
    generated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: None when compiled from the command line.
    generated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    #: SHA-256 of ``content``, in hexadecimal.
    sha256: Mapped[str] = mapped_column(String(64))
    #: The .docx file.
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int]
    #: The outcome the file was built from (``content.Outcome`` as JSON): its HTML view and
    #: the archive's JSON file.
    data: Mapped[dict] = mapped_column(JSON)
    #: How many items were missing in this language when it was compiled.
    missing_count: Mapped[int] = mapped_column(default=0)
    final: Mapped[bool] = mapped_column(default=False)
    #: The same document as PDF, made by LibreOffice from ``content`` the first time it is
    #: asked for (``pdf.pdf_of``), then kept: never made again, never changed.
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: SHA-256 of ``pdf``, in hexadecimal.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None]
    finalised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    consultation: Mapped[Consultation] = relationship()
    generated_by: Mapped[User | None] = relationship(foreign_keys=[generated_by_id])
    finalised_by: Mapped[User | None] = relationship(foreign_keys=[finalised_by_id])

    @property
    def filename(self) -> str:
        return f"{self.consultation.slug}-outcome-{self.locale}-v{self.number}.docx"

    @property
    def pdf_filename(self) -> str:
        return self.filename.removesuffix(".docx") + ".pdf"


#: Every column of a stored document but its PDF: none of them changes once the document is
#: final.
_FROZEN = ("consultation_id", "locale", "number", "generated_at", "generated_by_id", "sha256",
           "content", "size", "data", "missing_count", "final", "finalised_at",
           "finalised_by_id")
#: The PDF's columns: set once, when the PDF is first made, and never changed after.
_SET_ONCE = ("pdf", "pdf_sha256", "pdf_size")


class FinalDocumentChanged(Exception):
    """Something tried to change or delete a final outcome document."""


def _was_final(document: OutcomeDocument) -> bool:
    """Whether the document was final before the changes now being flushed."""
    history = db.inspect(document).attrs.final.history
    if history.deleted:
        return bool(history.deleted[0])
    if history.unchanged:
        return bool(history.unchanged[0])
    return bool(document.final) and not history.added


@event.listens_for(Session, "before_flush")
def _keep_final_documents(session: Session, flush_context, instances) -> None:
    """A final document is never changed nor deleted, and the PDF of any document is never
    changed once made, whatever code asks for it."""
    for document in session.dirty:
        if not isinstance(document, OutcomeDocument):
            continue
        state = db.inspect(document)
        if _was_final(document) and any(state.attrs[name].history.has_changes()
                                         for name in _FROZEN):
            raise FinalDocumentChanged(f"outcome document {document.id} is final")
        for name in _SET_ONCE:
            history = state.attrs[name].history
            if history.has_changes() and any(value is not None for value in history.deleted):
                raise FinalDocumentChanged(f"the PDF of outcome document {document.id} is made")
    for document in session.deleted:
        if isinstance(document, OutcomeDocument) and _was_final(document):
            raise FinalDocumentChanged(f"outcome document {document.id} is final")


class OutcomeText(db.Model):
    """The parts of the outcome document the secretariat writes, in one language."""

    __tablename__ = "outcome_texts"
    __table_args__ = (UniqueConstraint("consultation_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    executive_summary: Mapped[str] = mapped_column(Text, default="")
    introduction: Mapped[str] = mapped_column(Text, default="")
    #: The consultation's own names (its title, themes, agenda items, breakout groups) in
    #: this language, by the name as written in the consultation's main language.
    names: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()


class Distribution(LabelledEnum):
    """Who a document is for, as the distribution line of UN documents says it."""

    general = "general"
    limited = "limited"
    restricted = "restricted"


DISTRIBUTION_LABELS = label_members(Distribution, {
    Distribution.general: _l("General"),
    Distribution.limited: _l("Limited"),
    Distribution.restricted: _l("Restricted"),
})


class OutcomeCover(db.Model):
    """What the secretariat sets on the cover of the outcome document, in every language: its
    document symbol and its distribution line, both optional."""

    __tablename__ = "outcome_covers"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    #: The document symbol, as UN documents carry it (e.g. "IOM/RT/DAKAR/2024/1"); "" for none.
    symbol: Mapped[str] = mapped_column(String(80), default="")
    #: A ``Distribution`` value, or "" for no distribution line.
    distribution: Mapped[str] = mapped_column(String(20), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()


class BreakoutSummary(db.Model):
    """What a breakout group discussed and concluded, written by its rapporteur, in one
    language."""

    __tablename__ = "breakout_summaries"
    __table_args__ = (UniqueConstraint("breakout_group_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    breakout_group_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group: Mapped[BreakoutGroup] = relationship()
    updated_by: Mapped[User | None] = relationship()
