"""Taking people out of the record: deleting an account, and a consultation's retention date
(consultations/retention.py).

The consultation's record stays whole: comments, amendments and recommendation texts keep
their text, votes stay in every tally, registrations stay in the counts by status,
stakeholder group, country and attendance. What goes is the link to the person and what
identifies them: names, e-mail addresses, organisations, answers, network addresses.

Every column that refers to an account or a registration is listed in ``USER_LINKS`` (the
account's own) or in an area's holder (portal/accounts/personal_records.py) with what happens
to it; ``tests/test_personal_data.py`` fails when a model gains such a column that is not.
"""

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from portal.accounts.models import (
    LinkedIdentity,
    SignIn,
    SignInFailure,
    SignInLink,
    SignUpRequest,
    User,
)
from portal.accounts.operations import is_password_of
from portal.accounts.personal_data import events_concerning
from portal.accounts.personal_records import HOLDERS, Link, person, registration_links
from portal.accounts.personal_records import user_links as areas_user_links
from portal.audit.models import AuditEvent
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import OutgoingMail
from portal.refusals import Refused

#: Keys of an audit event's details that may name or identify a person.
PERSONAL_DETAIL_KEYS = frozenset({"email", "message", "excerpt"})

#: The account's own columns naming it: they go with the account.
USER_LINKS = (
    Link(SignInFailure.user_id, "account"),
    Link(SignIn.user_id, "account"),
    Link(SignInLink.user_id, "account"),
    Link(LinkedIdentity.user_id, "account"),
    Link(AuditEvent.actor_id, "unlink", lambda cid: AuditEvent.consultation_id == cid),
)


def user_links() -> tuple[Link, ...]:
    """Every column naming an account: the account's own, then each area's."""
    return USER_LINKS + areas_user_links()


class AccountDeletionRefused(Refused):
    """The account cannot be deleted now; ``reason`` says why, in the user's language."""


def is_last_admin(user: User) -> bool:
    if not user.is_admin:
        return False
    return not db.session.scalar(
        select(func.count()).select_from(User).where(User.is_admin.is_(True),
                                                     User.id != user.id))


def deletion_refusal(user: User) -> str | None:
    """Why the account cannot be deleted now, or None."""
    if is_last_admin(user):
        return _("You are the portal's only platform admin. Make another account an admin "
                 "first (flask create-admin), then delete yours.")
    for holder in HOLDERS:
        refusal = holder.deletion_refusal(user)
        if refusal:
            return refusal
    return None


def _strip_details(event: AuditEvent) -> None:
    details = event.details or {}
    if any(key in details for key in PERSONAL_DETAIL_KEYS):
        event.details = {key: value for key, value in details.items()
                         if key not in PERSONAL_DETAIL_KEYS}


def bulk(statement) -> None:
    db.session.execute(statement.execution_options(synchronize_session=False))


def remove_registration_links(registration_ids, *, retention: bool) -> None:
    if not registration_ids:
        return
    for link in registration_links():
        model = link.column.class_
        where = link.column.in_(registration_ids)
        if link.action == "delete":
            bulk(delete(model).where(where))
        elif not (retention and link.kept_at_retention):
            bulk(update(model).where(where).values({link.column.key: None}))


def delete_account(user: User, password: str) -> None:
    """Delete the account after checking its password; the consultations keep their record
    without the person. Raises AccountDeletionRefused."""
    if not is_password_of(user, password):
        raise AccountDeletionRefused(_("The password is not right."))
    refusal = deletion_refusal(user)
    if refusal:
        raise AccountDeletionRefused(refusal)
    now = utcnow()
    someone = person(user)
    afterwards = [holder.take_out(someone, now) for holder in HOLDERS]
    db.session.flush()

    anonymise_audit(events_concerning(someone), forget_target=("users", user.id),
                    actor_id=user.id)
    remove_registration_links(someone.registration_ids, retention=False)
    for link in user_links():
        if link.action == "unlink":
            bulk(update(link.column.class_).where(link.column == user.id)
                 .values({link.column.key: None}))
    bulk(delete(SignInFailure).where(or_(SignInFailure.user_id == user.id,
                                         SignInFailure.email == user.email)))
    bulk(delete(SignIn).where(SignIn.user_id == user.id))
    bulk(delete(SignInLink).where(SignInLink.user_id == user.id))
    bulk(delete(LinkedIdentity).where(LinkedIdentity.user_id == user.id))
    for holder in HOLDERS:
        holder.forget_account(user)
    bulk(delete(SignUpRequest).where(SignUpRequest.email == user.email))
    bulk(delete(OutgoingMail).where(OutgoingMail.recipient == user.email))
    db.session.expire_all()
    db.session.delete(user)
    db.session.flush()
    record_event("account.deleted", registrations=len(someone.registration_ids))
    for then in afterwards:
        if then is not None:
            then()


def anonymise_audit(condition, forget_target: tuple[str, int] | None = None,
                    actor_id: int | None = None) -> None:
    """Strip the personal details of the events; remove their actor and network address
    (all of them, or only where ``actor_id`` acted: a moderator's own action keeps its
    moderator)."""
    events = db.session.scalars(select(AuditEvent).where(condition)).all()
    for event in events:
        if actor_id is None or event.actor_id == actor_id:
            event.actor_id = None
            event.ip_address = None
        if forget_target and (event.target_type, event.target_id) == forget_target:
            event.target_id = None
        _strip_details(event)
    db.session.flush()
