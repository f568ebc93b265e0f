"""Live rooms of the consultations area."""

from consultations.models import Consultation
from portal import permissions
from portal.extensions import db
from portal.live import room_kind


@room_kind("consultation")
def may_follow_consultation(user, consultation_id: int) -> bool:
    consultation = db.session.get(Consultation, consultation_id)
    return consultation is not None and permissions.may_view_consultation(user, consultation)
