from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import StakeholderGroup, User
from portal.database import UTCDateTime, enum_column, utcnow
from portal.extensions import db


class Region(StrEnum):
    africa = "africa"
    arab_states = "arab_states"
    asia_pacific = "asia_pacific"
    europe_north_america = "europe_north_america"
    latin_america_caribbean = "latin_america_caribbean"
    global_ = "global"

    @property
    def label(self) -> str:
        return str(REGION_LABELS[self])


REGION_LABELS = {
    Region.africa: _l("Africa"),
    Region.arab_states: _l("Arab States"),
    Region.asia_pacific: _l("Asia-Pacific"),
    Region.europe_north_america: _l("Europe and North America"),
    Region.latin_america_caribbean: _l("Latin America and the Caribbean"),
    Region.global_: _l("Global"),
}


class ConsultationStatus(StrEnum):
    draft = "draft"
    registration_open = "registration_open"
    live = "live"
    closed = "closed"
    archived = "archived"

    @property
    def label(self) -> str:
        return str(CONSULTATION_STATUS_LABELS[self])


CONSULTATION_STATUS_LABELS = {
    ConsultationStatus.draft: _l("Draft"),
    ConsultationStatus.registration_open: _l("Registration open"),
    ConsultationStatus.live: _l("Live"),
    ConsultationStatus.closed: _l("Closed"),
    ConsultationStatus.archived: _l("Archived"),
}


class Mode(StrEnum):
    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"

    @property
    def label(self) -> str:
        return str(MODE_LABELS[self])


MODE_LABELS = {
    Mode.in_person: _l("In person"),
    Mode.online: _l("Online"),
    Mode.hybrid: _l("Hybrid"),
}


class ApprovalRule(StrEnum):
    automatic = "automatic"
    facilitator = "facilitator"


class AttributionRule(StrEnum):
    attributed = "attributed"
    #: Outputs never name who said what.
    chatham_house = "chatham_house"


class AdoptionRule(StrEnum):
    consensus = "consensus"
    two_thirds = "two_thirds"
    simple_majority = "simple_majority"


class Consultation(db.Model):
    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"))
    organisers: Mapped[str] = mapped_column(String(500), default="")
    venue: Mapped[str] = mapped_column(String(300), default="")
    mode: Mapped[Mode] = mapped_column(enum_column(Mode, "mode"), default=Mode.in_person)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: IANA time zone name in which dates are shown, e.g. "Africa/Dakar".
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: Locale codes, the first being the consultation's main language.
    working_languages: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["en"])
    status: Mapped[ConsultationStatus] = mapped_column(
        enum_column(ConsultationStatus, "consultation_status"), default=ConsultationStatus.draft
    )
    #: Approved participants at most; None means no limit.
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approval_rule: Mapped[ApprovalRule] = mapped_column(
        enum_column(ApprovalRule, "approval_rule"), default=ApprovalRule.facilitator
    )
    invitation_only: Mapped[bool] = mapped_column(default=False)
    attribution_rule: Mapped[AttributionRule] = mapped_column(
        enum_column(AttributionRule, "attribution_rule"), default=AttributionRule.attributed
    )
    adoption_rule: Mapped[AdoptionRule] = mapped_column(
        enum_column(AdoptionRule, "adoption_rule"), default=AdoptionRule.consensus
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    objective_links: Mapped[list["ConsultationObjective"]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="ConsultationObjective.objective",
    )
    #: The GCM objectives (1 to 23) the consultation serves.
    gcm_objectives: AssociationProxy[list[int]] = association_proxy(
        "objective_links",
        "objective",
        creator=lambda number: ConsultationObjective(objective=number),
    )
    registrations: Mapped[list["Registration"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="ends_after_start"),)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class ConsultationObjective(db.Model):
    __tablename__ = "consultation_objectives"
    __table_args__ = (CheckConstraint("objective BETWEEN 1 AND 23", name="gcm_objective_range"),)

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    objective: Mapped[int] = mapped_column(primary_key=True, index=True)

    consultation: Mapped[Consultation] = relationship(back_populates="objective_links")


class Role(StrEnum):
    facilitator = "facilitator"
    rapporteur = "rapporteur"
    secretariat = "secretariat"
    participant = "participant"
    observer = "observer"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.facilitator: _l("Facilitator"),
    Role.rapporteur: _l("Rapporteur"),
    Role.secretariat: _l("Secretariat"),
    Role.participant: _l("Participant"),
    Role.observer: _l("Observer"),
}


class RegistrationStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    waitlisted = "waitlisted"
    declined = "declined"
    cancelled = "cancelled"

    @property
    def label(self) -> str:
        return str(REGISTRATION_STATUS_LABELS[self])


REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.pending: _l("Pending"),
    RegistrationStatus.approved: _l("Approved"),
    RegistrationStatus.waitlisted: _l("Waitlisted"),
    RegistrationStatus.declined: _l("Declined"),
    RegistrationStatus.cancelled: _l("Cancelled"),
}


class Attendance(StrEnum):
    in_person = "in_person"
    online = "online"


class Registration(db.Model):
    """A person's place in one consultation, and the role they hold there."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "registration_role"))
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus, "registration_status"),
        default=RegistrationStatus.pending,
    )
    #: Organisation and stakeholder group as they were at registration, for the outcome figures.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    country: Mapped[str] = mapped_column(String(2))
    attendance: Mapped[Attendance] = mapped_column(
        enum_column(Attendance, "attendance"), default=Attendance.in_person
    )
    interpretation_language: Mapped[str | None] = mapped_column(String(5))
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    consultation: Mapped[Consultation] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship(back_populates="registrations", foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<Registration {self.user_id} in {self.consultation_id}: {self.role} {self.status}>"
