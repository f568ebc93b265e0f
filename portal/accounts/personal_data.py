"""Everything the portal holds about one person, as one JSON document.

``EXPORTED`` names every column referring to an account or a registration that the export
reads; ``tests/test_personal_data.py`` fails when a model gains such a column not listed here.
"""

from datetime import date, datetime
from enum import Enum

from sqlalchemy import or_, select

from consultations.models import (
    AgendaItemTranslation,
    BreakoutAssignment,
    BreakoutChoice,
    BreakoutGroup,
    BreakoutGroupTranslation,
    Comment,
    CommentFlag,
    Consultation,
    ConsultationTranslation,
    Invitation,
    Registration,
    Thread,
)
from portal.accounts.models import SignIn, SignInFailure, SignInLink, User
from portal.audit.models import AuditEvent
from portal.extensions import db
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
from recommendations.outcome.models import BreakoutSummary, OutcomeDocument, OutcomeText

#: Columns referring to users.id or registrations.id, each read by a section below.
EXPORTED = frozenset({
    "sign_in_failures.user_id", "sign_ins.user_id", "sign_in_links.user_id",
    "audit_events.actor_id", "consultations.created_by_id",
    "registrations.user_id", "invitations.invited_by_id", "breakout_groups.facilitator_id",
    "breakout_groups.rapporteur_id", "threads.created_by_id", "comments.author_id",
    "comments.hidden_by_id", "comment_flags.user_id", "comment_flags.resolved_by_id",
    "recommendations.created_by_id", "recommendation_versions.author_id",
    "version_translations.translated_by_id", "amendments.author_id", "amendments.decided_by_id",
    "amendment_supports.user_id", "vote_rounds.opened_by_id", "vote_rounds.reopened_by_id",
    "outcome_documents.generated_by_id", "outcome_documents.finalised_by_id",
    "outcome_texts.updated_by_id", "breakout_summaries.updated_by_id",
    "registration_answers.registration_id", "breakout_assignments.registration_id",
    "breakout_choices.registration_id", "comments.author_registration_id",
    "amendments.author_registration_id", "votes.registration_id",
    "version_translations.reviewed_by_id", "amendment_translations.translated_by_id",
    "amendment_translations.reviewed_by_id", "consultation_translations.updated_by_id",
    "breakout_group_translations.updated_by_id", "agenda_item_translations.updated_by_id",
})

#: Columns of other people's records in which the person is named as having acted: listed
#: by table, column and row, with the row's consultation.
ACTED_ON = (
    (Consultation, Consultation.created_by_id, lambda row: row.id),
    (Invitation, Invitation.invited_by_id, lambda row: row.consultation_id),
    (BreakoutGroup, BreakoutGroup.facilitator_id, lambda row: row.round.consultation_id),
    (BreakoutGroup, BreakoutGroup.rapporteur_id, lambda row: row.round.consultation_id),
    (Thread, Thread.created_by_id, lambda row: row.consultation_id),
    (Comment, Comment.hidden_by_id, lambda row: row.thread.consultation_id),
    (CommentFlag, CommentFlag.resolved_by_id, lambda row: row.comment.thread.consultation_id),
    (Recommendation, Recommendation.created_by_id, lambda row: row.consultation_id),
    (Amendment, Amendment.decided_by_id, lambda row: row.recommendation.consultation_id),
    (VoteRound, VoteRound.opened_by_id, lambda row: row.consultation_id),
    (VoteRound, VoteRound.reopened_by_id, lambda row: row.consultation_id),
    (OutcomeDocument, OutcomeDocument.generated_by_id, lambda row: row.consultation_id),
    (OutcomeDocument, OutcomeDocument.finalised_by_id, lambda row: row.consultation_id),
    (OutcomeText, OutcomeText.updated_by_id, lambda row: row.consultation_id),
    (BreakoutSummary, BreakoutSummary.updated_by_id,
     lambda row: row.group.round.consultation_id),
    (VersionTranslation, VersionTranslation.reviewed_by_id,
     lambda row: row.version.recommendation.consultation_id),
    (AmendmentTranslation, AmendmentTranslation.reviewed_by_id,
     lambda row: row.amendment.recommendation.consultation_id),
    (ConsultationTranslation, ConsultationTranslation.updated_by_id,
     lambda row: row.consultation_id),
    (BreakoutGroupTranslation, BreakoutGroupTranslation.updated_by_id,
     lambda row: row.group.round.consultation_id),
    (AgendaItemTranslation, AgendaItemTranslation.updated_by_id,
     lambda row: row.item.consultation_id),
)


def _plain(value):
    """A JSON-ready value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return value


def _fields(row, *names) -> dict:
    return {name: _plain(getattr(row, name)) for name in names}


def _slugs() -> dict[int, str]:
    return dict(db.session.execute(select(Consultation.id, Consultation.slug)).all())


def _account(user: User) -> dict:
    return _fields(user, "id", "email", "name", "organisation", "stakeholder_group", "country",
                   "preferred_locale", "is_admin", "created_at", "last_signed_in_at")


def _registration(registration: Registration) -> dict:
    consultation = registration.consultation
    answers = [{"question": answer.question.prompt, "answer": _plain(answer.value)}
               for answer in registration.answers]
    assignments = db.session.scalars(select(BreakoutAssignment).where(
        BreakoutAssignment.registration_id == registration.id)).all()
    choices = db.session.scalars(select(BreakoutChoice).where(
        BreakoutChoice.registration_id == registration.id)).all()
    return {
        "consultation": consultation.slug,
        "consultation_title": consultation.title,
        **_fields(registration, "id", "role", "status", "organisation", "stakeholder_group",
                  "country", "attendance", "languages", "interpretation_language",
                  "accessibility_needs", "notes", "listed_in_outcome", "checked_in_at",
                  "created_at", "status_changed_at", "waitlisted_at"),
        "consent": {"text": consultation.consent_text,
                    "given_at": _plain(registration.consented_at)},
        "answers": answers,
        "breakout_assignments": [
            {"round": assignment.group.round.title, "group": assignment.group.name,
             "assigned_at": _plain(assignment.assigned_at)} for assignment in assignments],
        "breakout_choices": [
            {"round_id": choice.round_id, "group_id": choice.group_id,
             "chosen_at": _plain(choice.chosen_at)} for choice in choices],
    }


def _comments(user: User, slugs: dict[int, str]) -> list[dict]:
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)).all()
    return [{
        "consultation": slugs.get(comment.thread.consultation_id),
        "thread": comment.thread.title,
        **_fields(comment, "id", "parent_id", "body", "created_at", "edited_at", "deleted_at",
                  "hidden_at", "hidden_reason"),
        "revisions": [_fields(revision, "body", "written_at")
                      for revision in comment.revisions],
    } for comment in comments]


def _flags(user: User) -> list[dict]:
    flags = db.session.scalars(
        select(CommentFlag).where(CommentFlag.user_id == user.id).order_by(CommentFlag.id)).all()
    return [_fields(flag, "comment_id", "reason", "created_at", "resolved_at") for flag in flags]


def _amendments(user: User, slugs: dict[int, str]) -> list[dict]:
    amendments = db.session.scalars(
        select(Amendment).where(Amendment.author_id == user.id).order_by(Amendment.id)).all()
    return [{
        "consultation": slugs.get(amendment.recommendation.consultation_id),
        "recommendation": amendment.recommendation.reference,
        **_fields(amendment, "id", "proposed_text", "rationale", "status", "created_at",
                  "decided_at", "decision_reason"),
    } for amendment in amendments]


def _supports(user: User) -> list[dict]:
    supports = db.session.scalars(
        select(AmendmentSupport).where(AmendmentSupport.user_id == user.id)
        .order_by(AmendmentSupport.id)).all()
    return [_fields(support, "amendment_id", "created_at") for support in supports]


def _votes(registration_ids: list[int], slugs: dict[int, str]) -> list[dict]:
    votes = db.session.scalars(
        select(Vote).where(Vote.registration_id.in_(registration_ids)).order_by(Vote.id)).all()
    return [{
        "consultation": slugs.get(vote.round.consultation_id),
        "recommendation": vote.round.recommendation.reference,
        "round": vote.round.number,
        "amendment_id": vote.round.amendment_id,
        **_fields(vote, "choice", "reservation", "stakeholder_group", "cast_at", "changed_at"),
    } for vote in votes]


def _versions(user: User, slugs: dict[int, str]) -> list[dict]:
    versions = db.session.scalars(
        select(RecommendationVersion).where(RecommendationVersion.author_id == user.id)
        .order_by(RecommendationVersion.id)).all()
    return [{
        "consultation": slugs.get(version.recommendation.consultation_id),
        "recommendation": version.recommendation.reference,
        **_fields(version, "number", "locale", "source", "text", "created_at"),
    } for version in versions]


def _translations(user: User, slugs: dict[int, str]) -> list[dict]:
    translations = db.session.scalars(
        select(VersionTranslation).where(VersionTranslation.translated_by_id == user.id)
        .order_by(VersionTranslation.id)).all()
    return [{
        "consultation": slugs.get(translation.version.recommendation.consultation_id),
        "recommendation": translation.version.recommendation.reference,
        "version": translation.version.number,
        **_fields(translation, "locale", "title", "text", "status", "updated_at"),
    } for translation in translations] + [{
        "consultation": slugs.get(translation.amendment.recommendation.consultation_id),
        "recommendation": translation.amendment.recommendation.reference,
        "amendment": translation.amendment_id,
        **_fields(translation, "locale", "text", "rationale", "status", "updated_at"),
    } for translation in db.session.scalars(
        select(AmendmentTranslation).where(AmendmentTranslation.translated_by_id == user.id)
        .order_by(AmendmentTranslation.id))]


def _invitations(user: User, slugs: dict[int, str]) -> list[dict]:
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.email == user.email).order_by(Invitation.id)).all()
    return [{"consultation": slugs.get(invitation.consultation_id),
             **_fields(invitation, "email", "name", "organisation", "stakeholder_group",
                       "country", "role", "created_at", "sent_at", "accepted_at")}
            for invitation in invitations]


def events_concerning(user_id: int, registration_ids: list[int]):
    """The SQL condition for the audit events the person did, or that were done to their
    account, registrations, comments or amendments."""

    def about(table: str, ids) -> object:
        return (AuditEvent.target_type == table) & AuditEvent.target_id.in_(ids)

    return or_(
        AuditEvent.actor_id == user_id,
        about("users", [user_id]),
        about("registrations", registration_ids or [-1]),
        about("comments", select(Comment.id).where(Comment.author_id == user_id)),
        about("amendments", select(Amendment.id).where(Amendment.author_id == user_id)),
    )


def _audit(user: User, registration_ids: list[int], slugs: dict[int, str]) -> list[dict]:
    events = db.session.scalars(select(AuditEvent).where(
        events_concerning(user.id, registration_ids)).order_by(AuditEvent.id)).all()
    return [{
        "you_acted": event.actor_id == user.id,
        "consultation": slugs.get(event.consultation_id),
        **_fields(event, "occurred_at", "action", "target_type", "target_id", "ip_address",
                  "details"),
    } for event in events]


def _sign_in_failures(user: User) -> list[dict]:
    failures = db.session.scalars(
        select(SignInFailure).where(or_(SignInFailure.user_id == user.id,
                                        SignInFailure.email == user.email))
        .order_by(SignInFailure.id)).all()
    return [_fields(failure, "attempted_at", "ip_address") for failure in failures]


def _sign_ins(user: User) -> list[dict]:
    """When and how each device signed in, and until when; never the token."""
    sign_ins = db.session.scalars(
        select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.id)).all()
    return [_fields(sign_in, "created_at", "method", "ended_at") for sign_in in sign_ins]


def _sign_in_links(user: User) -> list[dict]:
    links = db.session.scalars(
        select(SignInLink).where(SignInLink.user_id == user.id).order_by(SignInLink.id)).all()
    return [_fields(link, "created_at", "expires_at", "used_at") for link in links]


def _acted_on(user: User, slugs: dict[int, str]) -> list[dict]:
    records = []
    for model, column, consultation_of in ACTED_ON:
        for row in db.session.scalars(select(model).where(column == user.id)):
            records.append({"record": model.__tablename__, "id": row.id,
                            "as": column.key.removesuffix("_id"),
                            "consultation": slugs.get(consultation_of(row))})
    return records


def personal_data_of(user: User) -> dict:
    """Everything the portal holds about the person; never the password hash."""
    slugs = _slugs()
    registrations = db.session.scalars(
        select(Registration).where(Registration.user_id == user.id)
        .order_by(Registration.id)).all()
    registration_ids = [registration.id for registration in registrations]
    return {
        "account": _account(user),
        "registrations": [_registration(registration) for registration in registrations],
        "invitations": _invitations(user, slugs),
        "comments": _comments(user, slugs),
        "comment_flags": _flags(user),
        "amendments": _amendments(user, slugs),
        "amendment_supports": _supports(user),
        "votes": _votes(registration_ids, slugs),
        "recommendation_versions": _versions(user, slugs),
        "translations": _translations(user, slugs),
        "other_records_naming_you": _acted_on(user, slugs),
        "audit_events": _audit(user, registration_ids, slugs),
        "failed_sign_ins": _sign_in_failures(user),
        "sign_ins": _sign_ins(user),
        "sign_in_links": _sign_in_links(user),
    }
