"""Name badges and the attendance list of the check-in desk, and checking a person in by the
QR code of their badge.

A badge's code is signed by the portal (``SECRET_KEY``) and names the consultation and the
registration: it cannot be made up, and a badge of another consultation is refused. The code
is part of an address (``/c/<slug>/check-in/badge/<code>``), so a phone's own camera app
opens the check-in page of the person too; the check-in page's scanner reads the same
address. Nothing is stored: a registration that is no longer approved is refused when its
badge is scanned.
"""

from dataclasses import dataclass
from enum import StrEnum

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from consultations.models import (
    Attendance,
    Consultation,
    Region,
    Registration,
    RegistrationStatus,
)
from consultations.registrations import check_in
from portal.accounts.models import User
from portal.database import is_row_id
from portal.extensions import db
from portal.refusals import Refused

#: The path segment before a badge's code in the address its QR code holds.
BADGE_PATH = "/check-in/badge/"


class Paper(StrEnum):
    a4 = "a4"
    letter = "letter"


class BadgeRefused(Refused):
    """A scanned badge that checks nobody in; ``reason`` says why."""

    code = "badge_refused"


def default_paper(consultation: Consultation) -> Paper:
    """Letter where the Americas print on it, A4 elsewhere; the desk can choose."""
    return Paper.letter if consultation.region == Region.latin_america_caribbean else Paper.a4


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="badge")


def badge_code(registration: Registration) -> str:
    return _serializer().dumps([registration.consultation_id, registration.id])


def _code_in(scanned: str) -> str:
    """The code in what a scanner read: the badge's address, or the code alone."""
    text = (scanned or "").strip()
    if BADGE_PATH in text:
        text = text.rsplit(BADGE_PATH, 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].strip("/")


def registration_of_badge(consultation: Consultation, scanned: str) -> Registration:
    """The approved registration a badge of this consultation names; raises BadgeRefused."""
    code = _code_in(scanned)
    try:
        consultation_id, registration_id = _serializer().loads(code) if len(code) < 200 \
            else (None, None)
    except (BadSignature, ValueError, TypeError):
        consultation_id = registration_id = None
    if not (is_row_id(consultation_id) and is_row_id(registration_id)):
        raise BadgeRefused(_("This code is not a badge of the portal."), code="unreadable")
    if consultation_id != consultation.id:
        raise BadgeRefused(_("This badge is for another consultation."),
                           code="other_consultation")
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.user is None \
            or registration.consultation_id != consultation.id:
        raise BadgeRefused(_("This badge's registration no longer exists."), code="gone")
    if registration.status != RegistrationStatus.approved:
        raise BadgeRefused(_("The registration of %(name)s is not approved (%(status)s): "
                             "they cannot be checked in.", name=registration.user.name,
                             status=registration.status.label), code="not_approved")
    return registration


@dataclass(frozen=True)
class BadgeCheckIn:
    registration: Registration
    #: False when the person was checked in already (the time is kept).
    newly: bool


def check_in_by_badge(consultation: Consultation, scanned: str, actor: User) -> BadgeCheckIn:
    """Check in the person whose badge was scanned. Raises BadgeRefused."""
    registration = registration_of_badge(consultation, scanned)
    if registration.checked_in_at is not None:
        return BadgeCheckIn(registration, newly=False)
    check_in(registration, actor)
    return BadgeCheckIn(registration, newly=True)


def approved_people(consultation: Consultation, *,
                    attendance: Attendance | None = None) -> list[Registration]:
    """Everyone approved (and still named), by name: the attendance list, the badges."""
    query = (select(Registration).join(Registration.user)
             .where(Registration.consultation_id == consultation.id,
                    Registration.status == RegistrationStatus.approved)
             .options(joinedload(Registration.user))
             .order_by(func.lower(User.name), Registration.id))
    if attendance is not None:
        query = query.where(Registration.attendance == attendance)
    return list(db.session.scalars(query))
