"""The rules of drafting: recommendations, their versions, merges, references and amendments.

A recommendation's text changes only by adding a version; versions are never rewritten.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from consultations.models import BreakoutGroup, Consultation
from consultations.wording import main_language
from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.config import LOCALES
from portal.database import utcnow
from portal.extensions import db
from portal.live import broadcast_after_commit
from portal.refusals import Refused
from recommendations.models import (
    Amendment,
    AmendmentStatus,
    AmendmentSupport,
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    VersionMergeSource,
    VersionSource,
)

MAX_TEXT_LENGTH = 20_000


class DraftingRefused(Refused):
    """The change is not allowed; ``reason`` says why in the user's language."""


def _clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DraftingRefused(_("The text is empty."))
    if len(text) > MAX_TEXT_LENGTH:
        raise DraftingRefused(_("A text has %(count)d characters at most.",
                                count=MAX_TEXT_LENGTH))
    return text


def _next_number(column, *conditions) -> int:
    return db.session.scalar(select(func.coalesce(func.max(column), 0)).where(*conditions)) + 1


def _add_version(recommendation: Recommendation, text: str, source: VersionSource,
                 author: User | None, locale: str | None = None) -> RecommendationVersion:
    """A new version, in ``locale`` or else in the language of the version before it."""
    if locale is None:
        locale = (recommendation.versions[-1].locale if recommendation.versions
                  else main_language(recommendation.consultation))
    version = RecommendationVersion(
        recommendation=recommendation, text=text, source=source, locale=locale,
        author_id=author.id if author else None,
        number=_next_number(RecommendationVersion.number,
                            RecommendationVersion.recommendation_id == recommendation.id),
    )
    db.session.add(version)
    db.session.flush()
    broadcast_after_commit("version_created", {
        "recommendation_id": recommendation.id, "version_id": version.id,
        "number": version.number, "reference": recommendation.reference,
    }, f"recommendation:{recommendation.id}")
    return version


def create_recommendation(consultation: Consultation, author: User, *, title: str, text: str,
                          theme: str = "", gcm_objectives=(),
                          group: BreakoutGroup | None = None,
                          locale: str | None = None) -> Recommendation:
    """A new recommendation; its title, theme and text are in ``locale``, by default the
    consultation's main language."""
    if not permissions.may_draft_recommendations(author, consultation):
        raise DraftingRefused(_("You may not draft recommendations here."))
    text = _clean_text(text)
    locale = locale or main_language(consultation)
    if locale not in LOCALES:
        raise DraftingRefused(_("Choose one of the portal's languages."))
    recommendation = Recommendation(
        consultation=consultation, title=title.strip(), theme=theme.strip(),
        breakout_group=group, created_by_id=author.id,
        number=_next_number(Recommendation.number,
                            Recommendation.consultation_id == consultation.id),
        position=_next_number(Recommendation.position,
                              Recommendation.consultation_id == consultation.id),
    )
    recommendation.gcm_objectives = sorted(set(gcm_objectives))
    db.session.add(recommendation)
    db.session.flush()
    _add_version(recommendation, text, VersionSource.drafted, author, locale)
    record_event("recommendation.created", actor=author, target=recommendation,
                 consultation=consultation, reference=recommendation.reference)
    return recommendation


def revise(recommendation: Recommendation, author: User, text: str) -> RecommendationVersion:
    """A new version with the given text (the earlier ones stay as they were)."""
    if not permissions.may_draft_recommendations(author, recommendation.consultation):
        raise DraftingRefused(_("You may not change recommendations here."))
    if recommendation.status != RecommendationStatus.draft:
        raise DraftingRefused(_("Only a draft recommendation can change."))
    text = _clean_text(text)
    if text == recommendation.current_version.text:
        raise DraftingRefused(_("The text is the same as the current version."))
    version = _add_version(recommendation, text, VersionSource.edited, author)
    record_event("recommendation.revised", actor=author, target=recommendation,
                 consultation=recommendation.consultation, version=version.number)
    return version


def renumber(consultation: Consultation, actor: User) -> None:
    """References R1, R2, ... follow the plenary order again (merged ones keep theirs)."""
    permissions.demand(permissions.may_moderate(actor, consultation))
    current = db.session.scalars(
        select(Recommendation).where(Recommendation.consultation_id == consultation.id,
                                     Recommendation.status != RecommendationStatus.merged)
        .order_by(Recommendation.position, Recommendation.id)).all()
    merged_numbers = set(db.session.scalars(
        select(Recommendation.number).where(
            Recommendation.consultation_id == consultation.id,
            Recommendation.status == RecommendationStatus.merged)))
    # Two steps, so that the unique (consultation, number) holds at every statement.
    for recommendation in current:
        recommendation.number = -recommendation.id
    db.session.flush()
    number = 0
    for recommendation in current:
        number += 1
        while number in merged_numbers:
            number += 1
        recommendation.number = number
    db.session.flush()
    record_event("recommendation.renumbered", actor=actor, consultation=consultation)


def merge(consultation: Consultation, actor: User, sources: list[Recommendation], *,
          title: str, text: str, theme: str = "") -> Recommendation:
    """One recommendation from several drafts; its first version links back to theirs."""
    may_merge = permissions.may_moderate(actor, consultation) and (
        permissions.may_draft_recommendations(actor, consultation))
    if not may_merge:
        raise DraftingRefused(_("Only a facilitator can merge recommendations."))
    if len(sources) < 2 or any(source.consultation_id != consultation.id for source in sources):
        raise DraftingRefused(_("Choose two or more recommendations of this consultation."))
    if any(source.status != RecommendationStatus.draft for source in sources):
        raise DraftingRefused(_("Only draft recommendations can be merged."))
    objectives = sorted({number for source in sources for number in source.gcm_objectives})
    merged = create_recommendation(consultation, actor, title=title, text=text, theme=theme,
                                   gcm_objectives=objectives)
    first = merged.current_version
    first.source = VersionSource.merge
    for source in sources:
        first.merged_from.append(VersionMergeSource(source_version=source.current_version))
        source.status = RecommendationStatus.merged
        source.merged_into_id = merged.id
    db.session.flush()
    record_event("recommendation.merged", actor=actor, target=merged, consultation=consultation,
                 sources=[source.reference for source in sources])
    return merged


# Amendments ----------------------------------------------------------------------------------

def propose_amendment(recommendation: Recommendation, author: User, *, text: str,
                      rationale: str = "") -> Amendment:
    consultation = recommendation.consultation
    if not permissions.may_propose_amendments(author, consultation):
        raise DraftingRefused(_("You may not propose amendments here."))
    if recommendation.status != RecommendationStatus.draft:
        raise DraftingRefused(_("Only a draft recommendation can be amended."))
    text = _clean_text(text)
    version = recommendation.current_version
    if text == version.text:
        raise DraftingRefused(_("The proposed text is the same as the current version."))
    amendment = Amendment(
        recommendation=recommendation, version=version, proposed_text=text,
        rationale=(rationale or "").strip()[:5000], author_id=author.id,
        author_registration=permissions.registration_of(author, consultation))
    db.session.add(amendment)
    db.session.flush()
    broadcast_after_commit("amendment_created", {
        "recommendation_id": recommendation.id, "amendment_id": amendment.id,
        "version_id": version.id}, f"recommendation:{recommendation.id}")
    return amendment


def support_amendment(amendment: Amendment, user: User) -> bool:
    """Add the user's support; False when they supported it already."""
    if not permissions.may_support_amendment(user, amendment):
        raise DraftingRefused(_("You may not support amendments here."))
    if amendment.status != AmendmentStatus.proposed:
        raise DraftingRefused(_("This amendment is no longer open."))
    try:
        with db.session.begin_nested():
            db.session.add(AmendmentSupport(amendment_id=amendment.id, user_id=user.id))
    except IntegrityError:
        return False
    return True


def _decidable(amendment: Amendment, actor: User | None, by_vote: bool = False) -> None:
    consultation = amendment.recommendation.consultation
    if not by_vote and not permissions.may_draft_recommendations(actor, consultation):
        raise DraftingRefused(_("Only a facilitator or a rapporteur decides on amendments."))
    if amendment.status != AmendmentStatus.proposed:
        raise DraftingRefused(_("This amendment was decided already."))


def accept_amendment(amendment: Amendment, actor: User | None,
                     by_vote: bool = False) -> RecommendationVersion:
    """The amendment's text becomes the recommendation's new version, credited to its author.
    ``by_vote``: the room adopted it in a vote round, which needs no one's decision."""
    _decidable(amendment, actor, by_vote)
    recommendation = amendment.recommendation
    if amendment.version_id != recommendation.current_version.id:
        raise DraftingRefused(_("The text changed since this amendment was proposed: it must be "
                                "proposed again against the current version."))
    version = _add_version(recommendation, amendment.proposed_text, VersionSource.amendment,
                           amendment.author)
    amendment.status = AmendmentStatus.accepted
    amendment.resulting_version_id = version.id
    amendment.decided_at = utcnow()
    amendment.decided_by_id = actor.id if actor else None
    db.session.flush()
    record_event("amendment.accepted", actor=actor, target=amendment,
                 consultation=recommendation.consultation, version=version.number)
    return version


def reject_amendment(amendment: Amendment, actor: User, reason: str) -> None:
    _decidable(amendment, actor)
    reason = (reason or "").strip()
    if not reason:
        raise DraftingRefused(_("Say why the amendment is rejected."))
    amendment.status = AmendmentStatus.rejected
    amendment.decision_reason = reason[:2000]
    amendment.decided_at, amendment.decided_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("amendment.rejected", actor=actor, target=amendment,
                 consultation=amendment.recommendation.consultation, reason=reason[:200])


def withdraw_amendment(amendment: Amendment, author: User) -> None:
    if not permissions.may_withdraw_amendment(author, amendment):
        raise DraftingRefused(_("Only its author can withdraw an amendment."))
    if amendment.status != AmendmentStatus.proposed:
        raise DraftingRefused(_("This amendment was decided already."))
    amendment.status = AmendmentStatus.withdrawn
    amendment.decided_at = utcnow()
    db.session.flush()


def recommendations_of(consultation: Consultation) -> list[Recommendation]:
    """The consultation's recommendations in plenary order, with what the lists show."""
    return db.session.scalars(
        select(Recommendation).where(Recommendation.consultation_id == consultation.id)
        .options(selectinload(Recommendation.versions),
                 selectinload(Recommendation.breakout_group),
                 selectinload(Recommendation.objective_links))
        .order_by(Recommendation.position, Recommendation.id)).all()


def proposed_amendments(consultation: Consultation) -> dict[int, list[Amendment]]:
    """Amendments still open, by recommendation id, oldest first."""
    amendments = db.session.scalars(
        select(Amendment).join(Recommendation).where(
            Recommendation.consultation_id == consultation.id,
            Amendment.status == AmendmentStatus.proposed).order_by(Amendment.id)).all()
    grouped: dict[int, list[Amendment]] = {}
    for amendment in amendments:
        grouped.setdefault(amendment.recommendation_id, []).append(amendment)
    return grouped
