"""The rules of translating recommendations and amendments: one translation of a version (or
of an amendment) per language, a draft until someone other than its translator marks it
reviewed. Only reviewed translations go into outcome documents and are shown to participants
in place of the original; a translation belongs to the version it translates, so when a new
version appears the earlier one's translation is out of date, never reused.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload

from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.config import LOCALES
from portal.database import utcnow
from portal.extensions import db
from portal.refusals import Refused
from recommendations.drafting import MAX_TEXT_LENGTH, recommendations_of
from recommendations.models import (
    Amendment,
    AmendmentStatus,
    AmendmentTranslation,
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    TranslationStatus,
    VersionTranslation,
)
from recommendations.outcome.operations import is_final

MAX_TITLE_LENGTH = 300


class TranslationRefused(Refused):
    """The translation cannot be saved; ``reason`` says why in the user's language."""


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
    found = db.session.scalars(
        select(VersionTranslation).where(VersionTranslation.version_id.in_(by_version),
                                         VersionTranslation.locale == locale)
        .options(selectinload(VersionTranslation.translated_by),
                 selectinload(VersionTranslation.reviewed_by)))
    return recommendations, {by_version[translation.version_id]: translation
                             for translation in found}


def latest_translation(recommendation, locale: str) -> VersionTranslation | None:
    """The translation into ``locale`` of the recommendation's latest version that has one."""
    return db.session.scalar(
        select(VersionTranslation).join(RecommendationVersion)
        .where(RecommendationVersion.recommendation_id == recommendation.id,
               VersionTranslation.locale == locale)
        .order_by(RecommendationVersion.number.desc()).limit(1))


def out_of_date_translations(recommendations, locale: str) -> dict[int, VersionTranslation]:
    """By recommendation id, the latest translation into ``locale`` of an earlier version, for
    the recommendations whose current version has none: they need translating again."""
    current = {recommendation.id: recommendation.current_version.id
               for recommendation in recommendations}
    if not current:
        return {}
    found = db.session.execute(
        select(RecommendationVersion.recommendation_id, VersionTranslation)
        .join(VersionTranslation.version)
        .where(RecommendationVersion.recommendation_id.in_(current),
               VersionTranslation.locale == locale)
        .options(contains_eager(VersionTranslation.version))
        .order_by(RecommendationVersion.number)).all()
    latest = {recommendation_id: translation for recommendation_id, translation in found}
    return {recommendation_id: translation for recommendation_id, translation in latest.items()
            if translation.version_id != current[recommendation_id]}


def amendments_to_translate(consultation) -> list[Amendment]:
    """The amendments participants still read and may vote on: those proposed."""
    return db.session.scalars(
        select(Amendment).join(Recommendation)
        .where(Recommendation.consultation_id == consultation.id,
               Amendment.status == AmendmentStatus.proposed)
        .options(contains_eager(Amendment.recommendation), selectinload(Amendment.version))
        .order_by(Recommendation.position, Recommendation.id, Amendment.id)).all()


def amendment_translation_of(amendment: Amendment, locale: str) -> AmendmentTranslation | None:
    return db.session.scalar(select(AmendmentTranslation).where(
        AmendmentTranslation.amendment_id == amendment.id, AmendmentTranslation.locale == locale))


# Reading in one's own language ---------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    """What a reader is shown of a recommendation's version: the reviewed translation into
    their language where there is one, else the original. ``stale`` is a reviewed translation
    of an earlier version, named so the reader knows why they see the original."""

    title: str
    text: str
    locale: str
    original_locale: str
    translated: bool
    stale: VersionTranslation | None = None


def reading_of(recommendation, version: RecommendationVersion, locale: str,
               original: bool = False) -> Reading:
    """The version as a reader in ``locale`` sees it; ``original`` asks for the original."""
    return readings_of([(recommendation, version)], locale, original)[recommendation.id]


def readings_of(pairs, locale: str, original: bool = False) -> dict[int, Reading]:
    """By recommendation id, the reading of each (recommendation, version) pair in
    ``locale``: two queries whatever the number."""
    pairs = list(pairs)
    reviewed, stale = {}, {}
    wanted = [version.id for _recommendation, version in pairs if version.locale != locale]
    if wanted and not original:
        reviewed = {translation.version_id: translation
                    for translation in db.session.scalars(select(VersionTranslation).where(
                        VersionTranslation.version_id.in_(wanted),
                        VersionTranslation.locale == locale,
                        VersionTranslation.status == TranslationStatus.reviewed))}
    untranslated = [recommendation.id for recommendation, version in pairs
                    if version.locale != locale and version.id not in reviewed]
    if untranslated:
        for recommendation_id, translation in db.session.execute(
                select(RecommendationVersion.recommendation_id, VersionTranslation)
                .join(VersionTranslation.version)
                .where(RecommendationVersion.recommendation_id.in_(untranslated),
                       VersionTranslation.locale == locale,
                       VersionTranslation.status == TranslationStatus.reviewed)
                .options(contains_eager(VersionTranslation.version))
                .order_by(RecommendationVersion.number)):
            stale[recommendation_id] = translation
    readings = {}
    for recommendation, version in pairs:
        translation = reviewed.get(version.id)
        if translation is not None:
            readings[recommendation.id] = Reading(
                translation.title, translation.text, locale, version.locale, True)
            continue
        earlier = stale.get(recommendation.id)
        if earlier is not None and earlier.version.number >= version.number:
            earlier = None
        readings[recommendation.id] = Reading(
            recommendation.title, version.text, version.locale, version.locale, False, earlier)
    return readings


def amendment_translations_into(amendments, locale: str, *, reviewed_only: bool = False
                                ) -> dict[int, AmendmentTranslation]:
    """By amendment id, the translation into ``locale`` of each amendment written in another
    language that has one (reviewed ones only if asked): one query."""
    wanted = [amendment.id for amendment in amendments if amendment.version.locale != locale]
    if not wanted:
        return {}
    query = select(AmendmentTranslation).where(
        AmendmentTranslation.amendment_id.in_(wanted), AmendmentTranslation.locale == locale)
    if reviewed_only:
        query = query.where(AmendmentTranslation.status == TranslationStatus.reviewed)
    return {translation.amendment_id: translation for translation in db.session.scalars(query)}


def amendment_readings(amendments, locale: str) -> dict[int, AmendmentTranslation]:
    """By amendment id, the reviewed translation participants in ``locale`` read in place of
    the original."""
    return amendment_translations_into(amendments, locale, reviewed_only=True)


# Saving --------------------------------------------------------------------------------------

def _refuse_unless_translatable(actor: User, consultation, recommendation, locale: str,
                                source_locale: str) -> None:
    if not permissions.may_translate(actor, consultation):
        raise TranslationRefused(_("You may not translate the recommendations of this "
                                   "consultation."))
    if recommendation.status == RecommendationStatus.merged:
        raise TranslationRefused(_("This recommendation was merged into another one: "
                                   "translate that one."))
    if locale not in LOCALES:
        raise TranslationRefused(_("Choose one of the portal's languages."))
    if locale == source_locale:
        raise TranslationRefused(_("This text is written in that language already."))
    if is_final(consultation, locale):
        raise TranslationRefused(_("The outcome document in this language is final: its "
                                   "texts no longer change."))


def _refuse_review_by_translator(translation, actor: User, status: TranslationStatus) -> None:
    """A reviewed translation has been read by someone other than its translator."""
    if status == TranslationStatus.reviewed and (
            translation is None or translation.translated_by_id in (None, actor.id)):
        raise TranslationRefused(_("Someone other than the translator marks a translation "
                                   "reviewed: save it as a draft and ask another translator "
                                   "or the secretariat to review it."))


def _set_status(translation, actor: User, status: TranslationStatus) -> None:
    """A draft is the work of whoever saved it last; a reviewed translation keeps its
    translator and names its reviewer."""
    if status == TranslationStatus.reviewed:
        translation.reviewed_by_id, translation.reviewed_at = actor.id, utcnow()
    else:
        translation.translated_by_id = actor.id
        translation.reviewed_by_id = translation.reviewed_at = None
    translation.status = status
    translation.updated_at = utcnow()


def _save(translation, make, actor: User, status: TranslationStatus, fields: dict,
          event: str, consultation, **details):
    """Store a checked translation: ``translation`` the one there is, or None and ``make``
    gives a new one; ``fields`` its texts; the audit ``event`` with its ``details``."""
    status = TranslationStatus(status)
    _refuse_review_by_translator(translation, actor, status)
    if translation is None:
        translation = make()
        db.session.add(translation)
    _set_status(translation, actor, status)
    for name, value in fields.items():
        setattr(translation, name, value)
    db.session.flush()
    record_event(event, actor=actor, target=translation, consultation=consultation,
                 **details, status=status.value)
    return translation


def save_translation(version: RecommendationVersion, actor: User, *, locale: str, title: str,
                     text: str, status: TranslationStatus) -> VersionTranslation:
    """Add the version's translation into ``locale``, or replace the one there is."""
    recommendation = version.recommendation
    consultation = recommendation.consultation
    _refuse_unless_translatable(actor, consultation, recommendation, locale, version.locale)
    title, text = (title or "").strip(), (text or "").replace("\r\n", "\n").strip()
    if not title or not text:
        raise TranslationRefused(_("A translation needs its title and its text."))
    if len(title) > MAX_TITLE_LENGTH or len(text) > MAX_TEXT_LENGTH:
        raise TranslationRefused(_("A title has %(title)d characters at most, a text "
                                   "%(text)d.", title=MAX_TITLE_LENGTH, text=MAX_TEXT_LENGTH))
    return _save(translation_of(version, locale),
                 lambda: VersionTranslation(version=version, locale=locale), actor, status,
                 {"title": title, "text": text}, "translation.saved", consultation,
                 reference=recommendation.reference, version=version.number, locale=locale)


def save_amendment_translation(amendment: Amendment, actor: User, *, locale: str, text: str,
                               rationale: str, status: TranslationStatus) -> AmendmentTranslation:
    """Add the amendment's translation into ``locale``, or replace the one there is."""
    recommendation = amendment.recommendation
    consultation = recommendation.consultation
    _refuse_unless_translatable(actor, consultation, recommendation, locale,
                                amendment.version.locale)
    text = (text or "").replace("\r\n", "\n").strip()
    rationale = (rationale or "").replace("\r\n", "\n").strip()
    if not text:
        raise TranslationRefused(_("A translation needs its text."))
    if amendment.rationale and not rationale:
        raise TranslationRefused(_("Translate the reasons given for the amendment too."))
    if len(text) > MAX_TEXT_LENGTH or len(rationale) > MAX_TEXT_LENGTH:
        raise TranslationRefused(_("A text has %(text)d characters at most.",
                                   text=MAX_TEXT_LENGTH))
    return _save(amendment_translation_of(amendment, locale),
                 lambda: AmendmentTranslation(amendment=amendment, locale=locale), actor, status,
                 {"text": text, "rationale": rationale}, "amendment_translation.saved",
                 consultation, reference=recommendation.reference, amendment=amendment.id,
                 locale=locale)
