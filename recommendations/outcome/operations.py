"""The rules of outcome documents: compiling a numbered version, making its PDF, marking one
final, writing the parts people write and the cover's symbol and distribution line, and
agreeing to be named in the list of participants.

Once a version in a language is final, nothing in that language changes any more: no new
compilation, no other final version, no change to its written parts or to the translations
into it. Versions are never changed once stored (``models._keep_final_documents`` stands
behind the final ones).
"""

import hashlib

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import defer

from consultations.models import BreakoutGroup, Consultation, Registration
from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.config import LOCALES
from portal.database import utcnow
from portal.extensions import db
from portal.i18n import language_name
from portal.refusals import Refused
from recommendations.outcome import content, parts, pdf, words
from recommendations.outcome.models import (
    BreakoutSummary,
    Distribution,
    OutcomeCover,
    OutcomeDocument,
    OutcomeText,
)
from recommendations.outcome.word import build_docx

MAX_WRITTEN_LENGTH = 50_000
MAX_NAME_LENGTH = 500
MAX_SYMBOL_LENGTH = 80


class OutcomeRefused(Refused):
    """The action is refused; ``reason`` says why in the user's language."""


def _check_locale(locale: str) -> None:
    if locale not in LOCALES:
        raise OutcomeRefused(_("Choose one of the portal's languages."))


def final_document(consultation: Consultation, locale: str) -> OutcomeDocument | None:
    return db.session.scalar(
        select(OutcomeDocument).options(defer(OutcomeDocument.content),
                                        defer(OutcomeDocument.data), defer(OutcomeDocument.pdf))
        .where(OutcomeDocument.consultation_id == consultation.id,
               OutcomeDocument.locale == locale, OutcomeDocument.final.is_(True)))


def is_final(consultation: Consultation, locale: str) -> bool:
    """Whether the outcome in ``locale`` is final: then nothing in that language changes."""
    return final_document(consultation, locale) is not None


def _refuse_if_final(consultation: Consultation, locale: str) -> None:
    if is_final(consultation, locale):
        raise OutcomeRefused(_("The outcome document in %(language)s is final: nothing in "
                               "that language changes any more.",
                               language=language_name(locale)))


def documents_of(consultation: Consultation, locale: str | None = None, *,
                 final_only: bool = False) -> list[OutcomeDocument]:
    """Stored versions, newest first, without their files (which are large)."""
    query = (select(OutcomeDocument)
             .options(defer(OutcomeDocument.content), defer(OutcomeDocument.data),
                      defer(OutcomeDocument.pdf))
             .where(OutcomeDocument.consultation_id == consultation.id)
             .order_by(OutcomeDocument.locale, OutcomeDocument.number.desc()))
    if locale is not None:
        query = query.where(OutcomeDocument.locale == locale)
    if final_only:
        query = query.where(OutcomeDocument.final.is_(True))
    return db.session.scalars(query).all()


def _lock(consultation: Consultation) -> None:
    """Serialise compilations and finalisations of this consultation until the transaction
    ends (a row lock on PostgreSQL, the write lock on SQLite)."""
    db.session.execute(
        update(Consultation).where(Consultation.id == consultation.id)
        .values(slug=Consultation.slug).execution_options(synchronize_session=False))


def compile_outcome(consultation: Consultation, locale: str,
                    actor: User | None) -> OutcomeDocument:
    """Compile and store the next version of the outcome document in ``locale``. ``actor``
    is None when it is compiled from the command line."""
    if actor is not None and not permissions.may_compile_outcome(actor, consultation):
        raise OutcomeRefused(_("You may not compile the outcome of this consultation."))
    _check_locale(locale)
    _lock(consultation)
    _refuse_if_final(consultation, locale)
    number = db.session.scalar(
        select(func.coalesce(func.max(OutcomeDocument.number), 0)).where(
            OutcomeDocument.consultation_id == consultation.id,
            OutcomeDocument.locale == locale)) + 1
    generated_at = utcnow().replace(microsecond=0)
    outcome = content.outcome_of(consultation, locale, number=number,
                                 generated_at=generated_at)
    data = parts.as_data(outcome)
    docx = build_docx(data)
    document = OutcomeDocument(
        consultation=consultation, locale=locale, number=number, generated_at=generated_at,
        generated_by_id=actor.id if actor is not None else None,
        sha256=hashlib.sha256(docx).hexdigest(), content=docx, size=len(docx), data=data,
        missing_count=len(outcome.gaps))
    db.session.add(document)
    db.session.flush()
    record_event("outcome.compiled", actor=actor, target=document, consultation=consultation,
                 locale=locale, number=number, sha256=document.sha256,
                 missing=len(outcome.gaps), **({"by": "command line"} if actor is None else {}))
    return document


def stale_parts_of(document: OutcomeDocument) -> list[dict]:
    """The written parts that were flagged when the version was compiled: each names a
    recommendation whose state or result changed after the part was last edited."""
    return list((document.data or {}).get("stale") or [])


def mark_final(document: OutcomeDocument, actor: User, *,
               missing_acknowledged: bool = False, stale_acknowledged: bool = False) -> None:
    """Make ``document`` the final version in its language. A version with missing items, or
    with written parts flagged as written before a result changed, becomes final only when
    whoever marks it says they know."""
    consultation = document.consultation
    if not permissions.may_compile_outcome(actor, consultation):
        raise OutcomeRefused(_("You may not mark the outcome of this consultation final."))
    _lock(consultation)
    if document.final:
        raise OutcomeRefused(_("This version is final already."))
    _refuse_if_final(consultation, document.locale)
    if document.missing_count and not missing_acknowledged:
        raise OutcomeRefused(_("This version has items missing: confirm that it is final "
                               "all the same."))
    if stale_parts_of(document) and not stale_acknowledged:
        raise OutcomeRefused(_("A written part of this version names a recommendation whose "
                               "result changed after the part was written: check it, then "
                               "confirm that the version is final all the same."))
    document.final = True
    document.finalised_at = utcnow()
    document.finalised_by_id = actor.id
    db.session.flush()
    record_event("outcome.finalised", actor=actor, target=document, consultation=consultation,
                 locale=document.locale, number=document.number, sha256=document.sha256)


def store_pdf(document: OutcomeDocument, content: bytes, actor: User | None) -> bool:
    """Keep ``content`` as the PDF of ``document``, unless it has one already (then nothing
    changes: a PDF is made once). Returns whether it was kept."""
    if document.pdf is not None:
        return False
    document.pdf = content
    document.pdf_sha256 = hashlib.sha256(content).hexdigest()
    document.pdf_size = len(content)
    db.session.flush()
    record_event("outcome.pdf_made", actor=actor, target=document,
                 consultation=document.consultation, locale=document.locale,
                 number=document.number, sha256=document.pdf_sha256,
                 **({"by": "command line"} if actor is None else {}))
    return True


def make_pdf(document: OutcomeDocument, actor: User | None) -> OutcomeDocument:
    """Make and keep the PDF of ``document`` if it has none (``pdf.PdfUnavailable`` when
    LibreOffice is missing or fails). Waits for LibreOffice inside the transaction: for
    commands and tests; the download page makes it outside of any transaction first."""
    if document.pdf is None:
        store_pdf(document, pdf.pdf_of(document.content), actor)
    return document


def cover_of(consultation: Consultation) -> OutcomeCover | None:
    return db.session.scalar(select(OutcomeCover).where(
        OutcomeCover.consultation_id == consultation.id))


def save_cover(consultation: Consultation, actor: User, *, symbol: str,
               distribution: str) -> OutcomeCover:
    """Set the document symbol and the distribution line of the cover, in every language
    (the line's words are the portal's); empty, there is none."""
    if not permissions.may_compile_outcome(actor, consultation):
        raise OutcomeRefused(_("You may not set the cover of this consultation's outcome."))
    symbol = " ".join((symbol or "").split())
    if len(symbol) > MAX_SYMBOL_LENGTH:
        raise OutcomeRefused(_("A document symbol has %(count)d characters at most.",
                               count=MAX_SYMBOL_LENGTH))
    if distribution and distribution not in {choice.value for choice in Distribution}:
        raise OutcomeRefused(_("Choose one of the distributions offered."))
    cover = cover_of(consultation)
    if cover is None:
        cover = OutcomeCover(consultation=consultation)
        db.session.add(cover)
    cover.symbol, cover.distribution = symbol, distribution or ""
    cover.updated_at, cover.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("outcome.cover_saved", actor=actor, target=consultation,
                 consultation=consultation, symbol=symbol, distribution=cover.distribution)
    return cover


def _clean(text: str, limit: int = MAX_WRITTEN_LENGTH) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise OutcomeRefused(_("A text has %(count)d characters at most.", count=limit))
    return text


def save_outcome_text(consultation: Consultation, actor: User, locale: str, *,
                      executive_summary: str, introduction: str,
                      names: dict[str, str]) -> OutcomeText:
    """Write the executive summary, the introduction and the consultation's names in
    ``locale``. Only the names the document needs are kept; an empty one is dropped."""
    if not permissions.may_compile_outcome(actor, consultation):
        raise OutcomeRefused(_("You may not write the outcome of this consultation."))
    _check_locale(locale)
    _refuse_if_final(consultation, locale)
    wanted = set(words.names_to_translate(consultation, locale))
    kept = {}
    for original, translated in names.items():
        translated = _clean(translated, MAX_NAME_LENGTH).replace("\n", " ")
        if original in wanted and translated:
            kept[original] = translated
    written = words.outcome_text_of(consultation, locale)
    if written is None:
        written = OutcomeText(consultation=consultation, locale=locale)
        db.session.add(written)
    else:
        # Names for what the consultation no longer has stay, should it have them again.
        kept = {**{key: value for key, value in (written.names or {}).items()
                   if key not in wanted}, **kept}
    written.executive_summary = _clean(executive_summary)
    written.introduction = _clean(introduction)
    written.names = kept
    written.updated_at, written.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("outcome.texts_saved", actor=actor, target=written, consultation=consultation,
                 locale=locale)
    return written


def summary_of(group: BreakoutGroup, locale: str) -> BreakoutSummary | None:
    return db.session.scalar(select(BreakoutSummary).where(
        BreakoutSummary.breakout_group_id == group.id, BreakoutSummary.locale == locale))


def summaries_of(group: BreakoutGroup) -> dict[str, BreakoutSummary]:
    return {summary.locale: summary for summary in db.session.scalars(
        select(BreakoutSummary).where(BreakoutSummary.breakout_group_id == group.id))}


def save_breakout_summary(group: BreakoutGroup, actor: User, locale: str,
                          text: str) -> BreakoutSummary | None:
    """Write the group's summary in ``locale``; an empty text removes it."""
    consultation = group.round.consultation
    if not permissions.may_write_breakout_summary(actor, group):
        raise OutcomeRefused(_("Only the group's rapporteur and those who compile the outcome "
                               "write its summary."))
    _check_locale(locale)
    _refuse_if_final(consultation, locale)
    text = _clean(text)
    summary = summary_of(group, locale)
    if not text:
        if summary is not None:
            db.session.delete(summary)
            db.session.flush()
            record_event("outcome.breakout_summary_removed", actor=actor, target=group,
                         consultation=consultation, locale=locale)
        return None
    if summary is None:
        summary = BreakoutSummary(group=group, locale=locale)
        db.session.add(summary)
    summary.text = text
    summary.updated_at, summary.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("outcome.breakout_summary_saved", actor=actor, target=group,
                 consultation=consultation, locale=locale)
    return summary


def set_listing(registration: Registration, actor: User, listed: bool) -> None:
    """The person agrees (or no longer agrees) to be named in the list of participants."""
    if not permissions.is_own_registration(actor, registration):
        raise OutcomeRefused(_("Only you decide whether you are named."))
    if registration.listed_in_outcome == listed:
        return
    registration.listed_in_outcome = listed
    db.session.flush()
    record_event("registration.listing_changed", actor=actor, target=registration,
                 consultation=registration.consultation, listed=listed)
