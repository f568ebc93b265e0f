"""What the reviews area holds about a person, for the export of their data and for taking
them out of the record (portal/accounts/personal_records.py walks it).

A review outlives the consultations that feed it: the retention date of one consultation
leaves the review's records as they are. When a person deletes their account, the review keeps
its synthesis, its commitments and its silence procedures without the link to the person: a
commitment or a broken silence is an organisation's, and stays as the organisation's.
"""

from sqlalchemy import delete, false, select

from portal.accounts.personal_records import Holder, Link, Person, fields, register
from portal.extensions import db
from reviews.models import (
    Commitment,
    ProgressReport,
    Review,
    ReviewConsultation,
    ReviewSecretariatMember,
    SilenceProcedure,
    SilenceValidator,
    SynthesisedText,
    SynthesisVersion,
)


def _not_per_consultation(consultation_id):
    """A consultation's retention date does not reach a review's records."""
    return false()


def _unlinked(column) -> Link:
    return Link(column, "unlink", _not_per_consultation)


def _teams(user) -> list[dict]:
    members = db.session.scalars(select(ReviewSecretariatMember).where(
        ReviewSecretariatMember.user_id == user.id).order_by(ReviewSecretariatMember.id))
    return [{"review": member.review.slug, **fields(member, "added_at")} for member in members]


def _commitments(user) -> list[dict]:
    commitments = db.session.scalars(select(Commitment).where(
        Commitment.created_by_id == user.id).order_by(Commitment.id))
    return [{"review": commitment.review.slug,
             **fields(commitment, "id", "organisation", "stakeholder_group", "country",
                      "action", "due_on", "location", "created_at")}
            for commitment in commitments]


def _progress_reports(user) -> list[dict]:
    reports = db.session.scalars(select(ProgressReport).where(
        ProgressReport.reported_by_id == user.id).order_by(ProgressReport.id))
    return [fields(report, "commitment_id", "progress", "text", "link", "reported_at")
            for report in reports]


def _silences_broken(user) -> list[dict]:
    validators = db.session.scalars(select(SilenceValidator).where(
        SilenceValidator.broken_by_id == user.id).order_by(SilenceValidator.id))
    return [{"review": validator.procedure.review.slug,
             **fields(validator, "procedure_id", "organisation", "broke_silence_at", "reason",
                      "proposed_amendment")}
            for validator in validators]


class ReviewRecords(Holder):
    user_links = (
        Link(ReviewSecretariatMember.user_id, "account"),
        _unlinked(Review.created_by_id),
        _unlinked(ReviewConsultation.attached_by_id),
        _unlinked(SynthesisedText.updated_by_id),
        _unlinked(SynthesisVersion.created_by_id),
        _unlinked(SilenceProcedure.opened_by_id),
        _unlinked(SilenceValidator.broken_by_id),
        _unlinked(Commitment.created_by_id),
        _unlinked(ProgressReport.reported_by_id),
    )
    acted_on = (
        (Review, Review.created_by_id, lambda row: None),
        (ReviewConsultation, ReviewConsultation.attached_by_id,
         lambda row: row.consultation_id),
        (SynthesisedText, SynthesisedText.updated_by_id, lambda row: None),
        (SynthesisVersion, SynthesisVersion.created_by_id, lambda row: None),
        (SilenceProcedure, SilenceProcedure.opened_by_id, lambda row: None),
    )
    exported = frozenset({
        "review_secretariat_members.user_id", "reviews.created_by_id",
        "review_consultations.attached_by_id", "synthesised_texts.updated_by_id",
        "synthesis_versions.created_by_id", "silence_procedures.opened_by_id",
        "silence_validators.broken_by_id", "commitments.created_by_id",
        "progress_reports.reported_by_id",
    })

    def export(self, person: Person) -> dict:
        user = person.user
        return {
            "review_teams": _teams(user),
            "commitments": _commitments(user),
            "progress_reports": _progress_reports(user),
            "silences_broken": _silences_broken(user),
        }

    def forget_account(self, user) -> None:
        db.session.execute(delete(ReviewSecretariatMember).where(
            ReviewSecretariatMember.user_id == user.id))


register(ReviewRecords())
