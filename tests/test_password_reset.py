import re

from tests.conftest import PASSWORD, sign_in, submit

NEW_PASSWORD = "mangrove-sahel-lantern-77"


def reset_link(message) -> str:
    body = message.get_payload(decode=True).decode()
    return re.search(r"http://portal\.test(/account/password/reset/\S+)", body).group(1)


def test_reset_link_arrives_by_mail_and_sets_a_new_password(client, make_user, mailbox):
    make_user(email="participant@example.org", name="Delegate of Caritas Senegal")

    response = submit(client, "/account/password/reset", {"email": "Participant@example.org"},
                      follow_redirects=True)
    assert "a link to choose a new password is on its way" in response.get_data(as_text=True)

    [message] = mailbox.to("participant@example.org")
    assert message["Subject"] == "Reset your Red Talks password"
    assert "Hello Delegate of Caritas Senegal," in message.get_payload(decode=True).decode()
    link = reset_link(message)

    done = submit(client, link, {"new_password": NEW_PASSWORD,
                                 "new_password_confirmation": NEW_PASSWORD},
                  follow_redirects=True)
    assert "Your new password is set and you are signed in." in done.get_data(as_text=True)

    fresh = client.application.test_client()
    assert sign_in(fresh, "participant@example.org", PASSWORD).status_code == 200
    assert sign_in(fresh, "participant@example.org", NEW_PASSWORD).status_code == 302


def test_reset_link_works_only_once(client, make_user, mailbox):
    make_user(email="participant@example.org")
    submit(client, "/account/password/reset", {"email": "participant@example.org"})
    link = reset_link(mailbox.to("participant@example.org")[0])
    submit(client, link, {"new_password": NEW_PASSWORD, "new_password_confirmation": NEW_PASSWORD})
    submit(client, "/account/sign-out", {}, form_path="/")

    again = client.get(link, follow_redirects=True)

    assert "This link has expired or was used already." in again.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, mailbox):
    response = submit(client, "/account/password/reset", {"email": "nobody@example.org"},
                      follow_redirects=True)

    assert "a link to choose a new password is on its way" in response.get_data(as_text=True)
    assert mailbox.messages == []


def test_a_tampered_link_is_refused(client, make_user):
    response = client.get("/account/password/reset/not-a-real-token", follow_redirects=True)

    assert "This link has expired or was used already." in response.get_data(as_text=True)
