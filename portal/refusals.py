"""Refusals: an operation that will not do what it is asked raises a ``Refused`` (or one of the
areas' own kinds of it: ``VoteRefused``, ``CommentRefused``...), whose ``reason`` is said to the
user in their language.

A refusal may come after the operation has changed things already (a row flushed, an audit
event written). Nothing of that is kept, whatever the code that caught the refusal does next:

- A request that writes (a form POST) works inside a savepoint taken when it starts. A refusal
  rolls the request back to it at once, so the page that says why shows nothing half done, and
  what the request does afterwards is kept as usual.
- Elsewhere (a socket event, a command, a page that only reads), a transaction in which a
  refusal was raised is never committed: it is rolled back at the end of the request or event,
  and a commit attempted before that fails.

What must be kept even so (a failed sign-in, counted against guessing) is written through
``despite_refusal``: done now, and done again after the rollback.
"""

from collections.abc import Callable
from contextlib import contextmanager

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from portal.database import committed_for_good
from portal.extensions import db

REFUSED = "refused"
SAVEPOINT = "the request's savepoint"
#: What ``despite_refusal`` did in the current transaction, and what is to be done again
#: because the transaction that held it was rolled back.
KEPT, REDO = "kept despite refusal", "to do again after a rollback"
#: Set once the transaction has sent changes to the database.
WROTE = "wrote in this transaction"


class Refused(Exception):
    """The operation is refused; ``reason`` says why in the user's language, ``code`` names the
    refusal for machines (docs/live-protocol.md)."""

    code = "refused"

    def __init__(self, reason: str = "", code: str | None = None):
        super().__init__(reason)
        self.reason = reason
        if code is not None:
            self.code = code
        if has_app_context() and not _roll_back_request(db.session):
            db.session.info[REFUSED] = True


class RefusedTransactionCommitted(RuntimeError):
    """Code tried to commit a transaction in which a refusal was raised."""


def begin_request(session: Session) -> None:
    """Take the savepoint a refusal rolls a writing request back to."""
    session.info[SAVEPOINT] = session.begin_nested()


def _roll_back_request(session: Session) -> bool:
    """Roll the request back to its savepoint, if it has one, and take a new one."""
    savepoint = session.info.get(SAVEPOINT)
    if savepoint is None or not savepoint.is_active:
        return False
    kept = session.info.pop(KEPT, [])
    savepoint.rollback()
    session.info[SAVEPOINT] = session.begin_nested()
    for action in kept:
        despite_refusal(action)
    return True


@contextmanager
def holding_no_connection():
    """Give the request's database connection back to the pool while the slow work inside
    runs (a password hash), so that the others waiting for a connection get it; the request
    takes one again afterwards. A request that has written already keeps its connection (its
    writes are saved with the rest of it, or not at all); one that has only read ends its
    transaction. The objects it read keep their values rather than being loaded again: only
    reads were made, and the work inside lasts milliseconds."""
    session = db.session
    if session.info.get(WROTE) or session.new or session.dirty or session.deleted:
        yield
        return
    writing = session.info.pop(SAVEPOINT, None) is not None
    request_session = session()
    expiring = request_session.expire_on_commit
    request_session.expire_on_commit = False
    try:
        session.commit()
    finally:
        request_session.expire_on_commit = expiring
    try:
        yield
    finally:
        if writing:
            begin_request(session)


def was_refused(session: Session) -> bool:
    return bool(session.info.get(REFUSED))


def despite_refusal(action: Callable[[], object]) -> None:
    """Do ``action`` (which adds rows to the session) now, and again in a fresh transaction
    if this one is rolled back because of a refusal."""
    action()
    db.session.info.setdefault(KEPT, []).append(action)


def end_transaction(session: Session, keep: bool) -> None:
    """End the transaction of a request or a socket event: commit it when ``keep`` and no
    refusal was raised in it, roll it back otherwise; then write again, and commit, what was
    to be kept despite a refusal."""
    session.info.pop(SAVEPOINT, None)
    if keep and not was_refused(session):
        session.commit()
    else:
        session.rollback()
    redo = session.info.pop(REDO, [])
    if redo:
        for action in redo:
            despite_refusal(action)
        session.commit()


@event.listens_for(Session, "before_commit")
def _never_commit_a_refusal(session: Session) -> None:
    if was_refused(session):
        raise RefusedTransactionCommitted(
            "a refusal was raised in this transaction: it is rolled back, never committed")


@event.listens_for(Session, "after_commit")
def _forget_kept(session: Session) -> None:
    if committed_for_good(session):
        session.info.pop(KEPT, None)
        session.info.pop(WROTE, None)


@event.listens_for(Session, "after_flush")
def _note_writes(session: Session, flush_context) -> None:
    session.info[WROTE] = True


@event.listens_for(Session, "after_rollback")
def _forget_writes(session: Session) -> None:
    if not session.in_transaction():
        session.info.pop(WROTE, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_refusal(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(REFUSED, None)
        session.info[REDO] = session.info.get(REDO, []) + session.info.pop(KEPT, [])
