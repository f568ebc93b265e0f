"""SQLite under concurrent writes: work that writes takes the write lock first and waits its
turn, instead of failing when another connection commits between its read and its write; many
form POSTs at once on a real server all wait their turn and are stored, and one that waited
too long is told so (503, nothing saved), never shown a 500."""

import os
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, exc, func, select, text
from werkzeug.security import generate_password_hash

from consultations import discussion
from consultations.models import (
    ApprovalRule,
    Comment,
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
    Thread,
)
from portal import create_app, database
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account, find_account
from portal.database import intending_to_write
from portal.extensions import db
from tests.conftest import PASSWORD, sign_in, suite_settings
from tests.servers import PortalServer, csrf_token, prepare_database, signed_in_session

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="about SQLite only")


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'writes.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM notes")).scalar()


def test_a_read_then_write_fails_if_someone_wrote_in_between_without_the_intent(engine):
    with engine.connect() as reader:
        transaction = reader.begin()
        reader.execute(text("SELECT count(*) FROM notes")).scalar()
        with engine.begin() as other:
            other.execute(text("INSERT INTO notes (body) VALUES ('other')"))
        with pytest.raises(exc.OperationalError, match="locked"):
            reader.execute(text("INSERT INTO notes (body) VALUES ('mine')"))
        transaction.rollback()


def test_with_the_intent_the_other_writer_waits_and_both_writes_land(engine):
    other_done = threading.Event()

    def other_writer():
        with engine.begin() as other:
            other.execute(text("INSERT INTO notes (body) VALUES ('other')"))
        other_done.set()

    with intending_to_write(), engine.connect() as writer:
        transaction = writer.begin()
        writer.execute(text("SELECT count(*) FROM notes")).scalar()
        thread = threading.Thread(target=other_writer)
        thread.start()
        time.sleep(0.3)
        assert not other_done.is_set()
        writer.execute(text("INSERT INTO notes (body) VALUES ('mine')"))
        transaction.commit()
    thread.join(timeout=15)

    assert other_done.is_set()
    assert count(engine) == 2


# The portal under concurrent form POSTs ------------------------------------------------------

WRITERS = 20
VISITORS = 12
WRITER_PASSWORD = "sqlite-writer-password-2024"


def fill(app):
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    consultation = Consultation(
        slug="busy", title="Busy", region=Region.africa, starts_at=starts,
        ends_at=starts + timedelta(days=1), status=ConsultationStatus.registration_open,
        approval_rule=ApprovalRule.automatic, capacity=1000)
    db.session.add(consultation)
    cheap = generate_password_hash(WRITER_PASSWORD, method="pbkdf2:sha256:1")
    for number in range(WRITERS):
        user = create_account(email=f"writer{number}@example.org", password_hash=cheap,
                              name=f"Writer {number}", organisation="IFRC",
                              stakeholder_group=StakeholderGroup.red_cross, country="KE")
        db.session.add(Registration(
            consultation=consultation, user=user,
            role=Role.facilitator if number == 0 else Role.participant,
            status=RegistrationStatus.approved, organisation="IFRC",
            stakeholder_group=user.stakeholder_group, country="KE"))
    db.session.flush()
    discussion.add_thread(consultation, find_account("writer0@example.org"), "Plenary")


def visitor_details(number: int) -> dict:
    return {"name": f"Visitor {number}", "email": f"visitor{number}@example.org",
            "password": PASSWORD, "password_confirmation": PASSWORD,
            "organisation": "Senegalese Red Cross", "stakeholder_group": "red_cross",
            "country": "SN", "preferred_locale": "en", "attendance": "in_person",
            "languages": ["en"], "interpretation_language": "", "accessibility_needs": "",
            "notes": "", "consent": "y"}


def test_many_form_posts_at_once_on_a_real_server_are_all_stored_and_none_fails(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    prepare_database(url, fill)
    engine = create_engine(url)
    with engine.connect() as connection:
        thread_id = connection.execute(select(Thread.id)).scalar_one()
    server = PortalServer(url, tmp_path).start()
    sessions: list[requests.Session] = []
    try:
        jobs = []
        for number in range(WRITERS):
            http = signed_in_session(server.url, f"writer{number}@example.org", WRITER_PASSWORD)
            sessions.append(http)
            page = http.get(f"{server.url}/c/busy/threads/{thread_id}", timeout=30).text
            for comment in range(2):
                jobs.append((http, f"/c/busy/threads/{thread_id}/comments",
                             {"csrf_token": csrf_token(page),
                              "body": f"Comment {comment} by writer {number}"}))
        for number in range(VISITORS):
            http = requests.Session()
            sessions.append(http)
            page = http.get(f"{server.url}/c/busy/register", timeout=30).text
            jobs.append((http, "/c/busy/register",
                         {"csrf_token": csrf_token(page), **visitor_details(number)}))

        start = threading.Barrier(len(jobs))
        statuses: list[int] = []

        def send(http, path, form):
            start.wait(timeout=60)
            statuses.append(http.post(server.url + path, data=form, allow_redirects=False,
                                      timeout=120).status_code)

        threads = [threading.Thread(target=send, args=job) for job in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)

        with engine.connect() as connection:
            comments = connection.execute(select(func.count()).select_from(Comment)).scalar()
            visitors = connection.execute(select(func.count()).select_from(Registration).join(
                User).where(User.email.like("visitor%"))).scalar()
    finally:
        for http in sessions:
            http.close()
        server.stop()
        engine.dispose()

    assert len(statuses) == len(jobs)
    assert 500 not in statuses, server.log()
    # Every one waited its turn for the write lock and was stored.
    assert statuses == [302] * len(jobs)
    assert comments == 2 * WRITERS and visitors == VISITORS


def test_a_form_sent_while_another_holds_the_write_lock_too_long_is_refused_with_a_message(
    tmp_path, monkeypatch
):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    prepare_database(url, fill)
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    app = create_app(suite_settings(url))
    browser = app.test_client()
    with app.app_context():
        thread_id = db.session.scalar(select(Thread.id))
        db.session.remove()
    form_path = f"/c/busy/threads/{thread_id}"
    assert sign_in(browser, "writer1@example.org", WRITER_PASSWORD).status_code == 302
    page = browser.get(form_path).get_data(as_text=True)

    holder = sqlite3.connect(tmp_path / "portal.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        refused = browser.post(f"{form_path}/comments", data={
            "csrf_token": csrf_token(page), "body": "Sent while the lock was held"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    accepted = browser.post(f"{form_path}/comments", data={
        "csrf_token": csrf_token(page), "body": "Sent again"})
    with app.app_context():
        bodies = db.session.scalars(select(Comment.body)).all()
        db.session.remove()
        db.engine.dispose()

    assert refused.status_code == 503 and refused.headers["Retry-After"]
    assert "was not saved" in refused.get_data(as_text=True)
    assert accepted.status_code == 302
    assert bodies == ["Sent again"]
