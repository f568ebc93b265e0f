"""The rules of translating recommendations: one translation of a version per language, a
draft until someone marks it reviewed. Only reviewed translations go into outcome documents.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.config import LOCALES
from portal.database import utcnow
from portal.extensions import db
from recommendations.drafting import MAX_TEXT_LENGTH, recommendations_of
from recommendations.models import (
    RecommendationStatus,
    RecommendationVersion,
    TranslationStatus,
    VersionTranslation,
)
from recommendations.outcome.operations import is_final

MAX_TITLE_LENGTH = 300


class TranslationRefused(Exception):
    """The translation cannot be saved; ``reason`` says why in the user's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def translation_of(version: RecommendationVersion, locale: str) -> VersionTranslation | None:
    return db.session.scalar(select(VersionTranslation).where(
        VersionTranslation.version_id == version.id, VersionTranslation.locale == locale))


def translations_to_make(consultation, locale: str) -> tuple[list, dict[int, VersionTranslation]]:
    """The recommendations to translate (merged ones live on in the one they were merged into)
    and, by recommendation id, the translation of each one's current version into ``locale``
    that there is: two queries whatever the number of recommendations."""
    recommendations = [recommendation for recommendation in recommendations_of(consultation)
                       if recommendation.status != RecommendationStatus.merged]
    by_version = {recommendation.current_version.id: recommendation.id
                  for recommendation in recommendations}
    found = db.session.scalars(select(VersionTranslation).where(
        VersionTranslation.version_id.in_(by_version), VersionTranslation.locale == locale))
    return recommendations, {by_version[translation.version_id]: translation
                             for translation in found}


def latest_translation(recommendation, locale: str) -> VersionTranslation | None:
    """The translation into ``locale`` of the recommendation's latest version that has one."""
    return db.session.scalar(
        select(VersionTranslation).join(RecommendationVersion)
        .where(RecommendationVersion.recommendation_id == recommendation.id,
               VersionTranslation.locale == locale)
        .order_by(RecommendationVersion.number.desc()).limit(1))


def save_translation(version: RecommendationVersion, actor: User, *, locale: str, title: str,
                     text: str, status: TranslationStatus) -> VersionTranslation:
    """Add the version's translation into ``locale``, or replace the one there is."""
    recommendation = version.recommendation
    consultation = recommendation.consultation
    if not permissions.may_translate(actor, consultation):
        raise TranslationRefused(_("You may not translate the recommendations of this "
                                   "consultation."))
    if recommendation.status == RecommendationStatus.merged:
        raise TranslationRefused(_("This recommendation was merged into another one: "
                                   "translate that one."))
    if locale not in LOCALES:
        raise TranslationRefused(_("Choose one of the portal's languages."))
    if locale == version.locale:
        raise TranslationRefused(_("This text is written in that language already."))
    if is_final(consultation, locale):
        raise TranslationRefused(_("The outcome document in this language is final: its "
                                   "texts no longer change."))
    title, text = (title or "").strip(), (text or "").replace("\r\n", "\n").strip()
    if not title or not text:
        raise TranslationRefused(_("A translation needs its title and its text."))
    if len(title) > MAX_TITLE_LENGTH or len(text) > MAX_TEXT_LENGTH:
        raise TranslationRefused(_("A title has %(title)d characters at most, a text "
                                   "%(text)d.", title=MAX_TITLE_LENGTH, text=MAX_TEXT_LENGTH))
    status = TranslationStatus(status)
    translation = translation_of(version, locale)
    if translation is None:
        translation = VersionTranslation(version=version, locale=locale)
        db.session.add(translation)
    translation.title, translation.text, translation.status = title, text, status
    translation.translated_by_id = actor.id
    translation.updated_at = utcnow()
    db.session.flush()
    record_event("translation.saved", actor=actor, target=translation,
                 consultation=consultation, reference=recommendation.reference,
                 version=version.number, locale=locale, status=status.value)
    return translation
