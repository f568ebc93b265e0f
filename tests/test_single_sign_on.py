"""Signing in through an organisation's identity provider (OpenID Connect), against a real
provider on loopback (oidc-provider, tests/openid_provider.mjs): the portal discovers it,
sends the browser there with PKCE, a state and a nonce, exchanges the code and checks the ID
token; accounts are found by the identity, linked by a verified address, or created."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import select

from portal.accounts import openid
from portal.accounts.models import LinkedIdentity, SignIn, User
from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import PASSWORD, csrf_token_from, find_user, sign_in, submit
from tests.identity_provider import (
    NAMED_IN_PARTS,
    OTHER_CLIENT,
    PORTAL_CLIENT,
    UNVERIFIED,
    VERIFIED,
    VERIFIED_EMAIL,
    running_provider,
    sign_in_at_provider,
)

PORTAL = "http://portal.test"
CALLBACK = f"{PORTAL}/account/sign-in/openid/unhcr/callback"


@pytest.fixture(scope="module")
def issuer():
    with running_provider(CALLBACK) as url:
        yield url


@pytest.fixture
def provider_settings(app, issuer, monkeypatch):
    """The portal knows the provider as "unhcr", labelled UNHCR."""
    entry = {"name": "unhcr", "label": "UNHCR", "issuer": issuer, **PORTAL_CLIENT}
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [entry])
    return entry


def start(client, next_path=None):
    """Press "Sign in with UNHCR" on the sign-in page; returns where the portal sends to."""
    page = client.get("/account/sign-in" + (f"?next={next_path}" if next_path else ""))
    link = "/account/sign-in/openid/unhcr" + (f"?next={next_path}" if next_path else "")
    assert f'href="{link}"' in page.get_data(as_text=True)
    response = client.get(link)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def answer_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def sign_in_through_provider(client, login, next_path=None):
    """The whole round: the portal, the provider's login form, the portal again."""
    answer = sign_in_at_provider(start(client, next_path), login, answer_to=PORTAL)
    return client.get(answer_path(answer)), answer


def flashed(client) -> str:
    return client.get("/account/sign-in").get_data(as_text=True)


# The round, and what it signs in to --------------------------------------------------------

def test_a_new_person_gets_an_account_after_saying_what_the_provider_does_not(
        client, session, provider_settings, issuer):
    assert "Sign in with UNHCR" in client.get("/account/sign-in").get_data(as_text=True)
    answer, _url = sign_in_through_provider(client, VERIFIED, next_path="/c/anything")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/account/sign-in/openid/new-account")
    form_page = client.get("/account/sign-in/openid/new-account").get_data(as_text=True)
    assert "UNHCR confirmed your address amina.diallo@unhcr.example" in form_page
    assert 'value="Amina Diallo"' in form_page
    # The provider's locale (fr-SN) chooses French for the new account.
    assert 'selected value="fr"' in form_page

    token = csrf_token_from(form_page)
    missing = client.post("/account/sign-in/openid/new-account", data={
        "csrf_token": token, "name": "Amina Diallo", "organisation": "UNHCR Dakar",
        "stakeholder_group": "", "country": "SN", "preferred_locale": "fr"})
    assert missing.status_code == 200
    again = missing.get_data(as_text=True)
    assert "Choose a group." in again
    assert 'value="UNHCR Dakar"' in again, "what was typed is kept"
    assert find_user(VERIFIED_EMAIL) is None

    done = client.post("/account/sign-in/openid/new-account", data={
        "csrf_token": token, "name": "Amina Diallo", "organisation": "UNHCR Dakar",
        "stakeholder_group": "un_agency", "country": "SN", "preferred_locale": "fr"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("/c/anything"), "the page asked for before"
    assert "Welcome, Amina Diallo. Your account is ready." in client.get(
        "/account/profile").get_data(as_text=True)
    user = find_user(VERIFIED_EMAIL)
    assert user.organisation == "UNHCR Dakar" and user.preferred_locale == "fr"
    link = session.scalar(select(LinkedIdentity).where(LinkedIdentity.user_id == user.id))
    assert (link.issuer, link.subject) == (issuer, VERIFIED)
    sign_in_row = session.scalar(select(SignIn).where(SignIn.user_id == user.id))
    assert sign_in_row.method == "oidc" and sign_in_row.ended_at is None
    assert session.scalar(select(AuditEvent).where(
        AuditEvent.action == "account.signed_in", AuditEvent.actor_id == user.id)
    ).details == {"method": "oidc"}
    assert client.get("/account/profile").status_code == 200


def test_a_verified_address_links_the_existing_account_and_later_the_subject_finds_it(
        client, session, make_user, provider_settings, issuer):
    user = make_user(email=VERIFIED_EMAIL, name="Amina Diallo")
    answer, _url = sign_in_through_provider(client, VERIFIED, next_path="/account/profile")
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/account/profile")
    assert client.get("/account/profile").status_code == 200
    assert session.scalar(select(LinkedIdentity.user_id).where(
        LinkedIdentity.issuer == issuer, LinkedIdentity.subject == VERIFIED)) == user.id
    exported = client.get("/account/personal-data").json["linked_identities"]
    assert [(entry["issuer"], entry["subject"]) for entry in exported] == [(issuer, VERIFIED)]

    # The address changes at the portal: the subject still finds the account.
    client.post("/account/sign-out", data={"csrf_token": csrf_token_from(
        client.get("/account/profile").get_data(as_text=True))})
    user.email = "amina.diallo@new-address.example"
    session.flush()
    answer, _url = sign_in_through_provider(client, VERIFIED)
    assert answer.status_code == 302
    assert not answer.headers["Location"].endswith("/new-account")
    assert client.get("/account/profile").status_code == 200
    assert session.scalar(select(db.func.count()).select_from(User).where(
        User.email == VERIFIED_EMAIL)) == 0, "no second account was made"


def test_the_local_password_keeps_working_after_linking(client, session, make_user,
                                                        provider_settings):
    make_user(email=VERIFIED_EMAIL)
    sign_in_through_provider(client, VERIFIED)
    client.post("/account/sign-out", data={"csrf_token": csrf_token_from(
        client.get("/account/profile").get_data(as_text=True))})
    assert sign_in(client, VERIFIED_EMAIL, PASSWORD).status_code == 302


def test_a_name_given_in_parts_is_put_together(client, session, provider_settings):
    sign_in_through_provider(client, NAMED_IN_PARTS)
    form_page = client.get("/account/sign-in/openid/new-account").get_data(as_text=True)
    assert 'value="Fatou Ndiaye"' in form_page


# Refusals ----------------------------------------------------------------------------------

def test_an_unverified_address_is_refused_even_when_an_account_has_it(
        client, session, make_user, provider_settings):
    make_user(email="kwame.mensah@unhcr.example")
    answer, _url = sign_in_through_provider(client, UNVERIFIED)
    assert answer.status_code == 302
    assert "/account/sign-in" in answer.headers["Location"]
    assert "did not confirm that your e-mail address is verified" in flashed(client)
    assert client.get("/account/profile").status_code == 302, "nobody is signed in"
    assert session.scalar(select(db.func.count()).select_from(LinkedIdentity)) == 0
    assert session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "account.single_sign_on_refused")) == {
        "issuer": provider_settings["issuer"], "reason": "unverified_email"}


def test_the_refusal_is_said_in_the_person_s_language(client, session, provider_settings):
    submit(client, "/language", {"locale": "fr", "next": "/"}, form_path="/")
    assert "Se connecter avec UNHCR" in client.get("/account/sign-in").get_data(as_text=True)
    sign_in_through_provider(client, UNVERIFIED)
    page = flashed(client)
    assert "UNHCR n’a pas confirmé" in page or "UNHCR n'a pas confirmé" in page


def test_a_tampered_state_is_refused(client, session, provider_settings):
    answer = sign_in_at_provider(start(client), VERIFIED, answer_to=PORTAL)
    query = parse_qs(urlsplit(answer).query)
    tampered = (f"/account/sign-in/openid/unhcr/callback?code={query['code'][0]}"
                f"&state={query['state'][0][:-2]}xy")
    response = client.get(tampered)
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    assert "This sign-in was not started on this device" in flashed(client)
    assert client.get("/account/profile").status_code == 302


def test_an_answer_from_another_device_is_refused(app, client, session, provider_settings):
    answer = sign_in_at_provider(start(client), VERIFIED, answer_to=PORTAL)
    other_device = app.test_client()
    response = other_device.get(answer_path(answer))
    assert "/account/sign-in" in response.headers["Location"]
    assert other_device.get("/account/profile").status_code == 302


def test_replaying_a_finished_sign_in_is_refused(client, session, make_user,
                                                 provider_settings):
    make_user(email=VERIFIED_EMAIL)
    first, answer = sign_in_through_provider(client, VERIFIED)
    assert client.get("/account/profile").status_code == 200
    client.post("/account/sign-out", data={"csrf_token": csrf_token_from(
        client.get("/account/profile").get_data(as_text=True))})

    replayed = client.get(answer_path(answer))
    assert "/account/sign-in" in replayed.headers["Location"]
    assert client.get("/account/profile").status_code == 302


def test_an_answer_naming_another_issuer_is_refused(client, session, make_user,
                                                    provider_settings):
    make_user(email=VERIFIED_EMAIL)
    answer = sign_in_at_provider(start(client), VERIFIED, answer_to=PORTAL)
    parts = urlsplit(answer)
    query = parse_qs(parts.query)
    assert query["iss"] == [provider_settings["issuer"]], "the provider names itself (RFC 9207)"
    mixed_up = (f"{parts.path}?code={query['code'][0]}&state={query['state'][0]}"
                f"&iss=https%3A%2F%2Fidentity.attacker.example")
    response = client.get(mixed_up)
    assert "/account/sign-in" in response.headers["Location"]
    assert "could not be checked" in flashed(client)
    assert client.get("/account/profile").status_code == 302


def test_a_provider_stating_another_issuer_than_configured_is_refused(
        app, client, session, issuer, monkeypatch):
    # The same server reached by another name: its configuration states 127.0.0.1's issuer.
    other_name = issuer.replace("127.0.0.1", "localhost")
    monkeypatch.setitem(app.config, "OIDC_PROVIDERS", [
        {"name": "unhcr", "label": "UNHCR", "issuer": other_name, **PORTAL_CLIENT}])
    response = client.get("/account/sign-in/openid/unhcr")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    assert "did not answer as the portal expects" in flashed(client)


def test_an_unknown_provider_is_not_found(client, session, provider_settings):
    assert client.get("/account/sign-in/openid/elsewhere").status_code == 404
    assert client.get("/account/sign-in/openid/elsewhere/callback?code=x&state=y"
                      ).status_code == 404


def test_without_providers_the_sign_in_page_has_only_passwords(client, session):
    html = client.get("/account/sign-in").get_data(as_text=True)
    assert "Sign in with" not in html


def test_the_new_account_form_without_a_provider_s_answer_sends_to_sign_in(
        client, session, provider_settings):
    response = client.get("/account/sign-in/openid/new-account")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


# The ID token's checks, on real tokens of the provider --------------------------------------

def real_id_token(issuer, client_settings, redirect_uri, login=VERIFIED) -> tuple[str, str]:
    """A token the provider really issued: the code flow run by the test as the client."""
    metadata = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    nonce, verifier = generate_token(32), generate_token(64)
    with OAuth2Session(client_settings["client_id"], client_settings["client_secret"],
                       scope="openid email profile", redirect_uri=redirect_uri,
                       code_challenge_method="S256") as oauth:
        url, _state = oauth.create_authorization_url(
            metadata["authorization_endpoint"], nonce=nonce, code_verifier=verifier)
        answer = sign_in_at_provider(url, login, answer_to=redirect_uri)
        code = parse_qs(urlsplit(answer).query)["code"][0]
        tokens = oauth.fetch_token(metadata["token_endpoint"], grant_type="authorization_code",
                                   code=code, code_verifier=verifier)
    return tokens["id_token"], nonce


def check(app, issuer, provider: openid.Provider, id_token: str, nonce: str):
    """The portal's checks of ``id_token`` for ``provider``, with the real provider's keys."""
    with app.test_request_context():
        metadata = openid.metadata_of(portal_provider(issuer))
        return openid.verify_id_token(provider, metadata, id_token, nonce)


@pytest.fixture(scope="module")
def portal_token(issuer):
    return real_id_token(issuer, PORTAL_CLIENT, CALLBACK)


def portal_provider(issuer, **changes) -> openid.Provider:
    fields = {"name": "unhcr", "label": "UNHCR", "issuer": issuer, **PORTAL_CLIENT}
    fields.update(changes)
    return openid.Provider(**fields)


def test_a_real_token_passes_every_check(app, issuer, portal_token):
    id_token, nonce = portal_token
    identity = check(app, issuer, portal_provider(issuer), id_token, nonce)
    assert (identity.subject, identity.email, identity.email_verified) == (
        VERIFIED, VERIFIED_EMAIL, True)


def test_a_token_for_another_application_is_refused(app, issuer):
    id_token, nonce = real_id_token(issuer, OTHER_CLIENT, OTHER_CLIENT["redirect_uri"])
    with pytest.raises(openid.SingleSignOnRefused):
        check(app, issuer, portal_provider(issuer), id_token, nonce)
    # The same token is good for the application it was issued to.
    other = portal_provider(issuer, client_id=OTHER_CLIENT["client_id"])
    assert check(app, issuer, other, id_token, nonce).subject == VERIFIED


def test_a_token_from_another_issuer_is_refused(app, issuer, portal_token):
    id_token, nonce = portal_token
    with pytest.raises(openid.SingleSignOnRefused):
        check(app, issuer, portal_provider(issuer.replace("127.0.0.1", "localhost")),
              id_token, nonce)


def test_a_token_with_the_nonce_of_another_sign_in_is_refused(app, issuer, portal_token):
    id_token, _nonce = portal_token
    with pytest.raises(openid.SingleSignOnRefused):
        check(app, issuer, portal_provider(issuer), id_token, generate_token(32))


def test_an_expired_token_is_refused(app, issuer, portal_token, monkeypatch):
    id_token, nonce = portal_token
    later = time.time() + 2 * 3600
    monkeypatch.setattr("joserfc._rfc7519.claims.time.time", lambda: later)
    with pytest.raises(openid.SingleSignOnRefused):
        check(app, issuer, portal_provider(issuer), id_token, nonce)


def test_a_token_whose_signature_is_altered_is_refused(app, issuer, portal_token):
    id_token, nonce = portal_token
    header, payload, signature = id_token.split(".")
    altered = f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    with pytest.raises(openid.SingleSignOnRefused):
        check(app, issuer, portal_provider(issuer), altered, nonce)


def test_a_misconfigured_provider_list_stops_the_portal_with_a_clear_error():
    with pytest.raises(openid.ProviderConfigurationError, match="lacks client_secret"):
        openid.parse_providers('[{"name": "unhcr", "label": "UNHCR", '
                               '"issuer": "https://login.example", "client_id": "a"}]')
    with pytest.raises(openid.ProviderConfigurationError, match="not valid JSON"):
        openid.parse_providers("[{")
    assert openid.parse_providers("") == []


def test_the_sign_in_with_a_provider_is_rate_limited_like_the_sign_in(
        app, client, session, provider_settings, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", True)
    monkeypatch.setitem(app.config, "RATE_LIMIT_SIGN_IN", "2 per minute")
    from portal.rate_limits import limiter

    limiter.reset()
    answers = [client.get("/account/sign-in/openid/unhcr/callback?code=x&state=y"
                          ).status_code for _ in range(3)]
    limiter.reset()
    starts = [client.get("/account/sign-in/openid/unhcr").status_code for _ in range(3)]
    limiter.reset()
    assert answers == [302, 302, 429]
    assert starts == [303, 303, 429]
