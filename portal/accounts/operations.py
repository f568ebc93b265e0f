"""The rules of accounts: creating them, signing in, passwords."""

import hashlib
import math
from collections.abc import Callable
from datetime import timedelta

from blinker import Namespace
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import (
    SignIn,
    SignInFailure,
    SignInLink,
    SignUpRequest,
    StakeholderGroup,
    User,
    new_secret_token,
    token_digest,
)
from portal.accounts.passwords import (
    PasswordHashingBusy,
    check_password,
    hash_password,
    unusable_password_hash,
)
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import send_after_commit
from portal.refusals import Refused, despite_refusal, holding_no_connection

__all__ = ["PasswordHashingBusy", "hash_password", "unusable_password_hash"]

signals = Namespace()
#: Sent with the new account: other areas attach what was waiting for its address.
account_created = signals.signal("account-created")
#: Sent with ``sign_in_ids``, the sign-ins just ended: their live connections are to close.
sign_ins_ended = signals.signal("sign-ins-ended")

PROFILE_FIELDS = ("name", "organisation", "stakeholder_group", "country", "preferred_locale")
#: The longest page address a sign-up keeps to come back to (its column's length).
MAX_NEXT_PATH = 500


class AccountExists(Exception):
    """Another account already has this e-mail address."""


class SignInRefused(Refused):
    """Wrong e-mail address or password, or too many failures: then ``wait_minutes`` is set."""

    def __init__(self, wait_minutes: int | None = None):
        super().__init__()
        self.wait_minutes = wait_minutes


class InvalidResetLink(Exception):
    """The password reset link is malformed, expired or already used."""


class InvalidSignInLink(Exception):
    """The sign-in link is unknown, expired or already used."""


class InvalidSignUpLink(Exception):
    """The sign-up confirmation link is unknown, expired or already used."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def new_password_hash(password: str) -> str:
    """The hash of a new password, made with no database connection held meanwhile."""
    with holding_no_connection():
        return hash_password(password)


def is_password_of(user: User, password: str) -> bool:
    """Whether ``password`` is the account's, checked with no database connection held."""
    stored_hash = user.password_hash
    with holding_no_connection():
        matches, _outdated = check_password(stored_hash, password)
    return matches


def find_account(email: str) -> User | None:
    return db.session.execute(
        select(User).where(User.email == normalise_email(email))
    ).scalar_one_or_none()


# Sign-ins: one per device ------------------------------------------------------------------

def start_sign_in(user: User, method: str) -> str:
    """Sign a new device in; returns the token its cookie keeps (the database keeps its
    digest). The user object then carries the sign-in: ``get_id`` returns the token."""
    token = new_secret_token()
    sign_in = SignIn(user_id=user.id, token_hash=token_digest(token), method=method)
    db.session.add(sign_in)
    db.session.flush()
    user.current_sign_in, user.sign_in_token = sign_in, token
    return token


#: Built once: every page and every live connection asks it, and on SQLite building the
#: statement cost about as much as running it.
_ACTIVE_SIGN_IN = select(SignIn, User).join(User, SignIn.user_id == User.id).where(
    SignIn.token_hash == bindparam("token_hash"), SignIn.ended_at.is_(None))


def load_signed_in_user(token: str) -> User | None:
    """The account whose active sign-in a cookie carries; an ended sign-in finds nobody."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    found = db.session.execute(_ACTIVE_SIGN_IN, {"token_hash": token_digest(token)}).first()
    if found is None:
        return None
    sign_in, user = found
    user.current_sign_in, user.sign_in_token = sign_in, token
    return user


def _ended(sign_ins: list[SignIn]) -> list[int]:
    now = utcnow()
    for sign_in in sign_ins:
        sign_in.ended_at = now
    db.session.flush()
    ids = [sign_in.id for sign_in in sign_ins]
    if ids:
        sign_ins_ended.send(None, sign_in_ids=ids)
    return ids


def end_sign_in(sign_in: SignIn | None) -> list[int]:
    """Sign one device out (its cookie, replayed, then signs nobody in); returns the id of
    the sign-in ended, none if it had ended already."""
    if sign_in is None or sign_in.ended_at is not None:
        return []
    return _ended([sign_in])


def end_sign_ins_of(user: User, except_: SignIn | None = None) -> list[int]:
    """Sign every device of the account out but ``except_``; returns the ids of the sign-ins
    ended (``sign_ins_ended`` is sent with them too)."""
    query = select(SignIn).where(SignIn.user_id == user.id, SignIn.ended_at.is_(None))
    if except_ is not None:
        query = query.where(SignIn.id != except_.id)
    return _ended(list(db.session.scalars(query.order_by(SignIn.id))))


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
        password_hash = new_password_hash(password)
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


def _minutes_until(moment) -> int:
    return max(1, math.ceil((moment - utcnow()).total_seconds() / 60))


def _address_wait_minutes(ip_address: str) -> int | None:
    """Minutes until fewer than the per-address limit of failures remain in the window."""
    config = current_app.config
    limit = config["SIGN_IN_FAILURES_PER_ADDRESS"]
    window = timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"])
    recent = db.session.execute(
        select(SignInFailure.attempted_at)
        .where(SignInFailure.ip_address == ip_address,
               SignInFailure.attempted_at > utcnow() - window)
        .order_by(SignInFailure.attempted_at.desc())
        .limit(limit)
    ).scalars().all()
    if len(recent) < limit:
        return None
    return _minutes_until(recent[-1] + window)


def delay_after(failures: int) -> timedelta:
    """The wait after this many failures for one account from one address: none for the
    first few, then 1 minute, doubling up to the longest delay."""
    config = current_app.config
    beyond = failures - config["SIGN_IN_FAILURES_BEFORE_DELAY"]
    if beyond < 0:
        return timedelta(0)
    longest = config["SIGN_IN_LONGEST_DELAY_MINUTES"]
    return timedelta(minutes=min(2 ** min(beyond, 16), longest))


def _account_wait_minutes(email: str, ip_address: str) -> int | None:
    """The growing delay for this account from this address; failures from other addresses
    do not count, so someone else's guesses never lock the owner out."""
    memory = timedelta(hours=current_app.config["SIGN_IN_FAILURE_MEMORY_HOURS"])
    failures, latest = db.session.execute(
        select(func.count(SignInFailure.id), func.max(SignInFailure.attempted_at))
        .where(SignInFailure.email == email, SignInFailure.ip_address == ip_address,
               SignInFailure.attempted_at > utcnow() - memory)
    ).one()
    delay = delay_after(failures)
    if not delay or latest is None or latest + delay <= utcnow():
        return None
    return _minutes_until(latest + delay)


def failed_lately_from(ip_address: str) -> bool:
    """Whether any sign-in failed from this address within the time failures are counted.
    Nearly every sign-in finds none: one query then stands for the two that compute a wait,
    and for the forgiving of failures after it succeeds."""
    config = current_app.config
    remembered = max(timedelta(hours=config["SIGN_IN_FAILURE_MEMORY_HOURS"]),
                     timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"]))
    return db.session.scalar(select(exists().where(
        SignInFailure.ip_address == ip_address,
        SignInFailure.attempted_at > utcnow() - remembered)))


def sign_in_wait_minutes(email: str, ip_address: str) -> int | None:
    waits = [wait for wait in (_account_wait_minutes(email, ip_address),
                               _address_wait_minutes(ip_address)) if wait is not None]
    return max(waits) if waits else None


def authenticate(email: str, password: str, ip_address: str) -> User:
    """Return the account for this e-mail address and password, or raise SignInRefused.

    Every failure is recorded; while this address has to wait for this account (or has too
    many failures of its own), attempts are refused without checking the password.
    """
    email = normalise_email(email)
    failed_lately = failed_lately_from(ip_address)
    wait = sign_in_wait_minutes(email, ip_address) if failed_lately else None
    if wait is not None:
        # Kept although the sign-in is refused: the audit log shows the throttling.
        despite_refusal(lambda: record_event("account.sign_in_throttled", email=email))
        raise SignInRefused(wait_minutes=wait)
    user = find_account(email)
    # An unknown address is checked against a hash nobody has: both take the same time.
    stored_hash = user.password_hash if user else unusable_password_hash()
    with holding_no_connection():
        password_matches, outdated = check_password(stored_hash, password)
    if password_matches and outdated:
        user.password_hash = new_password_hash(password)
    if user is None or not password_matches:
        user_id = user.id if user else None

        def record_failure():
            # Kept although the sign-in is refused: failures are what throttling counts.
            db.session.add(SignInFailure(email=email, ip_address=ip_address, user_id=user_id))
            record_event("account.sign_in_failed", target=user, email=email)

        despite_refusal(record_failure)
        raise SignInRefused()
    _signed_in(user, ip_address, method="credentials", forgive=failed_lately)
    return user


def _signed_in(user: User, ip_address: str, method: str, forgive: bool = True) -> None:
    """What a successful sign-in does besides starting the device's sign-in: this address's
    failures for the account are forgiven (``forgive`` false: there were none lately)."""
    if forgive:
        db.session.execute(delete(SignInFailure).where(
            SignInFailure.email == user.email, SignInFailure.ip_address == ip_address))
    user.last_signed_in_at = utcnow()
    record_event("account.signed_in", actor=user, target=user, method=method)


def sign_in_by_provider(user: User, ip_address: str) -> None:
    """A sign-in through an organisation's identity provider (OpenID Connect,
    ``portal.accounts.identities``), recorded as every other: method "oidc"."""
    _signed_in(user, ip_address, method="oidc")


def accounts_with_sign_in_delay(user_ids: list[int]) -> set[int]:
    """Which of these accounts have, from some address, enough recent failures to wait."""
    if not user_ids:
        return set()
    config = current_app.config
    memory = timedelta(hours=config["SIGN_IN_FAILURE_MEMORY_HOURS"])
    return set(db.session.scalars(
        select(SignInFailure.user_id)
        .where(SignInFailure.user_id.in_(user_ids),
               SignInFailure.attempted_at > utcnow() - memory)
        .group_by(SignInFailure.user_id, SignInFailure.ip_address)
        .having(func.count(SignInFailure.id) >= config["SIGN_IN_FAILURES_BEFORE_DELAY"])
    ))


def lift_sign_in_lock(user: User, actor: User) -> int:
    """Forget the account's failed sign-ins, from every address: the person signs in at
    once. Returns how many were forgotten."""
    forgotten = db.session.execute(delete(SignInFailure).where(
        (SignInFailure.user_id == user.id) | (SignInFailure.email == user.email))).rowcount
    record_event("account.sign_in_lock_lifted", actor=actor, target=user, failures=forgotten)
    return forgotten


# Sign-in links ------------------------------------------------------------------------------

def request_sign_in_link(email: str, link_for: Callable[[str], str]) -> None:
    """E-mail a sign-in link if an account has this address; say nothing either way."""
    user = find_account(email)
    if user is None:
        record_event("account.sign_in_link_requested", email=normalise_email(email))
        return
    send_sign_in_link(user, link_for)
    record_event("account.sign_in_link_requested", target=user, email=user.email)


def send_sign_in_link(user: User, link_for: Callable[[str], str], *,
                      template: str = "mail/sign_in_link.txt", **context) -> None:
    """Issue a single-use sign-in link for ``user`` and e-mail it in their language, with
    ``template`` (given ``user``, ``link``, ``minutes`` and ``context``)."""
    max_age = current_app.config["SIGN_IN_LINK_MAX_AGE_SECONDS"]
    token = new_secret_token()
    db.session.add(SignInLink(user_id=user.id, token_hash=token_digest(token),
                              expires_at=utcnow() + timedelta(seconds=max_age)))
    with force_locale(user.preferred_locale):
        send_after_commit(
            user.email,
            _("Your link to sign in to Red Talks"),
            render_template(template, user=user, link=link_for(token), minutes=max_age // 60,
                            **context),
        )


def _usable_link(token: str):
    return (SignInLink.token_hash == token_digest(token), SignInLink.used_at.is_(None),
            SignInLink.expires_at > utcnow())


def check_sign_in_link(token: str) -> User:
    """The account an unused, unexpired link signs in to; raises InvalidSignInLink."""
    user = db.session.scalar(
        select(User).join(SignInLink, SignInLink.user_id == User.id).where(*_usable_link(token)))
    if user is None:
        raise InvalidSignInLink()
    return user


def use_sign_in_link(token: str, ip_address: str) -> User:
    """Sign in with the link, once: it works even while password sign-ins wait, and ends
    no other sign-in. Raises InvalidSignInLink."""
    user_id = db.session.execute(
        update(SignInLink).where(*_usable_link(token)).values(used_at=utcnow())
        .returning(SignInLink.user_id)
    ).scalar_one_or_none()
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise InvalidSignInLink()
    _signed_in(user, ip_address, method="link")
    return user


# Sign-up: confirmed by e-mail, the same answer for every address ----------------------------

def request_sign_up(*, email: str, password: str, name: str, organisation: str,
                    stakeholder_group: StakeholderGroup | str, country: str,
                    preferred_locale: str, next_path: str | None,
                    confirmation_link_for: Callable[[str], str], sign_in_url: str,
                    password_reset_url: str) -> None:
    """Send the address a link that creates the account; or, when an account has the address
    already, tell its owner that someone tried. Either way the same work is done (the password
    is hashed, one e-mail leaves), so the answer tells nothing about the address."""
    email = normalise_email(email)
    password_hash = new_password_hash(password)
    now = utcnow()
    db.session.execute(delete(SignUpRequest).where(SignUpRequest.expires_at <= now))
    owner = find_account(email)
    if owner is not None:
        with force_locale(owner.preferred_locale):
            send_after_commit(
                owner.email,
                _("Someone tried to create a Red Talks account with your address"),
                render_template("mail/sign_up_existing.txt", user=owner,
                                sign_in_url=sign_in_url, password_reset_url=password_reset_url),
            )
        record_event("account.sign_up_for_existing_account", target=owner, email=email)
        return
    max_age = current_app.config["SIGN_UP_CONFIRMATION_MAX_AGE_SECONDS"]
    token = new_secret_token()
    db.session.add(SignUpRequest(
        token_hash=token_digest(token), email=email, password_hash=password_hash,
        name=name.strip(), organisation=organisation.strip(),
        stakeholder_group=StakeholderGroup(stakeholder_group), country=country,
        preferred_locale=preferred_locale,
        # A page to come back to, if its address fits; else the home page.
        next_path=next_path if next_path and len(next_path) <= MAX_NEXT_PATH else None,
        expires_at=now + timedelta(seconds=max_age)))
    with force_locale(preferred_locale):
        send_after_commit(
            email,
            _("Confirm your address to finish creating your Red Talks account"),
            render_template("mail/sign_up_confirmation.txt", name=name.strip(),
                            link=confirmation_link_for(token), hours=max_age // 3600),
        )
    record_event("account.sign_up_requested", email=email)


def pending_sign_up(token: str) -> SignUpRequest:
    """The unexpired sign-up a confirmation link belongs to; raises InvalidSignUpLink."""
    pending = db.session.scalar(select(SignUpRequest).where(
        SignUpRequest.token_hash == token_digest(token), SignUpRequest.expires_at > utcnow()))
    if pending is None:
        raise InvalidSignUpLink()
    return pending


def confirm_sign_up(token: str) -> tuple[User, str | None]:
    """Create the account a confirmed sign-up asked for; returns it with the page to go to.
    Raises InvalidSignUpLink, or AccountExists when the address has an account by now."""
    pending = pending_sign_up(token)
    fields = {name: getattr(pending, name) for name in (
        "email", "password_hash", "name", "organisation", "stakeholder_group", "country",
        "preferred_locale")}
    next_path = pending.next_path
    db.session.execute(delete(SignUpRequest).where(SignUpRequest.email == pending.email))
    user = create_account(**fields)
    return user, next_path


def update_profile(user: User, **changes) -> None:
    changed = sorted(
        name for name in PROFILE_FIELDS if name in changes and getattr(user, name) != changes[name]
    )
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        record_event("account.profile_updated", actor=user, target=user, fields=changed)


def change_password(user: User, current_password: str, new_password: str) -> list[int] | None:
    """Set a new password if the current one is right (None if not). Every sign-in of the
    account ends, this device's included: the view signs this device in again with a new
    one, so a stolen copy of its cookie stops working too. Returns the ids ended."""
    if not is_password_of(user, current_password):
        return None
    ended = _set_password(user, new_password)
    record_event("account.password_changed", actor=user, target=user)
    return ended


def _set_password(user: User, new_password: str) -> list[int]:
    user.password_hash = new_password_hash(new_password)
    return end_sign_ins_of(user)


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
    """Set the new password; every device is signed out (the view signs this one in)."""
    user = account_for_reset_token(token)
    _set_password(user, new_password)
    record_event("account.password_reset", actor=user, target=user)
    return user
