import json

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import anonymisation, operations
from portal.accounts.forms import (
    AccountDeletionForm,
    PasswordChangeForm,
    PasswordResetForm,
    PasswordResetRequestForm,
    ProfileForm,
    SignInForm,
    SignUpForm,
)
from portal.accounts.personal_data import personal_data_of
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.navigation import safe_next
from portal.rate_limits import email_in_form, limited

blueprint = Blueprint("accounts", __name__, url_prefix="/account")


def _redirect_after_sign_in():
    return redirect(safe_next(request.args.get("next")) or url_for("consultations.index"))


def _start_session(user, remember: bool = False) -> None:
    # A fresh session at sign-in: nothing set before it, including a planted value, survives.
    session.clear()
    login_user(user, remember=remember)


@blueprint.route("/sign-up", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGN_UP")
def sign_up():
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    form = SignUpForm()
    if form.validate_on_submit():
        try:
            user = operations.create_account(
                email=form.email.data,
                password=form.password.data,
                name=form.name.data,
                organisation=form.organisation.data,
                stakeholder_group=form.stakeholder_group.data,
                country=form.country.data,
                preferred_locale=form.preferred_locale.data,
            )
        except operations.AccountExists:
            form.email.errors.append(_("An account with this e-mail address exists already."))
        else:
            _start_session(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.name), "success")
            return _redirect_after_sign_in()
    return render_template("accounts/sign_up.html", form=form)


@blueprint.route("/sign-in", methods=["GET", "POST"])
@limited("RATE_LIMIT_SIGN_IN")
def sign_in():
    if current_user.is_authenticated:
        return _redirect_after_sign_in()
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(
                form.email.data, form.password.data, request.remote_addr or "unknown"
            )
        except operations.SignInRefused as refusal:
            if refusal.wait_minutes:
                form.form_errors.append(
                    ngettext(
                        "Too many failed sign-ins. Wait %(num)d minute and try again, "
                        "or reset your password.",
                        "Too many failed sign-ins. Wait %(num)d minutes and try again, "
                        "or reset your password.",
                        refusal.wait_minutes,
                    )
                )
            else:
                form.form_errors.append(_("The e-mail address or the password is not right."))
        else:
            _start_session(user, remember=form.remember.data)
            return _redirect_after_sign_in()
    return render_template("accounts/sign_in.html", form=form)


@blueprint.post("/sign-out")
def sign_out():
    if current_user.is_authenticated:
        record_event("account.signed_out", actor=current_user, target=current_user)
    logout_user()
    session.clear()
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
        if operations.change_password(user, form.current_password.data, form.new_password.data):
            # The session token changed: stay signed in here, signed out everywhere else.
            _start_session(user)
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
        _start_session(user)
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
            logout_user()
            session.clear()
            flash(_("Your account is deleted. Thank you for taking part."), "success")
            return redirect(url_for("consultations.index"))
    return render_template("accounts/delete.html", form=form, refusal=refusal)
