"""The silence procedure: the secretariat circulates a saved version of the synthesis to the
validating organisations (by default the Member States registered in the review's
consultations) with a deadline. A validating State may break the silence before it, with its
reason written and, where allowed, an amendment proposed; never anonymously. At the deadline
the procedure closes by itself: the version is adopted, or the silence was broken.

Closing happens in ``close_due_procedures``: run by ``flask --app wsgi reviews close-silence``
(for a timer) and on the next request to the review's synthesis and silence pages. It is one
conditional UPDATE ... WHERE status = 'open', so two processes never close one procedure twice
nor tell anyone twice. Reminders go out 48 and 24 hours before the deadline, each once, from
the command.
"""

from datetime import datetime, timedelta

from flask import render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from consultations.models import Registration, RegistrationStatus
from portal import permissions
from portal.accounts.models import StakeholderGroup, User
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import send_after_commit
from portal.permissions import demand
from portal.refusals import Refused
from reviews.models import (
    Review,
    SilenceProcedure,
    SilenceStatus,
    SilenceValidator,
    SynthesisVersion,
)

#: Hours before the deadline at which the organisations still silent are reminded.
REMINDER_HOURS = (48, 24)
MAX_REASON_LENGTH = 5000


class SilenceRefused(Refused):
    """The silence procedure refuses; ``reason`` says why."""


def _state_registrations(review: Review):
    consultation_ids = [attachment.consultation_id for attachment in review.attachments]
    return db.session.scalars(
        select(Registration).where(Registration.consultation_id.in_(consultation_ids),
                                   Registration.status == RegistrationStatus.approved,
                                   Registration.stakeholder_group == StakeholderGroup.member_state)
        .order_by(Registration.organisation, Registration.id))


def default_validators(review: Review) -> list[tuple[str, str]]:
    """(organisation, country) of every distinct organisation of the approved member_state
    registrations of the review's consultations (case and spacing aside), by name."""
    found: dict[str, tuple[str, str]] = {}
    for registration in _state_registrations(review):
        name = " ".join(registration.organisation.split())
        if name:
            found.setdefault(name.casefold(), (name, registration.country or ""))
    return sorted(found.values(), key=lambda pair: pair[0].casefold())


def open_procedure_of(review: Review) -> SilenceProcedure | None:
    return db.session.scalar(select(SilenceProcedure).where(
        SilenceProcedure.review_id == review.id, SilenceProcedure.status == SilenceStatus.open))


def procedures_of(review: Review) -> list[SilenceProcedure]:
    return list(db.session.scalars(select(SilenceProcedure).where(
        SilenceProcedure.review_id == review.id).order_by(SilenceProcedure.opened_at.desc())))


def procedure_on(version: SynthesisVersion) -> SilenceProcedure | None:
    """The latest procedure on this version, if any."""
    return db.session.scalar(select(SilenceProcedure).where(
        SilenceProcedure.version_id == version.id).order_by(SilenceProcedure.id.desc()).limit(1))


def open_procedure(version: SynthesisVersion, actor, *, deadline: datetime,
                   validators: list[tuple[str, str]], amendments_allowed: bool,
                   now: datetime | None = None) -> SilenceProcedure:
    review = version.review
    demand(permissions.may_open_silence_procedure(actor, review))
    now = now or utcnow()
    if deadline <= now:
        raise SilenceRefused(_("The deadline must be in the future."))
    if not validators:
        raise SilenceRefused(_("Choose at least one validating organisation."))
    if open_procedure_of(review) is not None:
        raise SilenceRefused(_("A silence procedure is open for this review already: it must "
                               "close before another one opens."))
    procedure = SilenceProcedure(
        review_id=review.id, version=version, deadline=deadline,
        amendments_allowed=amendments_allowed, opened_at=now, opened_by_id=actor.id,
        validators=[SilenceValidator(organisation=name, country=country)
                    for name, country in validators])
    db.session.add(procedure)
    db.session.flush()
    record_event("silence.opened", actor=actor, target=procedure, review=review.id,
                 version=version.number, deadline=deadline.isoformat(),
                 validators=[name for name, _country in validators])
    return procedure


def break_silence(validator: SilenceValidator, actor, *, reason: str, amendment: str = "",
                  now: datetime | None = None) -> None:
    """Break the silence for the validator's organisation, with the reason."""
    procedure = validator.procedure
    now = now or utcnow()
    if procedure.status != SilenceStatus.open or now >= procedure.deadline:
        raise SilenceRefused(_("The deadline of this silence procedure has passed: the "
                               "silence can no longer be broken."))
    if validator.broke_silence_at is not None:
        raise SilenceRefused(_("%(organisation)s has broken the silence already.",
                               organisation=validator.organisation))
    demand(permissions.may_break_silence(actor, validator))
    if not reason.strip() or len(reason) > MAX_REASON_LENGTH:
        raise SilenceRefused(_("Write why the silence is broken."))
    if amendment.strip() and not procedure.amendments_allowed:
        raise SilenceRefused(_("This silence procedure takes no amendments."))
    validator.broke_silence_at, validator.broken_by_id = now, actor.id
    validator.reason, validator.proposed_amendment = reason.strip(), amendment.strip()
    db.session.flush()
    record_event("silence.broken", actor=actor, target=procedure, review=procedure.review_id,
                 organisation=validator.organisation)


def has_due_procedure(review: Review, now: datetime | None = None) -> bool:
    """Whether an open procedure of the review has reached its deadline."""
    return db.session.scalar(select(SilenceProcedure.id).where(
        SilenceProcedure.review_id == review.id, SilenceProcedure.status == SilenceStatus.open,
        SilenceProcedure.deadline <= (now or utcnow())).limit(1)) is not None


def close_due_procedures(*, review: Review | None = None, now: datetime | None = None,
                         ) -> list[SilenceProcedure]:
    """Close every open procedure (of ``review``, or all) whose deadline has passed: adopted,
    or silence_broken when a validator broke it. Each is closed by one conditional UPDATE, so
    a procedure closed meanwhile by another process is left alone; the secretariat and the
    validators are told by e-mail, after commit."""
    now = now or utcnow()
    query = select(SilenceProcedure.id).where(SilenceProcedure.status == SilenceStatus.open,
                                              SilenceProcedure.deadline <= now)
    if review is not None:
        query = query.where(SilenceProcedure.review_id == review.id)
    closed = []
    for procedure_id in db.session.scalars(query).all():
        broken = db.session.scalar(select(SilenceValidator.id).where(
            SilenceValidator.procedure_id == procedure_id,
            SilenceValidator.broke_silence_at.is_not(None)).limit(1)) is not None
        result = SilenceStatus.silence_broken if broken else SilenceStatus.adopted
        changed = db.session.execute(
            update(SilenceProcedure)
            .where(SilenceProcedure.id == procedure_id,
                   SilenceProcedure.status == SilenceStatus.open)
            .values(status=result, closed_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if changed != 1:
            continue
        procedure = db.session.get(SilenceProcedure, procedure_id)
        db.session.refresh(procedure)
        record_event("silence.closed", target=procedure, review=procedure.review_id,
                     result=result.value)
        _tell(procedure, "mail/silence_closed.txt", _closed_subject(procedure),
              _secretariat(procedure) + _people_of(procedure))
        closed.append(procedure)
    return closed


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind the people of the organisations still silent, 48 and 24 hours before each open
    procedure's deadline, each reminder once; the number of procedures reminded."""
    now = now or utcnow()
    reminded = 0
    for procedure in db.session.scalars(select(SilenceProcedure).where(
            SilenceProcedure.status == SilenceStatus.open, SilenceProcedure.deadline > now)):
        due = [hours for hours in REMINDER_HOURS
               if now >= procedure.deadline - timedelta(hours=hours)]
        if not due or min(due) in procedure.reminders_sent:
            continue
        procedure.reminders_sent = sorted({*procedure.reminders_sent, *due}, reverse=True)
        silent = [validator for validator in procedure.validators
                  if validator.broke_silence_at is None]
        _tell(procedure, "mail/silence_reminder.txt", _reminder_subject(procedure),
              _people_of(procedure, silent), hours=min(due))
        reminded += 1
    db.session.flush()
    return reminded


def _people_of(procedure: SilenceProcedure, validators=None) -> list[User]:
    """The people who speak for the validating organisations (all, or ``validators``)."""
    names = [validator.organisation for validator in (validators if validators is not None
                                                      else procedure.validators)]
    people = {}
    for registration in _state_registrations(procedure.review):
        if registration.user is not None and any(
                permissions.same_organisation(registration.organisation, name)
                for name in names):
            people[registration.user.id] = registration.user
    return list(people.values())


def _secretariat(procedure: SilenceProcedure) -> list[User]:
    return [member.user for member in procedure.review.secretariat]


def _reminder_subject(procedure: SilenceProcedure):
    return lambda: _("%(title)s: the silence procedure closes soon",
                     title=procedure.review.title)


def _closed_subject(procedure: SilenceProcedure):
    if procedure.status == SilenceStatus.adopted:
        return lambda: _("%(title)s: the synthesis is adopted by silence procedure",
                         title=procedure.review.title)
    return lambda: _("%(title)s: the silence was broken", title=procedure.review.title)


def _tell(procedure: SilenceProcedure, template: str, subject, people: list[User],
          **context) -> None:
    """E-mail each person once, in their language, through the outbox (sent after commit)."""
    seen = set()
    for person in people:
        if person.id in seen:
            continue
        seen.add(person.id)
        with force_locale(person.preferred_locale):
            body = render_template(template, person=person, procedure=procedure,
                                   review=procedure.review, **context,
                                   page=url_for("reviews.silence_procedure",
                                                review_slug=procedure.review.slug,
                                                procedure_id=procedure.id, _external=True))
            send_after_commit(person.email, subject(), body)
