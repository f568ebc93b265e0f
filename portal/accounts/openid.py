"""Signing in through an organisation's identity provider, with OpenID Connect.

The protocol side only: which providers the portal knows (``OIDC_PROVIDERS``), their
discovered configuration, the authorisation request (authorisation code flow with PKCE S256,
a ``state`` and a ``nonce``), and the answer turned into a ``VerifiedIdentity`` once the code
is exchanged and the ID token checked: signed by a key of the provider's JWKS, issued by the
configured issuer, for this portal's client id, not expired, carrying the nonce of this
device's request. What an identity signs in to is ``portal.accounts.identities``' business.

A sign-in waiting for the provider's answer is kept in this device's session (signed by the
portal, so not forged), under its ``state``: the answer is taken once, from the device that
asked, within ``PENDING_SECONDS``.
"""

import json
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, session
from flask_babel import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from portal.refusals import Refused

#: The session key of the sign-ins waiting for their provider's answer, by state.
PENDING_KEY = "openid_pending"
#: How long a sign-in may wait for the provider's answer (the person types a password there,
#: perhaps a second factor).
PENDING_SECONDS = 15 * 60
#: Sign-ins one device may have waiting at once (tabs); the oldest is forgotten first.
MOST_PENDING = 5
#: Seconds the portal waits for a provider's server.
PROVIDER_TIMEOUT = 10
#: How long a provider's discovered configuration and keys are kept before asking again.
METADATA_SECONDS = 3600
#: Clock difference tolerated between the portal and the provider, in seconds.
LEEWAY_SECONDS = 60
#: The ID token signatures accepted (never "none", never a shared-secret HMAC).
SIGNING_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
                      "ES512", "EdDSA"]
SCOPE = "openid email profile"


class SingleSignOnRefused(Refused):
    """The provider's answer is not accepted; ``reason`` says why, in the user's language."""

    code = "single_sign_on_refused"


class ProviderConfigurationError(ValueError):
    """``OIDC_PROVIDERS`` cannot be read: raised when the portal starts."""


@dataclass(frozen=True)
class Provider:
    """An identity provider as configured: ``name`` is its part of the portal's addresses,
    ``label`` what its button says ("Sign in with UNHCR")."""

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"


@dataclass(frozen=True)
class VerifiedIdentity:
    """What a checked ID token says about the person."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str
    locale: str | None


def parse_providers(text: str | None) -> list[dict]:
    """The providers of the ``OIDC_PROVIDERS`` variable: a JSON list of objects with
    ``name``, ``label``, ``issuer``, ``client_id`` and ``client_secret``."""
    if not text or not text.strip():
        return []
    try:
        entries = json.loads(text)
    except ValueError as error:
        raise ProviderConfigurationError(f"OIDC_PROVIDERS is not valid JSON: {error}") from None
    if not isinstance(entries, list):
        raise ProviderConfigurationError("OIDC_PROVIDERS must be a JSON list of providers")
    for entry in entries:
        _checked(entry)
    return entries


def _checked(entry) -> Provider:
    fields = ("name", "label", "issuer", "client_id", "client_secret")
    if not isinstance(entry, dict):
        raise ProviderConfigurationError("each entry of OIDC_PROVIDERS must be an object")
    missing = [name for name in fields if not isinstance(entry.get(name), str)
               or not entry[name].strip()]
    if missing:
        raise ProviderConfigurationError(
            f"OIDC_PROVIDERS entry {entry.get('name')!r} lacks {', '.join(missing)}")
    # "new-account" is the address of the form that finishes a new account.
    if not entry["name"].replace("-", "").isalnum() or entry["name"] != entry["name"].lower() \
            or entry["name"] == "new-account":
        raise ProviderConfigurationError(
            f"OIDC_PROVIDERS name {entry['name']!r}: use lower-case letters, digits and -")
    issuer = urlsplit(entry["issuer"])
    if issuer.scheme not in ("https", "http") or not issuer.netloc or issuer.query:
        raise ProviderConfigurationError(
            f"OIDC_PROVIDERS issuer {entry['issuer']!r} is not an https:// URL")
    return Provider(**{name: entry[name].strip() for name in fields})


def providers() -> list[Provider]:
    """The providers configured, in the order given."""
    return [_checked(entry) for entry in current_app.config.get("OIDC_PROVIDERS") or []]


def provider_named(name: str) -> Provider | None:
    return next((provider for provider in providers() if provider.name == name), None)


# The provider's configuration and keys ------------------------------------------------------

_fetched: dict[str, tuple[float, dict]] = {}


def _unreachable(provider: Provider) -> SingleSignOnRefused:
    return SingleSignOnRefused(_(
        "The sign-in service of %(provider)s cannot be reached just now. Try again in a few "
        "minutes, or sign in with your e-mail address and password.", provider=provider.label))


def _get_json(provider: Provider, url: str, *, fresh: bool = False) -> dict:
    kept = _fetched.get(url)
    if kept and not fresh and kept[0] > time.monotonic():
        return kept[1]
    try:
        response = requests.get(url, timeout=PROVIDER_TIMEOUT,
                                headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        current_app.logger.warning("OpenID provider %s: %s failed: %s", provider.name, url, error)
        raise _unreachable(provider) from None
    if not isinstance(document, dict):
        raise _unreachable(provider)
    _fetched[url] = (time.monotonic() + METADATA_SECONDS, document)
    return document


def metadata_of(provider: Provider) -> dict:
    """The provider's discovered configuration, checked to be its own: the issuer it states
    is the one configured (OpenID Connect Discovery, section 4.3), and it has the endpoints
    the code flow needs."""
    metadata = _get_json(provider, provider.discovery_url)
    endpoints = ("authorization_endpoint", "token_endpoint", "jwks_uri")
    if metadata.get("issuer") != provider.issuer or not all(
            isinstance(metadata.get(name), str) for name in endpoints):
        current_app.logger.warning(
            "OpenID provider %s: its configuration states issuer %r, not the %r configured",
            provider.name, metadata.get("issuer"), provider.issuer)
        _fetched.pop(provider.discovery_url, None)
        raise SingleSignOnRefused(_(
            "The sign-in service of %(provider)s did not answer as the portal expects. Sign "
            "in with your e-mail address and password, and tell the portal's administrators.",
            provider=provider.label), code="wrong_issuer")
    return metadata


# The request ----------------------------------------------------------------------------------

def _client(provider: Provider, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(provider.client_id, provider.client_secret, scope=SCOPE,
                         redirect_uri=redirect_uri, code_challenge_method="S256")


def authorisation_url(provider: Provider, redirect_uri: str, next_path: str | None) -> str:
    """Where to send the browser to sign in at the provider; the request waits in the
    session for its answer."""
    metadata = metadata_of(provider)
    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    with _client(provider, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce,
            code_verifier=verifier)
    now = time.time()
    pending = {key: value for key, value in (session.get(PENDING_KEY) or {}).items()
               if value.get("started", 0) + PENDING_SECONDS > now}
    pending[state] = {"provider": provider.name, "nonce": nonce, "verifier": verifier,
                      "next": next_path, "started": now}
    session[PENDING_KEY] = dict(sorted(pending.items(),
                                       key=lambda item: item[1]["started"])[-MOST_PENDING:])
    return url


def take_pending(provider: Provider, state: str | None) -> dict:
    """The waiting sign-in this ``state`` names, taken out of the session (an answer is
    accepted once); raises SingleSignOnRefused when there is none."""
    pending = dict(session.get(PENDING_KEY) or {})
    waiting = pending.pop(state, None) if isinstance(state, str) else None
    session[PENDING_KEY] = pending
    if (waiting is None or waiting.get("provider") != provider.name
            or waiting.get("started", 0) + PENDING_SECONDS <= time.time()):
        raise SingleSignOnRefused(_(
            "This sign-in was not started on this device, or took too long. Start again."),
            code="unknown_state")
    return waiting


# The answer -----------------------------------------------------------------------------------

def _refused_token(provider: Provider, why: str) -> SingleSignOnRefused:
    current_app.logger.warning("OpenID provider %s: ID token refused: %s", provider.name, why)
    return SingleSignOnRefused(_(
        "The answer from %(provider)s could not be checked, so you are not signed in. Start "
        "again; if it happens again, sign in with your e-mail address and password.",
        provider=provider.label), code="invalid_id_token")


def finish(provider: Provider, waiting: dict, *, code: str | None, issuer: str | None,
           redirect_uri: str) -> VerifiedIdentity:
    """Exchange the authorisation code for tokens and check the ID token."""
    if not code:
        raise SingleSignOnRefused(_("The sign-in at %(provider)s was cancelled.",
                                    provider=provider.label), code="cancelled")
    metadata = metadata_of(provider)
    # RFC 9207: a provider that names itself in its answer must name the one asked.
    if issuer is not None and issuer != provider.issuer:
        raise _refused_token(provider, f"the answer names issuer {issuer!r}")
    try:
        with _client(provider, redirect_uri) as client:
            tokens = client.fetch_token(
                metadata["token_endpoint"], grant_type="authorization_code", code=code,
                code_verifier=waiting["verifier"], timeout=PROVIDER_TIMEOUT)
    except requests.RequestException as error:
        current_app.logger.warning("OpenID provider %s: token request failed: %s",
                                   provider.name, error)
        raise _unreachable(provider) from None
    except OAuthError as error:
        raise _refused_token(provider, f"the code was refused: {error}") from None
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise _refused_token(provider, "no ID token")
    return verify_id_token(provider, metadata, id_token, waiting["nonce"])


def _keys(provider: Provider, metadata: dict, *, fresh: bool = False) -> KeySet:
    try:
        return KeySet.import_key_set(_get_json(provider, metadata["jwks_uri"], fresh=fresh))
    except (JoseError, ValueError, TypeError, KeyError):
        raise _refused_token(provider, "its JWKS cannot be read") from None


def verify_id_token(provider: Provider, metadata: dict, id_token: str,
                    nonce: str) -> VerifiedIdentity:
    """The identity an ID token states, once its signature (by a key of the provider's JWKS,
    fetched again once if the token names a key not seen yet), issuer, audience, expiry and
    nonce are checked; raises SingleSignOnRefused otherwise."""
    try:
        try:
            token = jwt.decode(id_token, _keys(provider, metadata), algorithms=SIGNING_ALGORITHMS)
        except (JoseError, ValueError):
            # The provider may have rolled its keys over since they were fetched.
            token = jwt.decode(id_token, _keys(provider, metadata, fresh=True),
                               algorithms=SIGNING_ALGORITHMS)
        claims = token.claims
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except (JoseError, ValueError) as error:
        raise _refused_token(provider, f"{type(error).__name__}: {error}") from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise _refused_token(provider, "several audiences and another authorised party")
    subject = claims["sub"]
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise _refused_token(provider, "its subject is not a string of 1 to 255 characters")
    email = claims.get("email")
    email = email.strip().lower() if isinstance(email, str) and "@" in email else None
    if email is not None and len(email) > 254:
        email = None
    return VerifiedIdentity(
        issuer=provider.issuer, subject=subject, email=email,
        email_verified=claims.get("email_verified") is True,
        name=_name_of(claims), locale=claims.get("locale") if isinstance(
            claims.get("locale"), str) else None)


def _name_of(claims: dict) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get(part) for part in ("given_name", "family_name")]
        name = " ".join(part.strip() for part in parts if isinstance(part, str) and part.strip())
    return name.strip()[:120]
