"""Versions of a synthesis: "save a version" freezes every synthesised recommendation, its
texts in each language, its sources and their provenance (reviews/provenance.py) into
``SynthesisVersion.content``, numbered. Documents, silence procedures and the API read a
version, never the synthesis being edited."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import permissions
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.permissions import demand
from reviews import provenance
from reviews.models import Review, SynthesisVersion
from reviews.synthesis import SynthesisRefused, groups_of

MAX_NOTE_LENGTH = 500


def content_of(review: Review) -> dict:
    """The synthesis as it stands, frozen: plain JSON."""
    return {
        "title": review.title,
        "languages": provenance.languages_of(review),
        "recommendations": [{
            "id": group.id, "number": group.number, "reference": group.reference,
            "title": group.title, "objectives": list(group.gcm_objectives),
            "texts": {text.locale: text.text for text in group.texts if text.text.strip()},
            "sources": [provenance.provenance_of(source.recommendation)
                        for source in group.sources],
        } for group in groups_of(review)],
    }


def save_version(review: Review, actor, note: str = "") -> SynthesisVersion:
    demand(permissions.may_build_synthesis(actor, review))
    if len(note) > MAX_NOTE_LENGTH:
        raise SynthesisRefused(_("The note is longer than %(count)d characters.",
                                 count=MAX_NOTE_LENGTH))
    content = content_of(review)
    if not content["recommendations"]:
        raise SynthesisRefused(_("Group at least one recommendation before saving a version."))
    number = (db.session.scalar(select(func.max(SynthesisVersion.number))
                                .where(SynthesisVersion.review_id == review.id)) or 0) + 1
    version = SynthesisVersion(review_id=review.id, number=number, note=note.strip(),
                               content=content, created_at=utcnow(), created_by_id=actor.id)
    db.session.add(version)
    db.session.flush()
    record_event("synthesis.version_saved", actor=actor, target=version, review=review.id,
                 number=number)
    return version


def versions_of(review: Review) -> list[SynthesisVersion]:
    return list(db.session.scalars(select(SynthesisVersion).where(
        SynthesisVersion.review_id == review.id).order_by(SynthesisVersion.number.desc())))


def version_numbered(review: Review, number: int) -> SynthesisVersion | None:
    return db.session.scalar(select(SynthesisVersion).where(
        SynthesisVersion.review_id == review.id, SynthesisVersion.number == number))


def by_objective(content: dict) -> list[tuple[int | None, list[dict]]]:
    """The version's recommendations by GCM objective (each under its first objective; those
    without one last), for the document and the version's page."""
    sections: dict[int | None, list[dict]] = {}
    for entry in content["recommendations"]:
        first = min(entry["objectives"]) if entry["objectives"] else None
        sections.setdefault(first, []).append(entry)
    return sorted(sections.items(), key=lambda item: (item[0] is None, item[0] or 0))
