"""The rules of the follow-up: commitments made by organisations against a review's
recommendations, and the progress they report on them."""

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import permissions
from portal.accounts.models import StakeholderGroup, User
from portal.audit.operations import record_event
from portal.countries import is_country_code
from portal.extensions import db
from portal.permissions import demand
from portal.refusals import Refused
from recommendations.models import Recommendation, RecommendationStatus
from reviews.models import (
    Commitment,
    CommitmentProgress,
    ProgressReport,
    Review,
    SynthesisedRecommendation,
)

MAX_ACTION_LENGTH = 2000
MAX_REPORT_LENGTH = 1000


class CommitmentRefused(Refused):
    """The commitment or the report is not allowed; ``reason`` says why in the user's
    language."""


@dataclass(frozen=True)
class Target:
    """What a commitment may be made against: an adopted recommendation of one of the
    review's consultations (``r<id>``) or a synthesised recommendation (``s<id>``)."""

    key: str
    reference: str
    title: str
    objectives: tuple[int, ...]
    recommendation: Recommendation | None = None
    synthesised: SynthesisedRecommendation | None = None


@dataclass(frozen=True)
class Organisation:
    """Whom a commitment is made for: a registration's organisation, or one typed by the
    review's team."""

    name: str
    stakeholder_group: StakeholderGroup
    country: str


def targets_of(review: Review) -> list[Target]:
    """The synthesised recommendations first (when the synthesis has any), then the adopted
    recommendations of each consultation, in plenary order."""
    synthesised = db.session.scalars(
        select(SynthesisedRecommendation).where(SynthesisedRecommendation.review_id == review.id)
        .order_by(SynthesisedRecommendation.position, SynthesisedRecommendation.number)).all()
    targets = [Target(f"s{item.id}", item.reference, item.title,
                      tuple(item.gcm_objectives or ()), synthesised=item)
               for item in synthesised]
    ids = [link.consultation_id for link in review.attachments]
    adopted = db.session.scalars(
        select(Recommendation).where(Recommendation.consultation_id.in_(ids),
                                     Recommendation.status == RecommendationStatus.adopted)
        .options(selectinload(Recommendation.objective_links),
                 selectinload(Recommendation.consultation))
        .order_by(Recommendation.consultation_id, Recommendation.position,
                  Recommendation.id)).all()
    targets += [Target(f"r{item.id}", reference_of(item), item.title,
                       tuple(item.gcm_objectives), recommendation=item) for item in adopted]
    return targets


def reference_of(recommendation: Recommendation) -> str:
    """A recommendation's reference within a review: its consultation's address and its
    number (``dakar-2024 R3``), as several consultations each have an R1."""
    return f"{recommendation.consultation.slug} {recommendation.reference}"


def target_reference(commitment: Commitment) -> str:
    if commitment.synthesised is not None:
        return commitment.synthesised.reference
    return reference_of(commitment.recommendation)


def _target(review: Review, key: str) -> Target:
    found = next((target for target in targets_of(review) if target.key == key), None)
    if found is None:
        raise CommitmentRefused(_("Choose one of the review's recommendations."))
    return found


def organisations_of(user, review: Review) -> list[Organisation]:
    """The organisations the user may commit for through their registrations, each once."""
    found: dict[str, Organisation] = {}
    for registration in permissions.registrations_in_review(user, review):
        key = permissions.organisation_key(registration.organisation)
        if key and key not in found:
            found[key] = Organisation(registration.organisation,
                                      registration.stakeholder_group, registration.country or "")
    return list(found.values())


def _organisation(review: Review, actor: User, chosen: str,
                  typed: Organisation | None) -> Organisation:
    if typed is not None:
        demand(permissions.may_name_commitment_organisation(actor, review))
        if not typed.name.strip():
            raise CommitmentRefused(_("Type the organisation's name."))
        if typed.country and not is_country_code(typed.country):
            raise CommitmentRefused(_("Choose a country from the list."))
        return Organisation(typed.name.strip(), typed.stakeholder_group, typed.country)
    own = {permissions.organisation_key(item.name): item
           for item in organisations_of(actor, review)}
    found = own.get(permissions.organisation_key(chosen))
    if found is None:
        raise CommitmentRefused(_("You may commit only for the organisation you registered "
                                  "with in one of the review's consultations."))
    return found


def make_commitment(review: Review, actor: User, *, target: str, action: str,
                    due_on: date | None = None, location: str = "",
                    organisation: str = "", typed: Organisation | None = None) -> Commitment:
    """A commitment for ``organisation`` (one of the actor's, by name), or for the ``typed``
    organisation (the review's team and admins only)."""
    demand(permissions.may_make_commitment(actor, review))
    action = (action or "").strip()
    if not action:
        raise CommitmentRefused(_("Say what the organisation will do."))
    if len(action) > MAX_ACTION_LENGTH:
        raise CommitmentRefused(_("A text has %(count)d characters at most.",
                                  count=MAX_ACTION_LENGTH))
    chosen = _target(review, target)
    who = _organisation(review, actor, organisation, typed)
    commitment = Commitment(
        review=review, recommendation=chosen.recommendation, synthesised=chosen.synthesised,
        organisation=who.name, stakeholder_group=who.stakeholder_group, country=who.country,
        action=action, due_on=due_on, location=(location or "").strip(),
        created_by_id=actor.id)
    db.session.add(commitment)
    db.session.flush()
    record_event("commitment.made", actor=actor, target=commitment,
                 review=review.slug, organisation=who.name, recommendation=chosen.reference)
    return commitment


def is_web_address(link: str) -> bool:
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in link


def report_progress(commitment: Commitment, actor: User, *, progress: CommitmentProgress,
                    text: str = "", link: str = "") -> ProgressReport:
    demand(permissions.may_report_progress(actor, commitment))
    text, link = (text or "").strip(), (link or "").strip()
    if len(text) > MAX_REPORT_LENGTH:
        raise CommitmentRefused(_("A text has %(count)d characters at most.",
                                  count=MAX_REPORT_LENGTH))
    if link and not is_web_address(link):
        raise CommitmentRefused(_("A link starts with http:// or https://."))
    report = ProgressReport(commitment=commitment, progress=progress, text=text, link=link,
                            reported_by_id=actor.id)
    db.session.add(report)
    db.session.flush()
    record_event("commitment.progress_reported", actor=actor, target=commitment,
                 review=commitment.review.slug, progress=progress.value)
    return report


def commitments_of(review: Review) -> list[Commitment]:
    return db.session.scalars(
        select(Commitment).where(Commitment.review_id == review.id)
        .options(selectinload(Commitment.reports),
                 selectinload(Commitment.recommendation).selectinload(Recommendation.consultation),
                 selectinload(Commitment.synthesised))
        .order_by(Commitment.created_at, Commitment.id)).all()


def find_commitment(review: Review, identifier: int) -> Commitment | None:
    commitment = db.session.get(Commitment, identifier)
    return commitment if commitment is not None and commitment.review_id == review.id else None
