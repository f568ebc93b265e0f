"""Discussion: threads in the plenary space and in breakout groups, and their comments."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consultations.models.breakout import BreakoutGroup
from consultations.models.consultation import Consultation
from consultations.models.registration import Registration
from portal.accounts.models import User
from portal.database import UTCDateTime, utcnow
from portal.extensions import db

#: The longest comment, in characters.
MAX_COMMENT_LENGTH = 5000


class Thread(db.Model):
    """A discussion: a guiding question of a breakout group, or a topic of the plenary."""

    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    #: None for the consultation's plenary space.
    breakout_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("breakout_groups.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    #: Set for the thread of a guiding question, so that renaming the question renames it.
    guiding_question: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    consultation: Mapped[Consultation] = relationship()
    breakout_group: Mapped[BreakoutGroup | None] = relationship()
    comments: Mapped[list["Comment"]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="Comment.id"
    )

    @property
    def is_plenary(self) -> bool:
        return self.breakout_group_id is None


class Comment(db.Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           index=True)
    #: The comment this one replies to; replies are one level deep.
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    #: The author's registration: stakeholder group and country shown under Chatham House.
    author_registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Deleted by its author: the text is gone, the thread shows "comment deleted".
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(String(500))

    thread: Mapped[Thread] = relationship(back_populates="comments")
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    author_registration: Mapped[Registration | None] = relationship()
    revisions: Mapped[list["CommentRevision"]] = relationship(
        back_populates="comment", cascade="all, delete-orphan", order_by="CommentRevision.id"
    )

    @property
    def consultation_id(self) -> int:
        return self.thread.consultation_id

    @property
    def is_visible(self) -> bool:
        return self.deleted_at is None and self.hidden_at is None


class CommentRevision(db.Model):
    """An earlier text of an edited comment."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"),
                                            index=True)
    body: Mapped[str] = mapped_column(Text)
    #: When this text was written (the comment's creation or its previous edit).
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)

    comment: Mapped[Comment] = relationship(back_populates="revisions")


class CommentFlag(db.Model):
    """A participant's report of a comment to the moderators."""

    __tablename__ = "comment_flags"
    __table_args__ = (UniqueConstraint("comment_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When a moderator dealt with it (hid the comment or let it stand).
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    comment: Mapped[Comment] = relationship()
