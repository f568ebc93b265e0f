"""The browser-test harness: the portal on a real server, driven in Debian's Chromium.

Playwright for Python drives ``/usr/bin/chromium`` (``playwright install`` is not used).
Every test gets a fresh browser context: no cookies carry over from one test to the next.
"""

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from portal import create_app
from portal.database import intending_to_write
from portal.extensions import db
from tests.conftest import suite_settings
from tests.databases import scratch_database
from tests.servers import PortalServer, prepare_database

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)
            # Chromium itself going away mid-test (seen once in CI, not reproducible) is run
            # once more with a new browser; any other failure is the test's.
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=["TargetClosedError"]))


@pytest.fixture(scope="session")
def browser_database(tmp_path_factory):
    directory = tmp_path_factory.mktemp("browser")
    with scratch_database(directory, "browser") as url:
        prepare_database(url)
        yield url, directory


@pytest.fixture(scope="session")
def portal_server(browser_database, smtp_server):
    url, directory = browser_database
    controller, _inbox = smtp_server
    # Its e-mails (sign-up confirmations, sign-in links) arrive in ``browser_mailbox``.
    server = PortalServer(url, directory, SMTP_HOST=controller.hostname,
                          SMTP_PORT=str(controller.port), SMTP_SECURITY="none").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser_mailbox(smtp_server):
    """What the served portal sent; tests pick their own messages by address."""
    return smtp_server[1]


@pytest.fixture(scope="session")
def browser_app(browser_database):
    app = create_app(suite_settings(browser_database[0]))
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def portal_data(browser_app):
    """An application context on the served database, for the test's duration, to set up what
    it needs; what is committed there is what the browser sees.

    Its transactions take SQLite's write lock from their first statement (as the portal's own
    writing requests do): the served portal may commit between a set-up's read and its write
    (a previous test's live connection going away), and SQLite refuses such a write at once
    ("database is locked") where it would otherwise wait its turn. A test reads again only
    once the browser is done, and ends that transaction before the browser goes on."""
    with browser_app.app_context(), intending_to_write():
        yield db
        db.session.remove()


@pytest.fixture(scope="session")
def browsers():
    """Playwright for the session, and the Chromium it runs (started on first use)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: apt-get install chromium")
    with sync_playwright() as playwright:
        running = {}
        yield playwright, running
        for browser in running.values():
            if browser.is_connected():
                browser.close()


@pytest.fixture
def chromium(browsers):
    """One Chromium for the whole session, started again if it has gone away, so that a
    crashed browser fails one test and not every test after it."""
    playwright, running = browsers
    browser = running.get("chromium")
    if browser is None or not browser.is_connected():
        browser = running["chromium"] = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
    return browser


@pytest.fixture
def page(chromium, portal_server):
    context = chromium.new_context(base_url=portal_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    browser_page = context.new_page()
    # The Content-Security-Policy refuses inline code: a page that needs any breaks here.
    violations = []
    browser_page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
    yield browser_page
    context.close()
    assert violations == [], "\n".join(violations)


def assert_accessible(page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    grave = [
        violation for violation in results.response["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
    assert not grave, "\n".join(
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in grave
    )


def served_outcome_consultation(session, slug: str, **options):
    """tests/outcome_data.py's consultation after its plenary, at ``slug``, in the served
    portal's database; its people sign in with the suite's password."""
    from datetime import UTC, datetime, timedelta

    from consultations.models import (
        Consultation,
        ConsultationStatus,
        Region,
        Registration,
        Role,
    )
    from portal.accounts.models import StakeholderGroup
    from portal.accounts.operations import create_account
    from tests.conftest import PASSWORD
    from tests.outcome_data import build_outcome_consultation

    def make_user(email, name="Outsider", **profile):
        fields = {"organisation": "Senegalese Red Cross Society", "country": "SN",
                  "stakeholder_group": StakeholderGroup.red_cross, **profile}
        return create_account(email=email, password=PASSWORD, name=name, **fields)

    def make_consultation(**fields):
        starts = datetime(2024, 4, 23, 8, 30, tzinfo=UTC)
        objectives = fields.pop("gcm_objectives")
        consultation = Consultation(
            region=Region.africa, starts_at=starts,
            ends_at=starts + timedelta(days=1), time_zone="Africa/Dakar",
            status=ConsultationStatus.live, **fields)
        consultation.gcm_objectives = objectives
        session.add(consultation)
        session.flush()
        return consultation

    def register(user, consultation, role=Role.participant):
        registration = Registration(consultation=consultation, user=user, role=role,
                                    status="approved", organisation=user.organisation,
                                    stakeholder_group=user.stakeholder_group,
                                    country=user.country)
        session.add(registration)
        session.flush()
        return registration

    return build_outcome_consultation(session, make_user, make_consultation, register,
                                      slug=slug, **options), make_user
