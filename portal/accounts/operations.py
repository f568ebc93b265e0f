"""The rules of accounts: creating them, signing in, passwords."""

import hashlib
import math
from collections.abc import Callable
from datetime import timedelta
from functools import cache

from blinker import Namespace
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import SignInFailure, StakeholderGroup, User, new_session_token
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import send_after_commit
from portal.refusals import Refused, despite_refusal

#: Sent with the new account: other areas attach what was waiting for its address.
account_created = Namespace().signal("account-created")

PROFILE_FIELDS = ("name", "organisation", "stakeholder_group", "country", "preferred_locale")


@cache
def _unknown_account_hash() -> str:
    """Checked when the e-mail address is unknown, so that both cases take the same time."""
    return generate_password_hash("unknown account")


class AccountExists(Exception):
    """Another account already has this e-mail address."""


class SignInRefused(Refused):
    """Wrong e-mail address or password, or too many failures: then ``wait_minutes`` is set."""

    def __init__(self, wait_minutes: int | None = None):
        super().__init__()
        self.wait_minutes = wait_minutes


class InvalidResetLink(Exception):
    """The password reset link is malformed, expired or already used."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def find_account(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


def load_signed_in_user(session_token: str) -> User | None:
    """The account a session cookie belongs to; a rotated token no longer finds it."""
    return db.session.execute(
        select(User).where(User.session_token == session_token)
    ).scalar_one_or_none()


def create_account(
    *,
    email: str,
    password: str | None = None,
    name: str,
    organisation: str,
    stakeholder_group: StakeholderGroup | str,
    country: str,
    preferred_locale: str = "en",
    password_hash: str | None = None,
) -> User:
    """Create an account from a password, or from a ready ``password_hash`` (demo data)."""
    if password_hash is None:
        if password is None:
            raise ValueError("create_account needs a password or a password hash")
        password_hash = hash_password(password)
    user = User(
        email=normalise_email(email),
        password_hash=password_hash,
        name=name.strip(),
        organisation=organisation.strip(),
        stakeholder_group=StakeholderGroup(stakeholder_group),
        country=country,
        preferred_locale=preferred_locale,
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except IntegrityError as error:
        raise AccountExists(email) from error
    record_event("account.signed_up", actor=user, target=user)
    account_created.send(user)
    return user


def _wait_minutes(column, value: str, limit: int) -> int | None:
    """Minutes until fewer than ``limit`` failures for ``value`` remain in the window."""
    window = timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])
    now = utcnow()
    recent = db.session.execute(
        select(SignInFailure.attempted_at)
        .where(column == value, SignInFailure.attempted_at > now - window)
        .order_by(SignInFailure.attempted_at.desc())
        .limit(limit)
    ).scalars().all()
    if len(recent) < limit:
        return None
    frees_at = recent[-1] + window
    return max(1, math.ceil((frees_at - now).total_seconds() / 60))


def sign_in_wait_minutes(email: str, ip_address: str) -> int | None:
    config = current_app.config
    waits = [
        _wait_minutes(SignInFailure.email, email, config["SIGN_IN_FAILURES_PER_EMAIL"]),
        _wait_minutes(
            SignInFailure.ip_address, ip_address, config["SIGN_IN_FAILURES_PER_ADDRESS"]
        ),
    ]
    waits = [wait for wait in waits if wait is not None]
    return max(waits) if waits else None


def authenticate(email: str, password: str, ip_address: str) -> User:
    """Return the account for this e-mail address and password, or raise SignInRefused.

    Every failure is recorded; once an e-mail address or a network address has too many in
    the window, attempts are refused without checking the password.
    """
    email = normalise_email(email)
    wait = sign_in_wait_minutes(email, ip_address)
    if wait is not None:
        # Kept although the sign-in is refused: the audit log shows the throttling.
        despite_refusal(lambda: record_event("account.sign_in_throttled", email=email))
        raise SignInRefused(wait_minutes=wait)
    user = find_account(email)
    password_matches = check_password_hash(
        user.password_hash if user else _unknown_account_hash(), password
    )
    if user is None or not password_matches:
        user_id = user.id if user else None

        def record_failure():
            # Kept although the sign-in is refused: failures are what throttling counts.
            db.session.add(SignInFailure(email=email, ip_address=ip_address, user_id=user_id))
            record_event("account.sign_in_failed", target=user, email=email)

        despite_refusal(record_failure)
        raise SignInRefused()
    user.last_signed_in_at = utcnow()
    record_event("account.signed_in", actor=user, target=user)
    return user


def update_profile(user: User, **changes) -> None:
    changed = sorted(
        name for name in PROFILE_FIELDS if name in changes and getattr(user, name) != changes[name]
    )
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        record_event("account.profile_updated", actor=user, target=user, fields=changed)


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Set a new password if the current one is right. Signs out every other session."""
    if not check_password_hash(user.password_hash, current_password):
        return False
    _set_password(user, new_password)
    record_event("account.password_changed", actor=user, target=user)
    return True


def _set_password(user: User, new_password: str) -> None:
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


def _password_fingerprint(user: User) -> str:
    """Changes when the password does, so that a reset link works once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def password_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"user": user.id, "password": _password_fingerprint(user)})


def account_for_reset_token(token: str) -> User:
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"]
    try:
        payload = _reset_serializer().loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature) as error:
        raise InvalidResetLink() from error
    user = db.session.get(User, payload.get("user")) if isinstance(payload, dict) else None
    if user is None or payload.get("password") != _password_fingerprint(user):
        raise InvalidResetLink()
    return user


def request_password_reset(email: str, link_for: Callable[[str], str]) -> None:
    """E-mail a reset link if an account has this address; say nothing either way."""
    user = find_account(email)
    if user is None:
        record_event("account.password_reset_requested", email=normalise_email(email))
        return
    link = link_for(password_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] // 60
    with force_locale(user.preferred_locale):
        send_after_commit(
            user.email,
            _("Reset your Red Talks password"),
            render_template("mail/password_reset.txt", user=user, link=link, minutes=minutes),
        )
    record_event("account.password_reset_requested", target=user, email=user.email)


def reset_password(token: str, new_password: str) -> User:
    user = account_for_reset_token(token)
    _set_password(user, new_password)
    record_event("account.password_reset", actor=user, target=user)
    return user
