"""The consultations area's pages: one blueprint, its handlers grouped by what they serve."""

from flask import Blueprint, abort
from flask_login import current_user
from sqlalchemy import select

from consultations.models import Consultation
from portal import permissions
from portal.database import is_row_id
from portal.extensions import db

blueprint = Blueprint("consultations", __name__)


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


def require(allowed: bool) -> None:
    if not allowed:
        abort(403)


from consultations.views import (  # noqa: E402, F401  (they add their routes)
    breakouts,
    discussion,
    public,
    registration,
    setup,
)
