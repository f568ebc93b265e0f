"""A person's calendar feed: the consultations they are registered in, at a secret address."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import User
from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class CalendarFeed(db.Model):
    """The secret address of one person's calendar feed. Calendar applications fetch it
    without cookies, so the address is the credential: the database keeps only its token's
    digest, and renewing it replaces the row, so the old address stops working."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    #: SHA-256 of the token in the address (``portal.accounts.models.token_digest``).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()
