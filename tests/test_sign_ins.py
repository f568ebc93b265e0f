"""Sign-ins per device: signing out ends this device's on the server, a password change or
reset ends the others; e-mailed sign-in links; lifting the delay after failed sign-ins."""

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

from sqlalchemy import func, select

from consultations.models import Role
from portal.accounts import operations
from portal.accounts.models import SignIn, SignInFailure, SignInLink
from portal.audit.models import AuditEvent
from portal.database import utcnow
from tests.conftest import PASSWORD, sign_in, submit

ATTACKER = {"environ_base": {"REMOTE_ADDR": "198.51.100.66"}}
NEW_PASSWORD = "mangrove-sahel-lantern-77"
#: The test app's SERVER_NAME, where its cookies are set.
DOMAIN = "portal.test"


def copy_of_cookies(client, app):
    """Another browser holding the cookies this one holds now, as an attacker who saved them
    would."""
    replay = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name, domain=DOMAIN)
        if cookie is not None:
            replay.set_cookie(name, cookie.value, domain=DOMAIN)
    return replay


def sign_out(client):
    return submit(client, "/account/sign-out", {}, form_path="/")


# Signing out -----------------------------------------------------------------------------------

def test_a_cookie_saved_before_signing_out_signs_nobody_in_afterwards(app, client, make_user):
    make_user(email="delegate@example.org")
    sign_in(client, "delegate@example.org")
    saved = copy_of_cookies(client, app)
    assert saved.get("/account/personal-data").status_code == 200

    sign_out(client)

    assert copy_of_cookies(client, app).get("/account/personal-data").status_code == 302
    assert saved.get("/account/personal-data").status_code == 302


def test_a_remember_me_cookie_saved_before_signing_out_signs_nobody_in_afterwards(
    app, client, make_user
):
    make_user(email="delegate@example.org")
    submit(client, "/account/sign-in", {"email": "delegate@example.org", "password": PASSWORD,
                                        "remember": "y"})
    remembered = app.test_client()
    cookie = client.get_cookie("remember_token", domain=DOMAIN)
    remembered.set_cookie("remember_token", cookie.value, domain=DOMAIN)
    assert remembered.get("/account/personal-data").status_code == 200

    sign_out(client)

    forgotten = app.test_client()
    forgotten.set_cookie("remember_token", cookie.value, domain=DOMAIN)
    assert forgotten.get("/account/personal-data").status_code == 302


def test_signing_out_one_device_keeps_the_others_signed_in(app, client, make_user):
    make_user(email="delegate@example.org")
    phone = app.test_client()
    sign_in(phone, "delegate@example.org")
    sign_in(client, "delegate@example.org")

    sign_out(client)

    assert phone.get("/account/profile").status_code == 200
    assert client.get("/account/profile").status_code == 302


# Password change and reset ----------------------------------------------------------------------

def test_a_password_change_signs_out_every_other_device_and_keeps_this_one(
    app, client, make_user, session
):
    user = make_user(email="delegate@example.org")
    phone = app.test_client()
    sign_in(phone, "delegate@example.org")
    sign_in(client, "delegate@example.org")
    this_device_before = copy_of_cookies(client, app)

    submit(client, "/account/password", {
        "current_password": PASSWORD, "new_password": NEW_PASSWORD,
        "new_password_confirmation": NEW_PASSWORD})

    assert client.get("/account/profile").status_code == 200
    assert phone.get("/account/profile").status_code == 302
    # This device carries a new sign-in: a copy of its cookie taken before no longer works.
    assert this_device_before.get("/account/profile").status_code == 302
    active = session.scalar(select(func.count()).select_from(SignIn).where(
        SignIn.user_id == user.id, SignIn.ended_at.is_(None)))
    assert active == 1


def test_ending_the_sign_ins_of_an_account_tells_which_ended(make_user, session):
    user = make_user(email="delegate@example.org")
    operations.start_sign_in(user, "credentials")
    kept = user.current_sign_in
    operations.start_sign_in(user, "credentials")
    other = user.current_sign_in

    assert operations.end_sign_ins_of(user, except_=kept) == [other.id]
    assert kept.ended_at is None and other.ended_at is not None
    assert operations.end_sign_ins_of(user) == [kept.id]


def test_a_password_reset_signs_out_every_device(app, client, make_user, mailbox):
    make_user(email="delegate@example.org")
    phone = app.test_client()
    sign_in(phone, "delegate@example.org")
    submit(client, "/account/password/reset", {"email": "delegate@example.org"})
    (message,) = mailbox.to("delegate@example.org")
    path = re.search(r"http://portal\.test(/account/password/reset/\S+)",
                     message.get_content()).group(1)

    submit(client, path, {"new_password": NEW_PASSWORD,
                          "new_password_confirmation": NEW_PASSWORD})

    assert client.get("/account/profile").status_code == 200
    assert phone.get("/account/profile").status_code == 302


# Sign-in links ---------------------------------------------------------------------------------

SIGN_IN_LINK = re.compile(r"http://portal\.test(/account/sign-in/link/[^\s?]+)")


def ask_for_a_link(client, email="delegate@example.org", **kwargs):
    return submit(client, "/account/sign-in/link", {"email": email}, **kwargs)


def link_in(mailbox, email="delegate@example.org") -> str:
    (message,) = mailbox.to(email)
    return SIGN_IN_LINK.search(message.get_content()).group(1)


def test_a_sign_in_link_signs_in_once(app, client, make_user, mailbox, session):
    make_user(email="delegate@example.org", preferred_locale="fr")
    asked = ask_for_a_link(client, "Delegate@example.org", follow_redirects=True)
    assert "If an account has this address, a link to sign in is on its way" in \
        asked.get_data(as_text=True)
    path = link_in(mailbox)
    assert mailbox.to("delegate@example.org")[0]["Subject"] == \
        "Votre lien pour vous connecter à Red Talks"   # in the person's language
    # Opening the link (as a mail scanner would) signs nobody in; the button does.
    assert "Sign in as Delegate 1 on this device?" in client.get(path).get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302

    used = submit(client, path, {})

    assert used.status_code == 302 and used.headers["Location"] == "/"
    assert client.get("/account/profile").status_code == 200
    assert session.scalar(select(SignIn.method).order_by(SignIn.id.desc()).limit(1)) == "link"
    again = app.test_client()
    refused = again.get(path, follow_redirects=True)
    assert "This sign-in link has expired or was used already" in refused.get_data(as_text=True)
    assert again.get("/account/profile").status_code == 302


def test_a_sign_in_link_no_longer_works_after_fifteen_minutes(client, make_user, mailbox,
                                                              session):
    make_user(email="delegate@example.org")
    ask_for_a_link(client)
    path = link_in(mailbox)
    page = client.get(path).get_data(as_text=True)
    for link in session.scalars(select(SignInLink)):
        link.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()

    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    response = client.post(path, data={"csrf_token": token})

    assert response.headers["Location"] == "/account/sign-in/link"
    assert client.get("/account/profile").status_code == 302


def test_a_sign_in_link_works_while_password_sign_ins_wait_and_ends_nothing(
    app, client, make_user, mailbox
):
    make_user(email="delegate@example.org")
    laptop = app.test_client()
    sign_in(laptop, "delegate@example.org")
    for attempt in range(8):
        sign_in(client, "delegate@example.org", f"guess number {attempt}")
    assert "Too many failed sign-ins" in sign_in(
        client, "delegate@example.org").get_data(as_text=True)

    ask_for_a_link(client)
    submit(client, link_in(mailbox), {})

    assert client.get("/account/profile").status_code == 200
    assert laptop.get("/account/profile").status_code == 200


def test_a_sign_in_link_request_answers_the_same_for_an_unknown_address(
    client, make_user, mailbox
):
    make_user(email="delegate@example.org")

    known = ask_for_a_link(client, "delegate@example.org")
    unknown = ask_for_a_link(client, "nobody@example.org")

    assert (known.status_code, known.headers["Location"]) == \
        (unknown.status_code, unknown.headers["Location"])
    assert mailbox.to("nobody@example.org") == []
    assert len(mailbox.to("delegate@example.org")) == 1


def test_the_sign_in_page_offers_a_sign_in_link(client):
    page = client.get("/account/sign-in").get_data(as_text=True)

    assert 'href="/account/sign-in/link"' in page and "E-mail me a sign-in link" in page


# Lifting the delay -----------------------------------------------------------------------------

def locked_out_participant(client, make_user, make_consultation, register):
    consultation = make_consultation()
    facilitator = make_user(email="facilitator@example.org")
    register(facilitator, consultation, Role.facilitator)
    person = make_user(email="delegate@example.org", name="Aminata Diallo")
    register(person, consultation, Role.participant)
    for attempt in range(8):
        sign_in(client, "delegate@example.org", f"guess number {attempt}", **ATTACKER)
    return consultation, person


def test_a_facilitator_lets_a_locked_out_participant_sign_in_and_it_is_audited(
    app, client, make_user, make_consultation, register, session
):
    consultation, person = locked_out_participant(client, make_user, make_consultation,
                                                  register)
    assert "Too many failed sign-ins" in sign_in(
        client, "delegate@example.org", **ATTACKER).get_data(as_text=True)
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")
    listing = facilitator.get(f"/c/{consultation.slug}/registrations").get_data(as_text=True)
    assert "Let Aminata Diallo sign in now" in listing

    response = submit(facilitator, f"/account/people/{person.id}/sign-in-lock/lift",
                      {"next": f"/c/{consultation.slug}/registrations"},
                      form_path=f"/c/{consultation.slug}/registrations",
                      follow_redirects=True)

    assert "Aminata Diallo can sign in again at once." in response.get_data(as_text=True)
    assert "Let Aminata Diallo sign in now" not in response.get_data(as_text=True)
    assert sign_in(client, "delegate@example.org", **ATTACKER).status_code == 302
    event = session.scalar(select(AuditEvent).where(
        AuditEvent.action == "account.sign_in_lock_lifted"))
    # Five failures: the attempts made while waiting were refused without being counted.
    assert event.target_id == person.id and event.details["failures"] == 5
    assert event.actor_id is not None


def test_a_participant_cannot_lift_someone_elses_delay(
    app, client, make_user, make_consultation, register, session
):
    consultation, person = locked_out_participant(client, make_user, make_consultation,
                                                  register)
    other = make_user(email="other@example.org")
    register(other, consultation, Role.participant)
    participant = app.test_client()
    sign_in(participant, "other@example.org")

    response = submit(participant, f"/account/people/{person.id}/sign-in-lock/lift", {},
                      form_path="/")

    assert response.status_code == 403
    assert session.scalar(select(func.count()).select_from(SignInFailure)
                          .where(SignInFailure.user_id == person.id)) == 5


def test_a_sign_in_outlives_the_browser_being_closed_for_the_consultation_day(
        app, client, make_user):
    make_user(email="delegate@example.org")

    response = sign_in(client, "delegate@example.org")

    session_cookie = next(header for header in response.headers.getlist("Set-Cookie")
                          if header.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    expires = re.search(r"Expires=([^;]+)", session_cookie)
    assert expires, "a cookie without Expires ends when the browser is closed"
    lasts = parsedate_to_datetime(expires.group(1)) - utcnow()
    assert timedelta(hours=24) < lasts <= timedelta(hours=36)
