"""Live rooms of the consultations area: a consultation, a breakout group (with presence)
and a discussion thread."""

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from consultations import discussion
from consultations.models import (
    AgendaItem,
    BreakoutAssignment,
    BreakoutGroup,
    Comment,
    Consultation,
    Registration,
    Thread,
)
from portal import permissions
from portal.extensions import db
from portal.live import access_depends_on, room_kind

#: The most comments a thread's snapshot carries; a client that missed more reloads the page.
SNAPSHOT_COMMENTS = 500


def thread_snapshot(thread_id: int, since: datetime | None) -> dict:
    """The comments of a thread written, edited, deleted or hidden since ``since``, as the
    ``comment_*`` events carry them: what a client missed while it was away. None on a first
    join (the page holds the thread as it was)."""
    if since is None:
        return {"comments": [], "complete": True}
    changed = db.session.scalars(
        select(Comment)
        .where(Comment.thread_id == thread_id,
               or_(Comment.created_at > since, Comment.edited_at > since,
                   Comment.deleted_at > since, Comment.hidden_at > since))
        .options(selectinload(Comment.author),
                 selectinload(Comment.author_registration).load_only(
                     Registration.stakeholder_group, Registration.country),
                 selectinload(Comment.thread).selectinload(Thread.consultation))
        .order_by(Comment.id)
        .limit(SNAPSHOT_COMMENTS + 1)
    ).all()
    return {"comments": [discussion.live_payload(comment)
                         for comment in changed[:SNAPSHOT_COMMENTS]],
            "complete": len(changed) <= SNAPSHOT_COMMENTS}


@room_kind("consultation")
def may_follow_consultation(user, consultation_id: int) -> bool:
    consultation = db.session.get(Consultation, consultation_id)
    return consultation is not None and permissions.may_view_consultation(user, consultation)


@room_kind("thread", snapshot=thread_snapshot)
def may_follow_thread(user, thread_id: int) -> bool:
    thread = db.session.get(Thread, thread_id)
    return thread is not None and permissions.may_read_thread(user, thread)


@room_kind("group", presence=True)
def may_follow_group(user, group_id: int) -> bool:
    group = db.session.get(BreakoutGroup, group_id)
    return group is not None and permissions.may_read_breakout(user, group)


# Changes that can take rooms away from someone (portal/live.py): a registration cancelled,
# declined or given another role, and a place in a breakout group moved, concern their
# person; a group's leads, a round's publication and a consultation's status concern
# everyone following it.
@access_depends_on(Registration)
def _registration_concerns(registration: Registration) -> list[int]:
    return [registration.user_id] if registration.user_id is not None else []


@access_depends_on(BreakoutAssignment)
def _assignment_concerns(assignment: BreakoutAssignment) -> list[int]:
    registration = db.session.get(Registration, assignment.registration_id)
    return [registration.user_id] if registration and registration.user_id else []


@access_depends_on(BreakoutGroup)
@access_depends_on(AgendaItem)
@access_depends_on(Consultation)
def _everyone_concerned(changed) -> None:
    return None
