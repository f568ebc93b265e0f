"""A consultation: what it is about, when and where, and the rules it runs by."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import LabelledEnum, UTCDateTime, enum_column, label_members, utcnow
from portal.extensions import db


class Region(LabelledEnum):
    africa = "africa"
    arab_states = "arab_states"
    asia_pacific = "asia_pacific"
    europe_north_america = "europe_north_america"
    latin_america_caribbean = "latin_america_caribbean"
    global_ = "global"


REGION_LABELS = label_members(Region, {
    Region.africa: _l("Africa"),
    Region.arab_states: _l("Arab States"),
    Region.asia_pacific: _l("Asia-Pacific"),
    Region.europe_north_america: _l("Europe and North America"),
    Region.latin_america_caribbean: _l("Latin America and the Caribbean"),
    Region.global_: _l("Global"),
})


class ConsultationStatus(LabelledEnum):
    draft = "draft"
    registration_open = "registration_open"
    live = "live"
    closed = "closed"
    archived = "archived"


CONSULTATION_STATUS_LABELS = label_members(ConsultationStatus, {
    ConsultationStatus.draft: _l("Draft"),
    ConsultationStatus.registration_open: _l("Registration open"),
    ConsultationStatus.live: _l("Live"),
    ConsultationStatus.closed: _l("Closed"),
    ConsultationStatus.archived: _l("Archived"),
})


class Mode(LabelledEnum):
    in_person = "in_person"
    online = "online"
    hybrid = "hybrid"


MODE_LABELS = label_members(Mode, {
    Mode.in_person: _l("In person"),
    Mode.online: _l("Online"),
    Mode.hybrid: _l("Hybrid"),
})


class ApprovalRule(LabelledEnum):
    automatic = "automatic"
    facilitator = "facilitator"


APPROVAL_RULE_LABELS = label_members(ApprovalRule, {
    ApprovalRule.automatic: _l("Automatic, while places remain"),
    ApprovalRule.facilitator: _l("Each registration approved by a facilitator"),
})


#: The smallest group a breakdown shows on its own under the Chatham House rule, unless the
#: consultation sets another. Fewer than 3 never: in a group of 2, each knows the other's vote.
DEFAULT_SMALL_GROUP_THRESHOLD = 3
MIN_SMALL_GROUP_THRESHOLD = 3


class AttributionRule(LabelledEnum):
    attributed = "attributed"
    #: Outputs never name who said what.
    chatham_house = "chatham_house"


ATTRIBUTION_RULE_LABELS = label_members(AttributionRule, {
    AttributionRule.attributed: _l("Attributed: contributions show their author's name"),
    AttributionRule.chatham_house: _l(
        "Chatham House: contributions show stakeholder group and country, never names"
    ),
})


class AdoptionRule(LabelledEnum):
    consensus = "consensus"
    two_thirds = "two_thirds"
    simple_majority = "simple_majority"


ADOPTION_RULE_LABELS = label_members(AdoptionRule, {
    AdoptionRule.consensus: _l("Consensus: adopted when nobody opposes"),
    AdoptionRule.two_thirds: _l("Two-thirds of the votes cast"),
    AdoptionRule.simple_majority: _l("Simple majority of the votes cast"),
})


class AgendaItemKind(LabelledEnum):
    plenary = "plenary"
    breakout_round = "breakout_round"


AGENDA_ITEM_KIND_LABELS = label_members(AgendaItemKind, {
    AgendaItemKind.plenary: _l("Plenary"),
    AgendaItemKind.breakout_round: _l("Breakout round"),
})


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
    #: The video meeting's https address (any service), for those who take part online;
    #: shown to them only (``permissions.may_see_meeting_link``). Empty: none.
    meeting_link: Mapped[str] = mapped_column(String(500), default="", server_default="")
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
    #: Whether people may still register once the consultation is live (late and on-site
    #: registrations); the registration dates then no longer close it.
    registration_open_while_live: Mapped[bool] = mapped_column(
        default=False, server_default=sa_false())
    attribution_rule: Mapped[AttributionRule] = mapped_column(
        enum_column(AttributionRule, "attribution_rule"), default=AttributionRule.attributed
    )
    adoption_rule: Mapped[AdoptionRule] = mapped_column(
        enum_column(AdoptionRule, "adoption_rule"), default=AdoptionRule.consensus
    )
    #: Votes a round needs to count (abstentions and show of hands included). None: a majority
    #: of the voting participants present when the round closes. A round may set its own.
    quorum: Mapped[int | None]
    #: Under the Chatham House rule, a stakeholder group (or region, country...) with fewer
    #: voters or participants than this is never shown on its own in a breakdown
    #: (recommendations/breakdown.py).
    small_group_threshold: Mapped[int] = mapped_column(
        default=DEFAULT_SMALL_GROUP_THRESHOLD, server_default=str(DEFAULT_SMALL_GROUP_THRESHOLD))
    #: The text participants consent to when they register; shown on the form.
    consent_text: Mapped[str] = mapped_column(Text, default="")
    #: Whether every participant may read and write in every breakout's threads.
    breakout_threads_open: Mapped[bool] = mapped_column(default=False)
    #: The last day (in the consultation's time zone) its participants' personal data is kept;
    #: after it, ``flask anonymise-expired`` anonymises them. None keeps it.
    personal_data_kept_until: Mapped[date | None] = mapped_column(Date)
    #: When that anonymisation ran; it runs once.
    personal_data_anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
    registrations: Mapped[list["Registration"]] = relationship(  # noqa: F821
        back_populates="consultation", cascade="all, delete-orphan"
    )
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="consultation",
        cascade="all, delete-orphan",
        order_by="(AgendaItem.starts_at, AgendaItem.id)",
    )
    translations: Mapped[list["ConsultationTranslation"]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan"
    )

    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="ends_after_start"),)

    def __repr__(self) -> str:
        return f"<Consultation {self.slug}>"


class ConsultationTranslation(db.Model):
    """The consultation's title, summary, description, venue and organisers in another working
    language; an empty field leaves the original in place."""

    __tablename__ = "consultation_translations"
    __table_args__ = (UniqueConstraint("consultation_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    venue: Mapped[str] = mapped_column(String(300), default="", server_default="")
    organisers: Mapped[str] = mapped_column(String(500), default="", server_default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship(back_populates="translations")


class ConsultationObjective(db.Model):
    __tablename__ = "consultation_objectives"
    __table_args__ = (CheckConstraint("objective BETWEEN 1 AND 23", name="gcm_objective_range"),)

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    objective: Mapped[int] = mapped_column(primary_key=True, index=True)

    consultation: Mapped[Consultation] = relationship(back_populates="objective_links")


class AgendaItem(db.Model):
    """A plenary session or a breakout round of the consultation's agenda."""

    __tablename__ = "agenda_items"
    __table_args__ = (CheckConstraint("ends_at >= starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind, "agenda_item_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Breakout rounds: participants may choose their group before the assignment.
    allow_choices: Mapped[bool] = mapped_column(default=False)
    #: Breakout rounds: when the assignment was shown to participants; None while a proposal.
    assignment_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship(back_populates="agenda_items")
    groups: Mapped[list["BreakoutGroup"]] = relationship(  # noqa: F821
        back_populates="round", cascade="all, delete-orphan", order_by="BreakoutGroup.position"
    )
    translations: Mapped[list["AgendaItemTranslation"]] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )

    @property
    def is_breakout_round(self) -> bool:
        return self.kind == AgendaItemKind.breakout_round


class AgendaItemTranslation(db.Model):
    """An agenda item's title and description in another working language; an empty field
    leaves the original in place."""

    __tablename__ = "agenda_item_translations"
    __table_args__ = (UniqueConstraint("item_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    item: Mapped[AgendaItem] = relationship(back_populates="translations")
