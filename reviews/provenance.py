"""Where each source of the synthesis comes from: the consultation that adopted it, its text
in the languages there are, the result of the vote that adopted it with its turnout, and the
reservations by stakeholder group, as the consultation's outcome document gives them
(recommendations/outcome/). The result is kept as figures, so that a frozen version can be
read in any language later."""

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.config import LOCALES
from portal.extensions import db
from recommendations import breakdown
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    TranslationStatus,
    Vote,
    VoteChoice,
    VoteRound,
)
from recommendations.turnout import rule_phrase
from recommendations.voting import tally
from reviews.models import Review, ReviewConsultation


def languages_of(review: Review) -> list[str]:
    """The review's languages: every working language of its consultations, in the portal's
    order of languages."""
    spoken = {locale for attachment in review.attachments
              for locale in attachment.consultation.working_languages or []}
    return [locale for locale in LOCALES if locale in spoken] or ["en"]


def adopted_recommendations(review: Review) -> list[Recommendation]:
    """The adopted recommendations of the review's consultations, consultation by consultation
    (in the order they were attached), each in its agenda's order."""
    return list(db.session.scalars(
        select(Recommendation)
        .join(ReviewConsultation, ReviewConsultation.consultation_id
              == Recommendation.consultation_id)
        .where(ReviewConsultation.review_id == review.id,
               Recommendation.status == RecommendationStatus.adopted)
        .options(selectinload(Recommendation.versions)
                 .selectinload(RecommendationVersion.translations),
                 selectinload(Recommendation.consultation))
        .order_by(ReviewConsultation.attached_at, ReviewConsultation.id,
                  Recommendation.position, Recommendation.number)))


def texts_of(recommendation: Recommendation, *, reviewed_only: bool = True) -> dict[str, str]:
    """The latest version's text by language: its original, and its translations (reviewed
    ones only unless ``reviewed_only`` is false, as for comparing texts)."""
    version = recommendation.current_version
    texts = {version.locale: version.text}
    for translation in version.translations:
        if translation.status == TranslationStatus.reviewed or not reviewed_only:
            texts.setdefault(translation.locale, translation.text)
    return texts


def _deciding_round(recommendation: Recommendation) -> VoteRound | None:
    return db.session.scalar(
        select(VoteRound).where(VoteRound.recommendation_id == recommendation.id,
                                VoteRound.amendment_id.is_(None),
                                VoteRound.closed_at.is_not(None))
        .order_by(VoteRound.number.desc()).limit(1))


def result_of(recommendation: Recommendation) -> dict | None:
    """The figures of the vote that decided the recommendation, and its reservations by
    stakeholder group under the small-group rule (``breakdown``): None without a vote."""
    round_ = _deciding_round(recommendation)
    if round_ is None:
        return None
    counted = tally(round_)
    payload = counted.as_payload()
    voters = {group: counts.cast for group, counts in counted.by_stakeholder_group.items()}
    split = breakdown.merged(voters, breakdown.small_group_rule(recommendation.consultation))
    rows = db.session.execute(
        select(Vote.reservation, Vote.stakeholder_group)
        .where(Vote.round_id == round_.id, Vote.reservation.is_not(None)).order_by(Vote.id))
    reservations = [{"text": text, "group": "" if split is None else
                     group.value if group.value in split[0] else breakdown.OTHER_GROUPS}
                    for text, group in rows]
    return {
        "adopted": bool(round_.adopted), "rule": round_.rule.value,
        "counts": {choice.value: payload["counts"][choice.value]
                   + payload["in_room"][choice.value] for choice in VoteChoice},
        "cast": counted.cast, "present": counted.present, "quorum": counted.quorum,
        "closed_at": round_.closed_at.isoformat(), "reservations": reservations,
    }


def provenance_of(recommendation: Recommendation) -> dict:
    """One source of the synthesis as a version freezes it."""
    consultation = recommendation.consultation
    version = recommendation.current_version
    return {
        "recommendation_id": recommendation.id, "reference": recommendation.reference,
        "consultation": {"id": consultation.id, "slug": consultation.slug,
                         "title": consultation.title},
        "title": recommendation.title, "locale": version.locale, "version": version.number,
        "texts": texts_of(recommendation), "objectives": list(recommendation.gcm_objectives),
        "result": result_of(recommendation),
    }


def result_line(result: dict | None) -> str:
    """A frozen result in the reader's language: how it was adopted and the figures."""
    if result is None:
        return _("No vote decided it.")
    counts = result["counts"]
    figures = _("%(support)d in favour, %(reserved)d in favour with reservations, "
                "%(oppose)d against, %(abstain)d abstaining; %(cast)d votes cast, "
                "%(present)d voting participants present.",
                support=counts["support"], reserved=counts["support_with_reservations"],
                oppose=counts["oppose"], abstain=counts["abstain"], cast=result["cast"],
                present=result["present"])
    if result["adopted"]:
        return _("Adopted %(rule)s: %(figures)s", rule=rule_phrase(result["rule"]),
                 figures=figures)
    return _("Not adopted: %(figures)s", figures=figures)


def reservation_group_label(key: str) -> str:
    """The stakeholder group a reservation is quoted with ("" under the small-group rule)."""
    return str(breakdown.GROUP_LABELS[key]) if key else _("a participant")
