"""E-mail through the outbox: written with the change that causes it, sent by the mail
worker over one SMTP connection per batch, tried again after failures, never twice, and never
waited for by a request."""

import email
import logging
import socket
import subprocess
import sys
import threading
from datetime import timedelta
from email import policy
from email.utils import parsedate_to_datetime

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from consultations.models import Invitation
from portal.database import utcnow
from portal.mail import Delivery, OutgoingMail, send_after_commit
from portal.mail.sending import send_due_mail
from tests.conftest import PASSWORD, sign_in, submit
from tests.mailbox import Mailbox, free_port
from tests.servers import ROOT
from tests.test_registration import facilitator_client, open_consultation  # noqa: F401


def later(hours: float):
    """A clock that many hours ahead: retries due by then come due now."""
    return lambda: utcnow() + timedelta(hours=hours)


def worker_sends(app, clock=utcnow):
    with app.app_context():
        return send_due_mail(clock)


def queue(app, session, *recipients: str) -> None:
    """Messages to ``recipients`` in the outbox, as an operation writes them."""
    with app.test_request_context():
        for recipient in recipients:
            send_after_commit(recipient, "Hello", f"A body for {recipient}")
    session.flush()


def outbox(session) -> list[OutgoingMail]:
    session.expire_all()
    return list(session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


@pytest.fixture
def smtp_at(app, monkeypatch):
    """Point the portal at an SMTP server on ``port``."""

    def point(port: int):
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", port)
        monkeypatch.setitem(app.config, "SMTP_SECURITY", "none")
        monkeypatch.setitem(app.config, "SMTP_TIMEOUT", 10)

    return point


class CountingMailbox(Mailbox):
    """Keeps the messages and counts the SMTP connections they came over; ``refuse`` holds
    replies to give, one per message, before accepting again."""

    def __init__(self):
        super().__init__()
        self.connections: set = set()
        self.refuse: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.connections.add(session.peer)
        if self.refuse:
            return self.refuse.pop(0)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def counting_smtp():
    inbox = CountingMailbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


def test_a_message_is_a_row_of_the_request_transaction_and_leaves_only_through_the_worker(
    app, session, smtp_at, counting_smtp
):
    port, inbox = counting_smtp
    smtp_at(port)
    queue(app, session, "delegate@example.org")
    assert [mail.delivery for mail in outbox(session)] == [Delivery.waiting]
    assert inbox.connections == set()

    assert worker_sends(app).sent == 1
    [message] = inbox.messages
    assert message["Subject"] == "Hello"
    # RFC 5322's Date, and a Message-ID in the portal's own domain (SERVER_NAME here).
    assert abs(parsedate_to_datetime(message["Date"]) - utcnow()) < timedelta(minutes=5)
    assert message["Message-ID"].endswith("@portal.test>")
    [mail] = outbox(session)
    assert mail.delivery == Delivery.sent and mail.sent_at is not None
    # The sign-in links a body may hold are not kept once the message is sent.
    assert mail.body == ""


def test_a_rolled_back_change_sends_nothing(app, session, smtp_at, counting_smtp):
    port, inbox = counting_smtp
    smtp_at(port)
    with app.test_request_context():
        nested = session.begin_nested()
        send_after_commit("delegate@example.org", "Hello", "A body")
        nested.rollback()
    session.flush()
    assert worker_sends(app).sent == 0
    assert inbox.messages == []


def test_a_server_that_refuses_for_now_gets_the_message_again_later(
    app, session, smtp_at, counting_smtp
):
    port, inbox = counting_smtp
    smtp_at(port)
    inbox.refuse = ["451 4.3.0 Mailbox busy, try again later"]
    queue(app, session, "delegate@example.org")

    first = worker_sends(app)
    assert (first.sent, first.retrying) == (0, 1)
    [mail] = outbox(session)
    assert mail.delivery == Delivery.retrying
    assert mail.last_error.startswith("451")
    # Not due again at once: the worker waits (a minute after a first failure).
    assert worker_sends(app).sent == 0

    assert worker_sends(app, later(1)).sent == 1
    assert len(inbox.messages) == 1
    assert outbox(session)[0].delivery == Delivery.sent


def test_a_server_that_is_down_then_up_gets_every_message(app, session, smtp_at):
    port = free_port()
    smtp_at(port)
    queue(app, session, *(f"delegate{number}@example.org" for number in range(3)))

    assert worker_sends(app).retrying == 3
    assert {mail.last_error.split(":")[0] for mail in outbox(session)} == {
        "ConnectionRefusedError"}

    inbox = Mailbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert worker_sends(app, later(1)).sent == 3
    finally:
        controller.stop()
    assert sorted(message["To"] for message in inbox.messages) == [
        "delegate0@example.org", "delegate1@example.org", "delegate2@example.org"]


def test_a_refusal_for_good_is_final_and_the_batch_goes_on(app, session, smtp_at, counting_smtp):
    port, inbox = counting_smtp
    smtp_at(port)
    inbox.refuse = ["550 5.1.1 No such mailbox here"]
    queue(app, session, "gone@example.org", "delegate@example.org")

    done = worker_sends(app)
    assert (done.sent, done.failed) == (1, 1)
    refused, delivered = outbox(session)
    assert refused.delivery == Delivery.failed and refused.last_error.startswith("550")
    assert delivered.delivery == Delivery.sent
    assert worker_sends(app, later(24)).sent == 0


def test_the_worker_gives_up_after_the_last_attempt(app, session, smtp_at, monkeypatch):
    smtp_at(free_port())
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    queue(app, session, "delegate@example.org")
    for hours in (0, 1, 2):
        worker_sends(app, later(hours))
    [mail] = outbox(session)
    assert (mail.delivery, mail.attempts) == (Delivery.failed, 3)
    assert mail.next_attempt_at is None


def test_smtp_killed_mid_batch_then_every_message_is_delivered_once(
    app, session, smtp_at, monkeypatch, tmp_path
):
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 20)
    port = free_port()
    smtp_at(port)
    recipients = [f"delegate{number:02d}@example.org" for number in range(30)]
    queue(app, session, *recipients)
    folder = tmp_path / "received"
    folder.mkdir()

    def sink(*options):
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.smtp_sink", str(port), str(folder), *options],
            cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert process.stdout.readline().strip() == "ready"
        return process

    def end(process):
        process.kill()
        process.wait()
        process.stdout.close()

    # The server dies on receiving the 8th message of the first batch of 20.
    dying = sink("--die-at", "8")
    try:
        first = worker_sends(app)
    finally:
        end(dying)
    assert first.sent == 7
    # The rest of the first batch waits for its next try; the second batch was not begun.
    assert first.retrying == 13
    assert sum(mail.delivery == Delivery.waiting for mail in outbox(session)) == 10

    back = sink()
    try:
        second = worker_sends(app, later(1))
    finally:
        end(back)
    assert second.sent == 23

    received = [email.message_from_bytes(path.read_bytes(), policy=policy.default)
                for path in folder.glob("*.eml")]
    assert sorted(message["To"] for message in received) == recipients
    assert {mail.delivery for mail in outbox(session)} == {Delivery.sent}


def test_without_smtp_the_worker_writes_the_message_with_its_link_to_the_log(
    app, client, session, make_user, caplog
):
    make_user(email="participant@example.org")
    submit(client, "/account/password/reset", {"email": "participant@example.org"})
    with caplog.at_level(logging.INFO, logger="portal.mail"):
        assert worker_sends(app).sent == 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "To: participant@example.org" in logged
    assert "http://portal.test/account/password/reset/" in logged


def test_five_hundred_invitations_are_sent_without_the_request_waiting_on_smtp(
    app, session, smtp_at, open_consultation, facilitator_client, counting_smtp  # noqa: F811
):
    # While the facilitator sends, the SMTP server accepts connections and never answers:
    # a request that waited on it would hang there.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(10)
    silent.settimeout(0.5)
    smtp_at(silent.getsockname()[1])
    knocks = []

    def count_knocks():
        while True:
            try:
                connection, _ = silent.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            knocks.append(connection)

    threading.Thread(target=count_knocks, daemon=True).start()
    consultation = open_consultation(invitation_only=True)
    facilitator = facilitator_client(consultation)
    rows = "".join(f"delegate{number}@example.org,Delegate {number},Red Cross,red_cross,SN\n"
                   for number in range(500))
    page = f"/c/{consultation.slug}/invitations"
    submit(facilitator, page, {
        "invitees": "email,name,organisation,stakeholder_group,country\n" + rows})
    sent = submit(facilitator, f"{page}/send", {}, form_path=page, follow_redirects=True)
    silent.close()
    assert "500 invitations sent." in sent.get_data(as_text=True)
    assert knocks == []
    assert "Waiting to be sent: 500" in sent.get_data(as_text=True)

    port, inbox = counting_smtp
    smtp_at(port)
    assert worker_sends(app).sent == 500
    assert len(inbox.messages) == 500
    # One connection per batch of MAIL_BATCH_SIZE (50), not one per message.
    assert len(inbox.connections) == 10
    states = session.scalars(
        select(func.count()).select_from(Invitation).join(Invitation.mail)
        .where(OutgoingMail.sent_at.is_not(None)))
    assert states.one() == 500
    listed = facilitator.get(page).get_data(as_text=True)
    assert "Delivered: 500 · Waiting to be sent: 0 · Could not be delivered: 0" in listed


def test_deleting_an_account_deletes_the_mail_to_its_address(
    app, client, session, make_user
):
    make_user(email="participant@example.org")
    submit(client, "/account/password/reset", {"email": "participant@example.org"})
    worker_sends(app)
    assert [mail.recipient for mail in outbox(session)] == ["participant@example.org"]

    sign_in(client, "participant@example.org")
    assert submit(client, "/account/delete", {"password": PASSWORD}).status_code == 302
    assert outbox(session) == []
