"""What each area holds about a person, as the area says it: the accounts code walks these to
export a person's data and to take a person out of the record, and knows no area's models.

An area describes its part in a ``Holder`` and registers it (``register``) when it is
imported; the app factory imports every area's holder (``consultations.personal_data``,
``recommendations.personal_data``). Every column that refers to an account or a registration
is in one holder's ``user_links`` or ``registration_links`` and its ``exported`` columns;
``tests/test_personal_data.py`` fails when a model gains such a column that is not.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum


@dataclass(frozen=True)
class Link:
    """A column naming a person, and what taking the person out does to its rows."""

    column: object
    #: "unlink" sets the column to NULL and keeps the row; "delete" removes the row;
    #: "anonymise" is the registration itself (its area anonymises it);
    #: "account" goes with the account (deleted with it, or kept while it lives).
    action: str
    #: The rows of one consultation, for its retention date; None when not per consultation.
    scope: object = None
    #: Kept pointing to the anonymised registration at the retention date (its stakeholder
    #: group and country stay shown); unlinked when the person deletes their account.
    kept_at_retention: bool = False


@dataclass(frozen=True)
class Person:
    """The person whose data is read or taken out: the account, the ids of their
    registrations, and the address (slug) of each consultation by id, to name records by."""

    user: object
    registration_ids: list[int]
    slugs: dict[int, str] = field(default_factory=dict)


class Holder:
    """What one area holds about people. An area subclasses it, fills what applies, and
    registers one instance; every part left as it is here means "nothing"."""

    #: Columns referring to an account, and to a registration, with what taking the person
    #: out does to each.
    user_links: tuple[Link, ...] = ()
    registration_links: tuple[Link, ...] = ()
    #: Columns of other people's records in which the person is named as having acted:
    #: (model, column, the row's consultation id).
    acted_on: tuple[tuple[object, object, Callable], ...] = ()
    #: Columns referring to users.id or registrations.id that ``export`` reads.
    exported: frozenset[str] = frozenset()

    def registration_ids(self, user) -> list[int]:
        """The ids of the person's registrations (the area that holds them says)."""
        return []

    def slugs(self) -> dict[int, str]:
        """Every consultation's address by id (the area that holds them says)."""
        return {}

    def export(self, person: Person) -> dict:
        """The area's sections of the person's data, by name."""
        return {}

    def audit_targets(self, person: Person) -> list[tuple[str, object]]:
        """The records whose audit events concern the person: (table, ids or a select)."""
        return []

    def deletion_refusal(self, user) -> str | None:
        """Why the account cannot be deleted now, in the user's language, or None."""
        return None

    def take_out(self, person: Person, now: datetime) -> Callable[[], None] | None:
        """Anonymise what the person's account deletion leaves in the area's records (the
        links are unlinked by the accounts code afterwards); returns what to do once the
        account is gone, if anything."""
        return None

    def forget_account(self, user) -> None:
        """Delete the area's rows that go with the account (beyond its ``account`` links)."""


HOLDERS: list[Holder] = []


def register(holder: Holder) -> Holder:
    """Add an area's holder (once: a module imported again does not add it twice)."""
    if not any(type(known) is type(holder) for known in HOLDERS):
        HOLDERS.append(holder)
    return holder


def user_links() -> tuple[Link, ...]:
    return tuple(link for holder in HOLDERS for link in holder.user_links)


def registration_links() -> tuple[Link, ...]:
    return tuple(link for holder in HOLDERS for link in holder.registration_links)


def column_name(column) -> str:
    return f"{column.class_.__tablename__}.{column.key}"


def person(user) -> Person:
    """The person with their registrations and the consultations' addresses."""
    return Person(user, [identifier for holder in HOLDERS
                         for identifier in holder.registration_ids(user)],
                  {key: value for holder in HOLDERS for key, value in holder.slugs().items()})


def plain(value):
    """A JSON-ready value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return value


def fields(row, *names) -> dict:
    return {name: plain(getattr(row, name)) for name in names}
