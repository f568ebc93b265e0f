"""What the consultations area holds about a person, for the export of their data and for
taking them out of the record (portal/accounts/personal_records.py walks it).

Registrations are anonymised rather than deleted: they stay in the counts by status,
stakeholder group, country and attendance, without what identifies the person.
"""

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from consultations.models import (
    AgendaItem,
    AgendaItemTranslation,
    BreakoutAssignment,
    BreakoutChoice,
    BreakoutGroup,
    BreakoutGroupTranslation,
    CalendarFeed,
    Comment,
    CommentFlag,
    Consultation,
    ConsultationStatus,
    ConsultationTranslation,
    Invitation,
    Registration,
    RegistrationAnswer,
    RegistrationStatus,
    Role,
    Thread,
)
from consultations.registrations import promote_from_waitlist
from portal.accounts.personal_records import Holder, Link, Person, fields, plain, register
from portal.extensions import db

#: Consultation statuses before the event: a deleted registration gives its place back.
BEFORE_THE_EVENT = {ConsultationStatus.draft, ConsultationStatus.registration_open}


def in_consultation(column, consultation_id):
    """Rows whose ``column`` (a consultation id) is the consultation's."""
    return column == consultation_id


def of_groups(column, consultation_id):
    groups = select(BreakoutGroup.id).join(AgendaItem).where(
        AgendaItem.consultation_id == consultation_id)
    return column.in_(groups)


def _of_items(column, consultation_id):
    return column.in_(select(AgendaItem.id).where(AgendaItem.consultation_id == consultation_id))


def _of_threads(consultation_id):
    return Comment.thread_id.in_(
        select(Thread.id).where(Thread.consultation_id == consultation_id))


def _of_comments(column, consultation_id):
    return column.in_(select(Comment.id).where(_of_threads(consultation_id)))


def anonymise_registration(registration: Registration, now: datetime) -> bool:
    """Remove what identifies the person from the registration; returns whether it held an
    approved place that is now free. Before the event the place goes back; a registration
    still waiting for a decision or a place is cancelled, since nobody can take it up."""
    freed = False
    waiting = registration.status in {RegistrationStatus.pending, RegistrationStatus.waitlisted}
    if waiting or (registration.consultation.status in BEFORE_THE_EVENT
                   and registration.status == RegistrationStatus.approved):
        freed = (registration.status == RegistrationStatus.approved
                 and registration.role == Role.participant)
        registration.status = RegistrationStatus.cancelled
        registration.status_changed_at = now
        registration.waitlisted_at = None
    registration.user_id = None
    registration.organisation = ""
    registration.languages = []
    registration.interpretation_language = None
    registration.accessibility_needs = ""
    registration.notes = ""
    registration.listed_in_outcome = False
    registration.anonymised_at = now
    return freed


def consultations_left_without_facilitator(user) -> list[Consultation]:
    """The consultations, not archived, of which the user is the only approved facilitator."""
    facilitated = db.session.scalars(
        select(Consultation).join(Registration).where(
            Registration.user_id == user.id, Registration.role == Role.facilitator,
            Registration.status == RegistrationStatus.approved,
            Consultation.status != ConsultationStatus.archived)
        .order_by(Consultation.title)).all()
    alone = []
    for consultation in facilitated:
        others = db.session.scalar(
            select(func.count()).select_from(Registration).where(
                Registration.consultation_id == consultation.id,
                Registration.role == Role.facilitator,
                Registration.status == RegistrationStatus.approved,
                Registration.user_id.is_not(None), Registration.user_id != user.id))
        if not others:
            alone.append(consultation)
    return alone


def _registration(registration: Registration) -> dict:
    consultation = registration.consultation
    answers = [{"question": answer.question.prompt, "answer": plain(answer.value)}
               for answer in registration.answers]
    assignments = db.session.scalars(select(BreakoutAssignment).where(
        BreakoutAssignment.registration_id == registration.id)).all()
    choices = db.session.scalars(select(BreakoutChoice).where(
        BreakoutChoice.registration_id == registration.id)).all()
    return {
        "consultation": consultation.slug,
        "consultation_title": consultation.title,
        **fields(registration, "id", "role", "status", "organisation", "stakeholder_group",
                 "country", "attendance", "languages", "interpretation_language",
                 "accessibility_needs", "notes", "listed_in_outcome", "checked_in_at",
                 "created_at", "status_changed_at", "waitlisted_at"),
        "consent": {"text": consultation.consent_text,
                    "given_at": plain(registration.consented_at)},
        "answers": answers,
        "breakout_assignments": [
            {"round": assignment.group.round.title, "group": assignment.group.name,
             "assigned_at": plain(assignment.assigned_at)} for assignment in assignments],
        "breakout_choices": [
            {"round_id": choice.round_id, "group_id": choice.group_id,
             "chosen_at": plain(choice.chosen_at)} for choice in choices],
    }


def _comments(user, slugs: dict[int, str]) -> list[dict]:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)).all()
    return [{
        "consultation": slugs.get(comment.thread.consultation_id),
        "thread": comment.thread.title,
        **fields(comment, "id", "parent_id", "body", "created_at", "edited_at", "deleted_at",
                 "hidden_at", "hidden_reason"),
        "revisions": [fields(revision, "body", "written_at")
                      for revision in comment.revisions],
    } for comment in comments]


def _flags(user) -> list[dict]:
    flags = db.session.scalars(
        select(CommentFlag).where(CommentFlag.user_id == user.id).order_by(CommentFlag.id)).all()
    return [fields(flag, "comment_id", "reason", "created_at", "resolved_at") for flag in flags]


def _invitations(user, slugs: dict[int, str]) -> list[dict]:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id)).all()
    return [{"consultation": slugs.get(invitation.consultation_id),
             **fields(invitation, "email", "name", "organisation", "stakeholder_group",
                      "country", "role", "created_at", "sent_at", "accepted_at")}
            for invitation in invitations]


def _calendar_feed(user) -> dict | None:
    """When the secret address of the person's calendar was made; never its token."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    return fields(feed, "created_at") if feed is not None else None


class ConsultationRecords(Holder):
    user_links = (
        Link(CalendarFeed.user_id, "account"),
        Link(Consultation.created_by_id, "unlink", lambda cid: Consultation.id == cid),
        Link(Registration.user_id, "anonymise",
             lambda cid: in_consultation(Registration.consultation_id, cid)),
        Link(Invitation.invited_by_id, "unlink",
             lambda cid: in_consultation(Invitation.consultation_id, cid)),
        Link(BreakoutGroup.facilitator_id, "unlink",
             lambda cid: of_groups(BreakoutGroup.id, cid)),
        Link(BreakoutGroup.rapporteur_id, "unlink",
             lambda cid: of_groups(BreakoutGroup.id, cid)),
        Link(Thread.created_by_id, "unlink",
             lambda cid: in_consultation(Thread.consultation_id, cid)),
        Link(Comment.author_id, "unlink", _of_threads),
        Link(Comment.hidden_by_id, "unlink", _of_threads),
        Link(CommentFlag.user_id, "unlink",
             lambda cid: _of_comments(CommentFlag.comment_id, cid)),
        Link(CommentFlag.resolved_by_id, "unlink",
             lambda cid: _of_comments(CommentFlag.comment_id, cid)),
        Link(ConsultationTranslation.updated_by_id, "unlink",
             lambda cid: in_consultation(ConsultationTranslation.consultation_id, cid)),
        Link(BreakoutGroupTranslation.updated_by_id, "unlink",
             lambda cid: of_groups(BreakoutGroupTranslation.group_id, cid)),
        Link(AgendaItemTranslation.updated_by_id, "unlink",
             lambda cid: _of_items(AgendaItemTranslation.item_id, cid)),
    )
    registration_links = (
        Link(RegistrationAnswer.registration_id, "delete"),
        Link(BreakoutAssignment.registration_id, "delete"),
        Link(BreakoutChoice.registration_id, "delete"),
        Link(Comment.author_registration_id, "unlink", kept_at_retention=True),
    )
    acted_on = (
        (Consultation, Consultation.created_by_id, lambda row: row.id),
        (Invitation, Invitation.invited_by_id, lambda row: row.consultation_id),
        (BreakoutGroup, BreakoutGroup.facilitator_id, lambda row: row.round.consultation_id),
        (BreakoutGroup, BreakoutGroup.rapporteur_id, lambda row: row.round.consultation_id),
        (Thread, Thread.created_by_id, lambda row: row.consultation_id),
        (Comment, Comment.hidden_by_id, lambda row: row.thread.consultation_id),
        (CommentFlag, CommentFlag.resolved_by_id,
         lambda row: row.comment.thread.consultation_id),
        (ConsultationTranslation, ConsultationTranslation.updated_by_id,
         lambda row: row.consultation_id),
        (BreakoutGroupTranslation, BreakoutGroupTranslation.updated_by_id,
         lambda row: row.group.round.consultation_id),
        (AgendaItemTranslation, AgendaItemTranslation.updated_by_id,
         lambda row: row.item.consultation_id),
    )
    exported = frozenset({
        "consultations.created_by_id", "registrations.user_id", "invitations.invited_by_id",
        "breakout_groups.facilitator_id", "breakout_groups.rapporteur_id",
        "threads.created_by_id", "comments.author_id", "comments.hidden_by_id",
        "comment_flags.user_id", "comment_flags.resolved_by_id",
        "registration_answers.registration_id", "breakout_assignments.registration_id",
        "breakout_choices.registration_id", "comments.author_registration_id",
        "consultation_translations.updated_by_id", "breakout_group_translations.updated_by_id",
        "agenda_item_translations.updated_by_id", "calendar_feeds.user_id",
    })

    def registration_ids(self, user) -> list[int]:
        return db.session.scalars(select(Registration.id).where(
            Registration.user_id == user.id).order_by(Registration.id)).all()

    def slugs(self) -> dict[int, str]:
        return dict(db.session.execute(select(Consultation.id, Consultation.slug)).all())

    def export(self, person: Person) -> dict:
        user = person.user
        registrations = db.session.scalars(
            select(Registration).where(Registration.user_id == user.id)
            .order_by(Registration.id)).all()
        return {
            "registrations": [_registration(registration) for registration in registrations],
            "invitations": _invitations(user, person.slugs),
            "comments": _comments(user, person.slugs),
            "comment_flags": _flags(user),
            "calendar_feed": _calendar_feed(user),
        }

    def audit_targets(self, person: Person) -> list[tuple[str, object]]:
        return [("registrations", person.registration_ids or [-1]),
                ("comments", select(Comment.id).where(Comment.author_id == person.user.id))]

    def deletion_refusal(self, user) -> str | None:
        alone = consultations_left_without_facilitator(user)
        if alone:
            return _("You are the only facilitator of %(titles)s. Appoint another facilitator "
                     "(or archive the consultation) first, so that it is not left without one.",
                     titles=", ".join(f"“{consultation.title}”" for consultation in alone))
        return None

    def take_out(self, person: Person, now: datetime) -> Callable[[], None] | None:
        registrations = db.session.scalars(
            select(Registration).where(Registration.user_id == person.user.id)).all()
        freed = [registration.consultation for registration in registrations
                 if anonymise_registration(registration, now)]

        def give_places_back() -> None:
            for consultation in {consultation.id: consultation
                                 for consultation in freed}.values():
                promote_from_waitlist(consultation, None)

        return give_places_back

    def forget_account(self, user) -> None:
        db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)
                           .execution_options(synchronize_session=False))
        db.session.execute(delete(Invitation).where(Invitation.email == user.email)
                           .execution_options(synchronize_session=False))


register(ConsultationRecords())
