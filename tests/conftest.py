"""Fixtures shared by the whole suite.

The schema is built by the migrations (never ``create_all``) in a database of its own for the
test session: a temporary SQLite file by default, or a fresh PostgreSQL database on the server
named by ``TEST_DATABASE_URL``. Each test runs inside a transaction that is rolled back.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_socketio.test_client import SocketIOTestClient
from sqlalchemy import select

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import catalogs, create_app
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.operations import create_account, hash_password
from portal.extensions import db, socketio
from tests.databases import scratch_database

#: Passes the strength check; tests use it for every account they create.
PASSWORD = "harmattan-baobab-river-42"


def pytest_sessionstart(session):
    # The compiled catalogs are built, not committed (`make setup` builds them): the suite runs
    # on the catalogs as they are now, so those changed since they were compiled are compiled
    # again before any app is made.
    catalogs.compile_catalogs(only_stale=True)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("db"), "suite") as url:
        yield url


def suite_settings(database_url: str, **overrides) -> dict:
    settings = {
        "TESTING": True,
        "SECRET_KEY": "a secret for the test suite only",
        "SQLALCHEMY_DATABASE_URI": database_url,
        # Flask-SocketIO's test client works without a message queue only; the queue is
        # tested through real server processes (tests/test_live_servers.py).
        "REDIS_URL": None,
        "SMTP_HOST": None,
        "SERVER_NAME": "portal.test",
        # Tests push tallies themselves (recommendations.live.tallies.flush), in their thread.
        "TALLY_PUBLISHER": False,
        # Tests check who may still follow their rooms themselves (followers_check.flush).
        "FOLLOWERS_CHECK_TASK": False,
        # Votes are stored in each event's transaction, inside the test's; the ballot box's
        # batches are tested on a database of their own (tests/test_ballot_box.py).
        "BALLOT_BOX": False,
        # Rate limits would refuse the suite's many quick requests; tests/test_rate_limits.py
        # turns them on.
        "RATE_LIMITS": False,
        "SOCKET_EVENT_BURST": 10_000,
        # No PDF is made by LibreOffice but in the tests that ask for it (it takes seconds):
        # elsewhere pages say that it is not installed.
        "LIBREOFFICE": "",
    }
    settings.update(overrides)
    return settings


class FreshContextClient(FlaskClient):
    """A test client whose every request runs in an application context of its own, as in
    production: nothing kept on ``g`` (the signed-in user, say) leaks from one request to the
    next through the context the test holds open."""

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    application = create_app(suite_settings(database_url))
    application.test_client_class = FreshContextClient
    suite_socket_server = socketio.server
    with application.app_context():
        upgrade()
    # Tests that build other apps (migrations, real servers) rebind the shared SocketIO
    # object; the socket tests' fixture points it back at this app's server.
    application.extensions["suite_socket_server"] = suite_socket_server
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def no_followers_check_left_waiting():
    """In the suite, checks of who may still follow their rooms wait for
    ``followers_check.flush()``. One left by an earlier test (a browser test's commit, on the
    served database) names people of another database by their ids: run in a later test, it
    would disconnect whoever has those ids there."""
    from portal.live import followers_check

    followers_check.forget_waiting()
    yield


@pytest.fixture(autouse=True)
def no_tally_shared_between_tests():
    """Each test's rounds are rolled back and their ids used again by the next test: a tally
    shared by an earlier test's round must not answer a later one's joins."""
    from recommendations.live import shared_tallies

    shared_tallies.forget()
    yield


@pytest.fixture
def session(app):
    """A database session whose work is rolled back after the test, commits included."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield db.session
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app, session):
    return app.test_client()


@pytest.fixture(scope="session")
def password_hash():
    """PASSWORD hashed once: argon2id is slow on purpose, and tests create many accounts."""
    return hash_password(PASSWORD)


@pytest.fixture
def make_user(session, password_hash):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> User:
        number = next(counter)
        fields = {
            "email": f"person{number}@example.org",
            "password_hash": password_hash,
            "name": f"Delegate {number}",
            "organisation": "Senegalese Red Cross Society",
            "stakeholder_group": StakeholderGroup.red_cross,
            "country": "SN",
        }
        is_admin = overrides.pop("is_admin", False)
        fields.update(overrides)
        user = create_account(**fields)
        user.is_admin = is_admin
        session.flush()
        return user

    return make


@pytest.fixture
def make_consultation(session):
    counter = iter(range(1, 10_000))

    def make(**overrides) -> Consultation:
        number = next(counter)
        starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
        fields = {
            "slug": f"consultation-{number}",
            "title": f"Regional consultation {number}",
            "region": Region.africa,
            "starts_at": starts,
            "ends_at": starts + timedelta(days=1),
            "time_zone": "Africa/Dakar",
            "working_languages": ["en", "fr"],
            "status": ConsultationStatus.live,
        }
        objectives = overrides.pop("gcm_objectives", [8])
        fields.update(overrides)
        consultation = Consultation(**fields)
        consultation.gcm_objectives = objectives
        session.add(consultation)
        session.flush()
        return consultation

    return make


@pytest.fixture
def register(session):
    def make(user, consultation, role=Role.participant, status=RegistrationStatus.approved):
        registration = Registration(
            consultation=consultation, user=user, role=role, status=status,
            organisation=user.organisation, stakeholder_group=user.stakeholder_group,
            country=user.country,
        )
        session.add(registration)
        session.flush()
        return registration

    return make


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                        r'name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


def submit(client, path: str, data: dict, *, form_path: str | None = None, **kwargs):
    """Send a form the way a browser does: load the page, then post with its CSRF token."""
    page = client.get(form_path or path)
    return client.post(
        path, data={**data, "csrf_token": csrf_token_from(page.get_data(as_text=True))}, **kwargs
    )


def sign_in(client, email: str, password: str = PASSWORD, **kwargs):
    return submit(client, "/account/sign-in", {"email": email, "password": password}, **kwargs)


def find_user(email: str) -> User | None:
    return db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()


@pytest.fixture(scope="session")
def smtp_server():
    from tests.mailbox import start_smtp_server

    controller, mailbox = start_smtp_server()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server, monkeypatch):
    """Mail sent during the test goes through a real SMTP server and arrives here: each look
    at the messages first has the mail worker send what the outbox holds, as the worker
    beside the portal would."""
    from portal.mail.sending import send_due_mail

    controller, inbox = smtp_server
    inbox.messages.clear()
    monkeypatch.setitem(app.config, "SMTP_HOST", controller.hostname)
    monkeypatch.setitem(app.config, "SMTP_PORT", controller.port)
    monkeypatch.setitem(app.config, "SMTP_SECURITY", "none")

    def send_the_outbox():
        with app.app_context():
            send_due_mail()

    inbox.before_reading = send_the_outbox
    yield inbox
    inbox.before_reading = None


class FreshContextSocketClient(SocketIOTestClient):
    """A Socket.IO test client whose every event runs in an application context of its own,
    as each event does on a server (the signed-in user is loaded afresh, not kept on ``g``)."""

    def connect(self, *args, **kwargs):
        with self.app.app_context():
            return super().connect(*args, **kwargs)

    def emit(self, *args, **kwargs):
        with self.app.app_context():
            return super().emit(*args, **kwargs)

    def disconnect(self, *args, **kwargs):
        with self.app.app_context():
            return super().disconnect(*args, **kwargs)


@pytest.fixture
def connect_socket(app, monkeypatch):
    """Open a Socket.IO connection with the cookies (and so the sign-in) of a test client."""
    monkeypatch.setattr(socketio, "server", app.extensions["suite_socket_server"])

    def connect(client, auth=None):
        return FreshContextSocketClient(app, socketio, flask_test_client=client, auth=auth)

    return connect
