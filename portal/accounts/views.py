import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal import permissions
from portal.accounts import anonymisation, openid, operations
from portal.accounts.forms import (
    AccountDeletionForm,
    ConfirmationForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignInForm,
    SignInLinkRequestForm,
    SignUpForm,
)
from portal.accounts.models import User
from portal.accounts.personal_data import personal_data_of
from portal.accounts.sessions import client_address, end_session, forget_session, start_session
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.navigation import safe_next
from portal.rate_limits import email_in_form, limited

blueprint = Blueprint("accounts", __name__, url_prefix="/account")


def _redirect_after_sign_in():
    return redirect(safe_next(request.args.get("next")) or url_for("consultations.index"))


@blueprint.route("/sign-up", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGN_UP")
@limited("RATE_LIMIT_SIGN_UP_PER_EMAIL", key_func=email_in_form)
def sign_up():
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    form = SignUpForm()
    if form.validate_on_submit():
        # The same answer whether the address has an account or not: a link to confirm it,
        # or a word to its owner, goes to the address.
        operations.request_sign_up(
            email=form.email.data,
            password=form.password.data,
            name=form.name.data,
            organisation=form.organisation.data,
            stakeholder_group=form.stakeholder_group.data,
            country=form.country.data,
            preferred_locale=form.preferred_locale.data,
            next_path=safe_next(request.args.get("next")),
            confirmation_link_for=lambda token: url_for(
                "accounts.confirm_sign_up", token=token, _external=True),
            sign_in_url=url_for("accounts.sign_in", _external=True),
            password_reset_url=url_for("accounts.request_password_reset", _external=True),
        )
        return redirect(url_for("accounts.sign_up_sent"))
    return render_template("accounts/sign_up.html", form=form)


@blueprint.get("/sign-up/sent")
def sign_up_sent():
    return render_template("accounts/sign_up_sent.html")


@blueprint.route("/sign-up/confirm/<token>", methods=["GET", "POST"])
def confirm_sign_up(token):
    try:
        pending = operations.pending_sign_up(token)
    except operations.InvalidSignUpLink:
        flash(_("This link has expired or was used already. Sign in, or sign up again."),
              "error")
        return redirect(url_for("accounts.sign_up"))
    form = ConfirmationForm()
    if form.validate_on_submit():
        try:
            user, next_path = operations.confirm_sign_up(token)
        except operations.AccountExists:
            flash(_("An account with this e-mail address exists already: sign in."), "info")
            return redirect(url_for("accounts.sign_in"))
        start_session(user, method="sign_up")
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
        return redirect(safe_next(next_path) or url_for("consultations.index"))
    return render_template("accounts/confirm_sign_up.html", form=form, pending=pending)


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGN_IN")
def sign_in():
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(
                form.email.data, form.password.data, client_address()
            )
        except operations.PasswordHashingBusy as busy:
            form.form_errors.append(ngettext(
                "Many people are signing in at this moment. Try again in %(num)d second.",
                "Many people are signing in at this moment. Try again in %(num)d seconds.",
                busy.retry_after))
            return (render_template("accounts/sign_in.html", form=form), 503,
                    {"Retry-After": str(busy.retry_after)})
        except operations.SignInRefused as refusal:
            form.form_errors.append(_sign_in_refusal(refusal))
        else:
            start_session(user, method="credentials", remember=form.remember.data)
            return _redirect_after_sign_in()
    return render_template("accounts/sign_in.html", form=form, providers=openid.providers())


def _sign_in_refusal(refusal) -> str:
    """Why the sign-in is refused, as the form says it."""
    if refusal.wait_minutes:
        return ngettext(
            "Too many failed sign-ins. Wait %(num)d minute and try again, "
            "or ask for a sign-in link by e-mail.",
            "Too many failed sign-ins. Wait %(num)d minutes and try again, "
            "or ask for a sign-in link by e-mail.",
            refusal.wait_minutes,
        )
    return _("The e-mail address or the password is not right.")


@blueprint.route("/sign-in/link", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGN_IN_LINK")
@limited("RATE_LIMIT_SIGN_IN_LINK_PER_EMAIL", key_func=email_in_form)
def request_sign_in_link():
    form = SignInLinkRequestForm()
    if form.validate_on_submit():
        operations.request_sign_in_link(
            form.email.data,
            lambda token: url_for("accounts.sign_in_with_link", token=token, _external=True,
                                  next=safe_next(request.args.get("next"))),
        )
        minutes = current_app.config["SIGN_IN_LINK_MAX_AGE_SECONDS"] // 60
        flash(ngettext("If an account has this address, a link to sign in is on its way. "
                       "It works once, within %(num)d minute.",
                       "If an account has this address, a link to sign in is on its way. "
                       "It works once, within %(num)d minutes.", minutes), "info")
        return redirect(url_for("accounts.sign_in", next=safe_next(request.args.get("next"))))
    return render_template("accounts/request_sign_in_link.html", form=form)


@blueprint.route("/sign-in/link/<token>", methods=["GET", "POST"])
def sign_in_with_link(token):
    try:
        user = operations.check_sign_in_link(token)
    except operations.InvalidSignInLink:
        return _invalid_sign_in_link()
    form = ConfirmationForm()
    if form.validate_on_submit():
        try:
            user = operations.use_sign_in_link(token, client_address())
        except operations.InvalidSignInLink:
            return _invalid_sign_in_link()
        start_session(user, method="link")
        return _redirect_after_sign_in()
    return render_template("accounts/sign_in_with_link.html", form=form, user=user)


def _invalid_sign_in_link():
    flash(_("This sign-in link has expired or was used already. Ask for a new one."), "error")
    return redirect(url_for("accounts.request_sign_in_link"))


@blueprint.post("/people/<int:user_id>/sign-in-lock/lift")
@login_required
def lift_sign_in_lock(user_id):
    user = db.session.get(User, user_id) or abort(404)
    if not permissions.may_lift_sign_in_lock(current_user, user):
        abort(403)
    back = safe_next(request.form.get("next")) or url_for("consultations.index")
    if ConfirmationForm().validate_on_submit():
        operations.lift_sign_in_lock(user, current_user._get_current_object())
        flash(_("%(name)s can sign in again at once.", name=user.name), "success")
    return redirect(back)


@blueprint.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        record_event("account.signed_out", actor=current_user, target=current_user)
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("consultations.index"))


@blueprint.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        operations.update_profile(
            current_user,
            name=form.name.data,
            organisation=form.organisation.data,
            stakeholder_group=form.stakeholder_group.data,
            country=form.country.data,
            preferred_locale=form.preferred_locale.data,
        )
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form)


@blueprint.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = PasswordChangeForm(user=current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        ended = operations.change_password(
            user, form.current_password.data, form.new_password.data)
        if ended is not None:
            # Every sign-in ended: this device gets a new one, every other is signed out.
            start_session(user, method="credentials")
            flash(_("Your password is changed. Other devices are signed out."), "success")
            return redirect(url_for("accounts.profile"))
        form.current_password.errors.append(_("The current password is not right."))
    return render_template("accounts/change_password.html", form=form)


@blueprint.route("/password/reset", methods=["GET", "POST"])
@limited("RATE_LIMIT_PASSWORD_RESET")
@limited("RATE_LIMIT_PASSWORD_RESET_PER_EMAIL", key_func=email_in_form)
def request_password_reset():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        operations.request_password_reset(
            form.email.data,
            lambda token: url_for("accounts.reset_password", token=token, _external=True),
        )
        flash(
            _("If an account has this address, a link to choose a new password is on its way. "
              "It works for one hour."),
            "info",
        )
        return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/request_password_reset.html", form=form)


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user = operations.account_for_reset_token(token)
    except operations.InvalidResetLink:
        flash(_("This link has expired or was used already. Ask for a new one."), "error")
        return redirect(url_for("accounts.request_password_reset"))
    form = PasswordResetForm(user=user)
    if form.validate_on_submit():
        operations.reset_password(token, form.new_password.data)
        start_session(user, method="reset_link")
        flash(_("Your new password is set and you are signed in."), "success")
        return redirect(url_for("consultations.index"))
    return render_template("accounts/reset_password.html", form=form)


@blueprint.get("/personal-data")
@login_required
def personal_data():
    """Everything the portal holds about the signed-in person, as a JSON file."""
    user = current_user._get_current_object()
    document = {"generated_at": utcnow().isoformat(), **personal_data_of(user)}
    record_event("account.personal_data_downloaded", actor=user, target=user)
    body = json.dumps(document, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="red-talks-personal-data.json"',
        "Cache-Control": "no-store",
    })


@blueprint.route("/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    user = current_user._get_current_object()
    form = AccountDeletionForm()
    refusal = anonymisation.deletion_refusal(user)
    if not refusal and form.validate_on_submit():
        try:
            anonymisation.delete_account(user, form.password.data)
        except anonymisation.AccountDeletionRefused as refused:
            form.password.errors.append(refused.reason)
        else:
            forget_session()
            flash(_("Your account is deleted. Thank you for taking part."), "success")
            return redirect(url_for("consultations.index"))
    return render_template("accounts/delete.html", form=form, refusal=refusal)


# The routes of signing in through an organisation's identity provider, on this blueprint.
from portal.accounts import openid_views  # noqa: E402, F401
