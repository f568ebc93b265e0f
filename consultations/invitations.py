"""Invitations: the list of invitees a facilitator imports (CSV), the invitations sent to
them by e-mail, and what became of each message.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consultations.models import (
    Consultation,
    Invitation,
    Role,
)
from consultations.registrations import invitation_for
from portal import permissions
from portal.accounts.models import StakeholderGroup, User
from portal.audit.operations import record_event
from portal.countries import is_country_code
from portal.database import utcnow
from portal.extensions import db
from portal.mail import Delivery, send_after_commit


@dataclass(frozen=True)
class RowError:
    row: int
    message: str


class InviteeListRejected(Exception):
    """The CSV had errors; nothing was imported."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} rows with errors")
        self.errors = errors


INVITEE_COLUMNS = ("email", "name", "organisation", "stakeholder_group", "country")


def _stakeholder_group(value: str) -> StakeholderGroup | None:
    value = value.strip()
    for group in StakeholderGroup:
        if value.lower() in {group.value, group.label.lower()}:
            return group
    return None


def import_invitees(consultation: Consultation, actor: User, csv_text: str) -> list[Invitation]:
    """Add (or update) invitees from CSV text, all of them or, on any error, none."""
    permissions.demand(permissions.may_manage_registrations(actor, consultation))
    reader = csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in INVITEE_COLUMNS if name not in header]
    if missing:
        raise InviteeListRejected([RowError(1, _("Missing columns: %(columns)s.",
                                                 columns=", ".join(missing)))])
    rows, errors, seen = [], [], set()
    for number, raw in enumerate(reader, start=2):
        row = {(key or "").strip().lower(): (value or "").strip() for key, value in raw.items()
               if key is not None}
        problems = []
        try:
            email = validate_email(row["email"], check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            email = row["email"]
            problems.append(_("“%(email)s” is not an e-mail address.", email=row["email"]))
        if email in seen:
            problems.append(_("%(email)s appears twice.", email=email))
        seen.add(email)
        if not row["name"]:
            problems.append(_("The name is missing."))
        group = _stakeholder_group(row["stakeholder_group"])
        if group is None:
            problems.append(_("“%(value)s” is not a stakeholder group.",
                              value=row["stakeholder_group"]))
        country = row["country"].upper()
        if not is_country_code(country):
            problems.append(_("“%(value)s” is not an ISO 3166 country code.",
                              value=row["country"]))
        if problems:
            errors.extend(RowError(number, problem) for problem in problems)
        else:
            rows.append((email, row["name"], row["organisation"], group, country))
    if errors:
        raise InviteeListRejected(errors)
    if not rows:
        raise InviteeListRejected([RowError(1, _("The list has no invitee."))])
    invitations = []
    for email, name, organisation, group, country in rows:
        invitation = invitation_for(consultation, email) or Invitation(
            consultation=consultation, email=email, invited_by_id=actor.id)
        invitation.name, invitation.organisation = name, organisation
        invitation.stakeholder_group, invitation.country = group, country
        db.session.add(invitation)
        invitations.append(invitation)
    db.session.flush()
    record_event("invitation.imported", actor=actor, consultation=consultation,
                 count=len(invitations))
    return invitations


def send_invitations(consultation: Consultation, actor: User,
                     link_for: Callable[[Invitation], str]) -> int:
    """Put an invitation for every invitee not yet sent one in the outbox (the mail worker
    sends them); returns how many."""
    permissions.demand(permissions.may_manage_registrations(actor, consultation))
    unsent = db.session.scalars(
        select(Invitation).where(
            Invitation.consultation_id == consultation.id, Invitation.sent_at.is_(None),
            Invitation.role == Role.participant)
        .order_by(Invitation.id)
    ).all()
    for invitation in unsent:
        account = db.session.scalar(select(User).where(User.email == invitation.email))
        locale = account.preferred_locale if account else consultation.working_languages[0]
        with force_locale(locale):
            invitation.mail = send_after_commit(
                invitation.email,
                _("Invitation: %(title)s", title=consultation.title),
                render_template("mail/invitation.txt", invitation=invitation,
                                consultation=consultation, link=link_for(invitation)),
            )
        invitation.sent_at = utcnow()
    db.session.flush()
    if unsent:
        record_event("invitation.sent", actor=actor, consultation=consultation,
                     count=len(unsent))
    return len(unsent)


@dataclass(frozen=True)
class InvitationDeliveries:
    """How many invitation e-mails the mail worker has delivered, has still to send, or
    could not deliver."""

    sent: int
    waiting: int
    failed: int


def invitees_of(consultation: Consultation) -> list[Invitation]:
    """The consultation's list of invited participants, by address."""
    return db.session.scalars(
        select(Invitation).where(Invitation.consultation_id == consultation.id,
                                 Invitation.role == Role.participant)
        .options(selectinload(Invitation.mail))
        .order_by(Invitation.email)).all()


def invitation_deliveries(invitations: list[Invitation]) -> InvitationDeliveries | None:
    """The delivery state of the invitations sent through the outbox; None if none was."""
    states = [invitation.mail.delivery for invitation in invitations if invitation.mail]
    if not states:
        return None
    return InvitationDeliveries(
        sent=states.count(Delivery.sent), failed=states.count(Delivery.failed),
        waiting=sum(state in (Delivery.waiting, Delivery.retrying) for state in states))
