"""The browser client (portal/static/js/live.js) after the server process is killed and started
again: the page reconnects by itself, joins the round again and shows the tally as it is now,
votes stored meanwhile included, without a reload."""

from playwright.sync_api import expect
from sqlalchemy import select

from portal import create_app
from portal.accounts.operations import find_account
from portal.extensions import db
from recommendations import voting
from recommendations.models import VoteRound
from tests.conftest import suite_settings
from tests.databases import scratch_database
from tests.servers import PortalServer, prepare_database
from tests.test_server_restart import PASSWORD, fill


def test_a_page_reconnects_after_the_server_is_killed_and_shows_the_tally_as_it_is_now(
    chromium, tmp_path
):
    with scratch_database(tmp_path, "reconnect") as url:
        prepare_database(url, fill)
        server = PortalServer(url, tmp_path).start()
        contexts = []
        app = create_app(suite_settings(url))
        try:
            def signed_in(email):
                contexts.append(chromium.new_context(base_url=server.url, locale="en-GB"))
                page = contexts[-1].new_page()
                page.set_default_timeout(15_000)
                page.goto("/account/sign-in")
                page.get_by_label("E-mail address").fill(email)
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_role("button", name="Sign out")).to_be_visible()
                return page

            with app.app_context():
                recommendation_id = db.session.scalar(select(VoteRound.recommendation_id))
            # The facilitator's projector shows the tally; a participant votes from a phone.
            projector = signed_in("voter0@example.org")
            projector.goto("/c/plenary/projector")
            live = projector.locator("html")
            expect(live).to_have_attribute("data-live", "connected")
            phone = signed_in("voter1@example.org")
            phone.goto(f"/c/plenary/recommendations/{recommendation_id}")
            expect(phone.locator("html")).to_have_attribute("data-live", "connected")
            phone.get_by_label("Support", exact=True).check()
            phone.get_by_role("button", name="Send my vote").click()
            expect(phone.locator(".vote-feedback")).to_contain_text("Your vote is")
            support = projector.locator('[data-count="support"]').first
            expect(support).to_have_text("1")

            server.kill()
            expect(live).to_have_attribute("data-live", "disconnected")
            expect(phone.locator("html")).to_have_attribute("data-live", "disconnected")
            # Another participant's vote is stored while the pages cannot hear of it.
            with app.app_context():
                round_ = db.session.scalar(select(VoteRound))
                voting.cast_vote(round_, find_account("voter2@example.org"), "support")
                db.session.commit()
            server.start()

            # socket.io-client retries with a pause of at most 5 s: a generous deadline.
            expect(live).to_have_attribute("data-live", "connected", timeout=60_000)
            expect(support).to_have_text("2", timeout=30_000)
            expect(phone.locator("html")).to_have_attribute("data-live", "connected",
                                                            timeout=60_000)
            expect(phone.locator(".vote-feedback")).to_contain_text(
                "Your vote is counted in the tally.", timeout=30_000)
            for page in (projector, phone):
                assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        finally:
            for context in contexts:
                context.close()
            server.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
