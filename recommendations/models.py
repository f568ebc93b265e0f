"""Recommendations, their versions and amendments, and the vote rounds that decide them."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultations.models import AdoptionRule, BreakoutGroup, Consultation, Registration
from portal.accounts.models import StakeholderGroup, User
from portal.database import LabelledEnum, UTCDateTime, enum_column, label_members, utcnow
from portal.extensions import db


class RecommendationStatus(LabelledEnum):
    draft = "draft"
    adopted = "adopted"
    not_adopted = "not_adopted"
    #: Merged into another recommendation, which carries its text on.
    merged = "merged"


RECOMMENDATION_STATUS_LABELS = label_members(RecommendationStatus, {
    RecommendationStatus.draft: _l("Draft"),
    RecommendationStatus.adopted: _l("Adopted"),
    RecommendationStatus.not_adopted: _l("Not adopted"),
    RecommendationStatus.merged: _l("Merged"),
})


class Recommendation(db.Model):
    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("consultation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: The number in the reference shown to people: R1, R2, ... (renumbered on demand).
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    theme: Mapped[str] = mapped_column(String(300), default="")
    #: The breakout group that drafted it, if any.
    breakout_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="SET NULL")
    )
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus, "recommendation_status"),
        default=RecommendationStatus.draft,
    )
    #: Order on the plenary's agenda.
    position: Mapped[int] = mapped_column(default=0)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    breakout_group: Mapped[BreakoutGroup | None] = relationship()
    versions: Mapped[list["RecommendationVersion"]] = relationship(
        back_populates="recommendation", cascade="all, delete-orphan",
        order_by="RecommendationVersion.number",
    )
    objective_links: Mapped[list["RecommendationObjective"]] = relationship(
        cascade="all, delete-orphan", order_by="RecommendationObjective.objective"
    )
    #: The GCM objectives (1 to 23) the recommendation serves.
    gcm_objectives: AssociationProxy[list[int]] = association_proxy(
        "objective_links", "objective",
        creator=lambda number: RecommendationObjective(objective=number),
    )

    @property
    def reference(self) -> str:
        return f"R{self.number}"

    @property
    def current_version(self) -> "RecommendationVersion":
        return self.versions[-1]


class RecommendationObjective(db.Model):
    __tablename__ = "recommendation_objectives"
    __table_args__ = (CheckConstraint("objective BETWEEN 1 AND 23", name="gcm_objective_range"),)

    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), primary_key=True
    )
    objective: Mapped[int] = mapped_column(primary_key=True)


class VersionSource(StrEnum):
    drafted = "drafted"
    edited = "edited"
    amendment = "amendment"
    merge = "merge"


class RecommendationVersion(db.Model):
    """One text of a recommendation. Versions are never changed once written."""

    __tablename__ = "recommendation_versions"
    __table_args__ = (UniqueConstraint("recommendation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    #: The language the text (and the recommendation's title and theme) was written in.
    locale: Mapped[str] = mapped_column(String(5))
    source: Mapped[VersionSource] = mapped_column(enum_column(VersionSource, "version_source"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="versions")
    author: Mapped[User | None] = relationship()
    merged_from: Mapped[list["VersionMergeSource"]] = relationship(
        cascade="all, delete-orphan", foreign_keys="VersionMergeSource.version_id"
    )
    translations: Mapped[list["VersionTranslation"]] = relationship(
        back_populates="version", cascade="all, delete-orphan",
        order_by="VersionTranslation.locale",
    )


class TranslationStatus(LabelledEnum):
    draft = "draft"
    #: Checked by a second person: only a reviewed translation goes into an outcome document.
    reviewed = "reviewed"


TRANSLATION_STATUS_LABELS = label_members(TranslationStatus, {
    TranslationStatus.draft: _l("Draft translation"),
    TranslationStatus.reviewed: _l("Reviewed translation"),
})


class VersionTranslation(db.Model):
    """One version's title and text in another language."""

    __tablename__ = "version_translations"
    __table_args__ = (UniqueConstraint("version_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation_versions.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[TranslationStatus] = mapped_column(
        enum_column(TranslationStatus, "translation_status"), default=TranslationStatus.draft
    )
    translated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who checked it: never its translator.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[RecommendationVersion] = relationship(back_populates="translations")
    translated_by: Mapped[User | None] = relationship(foreign_keys=[translated_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class VersionMergeSource(db.Model):
    """A version made by merging recommendations links back to the versions it merged."""

    __tablename__ = "version_merge_sources"

    version_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation_versions.id", ondelete="CASCADE"), primary_key=True
    )
    source_version_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation_versions.id", ondelete="CASCADE"), primary_key=True
    )

    source_version: Mapped[RecommendationVersion] = relationship(
        foreign_keys=[source_version_id]
    )


class AmendmentStatus(LabelledEnum):
    proposed = "proposed"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


AMENDMENT_STATUS_LABELS = label_members(AmendmentStatus, {
    AmendmentStatus.proposed: _l("Proposed"),
    AmendmentStatus.accepted: _l("Accepted"),
    AmendmentStatus.rejected: _l("Rejected"),
    AmendmentStatus.withdrawn: _l("Withdrawn"),
})


class Amendment(db.Model):
    """New text proposed against one version of a recommendation."""

    __tablename__ = "amendments"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation_versions.id", ondelete="CASCADE")
    )
    proposed_text: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    status: Mapped[AmendmentStatus] = mapped_column(
        enum_column(AmendmentStatus, "amendment_status"), default=AmendmentStatus.proposed
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Why it was rejected.
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: The version its acceptance created (which credits the amendment's author).
    resulting_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendation_versions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recommendation: Mapped[Recommendation] = relationship()
    version: Mapped[RecommendationVersion] = relationship(foreign_keys=[version_id])
    resulting_version: Mapped[RecommendationVersion | None] = relationship(
        foreign_keys=[resulting_version_id]
    )
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    author_registration: Mapped[Registration | None] = relationship()
    supports: Mapped[list["AmendmentSupport"]] = relationship(cascade="all, delete-orphan")
    translations: Mapped[list["AmendmentTranslation"]] = relationship(
        back_populates="amendment", cascade="all, delete-orphan",
        order_by="AmendmentTranslation.locale",
    )

    @property
    def consultation_id(self) -> int:
        return self.recommendation.consultation_id


class AmendmentSupport(db.Model):
    """One participant's support for an amendment (one each)."""

    __tablename__ = "amendment_supports"
    __table_args__ = (UniqueConstraint("amendment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        ForeignKey("amendments.id", ondelete="CASCADE"), index=True
    )
    #: None once the supporter's account is deleted or anonymised: the support still counts.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AmendmentTranslation(db.Model):
    """An amendment's proposed text, and its reasons, in another language. An amendment never
    changes once proposed, so its translation cannot fall out of date."""

    __tablename__ = "amendment_translations"
    __table_args__ = (UniqueConstraint("amendment_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        ForeignKey("amendments.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text)
    rationale: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[TranslationStatus] = mapped_column(
        enum_column(TranslationStatus, "translation_status"), default=TranslationStatus.draft
    )
    translated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    amendment: Mapped[Amendment] = relationship(back_populates="translations")
    translated_by: Mapped[User | None] = relationship(foreign_keys=[translated_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class VoteChoice(LabelledEnum):
    support = "support"
    support_with_reservations = "support_with_reservations"
    oppose = "oppose"
    abstain = "abstain"


VOTE_CHOICE_LABELS = label_members(VoteChoice, {
    VoteChoice.support: _l("Support"),
    VoteChoice.support_with_reservations: _l("Support with reservations"),
    VoteChoice.oppose: _l("Oppose"),
    VoteChoice.abstain: _l("Abstain"),
})


class VoteRound(db.Model):
    """A vote on one version of a recommendation, or on one amendment."""

    __tablename__ = "vote_rounds"
    __table_args__ = (UniqueConstraint("recommendation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    #: Rounds of a recommendation are numbered; a rerun is a new round, history is kept.
    number: Mapped[int]
    version_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation_versions.id", ondelete="CASCADE")
    )
    #: Set when the round decides an amendment rather than the recommendation.
    amendment_id: Mapped[int | None] = mapped_column(
        ForeignKey("amendments.id", ondelete="CASCADE")
    )
    rule: Mapped[AdoptionRule] = mapped_column(enum_column(AdoptionRule, "adoption_rule"))
    #: The votes it needs, set when opened; None: a majority of the voting participants
    #: present when it closes.
    quorum: Mapped[int | None]
    #: The quorum it was decided by, and the voting participants present, when it closed:
    #: its result and turnout never change after.
    quorum_applied: Mapped[int | None]
    present: Mapped[int | None]
    #: Not adopted if a majority of any one stakeholder group opposes.
    stakeholder_rule: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The deadline of a round opened with a countdown.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The running count of stored vote changes; each tally says up to which it counts.
    seq: Mapped[int] = mapped_column(default=0)
    #: Show-of-hands counts added by the facilitator for people without a device.
    in_room_support: Mapped[int] = mapped_column(default=0)
    in_room_support_with_reservations: Mapped[int] = mapped_column(default=0)
    in_room_oppose: Mapped[int] = mapped_column(default=0)
    in_room_abstain: Mapped[int] = mapped_column(default=0)
    #: A round closed by mistake is reopened once, with the reason.
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    adopted: Mapped[bool | None]
    #: Why the result is what it is ("adopted", "opposed", "no_quorum", ...).
    result_reason: Mapped[str | None] = mapped_column(String(40))

    consultation: Mapped[Consultation] = relationship()
    recommendation: Mapped[Recommendation] = relationship()
    version: Mapped[RecommendationVersion] = relationship()
    amendment: Mapped[Amendment | None] = relationship()
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Vote(db.Model):
    """One participant's vote in a round: one per participant, changeable while it is open."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("round_id", "registration_id"),
        CheckConstraint(
            "choice != 'support_with_reservations' OR reservation IS NOT NULL",
            name="reservation_given",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("vote_rounds.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    choice: Mapped[VoteChoice] = mapped_column(enum_column(VoteChoice, "vote_choice"))
    #: Kept for the outcome document; required with "support with reservations".
    reservation: Mapped[str | None] = mapped_column(Text)
    #: The voter's stakeholder group when voting, for the counts by group.
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The round's seq when this vote was last stored.
    seq: Mapped[int] = mapped_column(default=0)

    round: Mapped[VoteRound] = relationship()
