"""The rules of setting up a consultation: its details, status, agenda, groups and team.

Operations check the rule, change state, flush and record the audit event. They never read
the request and never commit: the request (or the command) does, once.
"""

import re
import unicodedata

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from consultations import registrations
from consultations.discussion import sync_guiding_threads
from consultations.models import (
    AgendaItem,
    BreakoutGroup,
    Consultation,
    ConsultationStatus,
    Invitation,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import User
from portal.accounts.operations import account_created, find_account, normalise_email
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.permissions import demand, may_edit_consultation, roles_to_appoint
from portal.refusals import Refused

S = ConsultationStatus

#: The lifecycle: each status and the statuses it may move to.
TRANSITIONS: dict[ConsultationStatus, set[ConsultationStatus]] = {
    S.draft: {S.registration_open},
    S.registration_open: {S.live},
    S.live: {S.closed},
    S.closed: {S.archived},
    S.archived: set(),
}

CONSULTATION_FIELDS = (
    "title", "summary", "description", "region", "organisers", "venue", "mode", "meeting_link",
    "starts_at", "ends_at", "time_zone", "working_languages", "capacity", "registration_opens_at",
    "registration_closes_at", "approval_rule", "invitation_only", "registration_open_while_live",
    "attribution_rule", "adoption_rule", "consent_text", "breakout_threads_open", "gcm_objectives",
    "personal_data_kept_until", "small_group_threshold", "quorum",
)

#: Stored, in the consultation's main language, when a consultation is created without its own.
DEFAULT_CONSENT = _l(
    "The organisers process the personal data you give here (name, organisation, stakeholder "
    "group, country, contact details and needs) to run this consultation: to admit you, to "
    "arrange interpretation and access, to count participation by stakeholder group and region "
    "in the outcome document, and to contact you about the consultation. Your data is not "
    "shared outside the organisers. You can ask for a copy of it or for its deletion at any "
    "time."
)


class SlugTaken(Exception):
    """Another consultation already has this address."""


class TransitionRefused(Refused):
    """A consultation cannot go from its status to the one wanted."""

    def __init__(self, current: ConsultationStatus, wanted: ConsultationStatus):
        super().__init__(f"{current} to {wanted}")
        self.current = current
        self.wanted = wanted


def slug_from(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:60].strip("-") or "consultation"


def available_slug(title: str) -> str:
    base = slug_from(title)
    taken = set(db.session.scalars(
        select(Consultation.slug).where(Consultation.slug.startswith(base, autoescape=True))
    ))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def create_consultation(creator: User, *, slug: str | None = None, **fields) -> Consultation:
    """A new draft; its creator becomes its first facilitator."""
    slug = slug or available_slug(fields["title"])
    if db.session.scalar(select(func.count()).where(Consultation.slug == slug)):
        raise SlugTaken(slug)
    objectives = fields.pop("gcm_objectives", [])
    if "consent_text" not in fields:
        with force_locale((fields.get("working_languages") or ["en"])[0]):
            fields["consent_text"] = str(DEFAULT_CONSENT)
    consultation = Consultation(slug=slug, status=S.draft, created_by_id=creator.id, **fields)
    consultation.gcm_objectives = sorted(set(objectives))
    db.session.add(consultation)
    db.session.flush()
    _set_role(consultation, creator, Role.facilitator)
    record_event("consultation.created", actor=creator, target=consultation,
                 consultation=consultation, title=consultation.title)
    return consultation


def update_consultation(consultation: Consultation, actor: User, **fields) -> list[str]:
    """Apply the changed fields; returns their names (also kept in the audit event).

    Places added to a full consultation go to its waitlist at once, first come first served,
    as a place freed by a withdrawal does."""
    demand(may_edit_consultation(actor, consultation))
    changed = []
    for name, value in fields.items():
        if name not in CONSULTATION_FIELDS:
            raise ValueError(f"{name} is not a consultation field")
        current = getattr(consultation, name)
        if name == "gcm_objectives":
            current, value = list(current), sorted(set(value))
        if current != value:
            setattr(consultation, name, value)
            changed.append(name)
    if changed:
        db.session.flush()
        record_event("consultation.updated", actor=actor, target=consultation,
                     consultation=consultation, fields=changed)
    if "capacity" in changed:
        registrations.promote_from_waitlist(consultation, actor)
    return changed


def next_statuses(consultation: Consultation) -> list[ConsultationStatus]:
    return sorted(TRANSITIONS[consultation.status], key=list(S).index)


def change_status(consultation: Consultation, actor: User, wanted: ConsultationStatus) -> None:
    demand(may_edit_consultation(actor, consultation))
    if wanted not in TRANSITIONS[consultation.status]:
        raise TransitionRefused(consultation.status, wanted)
    previous = consultation.status
    consultation.status = wanted
    db.session.flush()
    record_event("consultation.status_changed", actor=actor, target=consultation,
                 consultation=consultation, previous=previous.value, status=wanted.value)


def add_agenda_item(consultation: Consultation, actor: User, **fields) -> AgendaItem:
    demand(may_edit_consultation(actor, consultation))
    item = AgendaItem(consultation=consultation, **fields)
    db.session.add(item)
    db.session.flush()
    record_event("agenda_item.added", actor=actor, target=item, consultation=consultation,
                 title=item.title, kind=item.kind.value)
    return item


def update_agenda_item(item: AgendaItem, actor: User, **fields) -> None:
    demand(may_edit_consultation(actor, item.consultation))
    changed = sorted(name for name, value in fields.items() if getattr(item, name) != value)
    for name in changed:
        setattr(item, name, fields[name])
    if changed:
        db.session.flush()
        record_event("agenda_item.updated", actor=actor, target=item,
                     consultation=item.consultation, fields=changed)


def remove_agenda_item(item: AgendaItem, actor: User) -> None:
    demand(may_edit_consultation(actor, item.consultation))
    record_event("agenda_item.removed", actor=actor, target=item,
                 consultation=item.consultation, title=item.title)
    db.session.delete(item)
    db.session.flush()


def add_breakout_group(round_: AgendaItem, actor: User, **fields) -> BreakoutGroup:
    demand(may_edit_consultation(actor, round_.consultation))
    if not round_.is_breakout_round:
        raise ValueError("breakout groups belong to breakout rounds")
    position = db.session.scalar(
        select(func.coalesce(func.max(BreakoutGroup.position), 0)).where(
            BreakoutGroup.round_id == round_.id)
    ) + 1
    group = BreakoutGroup(round=round_, position=position, **fields)
    db.session.add(group)
    db.session.flush()
    sync_guiding_threads(group)
    record_event("breakout_group.added", actor=actor, target=group,
                 consultation=round_.consultation, name=group.name)
    return group


def update_breakout_group(group: BreakoutGroup, actor: User, **fields) -> None:
    demand(may_edit_consultation(actor, group.round.consultation))
    changed = sorted(name for name, value in fields.items() if getattr(group, name) != value)
    for name in changed:
        setattr(group, name, fields[name])
    if "guiding_questions" in changed:
        sync_guiding_threads(group)
    if changed:
        db.session.flush()
        record_event("breakout_group.updated", actor=actor, target=group,
                     consultation=group.round.consultation, fields=changed)


def remove_breakout_group(group: BreakoutGroup, actor: User) -> None:
    demand(may_edit_consultation(actor, group.round.consultation))
    record_event("breakout_group.removed", actor=actor, target=group,
                 consultation=group.round.consultation, name=group.name)
    db.session.delete(group)
    db.session.flush()


def _set_role(consultation: Consultation, user: User, role: Role) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(
            Registration.consultation_id == consultation.id, Registration.user_id == user.id)
    )
    now = utcnow()
    if registration is None:
        registration = Registration(
            consultation=consultation, user=user, role=role,
            status=RegistrationStatus.approved, organisation=user.organisation,
            stakeholder_group=user.stakeholder_group, country=user.country,
            status_changed_at=now,
        )
        db.session.add(registration)
    else:
        registration.role = role
        if registration.status != RegistrationStatus.approved:
            registration.status = RegistrationStatus.approved
            registration.status_changed_at = now
            registration.waitlisted_at = None
    db.session.flush()
    return registration


def appoint(consultation: Consultation, actor: User, email: str, role: Role):
    """Give the person with this address a role in the consultation.

    With an account, the role applies at once (an appointment is an approval: it takes no
    place from the participants' capacity unless the role is participant). Without one, the
    appointment waits as an invitation and applies when they create their account.
    Returns the registration, or the invitation.
    """
    demand(role in roles_to_appoint(actor, consultation))
    email = normalise_email(email)
    user = find_account(email)
    if user is not None:
        registration = _set_role(consultation, user, role)
        record_event("registration.role_changed", actor=actor, target=registration,
                     consultation=consultation, email=email, role=role.value)
        return registration
    invitation = db.session.scalar(
        select(Invitation).where(
            Invitation.consultation_id == consultation.id, Invitation.email == email)
    )
    if invitation is None:
        invitation = Invitation(consultation=consultation, email=email, invited_by_id=actor.id)
        db.session.add(invitation)
    invitation.role = role
    db.session.flush()
    record_event("invitation.role_appointed", actor=actor, target=invitation,
                 consultation=consultation, email=email, role=role.value)
    return invitation


def take_up_appointments(user: User) -> list[Registration]:
    """Roles appointed to this address before it had an account (facilitators and the team)."""
    invitations = db.session.scalars(
        select(Invitation).where(
            Invitation.email == user.email, Invitation.accepted_at.is_(None),
            Invitation.role != Role.participant)
    ).all()
    registrations = []
    for invitation in invitations:
        registrations.append(_set_role(invitation.consultation, user, invitation.role))
        invitation.accepted_at = utcnow()
        record_event("registration.role_changed", actor=user, target=registrations[-1],
                     consultation=invitation.consultation, email=user.email,
                     role=invitation.role.value, appointed=True)
    return registrations


@account_created.connect
def _take_up_appointments_of_new_account(user: User, **_signal) -> None:
    take_up_appointments(user)


def pending_appointments(consultation: Consultation) -> list[Invitation]:
    """Roles of the team appointed to addresses that have no account yet."""
    return db.session.scalars(
        select(Invitation).where(
            Invitation.consultation_id == consultation.id, Invitation.accepted_at.is_(None),
            Invitation.role != Role.participant)
    ).all()


def team_of(consultation: Consultation) -> list[Registration]:
    """Everyone holding a role other than participant, for the team page."""
    return db.session.scalars(
        select(Registration).join(Registration.user)
        .where(Registration.consultation_id == consultation.id,
               Registration.role != Role.participant)
        .order_by(Registration.role, User.name)
    ).all()
