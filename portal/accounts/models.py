import hashlib
import secrets
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import LabelledEnum, UTCDateTime, enum_column, label_members, utcnow
from portal.extensions import db


class StakeholderGroup(LabelledEnum):
    member_state = "member_state"
    un_agency = "un_agency"
    red_cross = "red_cross"
    civil_society = "civil_society"
    migrant_organisation = "migrant_organisation"
    academia = "academia"
    private_sector = "private_sector"
    other = "other"


STAKEHOLDER_GROUP_LABELS = label_members(StakeholderGroup, {
    StakeholderGroup.member_state: _l("Member State / government"),
    StakeholderGroup.un_agency: _l("UN agency or international organisation"),
    StakeholderGroup.red_cross: _l("Red Cross / Red Crescent"),
    StakeholderGroup.civil_society: _l("Civil society"),
    StakeholderGroup.migrant_organisation: _l("Migrant or diaspora organisation"),
    StakeholderGroup.academia: _l("Academia"),
    StakeholderGroup.private_sector: _l("Private sector"),
    StakeholderGroup.other: _l("Other"),
})


def new_secret_token() -> str:
    """A token given to one person (a cookie, a link): 256 random bits."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256. A copy of the database then holds
    nothing that signs in, and a token is found by an indexed lookup of its digest, which
    tells nothing about the token that a timing could reveal."""
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so that uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    #: ISO 3166-1 alpha-2 code.
    country: Mapped[str] = mapped_column(String(2))
    preferred_locale: Mapped[str] = mapped_column(String(5), default="en")
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registrations: Mapped[list["Registration"]] = relationship(  # noqa: F821
        back_populates="user", foreign_keys="Registration.user_id"
    )

    #: The sign-in (the device) this object was loaded for, and its token: set when the
    #: session cookie is read (``load_signed_in_user``) or a sign-in starts; not columns.
    current_sign_in = None
    sign_in_token = None

    def get_id(self) -> str:
        """What flask-login keeps in the session (and remember) cookie: the sign-in's token."""
        if self.sign_in_token is None:
            raise RuntimeError("no sign-in started: use portal.accounts.sessions.start_session")
        return self.sign_in_token

    # One account is one person whichever session loaded it (flask-login compares tokens).
    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class SignInFailure(db.Model):
    """A failed sign-in, kept for the sign-in window to refuse password guessing."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_ip_address_attempted_at",
              "email", "ip_address", "attempted_at"),
        Index("ix_sign_in_failures_ip_address_attempted_at", "ip_address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True)


class SignIn(db.Model):
    """One device signed in to an account. Its cookie carries the token; the database keeps
    the token's digest. Signing out ends it; a password change or reset ends them all."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the cookie (``token_digest``).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: How the device signed in: credentials (e-mail address and password, or a new password
    #: just set), link (e-mailed), reset_link, sign_up, registration.
    method: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInLink(db.Model):
    """A link e-mailed to sign in without the password: short-lived, works once."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignUpRequest(db.Model):
    """A sign-up waiting for its e-mail address to be confirmed: the account is created when
    the link sent to the address is followed, so the sign-up form never tells whether an
    address has an account."""

    __tablename__ = "sign_up_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the link.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    organisation: Mapped[str] = mapped_column(String(200))
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    country: Mapped[str] = mapped_column(String(2))
    preferred_locale: Mapped[str] = mapped_column(String(5))
    #: The portal page to go to once the account exists (a path checked by ``safe_next``).
    next_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class LinkedIdentity(db.Model):
    """An account at an organisation's identity provider (OpenID Connect) that signs in to a
    portal account: the provider's issuer and its subject, the identifier it never reassigns.
    Later sign-ins find the account by this pair, even after the e-mail address changes."""

    __tablename__ = "linked_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: The provider's issuer URL, exactly as its ID tokens give it.
    issuer: Mapped[str] = mapped_column(String(255))
    #: The ``sub`` claim: the person at that provider.
    subject: Mapped[str] = mapped_column(String(255))
    #: The e-mail address the provider gave when the identity was linked.
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
