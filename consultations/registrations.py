"""The rules of registration: places, the waitlist, approval, invitations and check-in.

Places are counted and taken with the consultation's row locked (``_lock_places``), so two
registrations arriving together can never both take the last place, on PostgreSQL (a row
lock) as on SQLite (the write lock, taken before counting).
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from consultations import calendar
from consultations.geography import sub_region_of
from consultations.meeting_links import consultation_link_for
from consultations.models import (
    ApprovalRule,
    Attendance,
    Consultation,
    ConsultationStatus,
    Invitation,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationStatus,
    Role,
)
from portal import permissions
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import (
    create_account,
    find_account,
    normalise_email,
    send_sign_in_link,
    unusable_password_hash,
)
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import send_after_commit
from portal.refusals import Refused

Status = RegistrationStatus

#: Statuses from which a person may register again (the row is reused).
ENDED = {Status.cancelled, Status.declined}


class RegistrationRefused(Refused):
    """Registration is not possible; ``reason`` says why in the user's language."""


class NoPlaceLeft(Exception):
    """Approving would take more places than the consultation has."""


def _lock_places(consultation: Consultation) -> None:
    """Serialise the place-taking of this consultation until the transaction ends."""
    db.session.execute(
        update(Consultation).where(Consultation.id == consultation.id)
        .values(capacity=Consultation.capacity)
        .execution_options(synchronize_session=False)
    )


def places_taken(consultation: Consultation) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.consultation_id == consultation.id,
            Registration.role == Role.participant,
            Registration.status == Status.approved,
        )
    )


def places_left(consultation: Consultation) -> int | None:
    if consultation.capacity is None:
        return None
    return max(0, consultation.capacity - places_taken(consultation))


def takes_late_registrations(consultation: Consultation) -> bool:
    """Whether the consultation, live now, still takes (late and on-site) registrations."""
    return (consultation.status == ConsultationStatus.live
            and consultation.registration_open_while_live)


def registration_closed_reason(consultation: Consultation, user: User | None) -> str | None:
    """Why this person cannot register now, or None when they can."""
    if takes_late_registrations(consultation):
        return None
    if consultation.status == ConsultationStatus.draft:
        return _("Registration for this consultation is not open.")
    if consultation.status == ConsultationStatus.live:
        return _("Registration for this consultation is not open: it closed when the "
                 "consultation began.")
    if consultation.status != ConsultationStatus.registration_open:
        return _("Registration for this consultation is not open: the consultation is over.")
    now = utcnow()
    if consultation.registration_opens_at and now < consultation.registration_opens_at:
        return _("Registration has not opened yet.")
    if consultation.registration_closes_at and now > consultation.registration_closes_at:
        return _("Registration has closed.")
    return None


def invitation_for(consultation: Consultation, email: str) -> Invitation | None:
    return db.session.scalar(
        select(Invitation).where(
            Invitation.consultation_id == consultation.id,
            Invitation.email == normalise_email(email),
        )
    )


def waitlist_position(registration: Registration) -> int:
    """The place of a waitlisted registration in its waitlist, from 1."""
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.consultation_id == registration.consultation_id,
            Registration.status == Status.waitlisted,
            Registration.waitlisted_at <= registration.waitlisted_at))


def _set_status(registration: Registration, status: Status) -> None:
    registration.status = status
    registration.status_changed_at = utcnow()
    registration.waitlisted_at = utcnow() if status == Status.waitlisted else None


def _new_registration(consultation: Consultation, user: User) -> Registration:
    """The person's registration to fill: a new one, or their cancelled or declined one."""
    registration = db.session.scalar(
        select(Registration).where(
            Registration.consultation_id == consultation.id, Registration.user_id == user.id)
    )
    if registration is not None and registration.status not in ENDED:
        raise RegistrationRefused(_("You are registered already."))
    if registration is None:
        registration = Registration(consultation=consultation, user=user, role=Role.participant)
        db.session.add(registration)
    return registration


def _status_on_registering(consultation: Consultation) -> Status:
    """Waitlisted when the consultation is full, else approved or pending by its rule."""
    if places_left(consultation) == 0:
        return Status.waitlisted
    if consultation.approval_rule == ApprovalRule.automatic:
        return Status.approved
    return Status.pending


def register(
    consultation: Consultation,
    user: User,
    *,
    organisation: str,
    stakeholder_group: StakeholderGroup,
    country: str,
    attendance: Attendance,
    languages: list[str],
    interpretation_language: str | None,
    accessibility_needs: str,
    notes: str,
    answers: dict[int, str | list[str]],
    consented: bool,
    listed_in_outcome: bool = False,
) -> Registration:
    """Register ``user``: approved, pending or waitlisted by the consultation's rules.
    ``listed_in_outcome``: they agree to be named in the outcome's list of participants."""
    reason = registration_closed_reason(consultation, user)
    if reason:
        raise RegistrationRefused(reason)
    if not consented:
        raise RegistrationRefused(_("Registration needs your consent to the processing of "
                                    "your personal data."))
    invitation = invitation_for(consultation, user.email)
    if consultation.invitation_only and invitation is None:
        raise RegistrationRefused(_("This consultation is by invitation only, and %(email)s "
                                    "is not on the list of invitees.", email=user.email))
    _lock_places(consultation)
    registration = _new_registration(consultation, user)
    registration.role = Role.participant
    registration.organisation = organisation
    registration.stakeholder_group = stakeholder_group
    registration.country = country
    registration.attendance = attendance
    registration.languages = list(languages)
    registration.interpretation_language = interpretation_language
    registration.accessibility_needs = accessibility_needs
    registration.notes = notes
    registration.consented_at = utcnow()
    registration.listed_in_outcome = listed_in_outcome
    registration.checked_in_at = None
    registration.answers = [
        RegistrationAnswer(question_id=question_id, value=value)
        for question_id, value in answers.items()
        if value not in ("", [], None)
    ]
    status = _status_on_registering(consultation)
    _set_status(registration, status)
    if invitation is not None and invitation.accepted_at is None:
        invitation.accepted_at = utcnow()
    db.session.flush()
    record_event("registration.created", actor=user, target=registration,
                 consultation=consultation, status=status.value)
    tell_status(registration)
    return registration


def approve(registration: Registration, actor: User, message: str = "") -> None:
    consultation = registration.consultation
    permissions.demand(permissions.may_manage_registrations(actor, consultation))
    if registration.status == Status.approved:
        return
    _lock_places(consultation)
    if registration.role == Role.participant and places_left(consultation) == 0:
        raise NoPlaceLeft()
    _decide(registration, actor, Status.approved, message)


def waitlist(registration: Registration, actor: User, message: str = "") -> None:
    was_approved = registration.status == Status.approved
    _decide(registration, actor, Status.waitlisted, message)
    if was_approved:
        promote_from_waitlist(registration.consultation, actor, skip=registration)


def decline(registration: Registration, actor: User, message: str = "") -> None:
    was_approved = registration.status == Status.approved
    _decide(registration, actor, Status.declined, message)
    if was_approved:
        promote_from_waitlist(registration.consultation, actor)


def cancel(registration: Registration, actor: User) -> None:
    """The participant withdraws; their place goes to the first on the waitlist."""
    permissions.demand(permissions.is_own_registration(actor, registration))
    if registration.status in ENDED:
        return
    was_approved = registration.status == Status.approved
    _set_status(registration, Status.cancelled)
    db.session.flush()
    record_event("registration.cancelled", actor=actor, target=registration,
                 consultation=registration.consultation)
    tell_status(registration)
    if was_approved:
        promote_from_waitlist(registration.consultation, actor)


def _decide(registration: Registration, actor: User, status: Status, message: str) -> None:
    permissions.demand(permissions.may_manage_registrations(actor, registration.consultation))
    if registration.status == status:
        return
    previous = registration.status
    _set_status(registration, status)
    db.session.flush()
    record_event("registration.decided", actor=actor, target=registration,
                 consultation=registration.consultation, previous=previous.value,
                 status=status.value, message=message or None)
    tell_status(registration, message)


def promote_from_waitlist(
    consultation: Consultation, actor: User | None, skip: Registration | None = None
) -> list[Registration]:
    """Give free places to the waitlist, first come first served, and tell each person."""
    _lock_places(consultation)
    promoted = []
    while True:
        left = places_left(consultation)
        if left == 0:
            break
        query = (
            select(Registration)
            .where(Registration.consultation_id == consultation.id,
                   Registration.status == Status.waitlisted)
            .order_by(Registration.waitlisted_at, Registration.id)
            .limit(1)
        )
        if skip is not None:
            query = query.where(Registration.id != skip.id)
        first = db.session.scalar(query)
        if first is None:
            break
        _set_status(first, Status.approved)
        db.session.flush()
        record_event("registration.promoted", actor=actor, target=first,
                     consultation=consultation)
        tell_status(first, promoted=True)
        promoted.append(first)
        if left is None:
            break
    return promoted


def decide_many(registrations: list[Registration], actor: User, decision: Status,
                message: str = "") -> tuple[int, int]:
    """Apply one decision to many; returns (done, refused for want of places)."""
    done = refused = 0
    action = {Status.approved: approve, Status.waitlisted: waitlist, Status.declined: decline}[
        decision]
    for registration in registrations:
        try:
            action(registration, actor, message)
        except NoPlaceLeft:
            refused += 1
        else:
            done += 1
    return done, refused


def check_in(registration: Registration, actor: User, present: bool = True) -> None:
    permissions.demand(permissions.may_check_in(actor, registration.consultation))
    registration.checked_in_at = utcnow() if present else None
    db.session.flush()
    record_event("registration.checked_in" if present else "registration.check_in_undone",
                 actor=actor, target=registration, consultation=registration.consultation)


@dataclass(frozen=True)
class WalkIn:
    """What the check-in desk did for a person: their registration, and whether their
    account was made there."""

    registration: Registration
    account_created: bool


def register_walk_in(
    consultation: Consultation,
    actor: User,
    *,
    email: str,
    name: str,
    organisation: str,
    stakeholder_group: StakeholderGroup,
    country: str,
    preferred_locale: str,
    link_for: Callable[[str], str],
    sign_in_link_url: str,
) -> WalkIn:
    """Register someone who arrives at the check-in desk: approved and checked in, with an
    account made for them (no password) unless their address has one, and a sign-in link
    e-mailed in their language. Raises NoPlaceLeft when the consultation is full."""
    permissions.demand(permissions.may_check_in(actor, consultation))
    _lock_places(consultation)
    user = find_account(email)
    created = user is None
    if created:
        user = create_account(
            email=email, password_hash=unusable_password_hash(), name=name,
            organisation=organisation, stakeholder_group=stakeholder_group, country=country,
            preferred_locale=preferred_locale)
    registration = db.session.scalar(
        select(Registration).where(
            Registration.consultation_id == consultation.id, Registration.user_id == user.id))
    admitted = registration is not None and registration.status == Status.approved
    if not admitted and places_left(consultation) == 0:
        raise NoPlaceLeft()
    if registration is None:
        registration = Registration(consultation=consultation, user=user, role=Role.participant)
        db.session.add(registration)
    if not admitted:
        registration.role = Role.participant
        registration.organisation = organisation or user.organisation
        registration.stakeholder_group = stakeholder_group
        registration.country = country
        registration.attendance = Attendance.in_person
        registration.languages = [preferred_locale] if (
            preferred_locale in consultation.working_languages) else []
        registration.consented_at = utcnow()
        _set_status(registration, Status.approved)
    registration.checked_in_at = utcnow()
    db.session.flush()
    record_event("registration.walk_in", actor=actor, target=registration,
                 consultation=consultation, account_created=created)
    send_sign_in_link(user, link_for, template="mail/walk_in.txt", consultation=consultation,
                      sign_in_link_url=sign_in_link_url)
    return WalkIn(registration, created)


#: The subject of the e-mail telling a person their registration's status: whole sentences,
#: since a status word does not fit into one sentence in every language.
STATUS_SUBJECTS = {
    Status.pending: _l("%(title)s: your registration is received"),
    Status.approved: _l("%(title)s: your registration is approved"),
    Status.waitlisted: _l("%(title)s: your registration is on the waitlist"),
    Status.declined: _l("%(title)s: your registration is declined"),
    Status.cancelled: _l("%(title)s: your registration is cancelled"),
}


def tell_status(registration: Registration, message: str = "", promoted: bool = False) -> None:
    """E-mail the person the new status of their registration, in their language."""
    user = registration.user
    if user is None:
        return
    consultation = registration.consultation
    approved = registration.status == Status.approved
    with force_locale(user.preferred_locale):
        subject = str(STATUS_SUBJECTS[registration.status]) % {"title": consultation.title}
        body = render_template(
            "mail/registration_status.txt", registration=registration, user=user,
            consultation=consultation, message=message, promoted=promoted,
            meeting_link=consultation_link_for(user, consultation) if approved else "",
        )
    # An approval carries the consultation as a calendar invitation.
    send_after_commit(user.email, subject, body,
                      attachments=[calendar.invitation(registration)] if approved else [])


def registrations_matching(consultation: Consultation, *, status: str | None = None,
                           group: str | None = None, country: str | None = None):
    """The participants' registrations, oldest first, narrowed by status, stakeholder group
    and country (a query, so that the list and the CSV export share it)."""
    query = (select(Registration).join(Registration.user)
             .where(Registration.consultation_id == consultation.id,
                    Registration.role == Role.participant)
             .options(joinedload(Registration.user), selectinload(Registration.answers))
             .order_by(Registration.created_at, Registration.id))
    if status:
        query = query.where(Registration.status == Status(status))
    if group:
        query = query.where(Registration.stakeholder_group == StakeholderGroup(group))
    if country:
        query = query.where(Registration.country == country)
    return query


def participation_figures(consultation: Consultation,
                          roles: tuple[Role, ...] = (Role.participant,)) -> dict:
    """Registrations by status, and approved ones by stakeholder group, UN sub-region,
    country (the last two largest first) and attendance; of participants, or of ``roles``."""
    rows = db.session.execute(
        select(Registration.status, Registration.stakeholder_group, Registration.country,
               Registration.attendance, func.count())
        .where(Registration.consultation_id == consultation.id, Registration.role.in_(roles))
        .group_by(Registration.status, Registration.stakeholder_group, Registration.country,
                  Registration.attendance)
    ).all()
    by_status, by_group, by_region, by_country = Counter(), Counter(), Counter(), Counter()
    by_attendance = Counter()
    for status, group, country, attendance, count in rows:
        by_status[status] += count
        if status == Status.approved:
            by_group[group] += count
            by_region[sub_region_of(country)] += count
            by_country[country] += count
            by_attendance[attendance] += count

    def largest_first(counts: Counter) -> list:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    return {"by_status": dict(by_status), "by_group": dict(by_group),
            "by_region": largest_first(by_region), "by_country": largest_first(by_country),
            "by_attendance": dict(by_attendance)}


def people_to_check_in(consultation: Consultation, search: str = "", limit: int = 200):
    """Approved people whose name or organisation contains ``search``, by name."""
    query = (select(Registration).join(Registration.user)
             .where(Registration.consultation_id == consultation.id,
                    Registration.status == Status.approved)
             .options(joinedload(Registration.user))
             .order_by(User.name))
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern),
                                func.lower(Registration.organisation).like(pattern)))
    return db.session.scalars(query.limit(limit)).all()


def checked_in_count(consultation: Consultation) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(
            Registration.consultation_id == consultation.id,
            Registration.status == Status.approved,
            Registration.checked_in_at.is_not(None)))


def questions_of(consultation: Consultation) -> list[RegistrationQuestion]:
    return db.session.scalars(
        select(RegistrationQuestion)
        .where(RegistrationQuestion.consultation_id == consultation.id)
        .order_by(RegistrationQuestion.position, RegistrationQuestion.id)
    ).all()


def add_question(consultation: Consultation, actor: User, *, prompt: str, kind,
                 options: list[str], required: bool) -> RegistrationQuestion:
    permissions.demand(permissions.may_edit_consultation(actor, consultation))
    position = db.session.scalar(
        select(func.coalesce(func.max(RegistrationQuestion.position), 0)).where(
            RegistrationQuestion.consultation_id == consultation.id)
    ) + 1
    question = RegistrationQuestion(
        consultation_id=consultation.id, prompt=prompt, kind=kind,
        options=options if kind.has_options else [], required=required, position=position)
    db.session.add(question)
    db.session.flush()
    record_event("registration_question.added", actor=actor, target=question,
                 consultation=consultation, prompt=prompt)
    return question


def remove_question(question: RegistrationQuestion, actor: User) -> None:
    permissions.demand(permissions.may_edit_consultation(actor, question.consultation))
    record_event("registration_question.removed", actor=actor, target=question,
                 consultation=question.consultation, prompt=question.prompt)
    db.session.delete(question)
    db.session.flush()
