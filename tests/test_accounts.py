import re
import time
from datetime import timedelta

from sqlalchemy import func, select

from portal.accounts.models import SignInFailure, SignUpRequest, StakeholderGroup
from portal.audit.models import AuditEvent
from portal.database import utcnow
from tests.conftest import PASSWORD, find_user, sign_in, submit

SIGN_UP = {
    "name": "Delegate of the Moroccan Red Crescent",
    "email": "Delegate@Example.org",
    "organisation": "Moroccan Red Crescent",
    "stakeholder_group": "red_cross",
    "country": "MA",
    "preferred_locale": "fr",
    "password": PASSWORD,
    "password_confirmation": PASSWORD,
}


def sign_up(client, follow_redirects=False, **changes):
    return submit(
        client, "/account/sign-up", {**SIGN_UP, **changes}, follow_redirects=follow_redirects
    )


def actions(session) -> list[str]:
    return session.execute(select(AuditEvent.action).order_by(AuditEvent.id)).scalars().all()


CONFIRMATION_LINK = re.compile(r"http://portal\.test(/account/sign-up/confirm/\S+)")


def confirm_sign_up(client, mailbox, address="delegate@example.org", **kwargs):
    """Follow the link the sign-up e-mailed, and press the button it shows."""
    (message,) = mailbox.to(address)
    path = CONFIRMATION_LINK.search(message.get_content()).group(1)
    return submit(client, path, {}, **kwargs)


def test_sign_up_mails_a_link_that_creates_the_account_and_signs_it_in(
    client, session, mailbox
):
    response = sign_up(client, follow_redirects=True)

    assert "Check your e-mail" in response.get_data(as_text=True)
    assert find_user("delegate@example.org") is None
    assert client.get("/account/profile").status_code == 302
    (message,) = mailbox.to("delegate@example.org")
    assert "Confirmez votre adresse" in message["Subject"]   # in the language chosen

    created = confirm_sign_up(client, mailbox, follow_redirects=True)

    assert "Bienvenue, Delegate of the Moroccan Red Crescent" in created.get_data(as_text=True)
    user = find_user("delegate@example.org")
    assert user.organisation == "Moroccan Red Crescent"
    assert user.stakeholder_group == StakeholderGroup.red_cross
    assert user.preferred_locale == "fr"
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert "account.signed_up" in actions(session)
    assert client.get("/account/profile").status_code == 200
    # The link worked once.
    (message,) = mailbox.to("delegate@example.org")
    path = CONFIRMATION_LINK.search(message.get_content()).group(1)
    other = client.application.test_client()
    assert other.get(path).headers["Location"] == "/account/sign-up"
    assert other.get("/account/profile").status_code == 302


def test_a_sign_up_link_no_longer_works_after_a_day(client, session, mailbox):
    sign_up(client)
    for pending in session.scalars(select(SignUpRequest)):
        pending.expires_at = utcnow() - timedelta(seconds=1)
    session.flush()

    (message,) = mailbox.to("delegate@example.org")
    path = CONFIRMATION_LINK.search(message.get_content()).group(1)
    response = client.get(path, follow_redirects=True)

    assert "This link has expired or was used already" in response.get_data(as_text=True)
    assert find_user("delegate@example.org") is None


def test_sign_up_leads_back_to_the_page_it_came_from(client, mailbox):
    submit(client, "/account/sign-up", SIGN_UP, query_string={"next": "/account/personal-data"})

    response = confirm_sign_up(client, mailbox)

    assert response.headers["Location"] == "/account/personal-data"


def without_csrf_token(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*', "", response.get_data(as_text=True))


def test_sign_up_for_a_known_address_answers_as_for_a_new_one_and_mails_the_owner(
    app, client, make_user, mailbox, session
):
    owner = make_user(email="delegate@example.org", preferred_locale="es")
    stranger = app.test_client()

    started = time.perf_counter()
    known = sign_up(client, email="DELEGATE@example.ORG")
    known_time = time.perf_counter() - started
    started = time.perf_counter()
    new = sign_up(stranger, email="newcomer@example.org")
    new_time = time.perf_counter() - started

    assert (known.status_code, known.headers["Location"]) == \
        (new.status_code, new.headers["Location"]) == (302, "/account/sign-up/sent")
    assert without_csrf_token(client.get("/account/sign-up/sent")) == \
        without_csrf_token(stranger.get("/account/sign-up/sent"))
    # Both hash the password and send one e-mail: neither answers much faster.
    assert known_time > new_time / 3 and new_time > known_time / 3
    (warning,) = mailbox.to("delegate@example.org")
    text = warning.get_content()
    assert "intentado crear" in warning["Subject"]   # the owner's language
    assert "http://portal.test/account/sign-in" in text
    assert "http://portal.test/account/password/reset" in text
    assert "/account/sign-up/confirm/" not in text
    # Nothing changed in the account; no second account, no pending sign-up for it.
    assert session.scalar(select(func.count()).select_from(SignUpRequest)
                          .where(SignUpRequest.email == "delegate@example.org")) == 0
    session.refresh(owner)
    assert owner.name == "Delegate 1"


def test_sign_up_refuses_a_weak_password_and_keeps_the_form(client, session):
    response = sign_up(client, password="password123", password_confirmation="password123")

    page = response.get_data(as_text=True)
    assert "This password is too easy to guess" in page
    assert 'value="Delegate of the Moroccan Red Crescent"' in page
    assert find_user("delegate@example.org") is None


def test_sign_up_refuses_a_short_password(client):
    response = sign_up(client, password="Xq7!pz", password_confirmation="Xq7!pz")

    assert "Use at least 10 characters." in response.get_data(as_text=True)


def test_a_long_passphrase_signs_up_and_signs_in(client, mailbox):
    passphrase = "harmattan wind over the baobab river at dawn " * 2  # 92 characters
    assert sign_up(client, password=passphrase,
                   password_confirmation=passphrase).status_code == 302
    assert confirm_sign_up(client, mailbox).status_code == 302
    submit(client, "/account/sign-out", {}, form_path="/")

    assert sign_in(client, "delegate@example.org", passphrase).status_code == 302


def test_sign_up_refuses_a_password_too_long_to_type_at_sign_in(client):
    password = "baobab-" * 19  # 133 characters
    response = sign_up(client, password=password, password_confirmation=password)

    assert "Use 128 characters at most." in response.get_data(as_text=True)
    assert find_user("delegate@example.org") is None


def test_sign_up_refuses_a_password_made_of_the_persons_own_details(client):
    response = sign_up(
        client, password="MoroccanRedCrescent", password_confirmation="MoroccanRedCrescent"
    )

    assert "This password is too easy to guess" in response.get_data(as_text=True)


def test_sign_up_refuses_a_malformed_address(client):
    response = sign_up(client, email="delegate-at-example.org")

    assert "Enter an e-mail address like name@example.org." in response.get_data(as_text=True)
    assert find_user("delegate-at-example.org") is None


def test_sign_up_refuses_a_country_outside_iso_3166(client):
    response = sign_up(client, country="XX")

    assert "Not a valid choice" in response.get_data(as_text=True)
    assert find_user("delegate@example.org") is None


def test_sign_in_with_any_case_of_the_address_and_sign_out(client, make_user, session):
    make_user(email="facilitator@example.org")

    response = sign_in(client, "FACILITATOR@example.org")
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 200

    response = submit(client, "/account/sign-out", {}, form_path="/", follow_redirects=True)
    assert "You are signed out." in response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302
    assert actions(session)[-2:] == ["account.signed_in", "account.signed_out"]


def test_wrong_password_is_refused_with_a_message_that_does_not_tell_which(client, make_user):
    make_user(email="participant@example.org")

    wrong_password = sign_in(client, "participant@example.org", "not the password at all")
    unknown_address = sign_in(client, "nobody@example.org")

    message = "The e-mail address or the password is not right."
    assert message in wrong_password.get_data(as_text=True)
    assert message in unknown_address.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302


def test_sign_in_replaces_the_session_so_nothing_planted_before_survives(client, make_user):
    make_user(email="participant@example.org")
    with client.session_transaction() as planted:
        planted["planted"] = "by someone else"

    sign_in(client, "participant@example.org")

    with client.session_transaction() as after:
        assert "planted" not in after
        assert "_user_id" in after


def test_session_cookie_is_http_only_and_same_site(client, make_user):
    make_user(email="participant@example.org")

    response = sign_in(client, "participant@example.org")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


ATTACKER = {"environ_base": {"REMOTE_ADDR": "198.51.100.66"}}
OWNER = {"environ_base": {"REMOTE_ADDR": "203.0.113.10"}}


def test_failures_for_an_account_make_that_address_wait_longer_and_longer(
    client, make_user, session
):
    make_user(email="target@example.org")
    for _attempt in range(5):
        sign_in(client, "target@example.org", "guess number one two", **ATTACKER)

    response = sign_in(client, "Target@example.org", **ATTACKER)

    page = response.get_data(as_text=True)
    assert "Too many failed sign-ins. Wait 1 minute and try again" in page
    assert client.get("/account/profile").status_code == 302
    assert "account.sign_in_throttled" in actions(session)
    # Once the wait is over, each further failure doubles it.
    for failure in session.scalars(select(SignInFailure)):
        failure.attempted_at -= timedelta(minutes=2)
    session.flush()
    sign_in(client, "target@example.org", "guess number three four", **ATTACKER)
    response = sign_in(client, "target@example.org", **ATTACKER)
    assert "Wait 2 minutes" in response.get_data(as_text=True)


def test_failures_from_another_address_do_not_lock_the_owner_out(client, make_user, session):
    make_user(email="target@example.org")
    for attempt in range(12):
        sign_in(client, "target@example.org", f"guess number {attempt}", **ATTACKER)
    assert "Too many failed sign-ins" in sign_in(
        client, "target@example.org", **ATTACKER).get_data(as_text=True)

    owner = client.application.test_client()
    response = sign_in(owner, "target@example.org", **OWNER)

    assert response.status_code == 302
    assert owner.get("/account/profile").status_code == 200


def test_the_delay_ends_and_a_success_forgives_that_address(client, make_user, session):
    make_user(email="target@example.org")
    for _attempt in range(5):
        sign_in(client, "target@example.org", "guess number one two")
    a_while_ago = utcnow() - timedelta(minutes=2)
    for failure in session.execute(select(SignInFailure)).scalars():
        failure.attempted_at = a_while_ago
    session.flush()

    response = sign_in(client, "target@example.org")

    assert response.status_code == 302
    assert session.scalar(select(func.count()).select_from(SignInFailure)) == 0


def test_many_failures_from_one_address_refuse_other_accounts_from_it(app, client, make_user):
    make_user(email="innocent@example.org")
    limit = app.config["SIGN_IN_FAILURES_PER_ADDRESS"]
    for attempt in range(limit):
        sign_in(client, f"guess{attempt}@example.org", "guess number one two")

    response = sign_in(client, "innocent@example.org")

    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_a_few_failures_from_a_shared_venue_address_do_not_lock_out_the_room(
    client, make_user, session
):
    make_user(email="delegate@example.org")
    for attempt in range(4):
        sign_in(client, f"guess{attempt}@example.org", "guess number one two")

    response = sign_in(client, "delegate@example.org")

    assert response.status_code == 302
    assert session.execute(select(func.count()).select_from(SignInFailure)).scalar() == 4


def test_next_leads_back_to_a_page_of_the_portal(client, make_user):
    make_user(email="participant@example.org")

    response = sign_in(client, "participant@example.org", form_path="/account/sign-in",
                       query_string={"next": "/account/profile"})

    assert response.headers["Location"] == "/account/profile"


def test_next_never_leads_to_another_site(client, make_user):
    make_user(email="participant@example.org")
    for target in ["https://evil.example/", "//evil.example/", "/\\evil.example",
                   "javascript:alert(1)", "http:/evil.example"]:
        with client.session_transaction() as state:
            state.clear()
        response = sign_in(client, "participant@example.org", query_string={"next": target})
        assert response.headers["Location"] == "/", target


def test_profile_changes_are_saved_and_a_bad_one_keeps_the_rest(client, make_user, session):
    user = make_user(email="participant@example.org")
    sign_in(client, "participant@example.org")
    fields = {"name": "Delegate of Caritas Senegal", "organisation": "Caritas Senegal",
              "stakeholder_group": "civil_society", "country": "SN", "preferred_locale": "en"}

    refused = submit(client, "/account/profile", {**fields, "country": ""})
    assert "Choose a country." in refused.get_data(as_text=True)
    assert 'value="Caritas Senegal"' in refused.get_data(as_text=True)

    saved = submit(client, "/account/profile", fields, follow_redirects=True)
    assert "Your profile is saved." in saved.get_data(as_text=True)
    session.refresh(user)
    assert user.organisation == "Caritas Senegal"
    assert user.stakeholder_group == StakeholderGroup.civil_society


def test_password_change_needs_the_current_password_and_signs_out_other_devices(
    app, client, make_user
):
    make_user(email="participant@example.org")
    other_device = app.test_client()
    sign_in(other_device, "participant@example.org")
    sign_in(client, "participant@example.org")
    new_password = "mangrove-sahel-lantern-77"

    refused = submit(client, "/account/password", {
        "current_password": "not the password at all", "new_password": new_password,
        "new_password_confirmation": new_password})
    assert "The current password is not right." in refused.get_data(as_text=True)

    changed = submit(client, "/account/password", {
        "current_password": PASSWORD, "new_password": new_password,
        "new_password_confirmation": new_password}, follow_redirects=True)
    assert "Your password is changed." in changed.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 200
    assert other_device.get("/account/profile").status_code == 302
