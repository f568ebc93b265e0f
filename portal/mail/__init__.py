"""E-mail through an outbox.

Operations call ``send_after_commit``: the message becomes a row of ``outgoing_mails`` in the
same transaction as the change that causes it, so a rolled-back request sends nothing and a
committed one cannot lose its message. The mail worker (``flask --app wsgi send-mail``,
portal/mail/sending.py) sends the rows over one SMTP connection per batch, retries with
backoff, and records each delivery or the final error. No request waits on an SMTP server.
Without ``SMTP_HOST`` the worker writes each message to the log instead, as the demo does.
"""

from collections.abc import Iterable
from email.utils import make_msgid, parseaddr
from urllib.parse import urlsplit

from flask import current_app

from portal.extensions import db
from portal.mail.models import Delivery, MailAttachment, OutgoingMail

__all__ = ["Delivery", "MailAttachment", "OutgoingMail", "message_id_domain",
           "send_after_commit"]


def message_id_domain(config) -> str:
    """The domain of the portal's Message-IDs: ``MAIL_MESSAGE_ID_DOMAIN``, else the host of
    ``SERVER_NAME``, else the domain of ``MAIL_FROM``."""
    if config.get("MAIL_MESSAGE_ID_DOMAIN"):
        return config["MAIL_MESSAGE_ID_DOMAIN"]
    if config.get("SERVER_NAME"):
        return urlsplit(f"//{config['SERVER_NAME']}").hostname or config["SERVER_NAME"]
    address = parseaddr(config.get("MAIL_FROM", ""))[1]
    return address.rpartition("@")[2] or "localhost"


def send_after_commit(recipient: str, subject: str, body: str,
                      attachments: Iterable[MailAttachment] = ()) -> OutgoingMail:
    """Put a message in the outbox, in the current transaction; the worker sends it, with
    its ``attachments`` (``MailAttachment(filename=, content_type=, content=)``)."""
    mail = OutgoingMail(recipient=recipient, subject=subject, body=body,
                        message_id=make_msgid(domain=message_id_domain(current_app.config)),
                        attachments=list(attachments))
    db.session.add(mail)
    return mail
