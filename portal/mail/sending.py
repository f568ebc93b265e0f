"""The mail worker: sends the outbox's due messages, a batch over one SMTP connection.

Each message is recorded as sent as soon as the server has accepted it (one commit per
message), so a worker stopped or cut off mid-batch sends the rest later, never one twice. A
refusal that will not change (an SMTP 5xx reply for that message) is final at once; anything
else (a 4xx reply, a server that does not answer, a connection lost) is tried again after a
delay that doubles each time, up to ``MAIL_MAX_ATTEMPTS`` attempts.
"""

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage, Message
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from portal.database import intending_to_write, utcnow
from portal.extensions import db
from portal.mail.models import OutgoingMail

log = logging.getLogger(__name__)

#: How long a batch a worker has taken stays its own: another worker leaves it alone.
LEASE = timedelta(minutes=10)


@dataclass
class Round:
    """What one run of ``send_due_mail`` did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = mail.message_id
    message.set_content(mail.body)
    for attachment in mail.attachments:
        media = Message()
        media["Content-Type"] = attachment.content_type
        maintype, subtype = media.get_content_maintype(), media.get_content_subtype()
        params = {name: value for name, value in media.get_params()[1:]
                  if name.lower() != "charset"}
        if maintype == "text":
            message.add_attachment(attachment.content.decode(), subtype=subtype,
                                   filename=attachment.filename, params=params)
        else:
            message.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                                   filename=attachment.filename, params=params)
    return message


def send_due_mail(clock: Callable[[], datetime] = utcnow,
                  stop: threading.Event | None = None) -> Round:
    """Send every message due now, batch after batch (in an application context). A server
    that cannot be reached or drops the connection ends the round: the next batches wait for
    the next one rather than knock at once."""
    done = Round()
    while not (stop and stop.is_set()):
        batch = _take_batch(clock())
        if not batch or not _send_batch(batch, clock, done, stop):
            break
    return done


def run_worker(stop: threading.Event, clock: Callable[[], datetime] = utcnow) -> None:
    """Send what comes due, checking every ``MAIL_POLL_SECONDS``, until ``stop`` is set."""
    poll = current_app.config["MAIL_POLL_SECONDS"]
    log.info("Mail worker started (%s)", _destination())
    while not stop.is_set():
        try:
            send_due_mail(clock, stop)
        except SQLAlchemyError:
            # The database away for a moment (a restart): try again at the next poll.
            log.exception("The mail worker could not reach the database")
            db.session.rollback()
        finally:
            db.session.remove()
        stop.wait(poll)
    log.info("Mail worker stopped")


def _destination() -> str:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return "no SMTP_HOST: messages are written to the log"
    return f"SMTP {config['SMTP_HOST']}:{config['SMTP_PORT']}"


def _take_batch(now: datetime) -> list[OutgoingMail]:
    query = (select(OutgoingMail).where(OutgoingMail.next_attempt_at <= now)
             .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
             .limit(current_app.config["MAIL_BATCH_SIZE"]))
    # A look first, without SQLite's write lock: an idle worker polling never holds it.
    if db.session.scalar(select(OutgoingMail.id).where(OutgoingMail.next_attempt_at <= now)
                         .limit(1)) is None:
        db.session.rollback()
        return []
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        # Two workers never take the same rows.
        query = query.with_for_update(skip_locked=True)
    with intending_to_write():
        batch = list(db.session.scalars(query))
        for mail in batch:
            mail.next_attempt_at = now + LEASE
        db.session.commit()
    return batch


def _send_batch(batch: list[OutgoingMail], clock, done: Round,
                stop: threading.Event | None) -> bool:
    """Send one batch over one connection; False if the connection failed."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        for mail in batch:
            log.info("E-mail not sent (no SMTP_HOST configured), written here instead:\n"
                     "To: %s\nSubject: %s\nMessage-ID: %s\n\n%s", mail.recipient, mail.subject,
                     mail.message_id, mail.body)
            _record(mail, done, clock(), sent=True, quietly=True)
        return True
    try:
        connection = _connect(config)
    except (OSError, smtplib.SMTPException) as error:
        for mail in batch:
            _record(mail, done, clock(), error=error)
        return False
    try:
        for position, mail in enumerate(batch):
            if stop and stop.is_set():
                _release(batch[position:], clock())
                return True
            try:
                connection.send_message(build_message(mail, config["MAIL_FROM"]))
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                # The server refused this message and still talks: on to the next one.
                _record(mail, done, clock(), error=error, final=_refused_for_good(error))
            except (OSError, smtplib.SMTPException) as error:
                # The connection is gone: this message and the rest wait for the next try.
                for unsent in batch[position:]:
                    _record(unsent, done, clock(), error=error)
                return False
            else:
                _record(mail, done, clock(), sent=True)
    finally:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return True


def _connect(config) -> smtplib.SMTP:
    security, timeout = config["SMTP_SECURITY"], config["SMTP_TIMEOUT"]
    if security == "ssl":
        connection = smtplib.SMTP_SSL(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
    try:
        if security == "starttls":
            connection.starttls(context=ssl.create_default_context())
        if config.get("SMTP_USERNAME"):
            connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _refused_for_good(error: smtplib.SMTPException) -> bool:
    """A 5xx reply is permanent (RFC 5321): the same message would be refused again."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
    else:
        codes = [error.smtp_code]
    return all(code >= 500 for code in codes)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        error = next(iter(error.recipients.values()))
        return f"{error[0]} {error[1].decode(errors='replace')}"[:500]
    if isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return f"{error.smtp_code} {reply}"[:500]
    return (f"{type(error).__name__}: {error}" if str(error) else type(error).__name__)[:500]


def _record(mail: OutgoingMail, done: Round, now: datetime, *, sent: bool = False,
            error: BaseException | None = None, final: bool = False,
            quietly: bool = False) -> None:
    """Write down one attempt, in a commit of its own (``quietly``: logged already)."""
    config = current_app.config
    with intending_to_write():
        mail.attempts += 1
        if sent:
            mail.sent_at, mail.next_attempt_at, mail.body = now, None, ""
            mail.attachments.clear()
            done.sent += 1
            if not quietly:
                log.info("E-mail %s sent to %s", mail.message_id, mail.recipient)
        else:
            mail.last_error = _describe(error)
            if final or mail.attempts >= config["MAIL_MAX_ATTEMPTS"]:
                mail.failed_at, mail.next_attempt_at, mail.body = now, None, ""
                mail.attachments.clear()
                done.failed += 1
                log.error("E-mail %s to %s not delivered after %d attempt(s): %s",
                          mail.message_id, mail.recipient, mail.attempts, mail.last_error)
            else:
                delay = min(config["MAIL_RETRY_SECONDS"] * 2 ** (mail.attempts - 1),
                            config["MAIL_LONGEST_RETRY_SECONDS"])
                mail.next_attempt_at = now + timedelta(seconds=delay)
                done.retrying += 1
                log.warning("E-mail %s to %s not sent (attempt %d), trying again in %d s: %s",
                            mail.message_id, mail.recipient, mail.attempts, delay,
                            mail.last_error)
        db.session.commit()


def _release(batch: list[OutgoingMail], now: datetime) -> None:
    """Give back the messages of a batch not yet tried: the next worker takes them at once."""
    with intending_to_write():
        for mail in batch:
            mail.next_attempt_at = now
        db.session.commit()
