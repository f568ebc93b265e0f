import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db


class StakeholderGroup(StrEnum):
    member_state = "member_state"
    un_agency = "un_agency"
    red_cross = "red_cross"
    civil_society = "civil_society"
    migrant_organisation = "migrant_organisation"
    academia = "academia"
    private_sector = "private_sector"
    other = "other"

    @property
    def label(self) -> str:
        return str(STAKEHOLDER_GROUP_LABELS[self])


STAKEHOLDER_GROUP_LABELS = {
    StakeholderGroup.member_state: _l("Member State / government"),
    StakeholderGroup.un_agency: _l("UN agency or international organisation"),
    StakeholderGroup.red_cross: _l("Red Cross / Red Crescent"),
    StakeholderGroup.civil_society: _l("Civil society"),
    StakeholderGroup.migrant_organisation: _l("Migrant or diaspora organisation"),
    StakeholderGroup.academia: _l("Academia"),
    StakeholderGroup.private_sector: _l("Private sector"),
    StakeholderGroup.other: _l("Other"),
}


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


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
    #: The identifier kept in the session cookie; a new one signs out every other session.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    registrations: Mapped[list["Registration"]] = relationship(  # noqa: F821
        back_populates="user", foreign_keys="Registration.user_id"
    )

    def get_id(self) -> str:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class SignInFailure(db.Model):
    """A failed sign-in, kept for the sign-in window to refuse password guessing."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (
        Index("ix_sign_in_failures_email_attempted_at", "email", "attempted_at"),
        Index("ix_sign_in_failures_ip_address_attempted_at", "ip_address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip_address: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
