"""The declarative base, column types shared by every area, and SQLite connection settings."""

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Enum, MetaData, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

#: Constraint names that stay the same on SQLite and PostgreSQL, so migrations can name them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: The largest id a row can have (the ids are PostgreSQL ``integer`` columns). Ids that come
#: from outside (URLs, forms, socket events) are checked against it before any query: SQLite
#: cannot even bind an integer above 2**63 - 1.
MAX_ROW_ID = 2**31 - 1


def is_row_id(value) -> bool:
    """Whether ``value`` can be the id of a row."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def kept_in_session(session, kind: str, key, load):
    """What ``load`` finds, loaded once per database session (a request, a socket event) and
    kept in it under ``kind``: several rules of one request ask for the same row, and the
    session's identity map lets an object go as soon as nothing refers to it. A kept object is
    the session's own, so changes to it show; one the session no longer holds is loaded again."""
    known = session.info.setdefault(kind, {})
    found = known.get(key)
    if found is None or not inspect(found).persistent:
        found = load()
        if found is not None:
            known[key] = found
    return found


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A point in time, stored in UTC and always read back time-zone aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware datetime in UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class LabelledEnum(StrEnum):
    """A StrEnum whose every member has a label in the reader's language (``member.label``):
    the labels are given once, after the class, with ``label_members``."""

    @property
    def label(self) -> str:
        return str(type(self).LABELS[self])


def label_members(enum_class: type[LabelledEnum], labels: dict) -> dict:
    """Give the members of ``enum_class`` their labels (lazy gettext strings); returns them."""
    assert set(labels) == set(enum_class), f"{enum_class.__name__}: a label for every member"  # nosec B101
    enum_class.LABELS = labels
    return labels


def enum_column(enum_class: type[StrEnum], name: str) -> Enum:
    """A portable enum column: stored as the member's value, checked by a constraint."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(member.value) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


#: How long an SQLite connection waits for another's write lock before giving up (ms).
BUSY_TIMEOUT_MS = 10_000


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` is SQLite saying another connection held the write lock too long."""
    original = getattr(error, "orig", error)
    return isinstance(original, sqlite3.OperationalError) and (
        "locked" in str(original) or "busy" in str(original))


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy, not the driver, open transactions so that SAVEPOINT works.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    cursor.close()


#: Whether the work under way is going to write (a form POST, a vote): on SQLite its
#: transactions then start with BEGIN IMMEDIATE.
_writing: ContextVar[bool] = ContextVar("writing", default=False)


def start_writing() -> Token:
    """Mark the current request as writing until ``stop_writing``."""
    return _writing.set(True)


def stop_writing(token: Token) -> None:
    _writing.reset(token)


@contextmanager
def intending_to_write():
    """Mark the work inside as writing.

    SQLite in WAL mode lets a transaction read, then fails it at once ("database is locked",
    with no waiting) when it tries to write after another connection committed in between.
    Taking the write lock at the start (BEGIN IMMEDIATE) makes such work wait its turn
    (busy_timeout) instead. Readers are never blocked by it.
    """
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


@contextmanager
def only_reading():
    """Mark the work inside as reading only, inside a request that meant to write (the page
    that says the database was busy must not wait for the write lock again)."""
    token = _writing.set(False)
    try:
        yield
    finally:
        _writing.reset(token)


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(connection):
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")


def committed_for_good(session) -> bool:
    """Whether an ``after_commit`` event is the transaction's own commit, and not the release
    of a savepoint within it (SQLAlchemy sends the event for both): only then may what waited
    for the commit (e-mails, live events) leave."""
    return not session.in_nested_transaction()
