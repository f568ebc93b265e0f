"""Signing in through an organisation's identity provider: the button on the sign-in page
sends the browser there, the provider sends it back with a code, and a new account is
finished with what the provider does not tell (portal.accounts.openid for the protocol,
portal.accounts.identities for the accounts)."""

import time

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import identities, openid, operations
from portal.accounts.forms import ProfileForm
from portal.accounts.openid import SingleSignOnRefused, VerifiedIdentity
from portal.accounts.sessions import client_address, start_session
from portal.accounts.views import _redirect_after_sign_in, blueprint
from portal.audit.operations import record_event
from portal.config import LOCALES
from portal.navigation import safe_next
from portal.rate_limits import limited
from portal.refusals import despite_refusal

#: The session key of a verified identity waiting for its new account's details.
NEW_ACCOUNT_KEY = "openid_new_account"
#: How long the details may take to fill in.
NEW_ACCOUNT_SECONDS = 30 * 60


def _provider(name: str) -> openid.Provider:
    return openid.provider_named(name) or abort(404)


def _callback_url(provider: openid.Provider) -> str:
    return url_for("accounts.openid_callback", provider=provider.name, _external=True)


def _refused(refusal: SingleSignOnRefused, provider: openid.Provider, next_path=None):
    despite_refusal(lambda: record_event("account.single_sign_on_refused",
                                         issuer=provider.issuer, reason=refusal.code))
    flash(refusal.reason, "error")
    return redirect(url_for("accounts.sign_in", next=next_path))


@blueprint.get("/sign-in/openid/<provider>")
@limited("RATE_LIMIT_SIGN_IN", methods=("GET",))
def openid_start(provider):
    """The button's link (a link, not a form: browsers apply the page's form-action to where
    a form's answer redirects, and the provider is another site). Starting a sign-in changes
    nothing but this device's session."""
    provider = _provider(provider)
    next_path = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    try:
        url = openid.authorisation_url(provider, _callback_url(provider), next_path)
    except SingleSignOnRefused as refusal:
        return _refused(refusal, provider, next_path)
    return redirect(url, code=303)


@blueprint.get("/sign-in/openid/<provider>/callback")
@limited("RATE_LIMIT_SIGN_IN", methods=("GET",))
def openid_callback(provider):
    provider = _provider(provider)
    try:
        waiting = openid.take_pending(provider, request.args.get("state"))
    except SingleSignOnRefused as refusal:
        return _refused(refusal, provider)
    next_path = safe_next(waiting.get("next"))
    try:
        identity = openid.finish(provider, waiting, code=request.args.get("code"),
                                 issuer=request.args.get("iss"),
                                 redirect_uri=_callback_url(provider))
        user = identities.account_for(identity, provider_label=provider.label)
    except SingleSignOnRefused as refusal:
        return _refused(refusal, provider, next_path)
    if user is None:
        session[NEW_ACCOUNT_KEY] = {
            "identity": identity.__dict__, "provider": provider.name, "next": next_path,
            "started": time.time()}
        return redirect(url_for("accounts.openid_new_account"))
    return _sign_in(user, next_path)


def _sign_in(user, next_path):
    operations.sign_in_by_provider(user, client_address())
    start_session(user, method="oidc")
    return redirect(next_path or url_for("consultations.index"))


def _waiting_identity():
    waiting = session.get(NEW_ACCOUNT_KEY)
    if not isinstance(waiting, dict) or waiting.get("started", 0) + NEW_ACCOUNT_SECONDS \
            <= time.time():
        return None, None
    return VerifiedIdentity(**waiting["identity"]), waiting


@blueprint.route("/sign-in/openid/new-account", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGN_UP")
def openid_new_account():
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    identity, waiting = _waiting_identity()
    provider = openid.provider_named(waiting["provider"]) if waiting else None
    if identity is None or provider is None:
        flash(_("This sign-in took too long. Start again."), "error")
        return redirect(url_for("accounts.sign_in"))
    known = {"name": identity.name}
    if _locale_of(identity):
        known["preferred_locale"] = _locale_of(identity)
    form = ProfileForm(data=None if request.method == "POST" else known)
    if form.validate_on_submit():
        try:
            user = identities.create_account_for(
                identity, name=form.name.data, organisation=form.organisation.data,
                stakeholder_group=form.stakeholder_group.data, country=form.country.data,
                preferred_locale=form.preferred_locale.data)
        except SingleSignOnRefused as refusal:
            return _refused(refusal, provider)
        answer = _sign_in(user, safe_next(waiting.get("next")))
        # After the sign-in, which starts a fresh session.
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
        return answer
    return render_template("accounts/openid_new_account.html", form=form, identity=identity,
                           provider=provider)


def _locale_of(identity: VerifiedIdentity) -> str | None:
    """The provider's ``locale`` claim, if it is one of the portal's languages."""
    language = (identity.locale or "").replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else None
