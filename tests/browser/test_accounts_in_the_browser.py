import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

PASSWORD = "harmattan-baobab-river-42"


def unique_email() -> str:
    return f"delegate-{uuid.uuid4().hex[:10]}@example.org"


@pytest.fixture
def sign_up(browser_mailbox):
    def fill_in_and_confirm(page, email: str) -> None:
        fill_in_sign_up(page, email)
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
        page.goto(link_in(browser_mailbox, email, r"\S+/account/sign-up/confirm/\S+"))
        page.get_by_role("button", name="Create the account").click()

    return fill_in_and_confirm


def link_in(mailbox, email: str, pattern: str) -> str:
    for _attempt in range(50):
        for message in mailbox.to(email):
            found = re.search(pattern, message.get_content())
            if found:
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {email} with {pattern}")


def fill_in_sign_up(page, email: str) -> None:
    page.goto("/account/sign-up")
    page.get_by_label("Full name").fill("Delegate of the Kenya Red Cross Society")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Organisation").fill("Kenya Red Cross Society")
    page.get_by_label("Stakeholder group").select_option(label="Red Cross / Red Crescent")
    page.get_by_label("Country").select_option(label="Kenya")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create the account").click()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")


def test_a_new_user_signs_up_signs_in_edits_the_profile_and_signs_out(page, sign_up):
    email = unique_email()
    page.goto("/")
    assert_accessible(page)

    page.get_by_role("link", name="Create an account").first.click()
    assert_accessible(page)
    sign_up(page, email)
    expect(page.get_by_role("status")).to_contain_text(
        "Welcome, Delegate of the Kenya Red Cross Society")
    sign_out(page)

    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail address").fill(email.upper())
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Profile").click()
    assert_accessible(page)

    page.get_by_label("Organisation").fill("IFRC Africa Regional Office")
    page.get_by_label("Country").select_option(label="Ethiopia")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.get_by_label("Organisation")).to_have_value("IFRC Africa Regional Office")
    expect(page.get_by_label("Country")).to_have_value("ET")

    sign_out(page)
    page.goto("/account/profile")
    expect(page).to_have_url(re.compile(r"/account/sign-in\?next="))


def test_a_sign_up_for_a_known_address_answers_as_any_and_mails_the_owner(
    page, sign_up, browser_mailbox
):
    email = unique_email()
    sign_up(page, email)
    sign_out(page)

    fill_in_sign_up(page, email.upper())

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    assert_accessible(page)
    link_in(browser_mailbox, email, r"\S+/account/password/reset")


def test_a_sign_in_link_signs_in_without_the_password(page, sign_up, browser_mailbox):
    email = unique_email()
    sign_up(page, email)
    sign_out(page)

    page.goto("/account/sign-in")
    page.get_by_role("link", name="E-mail me a sign-in link").click()
    assert_accessible(page)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("a link to sign in is on its way")
    page.goto(link_in(browser_mailbox, email, r"\S+/account/sign-in/link/\S+"))
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Profile").click()
    expect(page.get_by_label("Organisation")).to_have_value("Kenya Red Cross Society")


def test_a_forged_post_from_another_site_is_refused(page, portal_server, sign_up):
    email = unique_email()
    sign_up(page, email)
    # A page on another origin that posts to the portal on load, without the CSRF token.
    forged = f"""<!doctype html><html lang="en"><title>Prize</title><body>
      <form id="f" method="post" action="{portal_server.url}/account/profile">
        <input name="name" value="Forged"><input name="organisation" value="Forged">
        <input name="stakeholder_group" value="other"><input name="country" value="FR">
        <input name="preferred_locale" value="en">
      </form><script>document.getElementById("f").submit()</script></body></html>"""
    page.route("http://elsewhere.test/", lambda route: route.fulfill(
        status=200, content_type="text/html", body=forged))

    with page.expect_navigation(url=f"{portal_server.url}/account/profile"):
        page.goto("http://elsewhere.test/")

    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    # The person is still signed in on the portal, and nothing changed.
    page.goto("/account/profile")
    expect(page.get_by_label("Organisation")).to_have_value("Kenya Red Cross Society")


def test_a_post_without_the_token_from_the_portal_itself_is_refused(page, sign_up):
    sign_up(page, unique_email())
    page.goto("/account/profile")
    page.locator('form.stacked-form input[name="csrf_token"]').evaluate("field => field.remove()")
    page.get_by_label("Organisation").fill("Forged")

    page.get_by_role("button", name="Save the profile").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("This form has expired")
    assert_accessible(page)
    page.goto("/account/profile")
    expect(page.get_by_label("Organisation")).to_have_value("Kenya Red Cross Society")
