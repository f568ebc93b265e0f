"""Breakout groups of a round, and who is in which."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultations.models.consultation import AgendaItem
from consultations.models.registration import Registration
from portal.accounts.models import User
from portal.database import UTCDateTime, utcnow
from portal.extensions import db


class BreakoutGroup(db.Model):
    __tablename__ = "breakout_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    theme: Mapped[str] = mapped_column(String(300), default="")
    #: Where the group meets at the venue (a room, a hall).
    room: Mapped[str] = mapped_column(String(120), default="", server_default="")
    #: The group's own video meeting (an https address) for its members taking part online;
    #: empty, they join the consultation's.
    meeting_link: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The questions the group discusses, in order; each gets a thread.
    guiding_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Members at most; None means no limit.
    capacity: Mapped[int | None]
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rapporteur_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The group's working language (a locale code); None when it works in several.
    language: Mapped[str | None] = mapped_column(String(5))
    position: Mapped[int] = mapped_column(default=0)

    round: Mapped[AgendaItem] = relationship(back_populates="groups")
    facilitator: Mapped[User | None] = relationship(foreign_keys=[facilitator_id])
    rapporteur: Mapped[User | None] = relationship(foreign_keys=[rapporteur_id])
    assignments: Mapped[list["BreakoutAssignment"]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )
    translations: Mapped[list["BreakoutGroupTranslation"]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    @property
    def consultation_id(self) -> int:
        return self.round.consultation_id


class BreakoutAssignment(db.Model):
    """A participant's place in one group of a round (one place per round)."""

    __tablename__ = "breakout_assignments"
    __table_args__ = (UniqueConstraint("round_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    #: Placed by a facilitator's hand: an automatic assignment keeps it.
    fixed: Mapped[bool] = mapped_column(default=False)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    group: Mapped[BreakoutGroup] = relationship(back_populates="assignments")
    registration: Mapped[Registration] = relationship()


class BreakoutChoice(db.Model):
    """The group a participant asked for, in a round that allows choices."""

    __tablename__ = "breakout_choices"
    __table_args__ = (UniqueConstraint("round_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("breakout_groups.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BreakoutGroupTranslation(db.Model):
    """A breakout group's name, theme and guiding questions in another working language.
    The questions keep the order of the original ones: the n-th translates the n-th, and an
    empty one leaves the original in place."""

    __tablename__ = "breakout_group_translations"
    __table_args__ = (UniqueConstraint("group_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    name: Mapped[str] = mapped_column(String(120), default="")
    theme: Mapped[str] = mapped_column(String(300), default="")
    guiding_questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group: Mapped[BreakoutGroup] = relationship(back_populates="translations")
