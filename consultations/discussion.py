"""The rules of discussion: threads, comments with one level of replies, edits that keep
their earlier text, deletion by the author, hiding and flags for moderation, and how authors
are named (never by name to other participants under Chatham House)."""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consultations.markup import comment_excerpt, render_comment
from consultations.models import (
    BreakoutGroup,
    Comment,
    CommentFlag,
    CommentRevision,
    Consultation,
    Registration,
    Thread,
)
from consultations.models.discussion import MAX_COMMENT_LENGTH
from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.countries import country_name
from portal.database import utcnow
from portal.extensions import db
from portal.live import broadcast_after_commit
from portal.refusals import Refused


class CommentRefused(Refused):
    """The comment cannot be stored; ``reason`` says why in the user's language."""


def _tell_followers(event: str, comment: Comment) -> None:
    """Push the comment as it now is to everyone following its thread, once committed."""
    broadcast_after_commit(event, live_payload(comment), f"thread:{comment.thread_id}")


def plenary_thread(consultation: Consultation) -> Thread:
    """The plenary space's general thread, made on first use."""
    thread = db.session.scalar(
        select(Thread).where(Thread.consultation_id == consultation.id,
                             Thread.breakout_group_id.is_(None))
        .order_by(Thread.position, Thread.id).limit(1))
    if thread is None:
        thread = Thread(consultation=consultation, title=_("Plenary"), position=0)
        db.session.add(thread)
        db.session.flush()
    return thread


def sync_guiding_threads(group: BreakoutGroup) -> None:
    """One thread per guiding question of the group, in the questions' order."""
    existing = db.session.scalars(
        select(Thread).where(Thread.breakout_group_id == group.id, Thread.guiding_question)
        .order_by(Thread.position)).all()
    for position, question in enumerate(group.guiding_questions):
        if position < len(existing):
            existing[position].title = question
        else:
            db.session.add(Thread(consultation_id=group.round.consultation_id,
                                  breakout_group_id=group.id, title=question,
                                  guiding_question=True, position=position))
    db.session.flush()


def add_thread(consultation: Consultation, actor: User, title: str,
               group: BreakoutGroup | None = None) -> Thread:
    permissions.demand(permissions.may_moderate(actor, consultation))
    position = db.session.scalar(
        select(func.coalesce(func.max(Thread.position), 0)).where(
            Thread.consultation_id == consultation.id,
            Thread.breakout_group_id == (group.id if group else None))) + 1
    thread = Thread(consultation=consultation, breakout_group=group, title=title,
                    position=position, created_by_id=actor.id)
    db.session.add(thread)
    db.session.flush()
    record_event("thread.added", actor=actor, target=thread, consultation=consultation,
                 title=title)
    return thread


def threads_of(consultation: Consultation, group: BreakoutGroup | None) -> list[Thread]:
    return db.session.scalars(
        select(Thread).where(Thread.consultation_id == consultation.id,
                             Thread.breakout_group_id == (group.id if group else None))
        .order_by(Thread.position, Thread.id)).all()


def comment_counts(threads: list[Thread]) -> dict[int, int]:
    if not threads:
        return {}
    return dict(db.session.execute(
        select(Comment.thread_id, func.count()).where(
            Comment.thread_id.in_([thread.id for thread in threads]),
            Comment.deleted_at.is_(None), Comment.hidden_at.is_(None))
        .group_by(Comment.thread_id)).all())


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise CommentRefused(_("Write something first."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise CommentRefused(_("A comment has %(count)d characters at most.",
                               count=MAX_COMMENT_LENGTH))
    return body


def post_comment(thread: Thread, author: User, body: str,
                 parent: Comment | None = None) -> Comment:
    if not permissions.may_write_in_thread(author, thread):
        raise CommentRefused(_("You may not write in this thread."))
    body = _clean_body(body)
    if parent is not None:
        if parent.thread_id != thread.id:
            raise CommentRefused(_("You can only reply within the same thread."))
        # Replies are one level deep: a reply to a reply joins the same conversation.
        if parent.parent_id is not None:
            parent = db.session.get(Comment, parent.parent_id)
    comment = Comment(thread=thread, author_id=author.id, body=body,
                      parent_id=parent.id if parent else None,
                      author_registration=permissions.registration_of(
                          author, thread.consultation))
    db.session.add(comment)
    db.session.flush()
    _tell_followers("comment_created", comment)
    return comment


def edit_comment(comment: Comment, author: User, body: str) -> None:
    if not permissions.is_author(author, comment) or not comment.is_visible:
        raise CommentRefused(_("Only its author can edit a comment."))
    if not permissions.may_edit_comment(author, comment):
        raise CommentRefused(_("You may not write in this thread."))
    body = _clean_body(body)
    if body != comment.body:
        comment.revisions.append(CommentRevision(
            body=comment.body, written_at=comment.edited_at or comment.created_at))
        comment.body = body
        comment.edited_at = utcnow()
        db.session.flush()
    _tell_followers("comment_updated", comment)


def delete_comment(comment: Comment, author: User) -> None:
    """The author takes the comment back: its text and earlier texts are erased."""
    if not permissions.may_delete_comment(author, comment):
        raise CommentRefused(_("Only its author can delete a comment."))
    comment.body = ""
    comment.revisions.clear()
    comment.deleted_at = utcnow()
    db.session.flush()
    _tell_followers("comment_updated", comment)


def hide_comment(comment: Comment, moderator: User, reason: str) -> None:
    permissions.demand(permissions.may_moderate(moderator, comment.thread.consultation))
    reason = (reason or "").strip()
    if not reason:
        raise CommentRefused(_("Say why the comment is hidden."))
    comment.hidden_at = utcnow()
    comment.hidden_by_id = moderator.id
    comment.hidden_reason = reason[:500]
    _resolve_flags(comment, moderator)
    db.session.flush()
    _tell_followers("comment_hidden", comment)
    record_event("comment.hidden", actor=moderator, target=comment,
                 consultation=comment.thread.consultation, reason=comment.hidden_reason,
                 excerpt=comment_excerpt(comment.body, 80))


def restore_comment(comment: Comment, moderator: User) -> None:
    permissions.demand(permissions.may_moderate(moderator, comment.thread.consultation))
    comment.hidden_at = None
    comment.hidden_by_id = None
    db.session.flush()
    _tell_followers("comment_updated", comment)
    record_event("comment.restored", actor=moderator, target=comment,
                 consultation=comment.thread.consultation)


def flag_comment(comment: Comment, user: User, reason: str) -> CommentFlag:
    permissions.demand(permissions.may_flag_comment(user, comment))
    reason = (reason or "").strip()
    if not reason:
        raise CommentRefused(_("Say what is wrong with the comment."))
    flag = db.session.scalar(select(CommentFlag).where(
        CommentFlag.comment_id == comment.id, CommentFlag.user_id == user.id))
    if flag is None:
        flag = CommentFlag(comment=comment, user_id=user.id, reason=reason[:500])
        db.session.add(flag)
    else:
        flag.reason, flag.resolved_at = reason[:500], None
    db.session.flush()
    return flag


def dismiss_flags(comment: Comment, moderator: User) -> None:
    """The moderator lets the comment stand."""
    permissions.demand(permissions.may_moderate(moderator, comment.thread.consultation))
    _resolve_flags(comment, moderator)
    db.session.flush()
    record_event("comment.flags_dismissed", actor=moderator, target=comment,
                 consultation=comment.thread.consultation)


def _resolve_flags(comment: Comment, moderator: User) -> None:
    for flag in db.session.scalars(select(CommentFlag).where(
            CommentFlag.comment_id == comment.id, CommentFlag.resolved_at.is_(None))):
        flag.resolved_at, flag.resolved_by_id = utcnow(), moderator.id


def moderation_queue(consultation: Consultation) -> list[tuple[Comment, list[CommentFlag]]]:
    flags = db.session.scalars(
        select(CommentFlag).join(CommentFlag.comment).join(Comment.thread)
        .where(Thread.consultation_id == consultation.id, CommentFlag.resolved_at.is_(None))
        .options(selectinload(CommentFlag.comment).selectinload(Comment.author))
        .order_by(CommentFlag.created_at)).all()
    queue: dict[int, tuple[Comment, list[CommentFlag]]] = {}
    for flag in flags:
        queue.setdefault(flag.comment_id, (flag.comment, []))[1].append(flag)
    return list(queue.values())


def comments_for_page(thread: Thread) -> list[Comment]:
    """Every comment of the thread with what the page shows of it, in a fixed few queries."""
    return db.session.scalars(
        select(Comment).where(Comment.thread_id == thread.id)
        .options(selectinload(Comment.author),
                 selectinload(Comment.author_registration))
        .order_by(Comment.id)).all()


def author_label(comment: Comment, show_names: bool) -> str:
    """How the author is named: their name, or under Chatham House their stakeholder group
    and country ("Civil society, Senegal")."""
    registration: Registration | None = comment.author_registration
    if show_names and comment.author is not None:
        return comment.author.name
    if registration is None:
        return _("Deleted participant")
    return _("%(group)s, %(country)s", group=registration.stakeholder_group.label,
             country=country_name(registration.country))


def live_payload(comment: Comment) -> dict:
    """What is pushed to everyone following the thread; it never names the author under
    Chatham House, since the room mixes participants and moderators."""
    consultation = comment.thread.consultation
    show_names = consultation.attribution_rule.value != "chatham_house"
    if comment.deleted_at:
        state, html = "deleted", ""
    elif comment.hidden_at:
        state, html = "hidden", ""
    else:
        state, html = "visible", str(render_comment(comment.body))
    return {
        "id": comment.id,
        "thread_id": comment.thread_id,
        "parent_id": comment.parent_id,
        "author": author_label(comment, show_names),
        "author_id": comment.author_id if show_names else None,
        "state": state,
        "html": html,
        "created_at": comment.created_at.isoformat(),
        "edited": comment.edited_at is not None,
    }


def registration_label(registration: Registration, show_names: bool) -> str:
    """A member of a group as the viewer may see them."""
    if show_names:
        return f"{registration.user.name} ({registration.organisation})"
    return _("%(group)s, %(country)s", group=registration.stakeholder_group.label,
             country=country_name(registration.country))
