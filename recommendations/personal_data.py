"""What the recommendations area (and its outcome documents) holds about a person, for the
export of their data and for taking them out of the record
(portal/accounts/personal_records.py walks it). Texts, amendments and votes stay in the
record without the link to the person: every tally stays as it was."""

from sqlalchemy import select

from consultations.personal_data import in_consultation, of_groups
from portal.accounts.personal_records import Holder, Link, Person, fields, register
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
from recommendations.outcome.models import (
    BreakoutSummary,
    OutcomeCover,
    OutcomeDocument,
    OutcomeText,
)


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


def _amendments(user, slugs: dict[int, str]) -> list[dict]:
    amendments = db.session.scalars(
        select(Amendment).where(Amendment.author_id == user.id).order_by(Amendment.id)).all()
    return [{
        "consultation": slugs.get(amendment.recommendation.consultation_id),
        "recommendation": amendment.recommendation.reference,
        **fields(amendment, "id", "proposed_text", "rationale", "status", "created_at",
                 "decided_at", "decision_reason"),
    } for amendment in amendments]


def _supports(user) -> list[dict]:
    supports = db.session.scalars(
        select(AmendmentSupport).where(AmendmentSupport.user_id == user.id)
        .order_by(AmendmentSupport.id)).all()
    return [fields(support, "amendment_id", "created_at") for support in supports]


def _votes(registration_ids: list[int], slugs: dict[int, str]) -> list[dict]:
    votes = db.session.scalars(
        select(Vote).where(Vote.registration_id.in_(registration_ids)).order_by(Vote.id)).all()
    return [{
        "consultation": slugs.get(vote.round.consultation_id),
        "recommendation": vote.round.recommendation.reference,
        "round": vote.round.number,
        "amendment_id": vote.round.amendment_id,
        **fields(vote, "choice", "reservation", "stakeholder_group", "cast_at", "changed_at"),
    } for vote in votes]


def _versions(user, slugs: dict[int, str]) -> list[dict]:
    versions = db.session.scalars(
        select(RecommendationVersion).where(RecommendationVersion.author_id == user.id)
        .order_by(RecommendationVersion.id)).all()
    return [{
        "consultation": slugs.get(version.recommendation.consultation_id),
        "recommendation": version.recommendation.reference,
        **fields(version, "number", "locale", "source", "text", "created_at"),
    } for version in versions]


def _translations(user, slugs: dict[int, str]) -> list[dict]:
    translations = db.session.scalars(
        select(VersionTranslation).where(VersionTranslation.translated_by_id == user.id)
        .order_by(VersionTranslation.id)).all()
    return [{
        "consultation": slugs.get(translation.version.recommendation.consultation_id),
        "recommendation": translation.version.recommendation.reference,
        "version": translation.version.number,
        **fields(translation, "locale", "title", "text", "status", "updated_at"),
    } for translation in translations] + [{
        "consultation": slugs.get(translation.amendment.recommendation.consultation_id),
        "recommendation": translation.amendment.recommendation.reference,
        "amendment": translation.amendment_id,
        **fields(translation, "locale", "text", "rationale", "status", "updated_at"),
    } for translation in db.session.scalars(
        select(AmendmentTranslation).where(AmendmentTranslation.translated_by_id == user.id)
        .order_by(AmendmentTranslation.id))]


class RecommendationRecords(Holder):
    user_links = (
        Link(Recommendation.created_by_id, "unlink",
             lambda cid: in_consultation(Recommendation.consultation_id, cid)),
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
             lambda cid: in_consultation(VoteRound.consultation_id, cid)),
        Link(VoteRound.reopened_by_id, "unlink",
             lambda cid: in_consultation(VoteRound.consultation_id, cid)),
        Link(OutcomeDocument.generated_by_id, "unlink",
             lambda cid: in_consultation(OutcomeDocument.consultation_id, cid)),
        Link(OutcomeDocument.finalised_by_id, "unlink",
             lambda cid: in_consultation(OutcomeDocument.consultation_id, cid)),
        Link(OutcomeText.updated_by_id, "unlink",
             lambda cid: in_consultation(OutcomeText.consultation_id, cid)),
        Link(OutcomeCover.updated_by_id, "unlink",
             lambda cid: in_consultation(OutcomeCover.consultation_id, cid)),
        Link(BreakoutSummary.updated_by_id, "unlink",
             lambda cid: of_groups(BreakoutSummary.breakout_group_id, cid)),
        Link(VersionTranslation.reviewed_by_id, "unlink",
             lambda cid: _of_versions(VersionTranslation.version_id, cid)),
        Link(AmendmentTranslation.translated_by_id, "unlink",
             lambda cid: _of_amendments(AmendmentTranslation.amendment_id, cid)),
        Link(AmendmentTranslation.reviewed_by_id, "unlink",
             lambda cid: _of_amendments(AmendmentTranslation.amendment_id, cid)),
    )
    registration_links = (
        Link(Amendment.author_registration_id, "unlink", kept_at_retention=True),
        Link(Vote.registration_id, "unlink"),
    )
    acted_on = (
        (Recommendation, Recommendation.created_by_id, lambda row: row.consultation_id),
        (Amendment, Amendment.decided_by_id, lambda row: row.recommendation.consultation_id),
        (VoteRound, VoteRound.opened_by_id, lambda row: row.consultation_id),
        (VoteRound, VoteRound.reopened_by_id, lambda row: row.consultation_id),
        (OutcomeDocument, OutcomeDocument.generated_by_id, lambda row: row.consultation_id),
        (OutcomeDocument, OutcomeDocument.finalised_by_id, lambda row: row.consultation_id),
        (OutcomeText, OutcomeText.updated_by_id, lambda row: row.consultation_id),
        (OutcomeCover, OutcomeCover.updated_by_id, lambda row: row.consultation_id),
        (BreakoutSummary, BreakoutSummary.updated_by_id,
         lambda row: row.group.round.consultation_id),
        (VersionTranslation, VersionTranslation.reviewed_by_id,
         lambda row: row.version.recommendation.consultation_id),
        (AmendmentTranslation, AmendmentTranslation.reviewed_by_id,
         lambda row: row.amendment.recommendation.consultation_id),
    )
    exported = frozenset({
        "recommendations.created_by_id", "recommendation_versions.author_id",
        "version_translations.translated_by_id", "amendments.author_id",
        "amendments.decided_by_id", "amendment_supports.user_id", "vote_rounds.opened_by_id",
        "vote_rounds.reopened_by_id", "outcome_documents.generated_by_id",
        "outcome_documents.finalised_by_id", "outcome_texts.updated_by_id",
        "breakout_summaries.updated_by_id", "outcome_covers.updated_by_id",
        "amendments.author_registration_id", "votes.registration_id",
        "version_translations.reviewed_by_id", "amendment_translations.translated_by_id",
        "amendment_translations.reviewed_by_id",
    })

    def export(self, person: Person) -> dict:
        user, slugs = person.user, person.slugs
        return {
            "amendments": _amendments(user, slugs),
            "amendment_supports": _supports(user),
            "votes": _votes(person.registration_ids, slugs),
            "recommendation_versions": _versions(user, slugs),
            "translations": _translations(user, slugs),
        }

    def audit_targets(self, person: Person) -> list[tuple[str, object]]:
        return [("amendments", select(Amendment.id).where(Amendment.author_id == person.user.id))]


register(RecommendationRecords())
