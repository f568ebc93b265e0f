"""The browser client (portal/static/js/live.js) after the server process is killed and started
again: the page reconnects by itself, joins the round again and shows the tally as it is now,
votes stored meanwhile included, without a reload."""

from playwright.sync_api import expect
from sqlalchemy import select

from consultations import discussion
from consultations.models import Comment, Consultation, Thread
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
            # What the projector's page sends over its websockets, every connection's.
            sent = []
            projector.on("websocket", lambda socket: socket.on(
                "framesent", lambda frame: sent.append(frame if isinstance(frame, str) else "")))
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
            # Its rooms were named as each connection opened, the first and the one after the
            # restart, and answered then: no join event of its own.
            opened = [frame for frame in sent if frame.startswith("40")]
            assert len(opened) >= 2 and all('"rooms"' in frame for frame in opened)
            assert not [frame for frame in sent if '"join"' in frame]
        finally:
            for context in contexts:
                context.close()
            server.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def test_a_thread_on_a_phone_gets_the_comments_written_and_hidden_while_it_was_away(
    chromium, tmp_path
):
    """In French, 360 px wide: the server goes away, a comment is written and another hidden
    meanwhile; once the page is connected again it shows both changes without a reload."""
    with scratch_database(tmp_path, "thread-away") as url:
        prepare_database(url, fill)
        server = PortalServer(url, tmp_path).start()
        app = create_app(suite_settings(url))
        context = chromium.new_context(base_url=server.url, locale="fr-FR",
                                       viewport={"width": 360, "height": 740})
        try:
            with app.app_context():
                consultation = db.session.scalar(select(Consultation))
                chair = find_account("voter0@example.org")
                thread = discussion.plenary_thread(consultation)
                to_hide = discussion.post_comment(thread, chair, "Un mot avant la pause")
                find_account("voter1@example.org").preferred_locale = "fr"
                db.session.commit()
                thread_id, to_hide_id = thread.id, to_hide.id

            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto("/account/sign-in")
            page.get_by_label("Adresse électronique").fill("voter1@example.org")
            page.get_by_label("Mot de passe").fill(PASSWORD)
            page.get_by_role("button", name="Se connecter").click()
            page.goto(f"/c/plenary/threads/{thread_id}")
            live = page.locator("html")
            expect(live).to_have_attribute("data-live", "connected")
            expect(page.locator(f"#comment-{to_hide_id}")).to_contain_text("Un mot avant")

            server.kill()
            expect(live).to_have_attribute("data-live", "disconnected")
            with app.app_context():
                chair = find_account("voter0@example.org")
                thread = db.session.get(Thread, thread_id)
                discussion.post_comment(thread, chair, "Écrit pendant la coupure")
                discussion.hide_comment(db.session.get(Comment, to_hide_id), chair,
                                        "Hors sujet")
                db.session.commit()
            server.start()

            expect(live).to_have_attribute("data-live", "connected", timeout=60_000)
            expect(page.locator(".comments")).to_contain_text("Écrit pendant la coupure",
                                                              timeout=30_000)
            expect(page.locator(f"#comment-{to_hide_id}")).not_to_contain_text("Un mot avant")
            expect(page.locator(f"#comment-{to_hide_id}")).to_contain_text(
                "masqué", timeout=30_000)
            assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            page.screenshot(path=str(tmp_path / "thread-after-reconnect.png"), full_page=True)
        finally:
            context.close()
            server.stop()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
