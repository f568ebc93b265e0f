"""The outbox: each e-mail the portal sends is a row, written in the transaction of the change
that causes it, and sent by the mail worker (portal/mail/sending.py)."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import LabelledEnum, UTCDateTime, label_members, utcnow
from portal.extensions import db


class Delivery(LabelledEnum):
    """Where a message stands, as a facilitator is told."""

    waiting = "waiting"
    retrying = "retrying"
    sent = "sent"
    failed = "failed"


DELIVERY_LABELS = label_members(Delivery, {
    Delivery.waiting: _l("Waiting to be sent"),
    Delivery.retrying: _l("Not sent yet: trying again"),
    Delivery.sent: _l("Sent"),
    Delivery.failed: _l("Could not be delivered"),
})


class OutgoingMail(db.Model):
    __tablename__ = "outgoing_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(500))
    #: Emptied once the message is sent or given up: it may hold a sign-in link.
    body: Mapped[str] = mapped_column(Text)
    #: Kept from the first attempt to the last, so a receiver can tell a resent copy.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: The message's Date: when the change that wrote it was made.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the worker may (next) try to send it; None once sent or given up. A worker that
    #: takes a batch moves it a few minutes on, so that another worker leaves the batch alone.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True,
                                                             default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When the worker gave up (a refusal that will not change, or the last attempt).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last attempt's error, as the SMTP server or the network gave it.
    last_error: Mapped[str | None] = mapped_column(String(500))

    #: Files sent with the message (a calendar invitation); removed with the body once the
    #: message is sent or given up.
    attachments: Mapped[list["MailAttachment"]] = relationship(
        back_populates="mail", cascade="all, delete-orphan", order_by="MailAttachment.id")

    @property
    def delivery(self) -> Delivery:
        if self.sent_at is not None:
            return Delivery.sent
        if self.failed_at is not None:
            return Delivery.failed
        return Delivery.retrying if self.attempts else Delivery.waiting


class MailAttachment(db.Model):
    """A file sent with an outbox message."""

    __tablename__ = "outgoing_mail_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    mail_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_mails.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: The full media type with its parameters, e.g. ``text/calendar; method=REQUEST``.
    content_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    mail: Mapped[OutgoingMail] = relationship(back_populates="attachments")
