"""Who takes part in a consultation, in which role, and how far their registration got."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultations.models.consultation import Consultation
from portal.accounts.models import StakeholderGroup, User
from portal.database import LabelledEnum, UTCDateTime, enum_column, label_members, utcnow
from portal.extensions import db
from portal.mail.models import OutgoingMail


class Role(LabelledEnum):
    facilitator = "facilitator"
    rapporteur = "rapporteur"
    secretariat = "secretariat"
    participant = "participant"
    observer = "observer"
    #: Translates recommendations and the consultation's texts; appointed by the secretariat.
    translator = "translator"


ROLE_LABELS = label_members(Role, {
    Role.facilitator: _l("Facilitator"),
    Role.rapporteur: _l("Rapporteur"),
    Role.secretariat: _l("Secretariat"),
    Role.participant: _l("Participant"),
    Role.observer: _l("Observer"),
    Role.translator: _l("Translator"),
})


class RegistrationStatus(LabelledEnum):
    pending = "pending"
    approved = "approved"
    waitlisted = "waitlisted"
    declined = "declined"
    cancelled = "cancelled"


REGISTRATION_STATUS_LABELS = label_members(RegistrationStatus, {
    RegistrationStatus.pending: _l("Pending"),
    RegistrationStatus.approved: _l("Approved"),
    RegistrationStatus.waitlisted: _l("Waitlisted"),
    RegistrationStatus.declined: _l("Declined"),
    RegistrationStatus.cancelled: _l("Cancelled"),
})


class Attendance(LabelledEnum):
    in_person = "in_person"
    online = "online"


ATTENDANCE_LABELS = label_members(Attendance, {
    Attendance.in_person: _l("In person"),
    Attendance.online: _l("Online"),
})


class QuestionKind(LabelledEnum):
    short_text = "short_text"
    long_text = "long_text"
    single_choice = "single_choice"
    multiple_choice = "multiple_choice"

    @property
    def has_options(self) -> bool:
        return self in {QuestionKind.single_choice, QuestionKind.multiple_choice}


QUESTION_KIND_LABELS = label_members(QuestionKind, {
    QuestionKind.short_text: _l("Short text"),
    QuestionKind.long_text: _l("Long text"),
    QuestionKind.single_choice: _l("One choice from a list"),
    QuestionKind.multiple_choice: _l("Several choices from a list"),
})


class Registration(db.Model):
    """A person's place in one consultation, and the role they hold there."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("consultation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: None once the registration is anonymised: the person's account was deleted, or the
    #: consultation's retention date passed.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
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
    #: Working languages of the consultation the person can work in (locale codes).
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    interpretation_language: Mapped[str | None] = mapped_column(String(5))
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The person agreed to be named in the outcome document's list of participants (only
    #: ever used where the consultation's attribution rule allows names).
    listed_in_outcome: Mapped[bool] = mapped_column(default=False)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the registration joined the waitlist: the first waitlisted is the first promoted.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: When the personal data was removed; role, status, stakeholder group and country stay
    #: for the consultation's figures.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship(back_populates="registrations")
    user: Mapped[User | None] = relationship(
        back_populates="registrations", foreign_keys=[user_id]
    )
    answers: Mapped[list["RegistrationAnswer"]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Registration {self.user_id} in {self.consultation_id}: {self.role} {self.status}>"


class RegistrationQuestion(db.Model):
    """A question of the facilitators' own on the registration form."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    prompt: Mapped[str] = mapped_column(String(300))
    kind: Mapped[QuestionKind] = mapped_column(enum_column(QuestionKind, "question_kind"))
    #: The choices offered by single and multiple choice questions.
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    consultation: Mapped[Consultation] = relationship()


class RegistrationAnswer(db.Model):
    __tablename__ = "registration_answers"
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("registration_questions.id", ondelete="CASCADE"), index=True
    )
    #: A string for text and single choice questions, a list of strings for multiple choice.
    value: Mapped[str | list[str]] = mapped_column(JSON)

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[RegistrationQuestion] = relationship()


class Invitation(db.Model):
    """An address invited to register, or appointed to a role before it has an account."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("consultation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: Stored lower-cased, like account addresses.
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    stakeholder_group: Mapped[StakeholderGroup | None] = mapped_column(
        enum_column(StakeholderGroup, "stakeholder_group")
    )
    country: Mapped[str | None] = mapped_column(String(2))
    role: Mapped[Role] = mapped_column(
        enum_column(Role, "registration_role"), default=Role.participant
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the facilitator sent the invitation; None until then.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The invitation e-mail in the outbox: whether it was delivered, or why not.
    mail_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_mails.id", ondelete="SET NULL"))
    #: When the invited person registered (or took up the appointment).
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consultation: Mapped[Consultation] = relationship()
    mail: Mapped[OutgoingMail | None] = relationship()
