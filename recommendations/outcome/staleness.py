"""Written parts of the outcome that may no longer say what happened: an executive summary,
introduction or breakout summary naming a recommendation (by its reference, or by its title in
the document's language) whose state or result changed after the part was last edited.
"""

import re
from datetime import datetime

from sqlalchemy import select

from consultations.models import Consultation
from portal.extensions import db
from recommendations import drafting
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    VersionTranslation,
    VoteRound,
)
from recommendations.outcome.parts import StalePart

#: A title names its recommendation in a written part only when it is this long at least: a
#: short one ("Funding") would be found in texts that do not mean it.
SHORTEST_TITLE_NAMED = 12


def stale_parts(consultation: Consultation, locale: str, parts: list[tuple]) -> list[StalePart]:
    """The flags for ``parts``: (kind, breakout group or None, text, when it was edited)."""
    if not parts:
        return []
    recommendations = drafting.recommendations_of(consultation)
    changes = _last_changes(consultation, recommendations)
    titles = _titles_in(recommendations, locale)
    flags = []
    for kind, group, text, edited_at in parts:
        plain = " ".join(text.split()).casefold()
        for recommendation in recommendations:
            change = changes.get(recommendation.id)
            if change is None or change[0] <= edited_at:
                continue
            title = " ".join(titles.get(recommendation.id, "").split()).casefold()
            reference = re.escape(recommendation.reference)
            named = re.search(rf"(?<!\w){reference}(?!\w)", text) or (
                len(title) >= SHORTEST_TITLE_NAMED and title in plain)
            if named:
                flags.append(StalePart(
                    part=kind, reference=recommendation.reference,
                    recommendation_id=recommendation.id, change=change[1],
                    changed_at=change[0].isoformat(), edited_at=edited_at.isoformat(),
                    group=group.name if group else "", group_id=group.id if group else None,
                    into=change[2]))
    return flags


def _last_changes(consultation: Consultation, recommendations: list[Recommendation]
                  ) -> dict[int, tuple[datetime, str, str]]:
    """When each recommendation's state or result last changed, how ("adopted",
    "not_adopted", "reopened", "merged"), and into which recommendation it was merged."""
    changes: dict[int, tuple[datetime, str, str]] = {}

    def note(recommendation_id: int, when: datetime, change: str, into: str = "") -> None:
        if recommendation_id not in changes or when > changes[recommendation_id][0]:
            changes[recommendation_id] = (when, change, into)

    for round_ in db.session.scalars(select(VoteRound).where(
            VoteRound.consultation_id == consultation.id, VoteRound.amendment_id.is_(None))):
        if round_.closed_at is not None:
            note(round_.recommendation_id, round_.closed_at,
                 "adopted" if round_.adopted else "not_adopted")
        if round_.reopened_at is not None:
            note(round_.recommendation_id, round_.reopened_at, "reopened")
    by_id = {recommendation.id: recommendation for recommendation in recommendations}
    for recommendation in recommendations:
        target = by_id.get(recommendation.merged_into_id)
        if recommendation.status == RecommendationStatus.merged and target is not None:
            note(recommendation.id, target.versions[0].created_at, "merged", target.reference)
    return changes


def _titles_in(recommendations: list[Recommendation], locale: str) -> dict[int, str]:
    """Each recommendation's title in ``locale``: as written, or as translated there."""
    titles = {recommendation.id: recommendation.title for recommendation in recommendations
              if recommendation.current_version.locale == locale}
    others = {recommendation.current_version.id: recommendation.id
              for recommendation in recommendations if recommendation.id not in titles}
    if others:
        for translation in db.session.scalars(select(VersionTranslation).where(
                VersionTranslation.version_id.in_(others),
                VersionTranslation.locale == locale)):
            titles[others[translation.version_id]] = translation.title
    return titles
