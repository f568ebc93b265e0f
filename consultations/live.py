"""Live rooms of the consultations area: a consultation, a breakout group (with presence)
and a discussion thread."""

from consultations.models import BreakoutGroup, Consultation, Thread
from portal import permissions
from portal.extensions import db
from portal.live import room_kind


@room_kind("consultation")
def may_follow_consultation(user, consultation_id: int) -> bool:
    consultation = db.session.get(Consultation, consultation_id)
    return consultation is not None and permissions.may_view_consultation(user, consultation)


@room_kind("thread")
def may_follow_thread(user, thread_id: int) -> bool:
    thread = db.session.get(Thread, thread_id)
    return thread is not None and permissions.may_read_thread(user, thread)


@room_kind("group", presence=True)
def may_follow_group(user, group_id: int) -> bool:
    group = db.session.get(BreakoutGroup, group_id)
    return group is not None and permissions.may_read_breakout(user, group)
