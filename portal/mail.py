"""E-mail that leaves only when the transaction that asked for it commits.

Operations call ``send_after_commit``; a rolled-back request sends nothing. Without
``SMTP_HOST`` the message is written to the log, which is what the demo does.
"""

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.database import committed_for_good
from portal.extensions import db

log = logging.getLogger(__name__)


def send_after_commit(recipient: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = recipient
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="redtalks.local")
    message.set_content(body)
    db.session.info.setdefault("outbox", []).append(message)
    return message


def deliver(message: EmailMessage) -> None:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        log.info("E-mail not sent (no SMTP_HOST configured):\n%s", message)
        return
    security = config["SMTP_SECURITY"]
    try:
        if security == "ssl":
            connection = smtplib.SMTP_SSL(
                config["SMTP_HOST"], config["SMTP_PORT"], timeout=15,
                context=ssl.create_default_context(),
            )
        else:
            connection = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=15)
        with connection:
            if security == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if config.get("SMTP_USERNAME"):
                connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
            connection.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("E-mail to %s could not be sent", message["To"])


@event.listens_for(Session, "after_commit")
def _send_outbox(session: Session) -> None:
    if not committed_for_good(session):
        return
    for message in session.info.pop("outbox", []):
        deliver(message)


@event.listens_for(Session, "after_rollback")
def _discard_outbox(session: Session) -> None:
    session.info.pop("outbox", None)
