"""Building a review's synthesis: the secretariat groups the adopted recommendations of the
review's consultations (the portal suggests groups by text similarity: reviews/similarity.py),
gives each group a title, GCM objectives and a synthesised text in each of the review's
languages, and orders them. Every change is checked against its actor and audited."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import permissions
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.permissions import demand
from portal.refusals import Refused
from recommendations.models import Recommendation
from reviews import provenance, similarity
from reviews.models import Review, SynthesisedRecommendation, SynthesisedText, SynthesisSource

MAX_TITLE_LENGTH = 300
MAX_TEXT_LENGTH = 20_000


class SynthesisRefused(Refused):
    """The change to the synthesis is refused; ``reason`` says why."""


def groups_of(review: Review) -> list[SynthesisedRecommendation]:
    return list(db.session.scalars(
        select(SynthesisedRecommendation).where(SynthesisedRecommendation.review_id == review.id)
        .order_by(SynthesisedRecommendation.position, SynthesisedRecommendation.number)))


def ungrouped(review: Review) -> list[Recommendation]:
    """The adopted recommendations of the review's consultations in no group yet."""
    grouped = set(db.session.scalars(
        select(SynthesisSource.recommendation_id).where(SynthesisSource.review_id == review.id)))
    return [recommendation for recommendation in provenance.adopted_recommendations(review)
            if recommendation.id not in grouped]


def suggestions(review: Review) -> list[list[Recommendation]]:
    """Groups the portal suggests among the ungrouped recommendations (reviews/similarity.py)."""
    waiting = {recommendation.id: recommendation for recommendation in ungrouped(review)}
    texts = {key: provenance.texts_of(recommendation, reviewed_only=False)
             for key, recommendation in waiting.items()}
    groups = similarity.suggested_groups(texts, provenance.languages_of(review))
    return [[waiting[key] for key in group] for group in groups]


def _next(review: Review, column) -> int:
    return (db.session.scalar(select(func.max(column)).where(
        SynthesisedRecommendation.review_id == review.id)) or 0) + 1


def create_group(review: Review, actor, recommendations: list[Recommendation]
                 ) -> SynthesisedRecommendation:
    """A synthesised recommendation grouping ``recommendations`` (a confirmed suggestion, or
    the secretariat's own choice): titled after the first, serving the union of their GCM
    objectives."""
    demand(permissions.may_build_synthesis(actor, review))
    waiting = {recommendation.id for recommendation in ungrouped(review)}
    if not recommendations:
        raise SynthesisRefused(_("Choose at least one recommendation."))
    if any(recommendation.id not in waiting for recommendation in recommendations):
        raise SynthesisRefused(_("A recommendation chosen is not an adopted recommendation of "
                                 "this review waiting to be grouped."))
    group = SynthesisedRecommendation(
        review_id=review.id, number=_next(review, SynthesisedRecommendation.number),
        position=_next(review, SynthesisedRecommendation.position),
        title=recommendations[0].title,
        gcm_objectives=sorted({objective for recommendation in recommendations
                               for objective in recommendation.gcm_objectives}))
    group.sources = [SynthesisSource(review_id=review.id, recommendation=recommendation)
                     for recommendation in recommendations]
    db.session.add(group)
    db.session.flush()
    record_event("synthesis.group_created", actor=actor, target=group, review=review.id,
                 sources=[recommendation.id for recommendation in recommendations])
    return group


def split_source(source: SynthesisSource, actor) -> SynthesisedRecommendation:
    """Take a recommendation out of its group into a group of its own."""
    group = source.synthesised
    demand(permissions.may_build_synthesis(actor, group.review))
    if len(group.sources) < 2:
        raise SynthesisRefused(_("This recommendation is alone in its group already."))
    alone = SynthesisedRecommendation(
        review_id=group.review_id, number=_next(group.review, SynthesisedRecommendation.number),
        position=_next(group.review, SynthesisedRecommendation.position),
        title=source.recommendation.title,
        gcm_objectives=list(source.recommendation.gcm_objectives))
    db.session.add(alone)
    source.synthesised = alone
    db.session.flush()
    record_event("synthesis.source_split", actor=actor, target=alone, review=group.review_id,
                 source=source.recommendation_id, former_group=group.id)
    return alone


def move_source(source: SynthesisSource, target: SynthesisedRecommendation, actor) -> None:
    """Move a recommendation to another group; a group left empty is removed."""
    group = source.synthesised
    demand(permissions.may_build_synthesis(actor, group.review))
    if target.review_id != group.review_id or target.id == group.id:
        raise SynthesisRefused(_("Choose another group of this review."))
    source.synthesised = target
    target.gcm_objectives = sorted({*target.gcm_objectives,
                                    *source.recommendation.gcm_objectives})
    if not group.sources:
        db.session.delete(group)
    db.session.flush()
    record_event("synthesis.source_moved", actor=actor, target=target, review=target.review_id,
                 source=source.recommendation_id, former_group=group.id)


def merge_groups(group: SynthesisedRecommendation, into: SynthesisedRecommendation,
                 actor) -> None:
    """Put every source of ``group`` into ``into``, which keeps its title and texts (a text
    only ``group`` had comes along); ``group`` is removed."""
    demand(permissions.may_build_synthesis(actor, group.review))
    if into.review_id != group.review_id or into.id == group.id:
        raise SynthesisRefused(_("Choose another group of this review."))
    for source in list(group.sources):
        source.synthesised = into
    written = {text.locale for text in into.texts}
    for text in list(group.texts):
        if text.locale not in written and text.text.strip():
            text.synthesised = into
    into.gcm_objectives = sorted({*into.gcm_objectives, *group.gcm_objectives})
    db.session.delete(group)
    db.session.flush()
    record_event("synthesis.groups_merged", actor=actor, target=into, review=into.review_id,
                 merged=group.id)


def edit_group(group: SynthesisedRecommendation, actor, *, title: str, objectives: list[int],
               texts: dict[str, str]) -> None:
    """Set the group's title, GCM objectives and synthesised texts (by language)."""
    review = group.review
    demand(permissions.may_build_synthesis(actor, review))
    if not title.strip() or len(title) > MAX_TITLE_LENGTH:
        raise SynthesisRefused(_("Give a title of at most %(count)d characters.",
                                 count=MAX_TITLE_LENGTH))
    if any(objective not in range(1, 24) for objective in objectives):
        raise SynthesisRefused(_("GCM objectives are numbered 1 to 23."))
    languages = provenance.languages_of(review)
    if any(locale not in languages or len(text) > MAX_TEXT_LENGTH
           for locale, text in texts.items()):
        raise SynthesisRefused(_("A text is too long or not in a language of the review."))
    group.title, group.gcm_objectives = title.strip(), sorted(set(objectives))
    existing = {text.locale: text for text in group.texts}
    for locale, text in texts.items():
        written = existing.get(locale)
        if written is None:
            written = SynthesisedText(locale=locale)
            group.texts.append(written)
        if written.text != text.strip():
            written.text, written.updated_at = text.strip(), utcnow()
            written.updated_by_id = actor.id
    db.session.flush()
    record_event("synthesis.group_edited", actor=actor, target=group, review=review.id,
                 languages=sorted(locale for locale, text in texts.items() if text.strip()))


def move_group(group: SynthesisedRecommendation, actor, *, up: bool) -> None:
    """Swap the group with the one before (``up``) or after it in the synthesis."""
    demand(permissions.may_build_synthesis(actor, group.review))
    groups = groups_of(group.review)
    for index, each in enumerate(groups):
        each.position = index + 1
    index = groups.index(group)
    other = index - 1 if up else index + 1
    if 0 <= other < len(groups):
        groups[index].position, groups[other].position = other + 1, index + 1
    db.session.flush()


def text_in(group: SynthesisedRecommendation, locale: str) -> str:
    return next((text.text for text in group.texts if text.locale == locale), "")
