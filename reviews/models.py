"""A review, the consultations attached to it, its synthesis and its versions, the silence
procedures that validate a version, and the commitments made against recommendations."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultations.models import Consultation, Region
from portal.accounts.models import StakeholderGroup, User
from portal.database import LabelledEnum, UTCDateTime, enum_column, label_members, utcnow
from portal.extensions import db
from recommendations.models import Recommendation


class Review(db.Model):
    """A regional review, for example "2024 GCM regional review for Africa"."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    region: Mapped[Region] = mapped_column(enum_column(Region, "region"))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: A public review's page, synthesis and commitments are open to anyone, the API included.
    is_public: Mapped[bool] = mapped_column(default=True)
    #: The date before which organisations are asked to report progress on their commitments.
    progress_reports_due_on: Mapped[date | None] = mapped_column(Date)
    progress_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    objective_links: Mapped[list["ReviewObjective"]] = relationship(
        cascade="all, delete-orphan", order_by="ReviewObjective.objective"
    )
    #: The GCM objectives (1 to 23) the review covers.
    gcm_objectives: AssociationProxy[list[int]] = association_proxy(
        "objective_links", "objective",
        creator=lambda number: ReviewObjective(objective=number),
    )
    secretariat: Mapped[list["ReviewSecretariatMember"]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["ReviewConsultation"]] = relationship(
        back_populates="review", cascade="all, delete-orphan",
        order_by="ReviewConsultation.attached_at",
    )


class ReviewObjective(db.Model):
    __tablename__ = "review_objectives"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    objective: Mapped[int] = mapped_column(primary_key=True)


class ReviewSecretariatMember(db.Model):
    """A person of the review's own secretariat team: builds the synthesis, opens silence
    procedures, follows the commitments."""

    __tablename__ = "review_secretariat_members"
    __table_args__ = (UniqueConstraint("review_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="secretariat")
    user: Mapped[User] = relationship()


class ReviewConsultation(db.Model):
    """A consultation attached to a review by its facilitator: its adopted recommendations
    feed the review's synthesis."""

    __tablename__ = "review_consultations"
    __table_args__ = (UniqueConstraint("review_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    review: Mapped[Review] = relationship(back_populates="attachments")
    consultation: Mapped[Consultation] = relationship()


class SynthesisedRecommendation(db.Model):
    """One recommendation of the synthesis: a group of adopted recommendations of the review's
    consultations that say the same thing, and the one text written for them."""

    __tablename__ = "synthesised_recommendations"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    #: S1, S2, ... in the synthesis.
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300), default="")
    #: The GCM objectives (1 to 23) the synthesised recommendation serves.
    gcm_objectives: Mapped[list[int]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship()
    sources: Mapped[list["SynthesisSource"]] = relationship(
        back_populates="synthesised", cascade="all, delete-orphan",
        order_by="SynthesisSource.id",
    )
    texts: Mapped[list["SynthesisedText"]] = relationship(
        back_populates="synthesised", cascade="all, delete-orphan",
        order_by="SynthesisedText.locale",
    )

    @property
    def reference(self) -> str:
        return f"S{self.number}"


class SynthesisSource(db.Model):
    """An adopted recommendation of one of the review's consultations, grouped under a
    synthesised recommendation. A recommendation sits in one group of a review at most."""

    __tablename__ = "synthesis_sources"
    __table_args__ = (UniqueConstraint("review_id", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    synthesised_id: Mapped[int] = mapped_column(
        ForeignKey("synthesised_recommendations.id", ondelete="CASCADE"), index=True
    )
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    #: Confirmed by the secretariat, or only suggested by the portal's text similarity.
    confirmed: Mapped[bool] = mapped_column(default=True)

    synthesised: Mapped[SynthesisedRecommendation] = relationship(back_populates="sources")
    recommendation: Mapped[Recommendation] = relationship()


class SynthesisedText(db.Model):
    """The synthesised text of a group in one language."""

    __tablename__ = "synthesised_texts"
    __table_args__ = (UniqueConstraint("synthesised_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    synthesised_id: Mapped[int] = mapped_column(
        ForeignKey("synthesised_recommendations.id", ondelete="CASCADE"), index=True
    )
    locale: Mapped[str] = mapped_column(String(5))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    synthesised: Mapped[SynthesisedRecommendation] = relationship(back_populates="texts")


class SynthesisVersion(db.Model):
    """The synthesis as it stood when the secretariat saved a version: every synthesised text
    and its provenance, frozen (``content``), so that a document or a silence procedure always
    refers to the same words."""

    __tablename__ = "synthesis_versions"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    note: Mapped[str] = mapped_column(String(500), default="")
    #: The frozen synthesis: recommendations, texts by language, sources and their results.
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    review: Mapped[Review] = relationship()


class SilenceStatus(LabelledEnum):
    open = "open"
    #: The deadline passed and nobody broke the silence: the version is adopted.
    adopted = "adopted"
    #: The deadline passed and at least one validating organisation broke the silence.
    silence_broken = "silence_broken"


SILENCE_STATUS_LABELS = label_members(SilenceStatus, {
    SilenceStatus.open: _l("Open"),
    SilenceStatus.adopted: _l("Adopted by silence procedure"),
    SilenceStatus.silence_broken: _l("Silence broken"),
})


class SilenceProcedure(db.Model):
    """A synthesis version circulated to validating organisations with a deadline: adopted
    unless one of them breaks the silence by then."""

    __tablename__ = "silence_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("synthesis_versions.id", ondelete="CASCADE"), index=True
    )
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Validating organisations may propose an amendment beside breaking the silence.
    amendments_allowed: Mapped[bool] = mapped_column(default=False)
    status: Mapped[SilenceStatus] = mapped_column(
        enum_column(SilenceStatus, "silence_status"), default=SilenceStatus.open
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Hours before the deadline for which a reminder went out (for example [48, 24]).
    reminders_sent: Mapped[list[int]] = mapped_column(JSON, default=list)

    review: Mapped[Review] = relationship()
    version: Mapped[SynthesisVersion] = relationship()
    validators: Mapped[list["SilenceValidator"]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan",
        order_by="SilenceValidator.organisation",
    )


class SilenceValidator(db.Model):
    """An organisation asked to validate (by default a Member State's government registered
    in one of the review's consultations) and, if it broke the silence, who did and why."""

    __tablename__ = "silence_validators"
    __table_args__ = (UniqueConstraint("procedure_id", "organisation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(
        ForeignKey("silence_procedures.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2), default="")
    broke_silence_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    broken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text, default="")
    proposed_amendment: Mapped[str] = mapped_column(Text, default="")

    procedure: Mapped[SilenceProcedure] = relationship(back_populates="validators")
    broken_by: Mapped[User | None] = relationship()


class CommitmentProgress(LabelledEnum):
    not_started = "not_started"
    under_way = "under_way"
    done = "done"
    dropped = "dropped"


COMMITMENT_PROGRESS_LABELS = label_members(CommitmentProgress, {
    CommitmentProgress.not_started: _l("Not started"),
    CommitmentProgress.under_way: _l("Under way"),
    CommitmentProgress.done: _l("Done"),
    CommitmentProgress.dropped: _l("Dropped"),
})


class Commitment(db.Model):
    """What an organisation will do about an adopted or a synthesised recommendation, by
    when and where."""

    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    #: Exactly one of the two: a synthesised recommendation, or an adopted recommendation of
    #: one of the review's consultations.
    synthesised_id: Mapped[int | None] = mapped_column(
        ForeignKey("synthesised_recommendations.id", ondelete="CASCADE"), index=True
    )
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="CASCADE"), index=True
    )
    organisation: Mapped[str] = mapped_column(String(200))
    stakeholder_group: Mapped[StakeholderGroup] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    country: Mapped[str] = mapped_column(String(2), default="")
    action: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    review: Mapped[Review] = relationship()
    synthesised: Mapped[SynthesisedRecommendation | None] = relationship()
    recommendation: Mapped[Recommendation | None] = relationship()
    reports: Mapped[list["ProgressReport"]] = relationship(
        back_populates="commitment", cascade="all, delete-orphan",
        order_by="ProgressReport.reported_at",
    )

    @property
    def progress(self) -> CommitmentProgress:
        return self.reports[-1].progress if self.reports else CommitmentProgress.not_started


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("commitments.id", ondelete="CASCADE"), index=True
    )
    progress: Mapped[CommitmentProgress] = mapped_column(
        enum_column(CommitmentProgress, "commitment_progress")
    )
    text: Mapped[str] = mapped_column(String(1000), default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    commitment: Mapped[Commitment] = relationship(back_populates="reports")
