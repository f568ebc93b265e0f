"""The follow-up of a review's commitments: counts by recommendation, country and stakeholder
group, the export of the commitments, and the reminder asking for progress reports."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import permissions
from portal.accounts.models import StakeholderGroup, User
from portal.audit.operations import record_event
from portal.countries import country_name
from portal.database import utcnow
from portal.extensions import db
from portal.mail import send_after_commit
from portal.permissions import demand
from portal.refusals import Refused
from portal.spreadsheets import Column
from reviews.commitments import Target, commitments_of, target_reference, targets_of
from reviews.models import Commitment, CommitmentProgress, Review

#: Commitments whose organisation has nothing more to report.
FINISHED = {CommitmentProgress.done, CommitmentProgress.dropped}


class ReminderRefused(Refused):
    """The reminder cannot go out; ``reason`` says why in the user's language."""


@dataclass
class Tally:
    """How many commitments, and how many at each stage of progress."""

    by_progress: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_progress.values())

    def add(self, commitment: Commitment) -> None:
        self.by_progress[commitment.progress] += 1


@dataclass
class RecommendationLine:
    target: Target
    tally: Tally


@dataclass
class FollowUp:
    #: By GCM objective (0: recommendations without one), the lines of its recommendations.
    by_objective: dict[int, list[RecommendationLine]]
    by_country: dict[str, Tally]
    by_stakeholder_group: dict[StakeholderGroup, Tally]
    commitments: list[Commitment]
    total: Tally


def _key_of(commitment: Commitment) -> str:
    if commitment.synthesised_id is not None:
        return f"s{commitment.synthesised_id}"
    return f"r{commitment.recommendation_id}"


def follow_up_of(review: Review) -> FollowUp:
    commitments = commitments_of(review)
    by_target: dict[str, Tally] = {}
    by_country: dict[str, Tally] = {}
    by_group: dict[StakeholderGroup, Tally] = {}
    total = Tally()
    for commitment in commitments:
        for tallies, key in ((by_target, _key_of(commitment)),
                             (by_country, commitment.country),
                             (by_group, commitment.stakeholder_group)):
            tallies.setdefault(key, Tally()).add(commitment)
        total.add(commitment)
    by_objective: dict[int, list[RecommendationLine]] = {}
    for target in targets_of(review):
        line = RecommendationLine(target, by_target.get(target.key, Tally()))
        for objective in target.objectives or (0,):
            by_objective.setdefault(objective, []).append(line)
    return FollowUp(
        by_objective=dict(sorted(by_objective.items())),
        by_country=dict(sorted(by_country.items(),
                               key=lambda item: country_name(item[0]) if item[0] else "")),
        by_stakeholder_group={group: by_group[group] for group in StakeholderGroup
                              if group in by_group},
        commitments=commitments, total=total)


COLUMNS = [
    Column("id", _l("Number")), Column("organisation", _l("Organisation")),
    Column("stakeholder_group", _l("Stakeholder group")), Column("country", _l("Country")),
    Column("recommendation", _l("Recommendation")), Column("action", _l("Action")),
    Column("due_on", _l("Due on")), Column("location", _l("Location")),
    Column("progress", _l("Progress")), Column("last_report", _l("Latest report")),
    Column("last_report_link", _l("Link")), Column("reported_on", _l("Reported on")),
]


def export_rows(review: Review) -> list[list[object]]:
    rows = []
    for commitment in commitments_of(review):
        latest = commitment.reports[-1] if commitment.reports else None
        rows.append([
            commitment.id, commitment.organisation, commitment.stakeholder_group,
            commitment.country, target_reference(commitment), commitment.action,
            commitment.due_on, commitment.location, commitment.progress,
            latest.text if latest else "", latest.link if latest else "",
            latest.reported_at.date() if latest else None])
    return rows


def set_reports_due_on(review: Review, actor: User, due_on: date | None) -> None:
    demand(permissions.may_edit_review(actor, review))
    review.progress_reports_due_on = due_on
    db.session.flush()
    record_event("review.progress_reports_due_on", actor=actor, target=review,
                 due_on=due_on.isoformat() if due_on else None)


def _waiting_creators(review: Review) -> list[User]:
    """Those who made a commitment whose latest progress is neither done nor dropped."""
    ids = {commitment.created_by_id for commitment in commitments_of(review)
           if commitment.progress not in FINISHED and commitment.created_by_id is not None}
    return db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.id)).all()


def send_progress_reminders(review: Review, actor: User | None,
                            link_for: Callable[[Review], str]) -> int:
    """E-mail (through the outbox, after commit) the makers of the commitments still open,
    once per review, asking for a progress report before the review's date. ``actor`` None:
    the scheduled command. Returns how many were written to."""
    if actor is not None:
        demand(permissions.may_edit_review(actor, review))
    if review.progress_reports_due_on is None:
        raise ReminderRefused(_("Set the date progress reports are due on first."))
    if review.progress_reminder_sent_at is not None:
        raise ReminderRefused(_("The reminder has already been sent."))
    people = _waiting_creators(review)
    for person in people:
        with force_locale(person.preferred_locale or "en"):
            subject = _("Progress on your commitments: %(review)s", review=review.title)
            body = render_template(
                "reviews/mail/progress_reminder.txt", review=review, user=person,
                due_on=format_date(review.progress_reports_due_on, "long",
                                   locale=person.preferred_locale or "en"),
                link=link_for(review))
        send_after_commit(person.email, subject, body)
    review.progress_reminder_sent_at = utcnow()
    db.session.flush()
    record_event("review.progress_reminder_sent", actor=actor, target=review,
                 recipients=len(people))
    return len(people)


def reviews_due_a_reminder(today: date) -> list[Review]:
    """Reviews with a date for progress reports still to come and no reminder sent."""
    return db.session.scalars(
        select(Review).where(Review.progress_reports_due_on >= today,
                             Review.progress_reminder_sent_at.is_(None))
        .order_by(Review.id)).all()
