"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

import email
import socket
from email import policy
from email.message import Message

from aiosmtpd.controller import Controller


class Mailbox:
    """What the SMTP server received. ``before_reading``, when set, runs before each look at
    the messages: the suite's ``mailbox`` fixture has the mail worker send the outbox then."""

    def __init__(self):
        self._messages: list[Message] = []
        self.before_reading = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        # The default policy decodes headers: a subject in French or Arabic reads as written.
        self._messages.append(
            email.message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Message]:
        if self.before_reading is not None:
            self.before_reading()
        return self._messages

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_smtp_server() -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, mailbox
