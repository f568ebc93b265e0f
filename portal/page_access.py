"""What every page of a consultation does first: find the consultation at its address, find a
row within it, and answer 403 when a permission says no (portal/permissions.py asks).

Every area's views use these; they are not any one area's views."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from consultations.models import Consultation
from portal import permissions
from portal.database import is_row_id
from portal.extensions import db


def load_consultation(slug: str) -> Consultation:
    """The consultation at this address, or 404 (a draft is not acknowledged to outsiders)."""
    consultation = db.first_or_404(select(Consultation).where(Consultation.slug == slug))
    if not permissions.may_view_consultation(current_user, consultation):
        abort(404)
    return consultation


def load_within(consultation: Consultation, model, identifier):
    """The ``model`` row with this id if it belongs to the consultation, else 404."""
    item = db.session.get(model, identifier) if is_row_id(identifier) else None
    if item is None or item.consultation_id != consultation.id:
        abort(404)
    if getattr(item, "anonymised_at", None) is not None:
        # An anonymised registration is counted, but nobody's to check in, move or decide.
        abort(404)
    return item


def consultations_by_title() -> list[tuple[int, str]]:
    """Every consultation's id and title, by title: the choices of lists that cover them all
    (the audit log's filter)."""
    return db.session.execute(
        select(Consultation.id, Consultation.title).order_by(Consultation.title)).all()


def working_language_of(slug: str, available: list[str]) -> str | None:
    """The first working language of the consultation at this address that the interface is
    available in."""
    languages = db.session.scalar(
        select(Consultation.working_languages).where(Consultation.slug == slug))
    return next((code for code in languages or [] if code in available), None)


def require(allowed: bool) -> None:
    """403 unless ``allowed``, a permission's answer."""
    if not allowed:
        abort(403)
