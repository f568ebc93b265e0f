"""The Dakar day on the demo itself, as the people in the room live it: a newcomer who knows no
address finds the consultation from the home page, signs up and registers late; the facilitator
approves, checks in a walk-in who signs in from the e-mailed link, closes the vote left open,
opens the next one; "Vote now" reaches the phones without a reload, the projector counts the
votes, and the vote closes with its turnout shown. Once with JavaScript, once without.

The demo is seeded into a database of its own (``flask seed-demo``'s data, its real password
hashes), served by a server of its own, so that what is walked is what a visitor of
``make demo`` meets."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import assert_accessible
from tests.browser.test_accounts_in_the_browser import link_in, unique_email
from tests.databases import scratch_database
from tests.servers import PortalServer, prepare_database

DAKAR = "red-talks-dakar-2024"
FACILITATOR = "facilitator@redtalks.example"
PHONE = {"width": 360, "height": 740}
NEWCOMER_PASSWORD = "teranga-baobab-harmattan-7"  # noqa: S105


@pytest.fixture
def demo_server(tmp_path_factory, smtp_server):
    directory = tmp_path_factory.mktemp("dakar-day")
    controller, _inbox = smtp_server
    with scratch_database(directory, "dakar_day") as url:
        prepare_database(url, fill=lambda app: seed_demo())
        server = PortalServer(url, directory, SMTP_HOST=controller.hostname,
                              SMTP_PORT=str(controller.port), SMTP_SECURITY="none").start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def screenshots(request):
    """Where the walk's screenshots go, to look at after a run (`.screenshots/`, ignored by git)."""
    folder = Path(request.config.rootpath) / ".screenshots" / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def context_for(chromium, server, **options):
    context = chromium.new_context(base_url=server.url, locale="en-GB", **options)
    context.set_default_timeout(10_000)
    return context


def phone_context(chromium, server, javascript=True):
    return context_for(chromium, server, viewport=PHONE, is_mobile=True, has_touch=True,
                       java_script_enabled=javascript)


def screenshot_every_page(folder, *contexts) -> None:
    """What each person's browser showed when the walk failed."""
    for number, context in enumerate(contexts):
        for page in context.pages:
            page.screenshot(path=str(folder / f"failed-{number}.png"), full_page=True)


def close_all(*contexts) -> None:
    for context in contexts:
        context.close()


def facilitator_signs_in(page) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_label("E-mail address").fill(FACILITATOR)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def the_newcomer_finds_dakar_and_registers(phone, mailbox, email, name, *,
                                           check=assert_accessible):
    """From the home page, with no address known: the consultation, its next step, the one
    form that creates the account and the registration. The demo's places are all taken: the
    newcomer joins the waitlist, behind the two who registered before."""
    phone.goto("/")
    check(phone)
    phone.get_by_role("link", name=re.compile("Red Talks Dakar")).first.click()
    expect(phone).to_have_url(re.compile(f"/c/{DAKAR}$"))
    next_step = phone.locator("#next-step")
    expect(next_step).to_contain_text("Create an account and register")
    check(phone)
    next_step.get_by_role("link", name=re.compile("Create an account")).click()
    phone.get_by_label("Full name").fill(name)
    phone.get_by_label("E-mail address").fill(email)
    phone.get_by_label("Organisation").fill("Senegalese Red Cross Society")
    phone.get_by_label("Stakeholder group").select_option(label="Red Cross / Red Crescent")
    phone.get_by_label("Country").select_option(label="Senegal")
    phone.get_by_label("Password", exact=True).fill(NEWCOMER_PASSWORD)
    phone.get_by_label("Repeat the password").fill(NEWCOMER_PASSWORD)
    phone.get_by_label("English").check()
    phone.get_by_label(re.compile("I agree to the processing")).check()
    check(phone)
    phone.get_by_role("button", name="Register").click()
    expect(phone.get_by_role("status").first).to_contain_text("waitlist")
    check(phone)
    phone.goto(f"/c/{DAKAR}")
    expect(phone.locator("#next-step")).to_contain_text("on the waitlist, in position 3")


def the_facilitator_adds_places(page, name, *, check=assert_accessible):
    """More chairs are brought in: the facilitator raises the capacity, and the new places go
    to the waitlist in order, the newcomer's included."""
    page.goto("/")
    page.get_by_role("link", name=re.compile("Red Talks Dakar")).first.click()
    page.get_by_role("link", name="Manage").first.click()
    page.get_by_role("link", name="Edit the details").click()
    page.get_by_label("Places for participants").fill("24")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    page.get_by_role("link", name="Registrations", exact=True).click()
    expect(page.locator("tr", has_text=name)).to_contain_text("Approved")
    check(page)


def the_desk_registers_a_walk_in(page, email, name, *, check=assert_accessible):
    page.goto(f"/c/{DAKAR}/manage")
    page.get_by_role("link", name="Check-in and walk-ins").click()
    page.get_by_role("link", name="Register someone who walks in").click()
    walk_in = page.locator("#walk-in")
    walk_in.get_by_label("Full name").fill(name)
    walk_in.get_by_label("Organisation").fill("Gambia Red Cross Society")
    walk_in.get_by_label("Stakeholder group").select_option(label="Red Cross / Red Crescent")
    walk_in.get_by_label("Country").select_option(label="Gambia")
    walk_in.get_by_label("E-mail address").fill(email)
    walk_in.get_by_label(re.compile("agree|consent", re.I)).check()
    check(page)
    walk_in.get_by_role("button", name="Register and check in").click()
    expect(page.get_by_role("status").first).to_contain_text(name)


def the_console_closes_the_open_vote(page, *, check=assert_accessible) -> str:
    """Close the vote from the console, below its quorum: the confirmation states the turnout
    against the quorum; returns what it said."""
    page.goto(f"/c/{DAKAR}/manage")
    page.get_by_role("link", name=re.compile("Plenary console")).first.click()
    check(page)
    page.get_by_role("button", name="Close the vote").click()
    turnout = page.locator(".turnout-line").first
    expect(turnout).to_contain_text("voting participants present")
    said = turnout.inner_text()
    check(page)
    # Below the quorum, the facilitator confirms that the vote closes all the same.
    expect(page.locator("main")).to_contain_text("below the quorum")
    page.get_by_label("Close the vote all the same").check()
    page.get_by_role("button", name="Close the vote").click()
    expect(page.get_by_role("status").first).to_contain_text("closed")
    return said


def test_the_dakar_day_with_javascript(chromium, demo_server, browser_mailbox, screenshots):
    phone_browser = phone_context(chromium, demo_server)
    walk_in_browser = phone_context(chromium, demo_server)
    desk_browser = context_for(chromium, demo_server)
    projector_browser = context_for(chromium, demo_server, viewport={"width": 1280,
                                                                       "height": 720})
    try:
        phone, walk_in_phone = phone_browser.new_page(), walk_in_browser.new_page()
        desk, projector = desk_browser.new_page(), projector_browser.new_page()
        email, name = unique_email(), "Fatou Ndiaye"

        the_newcomer_finds_dakar_and_registers(phone, browser_mailbox, email, name)
        phone.screenshot(path=str(screenshots / "1-pending.png"), full_page=True)

        facilitator_signs_in(desk)
        the_facilitator_adds_places(desk, name)
        walk_in_email, walk_in_name = unique_email(), "Lamin Jallow"
        the_desk_registers_a_walk_in(desk, walk_in_email, walk_in_name)
        desk.screenshot(path=str(screenshots / "2-walk-in.png"), full_page=True)

        # The walk-in signs in from the e-mailed link, without a password.
        walk_in_phone.goto(link_in(browser_mailbox, walk_in_email, r"\S+/account/sign-in/\S+"))
        if walk_in_phone.get_by_role("button", name="Sign in").count():
            walk_in_phone.get_by_role("button", name="Sign in").click()
        expect(walk_in_phone.get_by_role("button", name="Sign out")).to_be_visible()
        walk_in_phone.goto(f"/c/{DAKAR}")
        assert_accessible(walk_in_phone)

        # The projector, opened by the facilitator on the room's screen.
        facilitator_signs_in(projector)
        projector.goto(f"/c/{DAKAR}/manage")
        projector.get_by_role("link", name=re.compile("Plenary console")).first.click()
        projector.get_by_role("link", name="Projector view").click()
        assert_accessible(projector)

        # The demo has a vote open: the approved newcomer's next step is to vote.
        phone.goto(f"/c/{DAKAR}")
        expect(phone.locator("html")).to_have_attribute("data-live", "connected")
        vote_now = phone.locator("#next-step").get_by_role("link", name=re.compile("Vote now"))
        expect(vote_now).to_be_visible()
        assert_accessible(phone)
        phone.screenshot(path=str(screenshots / "3-vote-now.png"), full_page=True)

        said = the_console_closes_the_open_vote(desk)
        assert re.search(r"Votes cast: \d+ of \d+ voting participants present; quorum \d+",
                         said)
        expect(phone.locator("[data-vote-banner] a")).to_have_count(0, timeout=5_000)

        # The next recommendation goes to the vote: both phones hear it without a reload.
        walk_in_phone.goto(f"/c/{DAKAR}")
        expect(walk_in_phone.locator("html")).to_have_attribute("data-live", "connected")
        desk.goto(f"/c/{DAKAR}/console")
        open_button = desk.get_by_role("button", name=re.compile("Open the vote on")).first
        reference = re.search(r"R\d+", open_button.inner_text()).group(0)
        open_button.click()
        for someone in (phone, walk_in_phone):
            link = someone.locator("[data-vote-banner]").get_by_role(
                "link", name=re.compile(f"Vote now: {reference}"))
            expect(link).to_be_visible(timeout=5_000)
            assert someone.evaluate("performance.getEntriesByType('navigation').length") == 1
        phone.screenshot(path=str(screenshots / "4-vote-now-live.png"), full_page=True)

        expect(projector.get_by_text(reference).first).to_be_visible(timeout=5_000)
        for someone, choice in ((phone, "Support"), (walk_in_phone, "Support with reservations")):
            someone.locator("[data-vote-banner]").get_by_role("link").first.click()
            box = someone.locator("#vote")
            expect(box).to_be_in_viewport()
            box.get_by_label(choice, exact=True).check()
            if choice != "Support":
                box.get_by_label(re.compile("reservation", re.I)).last.fill(
                    "Subject to our national data-protection law.")
            box.get_by_role("button", name="Send my vote").click()
            expect(box.locator(".vote-feedback")).to_contain_text("Your vote is")
            assert_accessible(someone)
            width = someone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"the page is {width} px wide on a phone"
        phone.screenshot(path=str(screenshots / "5-voted.png"), full_page=True)

        # The room's screen counts both votes, live.
        expect(projector.locator(".turnout [data-voted]")).to_have_text("2", timeout=5_000)
        for choice in ("support", "support_with_reservations"):
            expect(projector.locator(f'[data-bar-count="{choice}"]')).to_have_text("1")
        projector.screenshot(path=str(screenshots / "6-projector.png"), full_page=True)

        said = the_console_closes_the_open_vote(desk)
        assert "Votes cast: 2 of" in said
        desk.goto(f"/c/{DAKAR}/results")
        expect(desk.locator("main")).to_contain_text(re.compile(r"2 of \d+ voted"))
        assert_accessible(desk)
        desk.screenshot(path=str(screenshots / "7-results.png"), full_page=True)
    except Exception:
        screenshot_every_page(screenshots, phone_browser, walk_in_browser, desk_browser,
                              projector_browser)
        raise
    finally:
        close_all(phone_browser, walk_in_browser, desk_browser, projector_browser)


def no_scripts_to_check(page) -> None:
    """Axe runs in the page: with JavaScript off, the same pages are checked in the walk
    above."""


def test_the_dakar_day_without_javascript(chromium, demo_server, browser_mailbox, screenshots):
    """A phone with JavaScript off (a data-saving browser, a strict company setting) lives the
    same day by plain pages and forms: the next step and "Vote now" come from the server."""
    phone_browser = phone_context(chromium, demo_server, javascript=False)
    walk_in_browser = phone_context(chromium, demo_server, javascript=False)
    desk_browser = context_for(chromium, demo_server)
    try:
        phone, walk_in_phone = phone_browser.new_page(), walk_in_browser.new_page()
        desk = desk_browser.new_page()
        email, name = unique_email(), "Awa Diallo"
        the_newcomer_finds_dakar_and_registers(phone, browser_mailbox, email, name,
                                               check=no_scripts_to_check)
        facilitator_signs_in(desk)
        the_facilitator_adds_places(desk, name)

        # The vote the demo left open is the newcomer's next step.
        phone.goto(f"/c/{DAKAR}")
        phone.locator("#next-step").get_by_role("link", name=re.compile("Vote now: R5")).click()
        box = phone.locator("#vote")
        box.get_by_label("Oppose", exact=True).check()
        box.get_by_role("button", name="Send my vote").click()
        expect(phone.get_by_role("status").first).to_contain_text("Your vote is stored: Oppose.")
        phone.screenshot(path=str(screenshots / "1-voted.png"), full_page=True)

        said = the_console_closes_the_open_vote(desk)
        assert "Votes cast: 7 of 21" in said
        desk.goto(f"/c/{DAKAR}/console")
        desk.get_by_role("button", name="Open the vote on R3").click()

        walk_in_email = unique_email()
        the_desk_registers_a_walk_in(desk, walk_in_email, "Ousmane Sow")
        walk_in_phone.goto(link_in(browser_mailbox, walk_in_email, r"\S+/account/sign-in/\S+"))
        if walk_in_phone.get_by_role("button", name="Sign in").count():
            walk_in_phone.get_by_role("button", name="Sign in").click()
        for someone, choice in ((phone, "Support"), (walk_in_phone, "Abstain")):
            # Nothing comes by itself without the socket: the next page load says it.
            someone.goto(f"/c/{DAKAR}")
            someone.locator("#next-step").get_by_role(
                "link", name=re.compile("Vote now: R3")).click()
            box = someone.locator("#vote")
            box.get_by_label(choice, exact=True).check()
            box.get_by_role("button", name="Send my vote").click()
            expect(someone.get_by_role("status").first).to_contain_text(
                f"Your vote is stored: {choice}.")

        said = the_console_closes_the_open_vote(desk)
        assert "Votes cast: 2 of 22" in said
        phone.goto(f"/c/{DAKAR}/results")
        expect(phone.locator("main")).to_contain_text("2 of 22 voted")
        phone.screenshot(path=str(screenshots / "2-results.png"), full_page=True)
    except Exception:
        screenshot_every_page(screenshots, phone_browser, walk_in_browser, desk_browser)
        raise
    finally:
        close_all(phone_browser, walk_in_browser, desk_browser)
