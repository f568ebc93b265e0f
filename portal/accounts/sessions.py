"""This device's session: signing it in and out (the request side of the sign-ins)."""

from flask import request, session
from flask_login import current_user, login_user, logout_user

from portal.accounts import operations
from portal.accounts.models import User


def client_address() -> str:
    return request.remote_addr or "unknown"


def start_session(user: User, *, method: str, remember: bool = False) -> None:
    """Sign this device in with a sign-in of its own, in a fresh session: nothing set before
    it, a planted value included, survives. The remember cookie carries the same sign-in, so
    signing out (or a password change) ends it as well.

    The session outlives the browser being closed (a phone put away between sessions) for
    PERMANENT_SESSION_LIFETIME after the last page seen: whoever signs in in the morning, or
    the day before, is still in the room at the plenary, and costs no second password check
    when thousands arrive."""
    session.clear()
    session.permanent = True
    operations.start_sign_in(user, method)
    login_user(user, remember=remember)


def end_session() -> list[int]:
    """Sign this device out, on the server too: its cookie, replayed, signs nobody in.
    Returns the ids of the sign-ins ended."""
    ended = []
    if current_user.is_authenticated:
        ended = operations.end_sign_in(current_user.current_sign_in)
    forget_session()
    return ended


def forget_session() -> None:
    """Drop this device's cookies (the account's sign-ins are gone already: deleted)."""
    logout_user()
    session.clear()
