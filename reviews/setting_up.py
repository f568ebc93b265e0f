"""The rules of setting up a review: creating and editing it, its secretariat team, and the
consultations attached to it by those who run them."""

import re
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consultations.models import Consultation
from portal import permissions
from portal.accounts.models import User
from portal.accounts.operations import find_account, normalise_email
from portal.audit.operations import record_event
from portal.extensions import db
from portal.permissions import demand
from portal.refusals import Refused
from recommendations.models import Recommendation, RecommendationStatus
from reviews.models import Review, ReviewConsultation, ReviewSecretariatMember

#: The review's fields a form may set.
FIELDS = ("title", "region", "gcm_objectives", "starts_on", "ends_on", "description",
          "is_public")


class ReviewRefused(Refused):
    """The change is not allowed; ``reason`` says why in the user's language."""


def _slug_from(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].strip("-") or "review"


def _available_slug(title: str) -> str:
    base = _slug_from(title)
    taken = set(db.session.scalars(
        select(Review.slug).where(Review.slug.startswith(base, autoescape=True))))
    number, slug = 1, base
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def _check_dates(fields: dict) -> None:
    if fields["ends_on"] < fields["starts_on"]:
        raise ReviewRefused(_("The review cannot end before it starts."))


def create_review(creator: User, **fields) -> Review:
    """A new review; its creator is the first member of its secretariat team."""
    demand(permissions.may_create_review(creator))
    _check_dates(fields)
    objectives = fields.pop("gcm_objectives", [])
    review = Review(slug=_available_slug(fields["title"]), created_by_id=creator.id, **fields)
    review.gcm_objectives = sorted(set(objectives))
    review.secretariat.append(ReviewSecretariatMember(user_id=creator.id))
    db.session.add(review)
    db.session.flush()
    record_event("review.created", actor=creator, target=review, title=review.title)
    return review


def update_review(review: Review, actor: User, **fields) -> None:
    demand(permissions.may_edit_review(actor, review))
    _check_dates(fields)
    objectives = fields.pop("gcm_objectives", None)
    changed = [name for name, value in fields.items() if getattr(review, name) != value]
    for name, value in fields.items():
        setattr(review, name, value)
    if objectives is not None and sorted(set(objectives)) != list(review.gcm_objectives):
        review.gcm_objectives = sorted(set(objectives))
        changed.append("gcm_objectives")
    db.session.flush()
    record_event("review.updated", actor=actor, target=review, fields=changed)


def add_team_member(review: Review, actor: User, email: str) -> ReviewSecretariatMember:
    """Add the person with this address (who must have an account) to the review's team."""
    demand(permissions.may_edit_review(actor, review))
    person = find_account(normalise_email(email))
    if person is None:
        raise ReviewRefused(_("Nobody has an account with this e-mail address."))
    if any(member.user_id == person.id for member in review.secretariat):
        raise ReviewRefused(_("%(name)s is already in the team.", name=person.name))
    member = ReviewSecretariatMember(review=review, user_id=person.id)
    db.session.add(member)
    db.session.flush()
    record_event("review.team_member_added", actor=actor, target=review, email=person.email)
    return member


def remove_team_member(review: Review, actor: User, member: ReviewSecretariatMember) -> None:
    """Take someone off the team; the last member stays, so that someone can edit it."""
    demand(permissions.may_edit_review(actor, review))
    if len(review.secretariat) <= 1:
        raise ReviewRefused(_("A review keeps at least one member in its team."))
    email = member.user.email
    review.secretariat.remove(member)
    db.session.flush()
    record_event("review.team_member_removed", actor=actor, target=review, email=email)


def attach_consultation(review: Review, consultation: Consultation,
                        actor: User) -> ReviewConsultation:
    demand(permissions.may_attach_consultation(actor, consultation)
           and permissions.may_view_review(actor, review))
    if any(link.consultation_id == consultation.id for link in review.attachments):
        raise ReviewRefused(_("The consultation is already part of this review."))
    link = ReviewConsultation(review=review, consultation=consultation,
                              attached_by_id=actor.id)
    db.session.add(link)
    db.session.flush()
    record_event("review.consultation_attached", actor=actor, target=review,
                 consultation=consultation)
    return link


def detach_consultation(review: Review, consultation: Consultation, actor: User) -> None:
    demand(permissions.may_detach_consultation(actor, review, consultation))
    link = next((link for link in review.attachments
                 if link.consultation_id == consultation.id), None)
    if link is None:
        raise ReviewRefused(_("The consultation is not part of this review."))
    review.attachments.remove(link)
    db.session.flush()
    record_event("review.consultation_detached", actor=actor, target=review,
                 consultation=consultation)


def all_reviews() -> list[Review]:
    return db.session.scalars(
        select(Review).options(selectinload(Review.secretariat),
                               selectinload(Review.attachments)
                               .selectinload(ReviewConsultation.consultation))
        .order_by(Review.starts_on.desc(), Review.id.desc())).all()


def reviews_visible_to(user) -> list[Review]:
    return [review for review in all_reviews() if permissions.may_view_review(user, review)]


def reviews_of(consultation: Consultation, user) -> list[Review]:
    """The reviews the consultation is part of that the user may see."""
    reviews = db.session.scalars(
        select(Review).join(ReviewConsultation)
        .where(ReviewConsultation.consultation_id == consultation.id)
        .order_by(Review.starts_on.desc(), Review.id)).all()
    return [review for review in reviews if permissions.may_view_review(user, review)]


def find_review(slug: str) -> Review | None:
    return db.session.scalar(select(Review).where(Review.slug == slug))


def adopted_recommendations(review: Review) -> dict[int, list[Recommendation]]:
    """The adopted recommendations of the review's consultations, by consultation id, in
    plenary order."""
    ids = [link.consultation_id for link in review.attachments]
    found: dict[int, list[Recommendation]] = {identifier: [] for identifier in ids}
    for recommendation in db.session.scalars(
            select(Recommendation).where(
                Recommendation.consultation_id.in_(ids),
                Recommendation.status == RecommendationStatus.adopted)
            .options(selectinload(Recommendation.versions),
                     selectinload(Recommendation.objective_links))
            .order_by(Recommendation.position, Recommendation.id)):
        found[recommendation.consultation_id].append(recommendation)
    return found

