"""Everything the portal holds about one person, as one JSON document.

The account's own records are read here; each area adds its sections through its holder
(portal/accounts/personal_records.py). ``exported()`` names every column referring to an
account or a registration that the export reads; ``tests/test_personal_data.py`` fails when a
model gains such a column not listed.
"""

from sqlalchemy import or_, select

from portal.accounts.models import LinkedIdentity, SignIn, SignInFailure, SignInLink, User
from portal.accounts.personal_records import HOLDERS, Person, fields, person
from portal.audit.models import AuditEvent
from portal.extensions import db

#: The account's own columns referring to users.id, each read by a section below.
EXPORTED = frozenset({
    "sign_in_failures.user_id", "sign_ins.user_id", "sign_in_links.user_id",
    "linked_identities.user_id", "audit_events.actor_id",
})


def exported() -> frozenset[str]:
    """Every column referring to users.id or registrations.id that the export reads."""
    return EXPORTED.union(*(holder.exported for holder in HOLDERS))


def _account(user: User) -> dict:
    return fields(user, "id", "email", "name", "organisation", "stakeholder_group", "country",
                  "preferred_locale", "is_admin", "created_at", "last_signed_in_at")


def events_concerning(someone: Person):
    """The SQL condition for the audit events the person did, or that were done to their
    account, registrations, comments or amendments."""

    def about(table: str, ids) -> object:
        return (AuditEvent.target_type == table) & AuditEvent.target_id.in_(ids)

    return or_(
        AuditEvent.actor_id == someone.user.id,
        about("users", [someone.user.id]),
        *(about(table, ids) for holder in HOLDERS
          for table, ids in holder.audit_targets(someone)),
    )


def _audit(someone: Person) -> list[dict]:
    events = db.session.scalars(select(AuditEvent).where(
        events_concerning(someone)).order_by(AuditEvent.id)).all()
    return [{
        "you_acted": event.actor_id == someone.user.id,
        "consultation": someone.slugs.get(event.consultation_id),
        **fields(event, "occurred_at", "action", "target_type", "target_id", "ip_address",
                 "details"),
    } for event in events]


def _sign_in_failures(user: User) -> list[dict]:
    failures = db.session.scalars(
        select(SignInFailure).where(or_(SignInFailure.user_id == user.id,
                                        SignInFailure.email == user.email))
        .order_by(SignInFailure.id)).all()
    return [fields(failure, "attempted_at", "ip_address") for failure in failures]


def _sign_ins(user: User) -> list[dict]:
    """When and how each device signed in, and until when; never the token."""
    sign_ins = db.session.scalars(
        select(SignIn).where(SignIn.user_id == user.id).order_by(SignIn.id)).all()
    return [fields(sign_in, "created_at", "method", "ended_at") for sign_in in sign_ins]


def _sign_in_links(user: User) -> list[dict]:
    links = db.session.scalars(
        select(SignInLink).where(SignInLink.user_id == user.id).order_by(SignInLink.id)).all()
    return [fields(link, "created_at", "expires_at", "used_at") for link in links]


def _linked_identities(user: User) -> list[dict]:
    """The accounts at organisations' identity providers that sign in to this one."""
    links = db.session.scalars(select(LinkedIdentity).where(LinkedIdentity.user_id == user.id)
                               .order_by(LinkedIdentity.id)).all()
    return [fields(link, "issuer", "subject", "email", "created_at", "last_used_at")
            for link in links]


def _acted_on(someone: Person) -> list[dict]:
    records = []
    for holder in HOLDERS:
        for model, column, consultation_of in holder.acted_on:
            for row in db.session.scalars(select(model).where(column == someone.user.id)):
                records.append({"record": model.__tablename__, "id": row.id,
                                "as": column.key.removesuffix("_id"),
                                "consultation": someone.slugs.get(consultation_of(row))})
    return records


def personal_data_of(user: User) -> dict:
    """Everything the portal holds about the person; never the password hash."""
    someone = person(user)
    document = {"account": _account(user)}
    for holder in HOLDERS:
        document.update(holder.export(someone))
    return {
        **document,
        "other_records_naming_you": _acted_on(someone),
        "audit_events": _audit(someone),
        "failed_sign_ins": _sign_in_failures(user),
        "sign_ins": _sign_ins(user),
        "sign_in_links": _sign_in_links(user),
        "linked_identities": _linked_identities(user),
    }
