"""Taking people out of the record: deleting an account, and a consultation's retention date.

The consultation's record stays whole: comments, amendments and recommendation texts keep
their text, votes stay in every tally, registrations stay in the counts by status,
stakeholder group, country and attendance. What goes is the link to the person and what
identifies them: names, e-mail addresses, organisations, answers, network addresses.

Every column that refers to an account or a registration is listed in ``USER_LINKS`` or
``REGISTRATION_LINKS`` with what happens to it; ``tests/test_personal_data.py`` fails when a
model gains such a column that is not listed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash

from consultations.models import (
    AgendaItem,
    AgendaItemTranslation,
    BreakoutAssignment,
    BreakoutChoice,
    BreakoutGroup,
    BreakoutGroupTranslation,
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
from portal.accounts.models import SignIn, SignInFailure, SignInLink, SignUpRequest, User
from portal.accounts.personal_data import events_concerning
from portal.audit.models import AuditEvent
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import OutgoingMail
from portal.refusals import Refused
from recommendations.models import (
    Amendment,
    AmendmentSupport,
    AmendmentTranslation,
    Recommendation,
    RecommendationVersion,
    VersionTranslation,
    Vote,
    VoteRound,
)
from recommendations.outcome.models import (
    BreakoutSummary,
    OutcomeCover,
    OutcomeDocument,
    OutcomeText,
)

#: Keys of an audit event's details that may name or identify a person.
PERSONAL_DETAIL_KEYS = frozenset({"email", "message", "excerpt"})

#: Consultation statuses before the event: a deleted registration gives its place back.
BEFORE_THE_EVENT = {ConsultationStatus.draft, ConsultationStatus.registration_open}


def _in_consultation(column, consultation_id):
    """Rows whose ``column`` (a consultation id) is the consultation's."""
    return column == consultation_id


def _of_groups(column, consultation_id):
    groups = select(BreakoutGroup.id).join(AgendaItem).where(
        AgendaItem.consultation_id == consultation_id)
    return column.in_(groups)


def _of_items(column, consultation_id):
    return column.in_(select(AgendaItem.id).where(AgendaItem.consultation_id == consultation_id))


def _of_threads(consultation_id):
    return Comment.thread_id.in_(
        select(Thread.id).where(Thread.consultation_id == consultation_id))


def _of_recommendations(column, consultation_id):
    return column.in_(
        select(Recommendation.id).where(Recommendation.consultation_id == consultation_id))


def _of_versions(column, consultation_id):
    return column.in_(
        select(RecommendationVersion.id).join(Recommendation)
        .where(Recommendation.consultation_id == consultation_id))


def _of_amendments(column, consultation_id):
    return column.in_(
        select(Amendment.id).join(Recommendation)
        .where(Recommendation.consultation_id == consultation_id))


def _of_comments(column, consultation_id):
    return column.in_(select(Comment.id).where(_of_threads(consultation_id)))


@dataclass(frozen=True)
class Link:
    """A column naming a person, and what taking the person out does to its rows."""

    column: object
    #: "unlink" sets the column to NULL and keeps the row; "delete" removes the row;
    #: "anonymise" is the registration itself (see ``_anonymise_registration``);
    #: "account" goes with the account (deleted with it, or kept while it lives).
    action: str
    #: The rows of one consultation, for its retention date; None when not per consultation.
    scope: object = None
    #: Kept pointing to the anonymised registration at the retention date (its stakeholder
    #: group and country stay shown); unlinked when the person deletes their account.
    kept_at_retention: bool = False


USER_LINKS = (
    Link(SignInFailure.user_id, "account"),
    Link(SignIn.user_id, "account"),
    Link(SignInLink.user_id, "account"),
    Link(AuditEvent.actor_id, "unlink",
         lambda cid: _in_consultation(AuditEvent.consultation_id, cid)),
    Link(Consultation.created_by_id, "unlink", lambda cid: Consultation.id == cid),
    Link(Registration.user_id, "anonymise",
         lambda cid: _in_consultation(Registration.consultation_id, cid)),
    Link(Invitation.invited_by_id, "unlink",
         lambda cid: _in_consultation(Invitation.consultation_id, cid)),
    Link(BreakoutGroup.facilitator_id, "unlink",
         lambda cid: _of_groups(BreakoutGroup.id, cid)),
    Link(BreakoutGroup.rapporteur_id, "unlink",
         lambda cid: _of_groups(BreakoutGroup.id, cid)),
    Link(Thread.created_by_id, "unlink",
         lambda cid: _in_consultation(Thread.consultation_id, cid)),
    Link(Comment.author_id, "unlink", _of_threads),
    Link(Comment.hidden_by_id, "unlink", _of_threads),
    Link(CommentFlag.user_id, "unlink", lambda cid: _of_comments(CommentFlag.comment_id, cid)),
    Link(CommentFlag.resolved_by_id, "unlink",
         lambda cid: _of_comments(CommentFlag.comment_id, cid)),
    Link(Recommendation.created_by_id, "unlink",
         lambda cid: _in_consultation(Recommendation.consultation_id, cid)),
    Link(RecommendationVersion.author_id, "unlink",
         lambda cid: _of_recommendations(RecommendationVersion.recommendation_id, cid)),
    Link(VersionTranslation.translated_by_id, "unlink",
         lambda cid: _of_versions(VersionTranslation.version_id, cid)),
    Link(Amendment.author_id, "unlink",
         lambda cid: _of_recommendations(Amendment.recommendation_id, cid)),
    Link(Amendment.decided_by_id, "unlink",
         lambda cid: _of_recommendations(Amendment.recommendation_id, cid)),
    Link(AmendmentSupport.user_id, "unlink",
         lambda cid: _of_amendments(AmendmentSupport.amendment_id, cid)),
    Link(VoteRound.opened_by_id, "unlink",
         lambda cid: _in_consultation(VoteRound.consultation_id, cid)),
    Link(VoteRound.reopened_by_id, "unlink",
         lambda cid: _in_consultation(VoteRound.consultation_id, cid)),
    Link(OutcomeDocument.generated_by_id, "unlink",
         lambda cid: _in_consultation(OutcomeDocument.consultation_id, cid)),
    Link(OutcomeDocument.finalised_by_id, "unlink",
         lambda cid: _in_consultation(OutcomeDocument.consultation_id, cid)),
    Link(OutcomeText.updated_by_id, "unlink",
         lambda cid: _in_consultation(OutcomeText.consultation_id, cid)),
    Link(OutcomeCover.updated_by_id, "unlink",
         lambda cid: _in_consultation(OutcomeCover.consultation_id, cid)),
    Link(BreakoutSummary.updated_by_id, "unlink",
         lambda cid: _of_groups(BreakoutSummary.breakout_group_id, cid)),
    Link(VersionTranslation.reviewed_by_id, "unlink",
         lambda cid: _of_versions(VersionTranslation.version_id, cid)),
    Link(AmendmentTranslation.translated_by_id, "unlink",
         lambda cid: _of_amendments(AmendmentTranslation.amendment_id, cid)),
    Link(AmendmentTranslation.reviewed_by_id, "unlink",
         lambda cid: _of_amendments(AmendmentTranslation.amendment_id, cid)),
    Link(ConsultationTranslation.updated_by_id, "unlink",
         lambda cid: _in_consultation(ConsultationTranslation.consultation_id, cid)),
    Link(BreakoutGroupTranslation.updated_by_id, "unlink",
         lambda cid: _of_groups(BreakoutGroupTranslation.group_id, cid)),
    Link(AgendaItemTranslation.updated_by_id, "unlink",
         lambda cid: _of_items(AgendaItemTranslation.item_id, cid)),
)

REGISTRATION_LINKS = (
    Link(RegistrationAnswer.registration_id, "delete"),
    Link(BreakoutAssignment.registration_id, "delete"),
    Link(BreakoutChoice.registration_id, "delete"),
    Link(Comment.author_registration_id, "unlink", kept_at_retention=True),
    Link(Amendment.author_registration_id, "unlink", kept_at_retention=True),
    Link(Vote.registration_id, "unlink"),
)


def column_name(column) -> str:
    return f"{column.class_.__tablename__}.{column.key}"


class AccountDeletionRefused(Refused):
    """The account cannot be deleted now; ``reason`` says why, in the user's language."""


def consultations_left_without_facilitator(user: User) -> list[Consultation]:
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


def is_last_admin(user: User) -> bool:
    if not user.is_admin:
        return False
    return not db.session.scalar(
        select(func.count()).select_from(User).where(User.is_admin.is_(True),
                                                     User.id != user.id))


def deletion_refusal(user: User) -> str | None:
    """Why the account cannot be deleted now, or None."""
    if is_last_admin(user):
        return _("You are the portal's only platform admin. Make another account an admin "
                 "first (flask create-admin), then delete yours.")
    alone = consultations_left_without_facilitator(user)
    if alone:
        return _("You are the only facilitator of %(titles)s. Appoint another facilitator "
                 "(or archive the consultation) first, so that it is not left without one.",
                 titles=", ".join(f"“{consultation.title}”" for consultation in alone))
    return None


def _strip_details(event: AuditEvent) -> None:
    details = event.details or {}
    if any(key in details for key in PERSONAL_DETAIL_KEYS):
        event.details = {key: value for key, value in details.items()
                         if key not in PERSONAL_DETAIL_KEYS}


def _bulk(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))


def _anonymise_registration(registration: Registration, now: datetime) -> bool:
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


def _remove_registration_links(registration_ids, *, retention: bool) -> None:
    if not registration_ids:
        return
    for link in REGISTRATION_LINKS:
        model = link.column.class_
        where = link.column.in_(registration_ids)
        if link.action == "delete":
            _bulk(delete(model).where(where))
        elif not (retention and link.kept_at_retention):
            _bulk(update(model).where(where).values({link.column.key: None}))


def delete_account(user: User, password: str) -> None:
    """Delete the account after checking its password; the consultations keep their record
    without the person. Raises AccountDeletionRefused."""
    if not check_password_hash(user.password_hash, password):
        raise AccountDeletionRefused(_("The password is not right."))
    refusal = deletion_refusal(user)
    if refusal:
        raise AccountDeletionRefused(refusal)
    now = utcnow()
    registrations = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id)).all()
    registration_ids = [registration.id for registration in registrations]
    freed = [registration.consultation for registration in registrations
             if _anonymise_registration(registration, now)]
    db.session.flush()

    _anonymise_audit(events_concerning(user.id, registration_ids),
                     forget_target=("users", user.id), actor_id=user.id)
    _remove_registration_links(registration_ids, retention=False)
    for link in USER_LINKS:
        if link.action == "unlink":
            _bulk(update(link.column.class_).where(link.column == user.id)
                  .values({link.column.key: None}))
    _bulk(delete(SignInFailure).where(or_(SignInFailure.user_id == user.id,
                                          SignInFailure.email == user.email)))
    _bulk(delete(SignIn).where(SignIn.user_id == user.id))
    _bulk(delete(SignInLink).where(SignInLink.user_id == user.id))
    _bulk(delete(SignUpRequest).where(SignUpRequest.email == user.email))
    _bulk(delete(Invitation).where(Invitation.email == user.email))
    _bulk(delete(OutgoingMail).where(OutgoingMail.recipient == user.email))
    db.session.expire_all()
    db.session.delete(user)
    db.session.flush()
    record_event("account.deleted", registrations=len(registration_ids))
    from consultations.registrations import promote_from_waitlist

    for consultation in {consultation.id: consultation for consultation in freed}.values():
        promote_from_waitlist(consultation, None)


def _anonymise_audit(condition, forget_target: tuple[str, int] | None = None,
                     actor_id: int | None = None) -> None:
    """Strip the personal details of the events; remove their actor and network address
    (all of them, or only where ``actor_id`` acted: a moderator's own action keeps its
    moderator)."""
    events = db.session.scalars(select(AuditEvent).where(condition)).all()
    for event in events:
        if actor_id is None or event.actor_id == actor_id:
            event.actor_id = None
            event.ip_address = None
        if forget_target and (event.target_type, event.target_id) == forget_target:
            event.target_id = None
        _strip_details(event)
    db.session.flush()


def is_expired(consultation: Consultation, now: datetime | None = None) -> bool:
    """Whether the consultation's retention date has passed, in its own time zone."""
    if consultation.personal_data_kept_until is None:
        return False
    today = (now or utcnow()).astimezone(ZoneInfo(consultation.time_zone)).date()
    return today > consultation.personal_data_kept_until


def expired_consultations(now: datetime | None = None) -> list[Consultation]:
    """Consultations past their retention date and not yet anonymised."""
    candidates = db.session.scalars(
        select(Consultation).where(Consultation.personal_data_kept_until.is_not(None),
                                   Consultation.personal_data_anonymised_at.is_(None))
        .order_by(Consultation.id)).all()
    return [consultation for consultation in candidates if is_expired(consultation, now)]


def claim_for_anonymisation(consultation: Consultation, now: datetime) -> bool:
    """Mark the consultation as anonymised, in this transaction, unless another run did:
    the row lock taken by the update makes a second run wait, then find it done."""
    result = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id,
               Consultation.personal_data_anonymised_at.is_(None))
        .values(personal_data_anonymised_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@dataclass
class AnonymisedConsultation:
    slug: str
    registrations: int


def anonymise_consultation(consultation: Consultation,
                           now: datetime | None = None) -> AnonymisedConsultation | None:
    """Anonymise the personal data of everyone in the consultation, once; the accounts stay.
    Returns None when it was done already (by an earlier or a concurrent run)."""
    now = now or datetime.now(UTC)
    if not claim_for_anonymisation(consultation, now):
        return None
    cid = consultation.id
    registrations = db.session.scalars(
        select(Registration).where(Registration.consultation_id == cid,
                                   Registration.anonymised_at.is_(None))).all()
    for registration in registrations:
        _anonymise_registration(registration, now)
    db.session.flush()
    _anonymise_audit(AuditEvent.consultation_id == cid)
    _remove_registration_links(
        db.session.scalars(select(Registration.id).where(Registration.consultation_id == cid))
        .all(), retention=True)
    for link in USER_LINKS:
        if link.action == "unlink":
            _bulk(update(link.column.class_).where(link.column.is_not(None), link.scope(cid))
                  .values({link.column.key: None}))
    _bulk(delete(Invitation).where(Invitation.consultation_id == cid))
    db.session.expire_all()
    record_event("consultation.personal_data_anonymised", consultation=consultation,
                 target=consultation, registrations=len(registrations))
    return AnonymisedConsultation(consultation.slug, len(registrations))
