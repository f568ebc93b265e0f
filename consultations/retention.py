"""A consultation's retention date: once it has passed, the personal data of everyone in the
consultation is anonymised, once (``flask anonymise-expired``); the accounts stay.

What is anonymised is what every area registered (portal/accounts/personal_records.py), as
for a deleted account (portal/accounts/anonymisation.py)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from consultations.models import Consultation, Invitation, Registration
from consultations.personal_data import anonymise_registration
from portal.accounts.anonymisation import (
    anonymise_audit,
    bulk,
    remove_registration_links,
    user_links,
)
from portal.audit.models import AuditEvent
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db


def is_expired(consultation: Consultation, now: datetime | None = None) -> bool:
    """Whether the consultation's retention date has passed, in its own time zone."""
    if consultation.personal_data_kept_until is None:
        return False
    today = (now or utcnow()).astimezone(ZoneInfo(consultation.time_zone)).date()
    return today > consultation.personal_data_kept_until


def expired_consultations(now: datetime | None = None) -> list[Consultation]:
    """Consultations past their retention date and not yet anonymised."""
    candidates = db.session.scalars(
        select(Consultation).where(Consultation.personal_data_kept_until.is_not(None),
                                   Consultation.personal_data_anonymised_at.is_(None))
        .order_by(Consultation.id)).all()
    return [consultation for consultation in candidates if is_expired(consultation, now)]


def claim_for_anonymisation(consultation: Consultation, now: datetime) -> bool:
    """Mark the consultation as anonymised, in this transaction, unless another run did:
    the row lock taken by the update makes a second run wait, then find it done."""
    result = db.session.execute(
        update(Consultation)
        .where(Consultation.id == consultation.id,
               Consultation.personal_data_anonymised_at.is_(None))
        .values(personal_data_anonymised_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


@dataclass
class AnonymisedConsultation:
    slug: str
    registrations: int


def anonymise_consultation(consultation: Consultation,
                           now: datetime | None = None) -> AnonymisedConsultation | None:
    """Anonymise the personal data of everyone in the consultation, once; the accounts stay.
    Returns None when it was done already (by an earlier or a concurrent run)."""
    now = now or datetime.now(UTC)
    if not claim_for_anonymisation(consultation, now):
        return None
    cid = consultation.id
    registrations = db.session.scalars(
        select(Registration).where(Registration.consultation_id == cid,
                                   Registration.anonymised_at.is_(None))).all()
    for registration in registrations:
        anonymise_registration(registration, now)
    db.session.flush()
    anonymise_audit(AuditEvent.consultation_id == cid)
    remove_registration_links(
        db.session.scalars(select(Registration.id).where(Registration.consultation_id == cid))
        .all(), retention=True)
    for link in user_links():
        if link.action == "unlink":
            bulk(update(link.column.class_).where(link.column.is_not(None), link.scope(cid))
                 .values({link.column.key: None}))
    bulk(delete(Invitation).where(Invitation.consultation_id == cid))
    db.session.expire_all()
    record_event("consultation.personal_data_anonymised", consultation=consultation,
                 target=consultation, registrations=len(registrations))
    return AnonymisedConsultation(consultation.slug, len(registrations))
