"""Registering, seeing and cancelling one's registration, and the facilitators' side of it:
decisions, invitations, questions, the list with its figures, the export and check-in."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consultations import badges
from consultations import invitations as invitees
from consultations import registrations as rules
from consultations.forms import (
    DecisionForm,
    InviteeImportForm,
    QuestionForm,
    StatusForm,
    registration_form,
    text,
    walk_in_form,
)
from consultations.geography import sub_region_label
from consultations.models import (
    Attendance,
    AttributionRule,
    Invitation,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    RegistrationStatus,
)
from consultations.views import blueprint
from portal import permissions
from portal.accounts import operations as accounts
from portal.accounts.models import StakeholderGroup, User
from portal.accounts.sessions import start_session
from portal.countries import country_name
from portal.database import is_row_id
from portal.extensions import db
from portal.i18n import RIGHT_TO_LEFT
from portal.page_access import load_consultation, load_within, require
from portal.rate_limits import limited
from portal.security import PERMISSIONS_POLICY
from portal.spreadsheets import Column, downloads


@blueprint.route("/c/<slug>/register", methods=["GET", "POST"])
@limited("RATE_LIMIT_REGISTRATION")
def register(slug):
    consultation = load_consultation(slug)
    existing = permissions.registration_of(current_user, consultation)
    if existing is not None and existing.status not in rules.ENDED:
        return redirect(url_for("consultations.my_registration", slug=slug))
    closed = rules.registration_closed_reason(consultation, current_user)
    if closed:
        return render_template("consultations/registration/closed.html",
                               consultation=consultation, reason=closed), 403
    questions = rules.questions_of(consultation)
    with_account = not current_user.is_authenticated
    form = _registration_form(consultation, questions, with_account, existing)
    if form.validate_on_submit():
        registration = _register_from(form, consultation, questions, with_account)
        if registration is not None:
            if with_account:
                start_session(registration.user, method="registration")
            flash(_status_message(registration), "success")
            return redirect(url_for("consultations.my_registration", slug=slug))
    return render_template("consultations/registration/form.html", consultation=consultation,
                           form=form, questions=questions, with_account=with_account,
                           places_left=rules.places_left(consultation))


def _registration_form(consultation, questions, with_account: bool, existing):
    """The form, filled from the invitation an address names (before signing in) or from the
    signed-in person's profile and earlier registration."""
    invitation = None
    if with_account and request.args.get("email"):
        invitation = rules.invitation_for(consultation, request.args["email"])
    form = registration_form(
        consultation, questions, with_account=with_account,
        obj=None if with_account else current_user,
        data=_invitation_data(invitation) if invitation and request.method == "GET" else None,
    )
    if request.method == "GET" and not with_account and existing is not None:
        form.languages.data = existing.languages
    return form


def _register_from(form, consultation, questions, with_account: bool):
    """The registration the form asks for (and the account, when it makes one); None when
    refused, the form then saying why."""
    try:
        user = _account_for(form) if with_account else current_user._get_current_object()
        if not with_account:
            accounts.update_profile(
                user, **{name: form[name].data for name in accounts.PROFILE_FIELDS})
        return rules.register(
            consultation, user,
            organisation=text(form.organisation),
            stakeholder_group=StakeholderGroup(form.stakeholder_group.data),
            country=form.country.data,
            attendance=Attendance(form.attendance.data),
            languages=form.languages.data,
            interpretation_language=form.interpretation_language.data or None,
            accessibility_needs=text(form.accessibility_needs),
            notes=text(form.notes),
            answers=form.answers(questions),
            consented=form.consent.data,
            listed_in_outcome=bool(form.listed_in_outcome.data) and (
                consultation.attribution_rule == AttributionRule.attributed),
        )
    except accounts.AccountExists:
        form.email.errors.append(_("An account with this e-mail address exists already. "
                                   "Sign in first, then register."))
    except rules.RegistrationRefused as refusal:
        db.session.rollback()
        form.form_errors.append(refusal.reason)
    return None


def _invitation_data(invitation: Invitation) -> dict:
    return {"email": invitation.email, "name": invitation.name,
            "organisation": invitation.organisation,
            "stakeholder_group": invitation.stakeholder_group.value
            if invitation.stakeholder_group else "",
            "country": invitation.country or ""}


def _account_for(form) -> User:
    return accounts.create_account(
        email=form.email.data, password=form.password.data, name=text(form.name),
        organisation=text(form.organisation), stakeholder_group=form.stakeholder_group.data,
        country=form.country.data, preferred_locale=form.preferred_locale.data,
    )


def _status_message(registration: Registration) -> str:
    return {
        RegistrationStatus.approved: _("You are registered. See you there!"),
        RegistrationStatus.pending: _("Your registration is received. The facilitators will "
                                      "review it; you will get an e-mail."),
        RegistrationStatus.waitlisted: _("The consultation is full: you are on the waitlist. "
                                         "You will get an e-mail if a place becomes free."),
    }.get(registration.status, _("Your registration is saved."))


@blueprint.get("/c/<slug>/registration")
@login_required
def my_registration(slug):
    consultation = load_consultation(slug)
    registration = permissions.registration_of(current_user, consultation)
    if registration is None:
        return redirect(url_for("consultations.register", slug=slug))
    position = None
    if registration.status == RegistrationStatus.waitlisted:
        position = rules.waitlist_position(registration)
    return render_template("consultations/registration/mine.html", consultation=consultation,
                           registration=registration, position=position, form=StatusForm())


@blueprint.post("/c/<slug>/registration/cancel")
@login_required
def cancel_registration(slug):
    consultation = load_consultation(slug)
    if not permissions.may_cancel_registration(current_user, consultation):
        abort(404)
    if StatusForm().validate_on_submit():
        rules.cancel(permissions.registration_of(current_user, consultation), current_user)
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("consultations.my_registration", slug=slug))


# The facilitators' side ----------------------------------------------------------------------

def _filtered_registrations(consultation):
    """The facilitators' list with the filters the request asks for (unknown ones dropped)."""
    filters = {"status": request.args.get("status", ""),
               "group": request.args.get("group", ""),
               "country": request.args.get("country", "").upper()[:2]}
    if filters["status"] not in {status.value for status in RegistrationStatus}:
        filters["status"] = ""
    if filters["group"] not in {group.value for group in StakeholderGroup}:
        filters["group"] = ""
    query = rules.registrations_matching(
        consultation, status=filters["status"] or None, group=filters["group"] or None,
        country=filters["country"] or None)
    return query, filters


@blueprint.get("/c/<slug>/registrations")
@login_required
def registrations(slug):
    consultation = load_consultation(slug)
    require(permissions.may_view_registrations(current_user, consultation))
    query, filters = _filtered_registrations(consultation)
    listed = db.session.scalars(query).all()
    may_decide = permissions.may_manage_registrations(current_user, consultation)
    return render_template(
        "consultations/registration/list.html", consultation=consultation,
        registrations=listed, filters=filters,
        figures=rules.participation_figures(consultation), decision_form=DecisionForm(),
        places_left=rules.places_left(consultation), stakeholder_groups=list(StakeholderGroup),
        may_decide=may_decide,
        # Whom a facilitator may let sign in now (permissions.may_lift_sign_in_lock).
        sign_in_delays=accounts.accounts_with_sign_in_delay(
            [r.user_id for r in listed if r.user_id]) if may_decide else set(),
        country_name=country_name, sub_region_label=sub_region_label)


@blueprint.post("/c/<slug>/registrations/decide")
@login_required
def decide(slug):
    consultation = load_consultation(slug)
    require(permissions.may_manage_registrations(current_user, consultation))
    form = DecisionForm()
    ids = [number for number in request.form.getlist("registration", type=int)
           if is_row_id(number)]
    if not form.validate_on_submit() or not ids:
        flash(_("Tick at least one registration, then choose a decision."), "error")
        return redirect(url_for("consultations.registrations", slug=slug))
    chosen = db.session.scalars(
        select(Registration).where(Registration.consultation_id == consultation.id,
                                   Registration.id.in_(ids),
                                   Registration.anonymised_at.is_(None))
        .order_by(Registration.created_at, Registration.id)
    ).all()
    done, refused = rules.decide_many(chosen, current_user,
                                      RegistrationStatus(form.decision.data), text(form.message))
    flash(ngettext("Decision recorded for %(num)d registration.",
                   "Decision recorded for %(num)d registrations.", done), "success")
    if refused:
        flash(ngettext("%(num)d could not be approved: no place is left. Put them on the "
                       "waitlist or raise the number of places.",
                       "%(num)d could not be approved: no place is left. Put them on the "
                       "waitlist or raise the number of places.", refused), "error")
    return redirect(url_for("consultations.registrations", slug=slug, **{
        key: value for key, value in request.args.items()}))


@blueprint.get("/c/<slug>/registrations.csv")
@login_required
def export_registrations(slug):
    return _registrations_download(slug, "csv")


@blueprint.get("/c/<slug>/registrations.xlsx")
@login_required
def export_registrations_xlsx(slug):
    return _registrations_download(slug, "xlsx")


def _registrations_download(slug, file_format: str):
    consultation = load_consultation(slug)
    require(permissions.may_view_registrations(current_user, consultation))
    query, _filters = _filtered_registrations(consultation)
    questions = rules.questions_of(consultation)
    registrations = db.session.scalars(query).unique()
    zone = consultation.time_zone
    columns = [
        Column("name", _("Name")), Column("email", _("E-mail address")),
        Column("organisation", _("Organisation")),
        Column("stakeholder_group", _("Stakeholder group")), Column("country", _("Country")),
        Column("status", _("Status")), Column("attendance", _("Taking part")),
        Column("languages", _("Languages")), Column("interpretation", _("Interpretation")),
        Column("accessibility_needs", _("Accessibility needs")),
        Column("notes", _("Dietary or access notes")),
        Column("registered_at", _("Registered (%(time_zone)s time)", time_zone=zone)),
        Column("checked_in_at", _("Checked in (%(time_zone)s time)", time_zone=zone)),
        *[Column(question.prompt, question.prompt) for question in questions],
    ]
    rows = [[
        registration.user.name, registration.user.email, registration.organisation,
        registration.stakeholder_group, registration.country, registration.status,
        registration.attendance, " ".join(registration.languages),
        registration.interpretation_language or "", registration.accessibility_needs,
        registration.notes, registration.created_at, registration.checked_in_at or "",
        *[_answer_cell(registration, question) for question in questions],
    ] for registration in registrations]
    return downloads(columns, rows, f"{slug}-registrations", file_format,
                     sheet_name=_("Registrations"), time_zone=zone,
                     right_to_left=str(get_locale()) in RIGHT_TO_LEFT)


def _answer_cell(registration, question) -> str:
    answer = next((answer.value for answer in registration.answers
                   if answer.question_id == question.id), "")
    return "; ".join(answer) if isinstance(answer, list) else answer


@blueprint.route("/c/<slug>/invitations", methods=["GET", "POST"])
@login_required
def invitations(slug):
    consultation = load_consultation(slug)
    require(permissions.may_manage_registrations(current_user, consultation))
    form = InviteeImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            imported = invitees.import_invitees(consultation, current_user, form.invitees.data)
        except invitees.InviteeListRejected as rejection:
            errors = rejection.errors
            form.invitees.errors.append(_("Nothing was imported: correct the rows below and "
                                          "send the list again."))
        else:
            flash(ngettext("%(num)d invitee is on the list.", "%(num)d invitees are on the list.",
                           len(imported)), "success")
            return redirect(url_for("consultations.invitations", slug=slug))
    listed = invitees.invitees_of(consultation)
    return render_template("consultations/registration/invitations.html",
                           consultation=consultation, form=form, errors=errors,
                           invitations=listed, send_form=StatusForm(),
                           deliveries=invitees.invitation_deliveries(listed))


@blueprint.post("/c/<slug>/invitations/send")
@login_required
def send_invitations(slug):
    consultation = load_consultation(slug)
    require(permissions.may_manage_registrations(current_user, consultation))
    if StatusForm().validate_on_submit():
        sent = invitees.send_invitations(consultation, current_user, lambda invitation: url_for(
            "consultations.register", slug=slug, email=invitation.email, _external=True))
        flash(ngettext("%(num)d invitation sent.", "%(num)d invitations sent.", sent),
              "success")
    return redirect(url_for("consultations.invitations", slug=slug))


@blueprint.route("/c/<slug>/questions", methods=["GET", "POST"])
@login_required
def questions(slug):
    consultation = load_consultation(slug)
    require(permissions.may_edit_consultation(current_user, consultation))
    form = QuestionForm()
    if form.validate_on_submit():
        rules.add_question(consultation, current_user, prompt=text(form.prompt),
                           kind=QuestionKind(form.kind.data), options=form.option_list(),
                           required=form.required.data)
        flash(_("The question is added to the registration form."), "success")
        return redirect(url_for("consultations.questions", slug=slug))
    return render_template("consultations/registration/questions.html",
                           consultation=consultation, form=form,
                           questions=rules.questions_of(consultation), remove_form=StatusForm())


@blueprint.post("/c/<slug>/questions/<int:question_id>/remove")
@login_required
def remove_question(slug, question_id):
    consultation = load_consultation(slug)
    require(permissions.may_edit_consultation(current_user, consultation))
    question = load_within(consultation, RegistrationQuestion, question_id)
    if StatusForm().validate_on_submit():
        rules.remove_question(question, current_user)
        flash(_("The question is removed."), "success")
    return redirect(url_for("consultations.questions", slug=slug))


#: The portal's Permissions-Policy but for the camera, which the check-in page may use.
CHECK_IN_PERMISSIONS = PERMISSIONS_POLICY.replace("camera=()", "camera=(self)")


@blueprint.get("/c/<slug>/check-in")
@login_required
def check_in(slug):
    consultation = load_consultation(slug)
    require(permissions.may_check_in(current_user, consultation))
    search = request.args.get("q", "").strip()[:100]
    return _check_in_page(consultation, search, walk_in_form(
        data={"preferred_locale": consultation.working_languages[0]}))


def _check_in_page(consultation, search, walk_in, status=200):
    page = render_template("consultations/registration/check_in.html",
                           consultation=consultation, search=search,
                           registrations=rules.people_to_check_in(consultation, search),
                           present=rules.checked_in_count(consultation),
                           taking_part=rules.participation_figures(consultation)["by_attendance"],
                           attendance=list(Attendance), form=StatusForm(),
                           walk_in=walk_in, papers=list(badges.Paper),
                           paper=badges.default_paper(consultation))
    # The one page that may use the camera: it scans the QR codes of badges.
    return page, status, {"Permissions-Policy": CHECK_IN_PERMISSIONS}


@blueprint.post("/c/<slug>/check-in/walk-in")
@login_required
def walk_in(slug):
    """Register and check in someone who arrives without a registration."""
    consultation = load_consultation(slug)
    require(permissions.may_check_in(current_user, consultation))
    form = walk_in_form()
    if form.validate_on_submit():
        try:
            done = rules.register_walk_in(
                consultation, current_user, email=form.email.data, name=text(form.name),
                organisation=text(form.organisation),
                stakeholder_group=StakeholderGroup(form.stakeholder_group.data),
                country=form.country.data, preferred_locale=form.preferred_locale.data,
                link_for=lambda token: url_for(
                    "accounts.sign_in_with_link", token=token, _external=True,
                    next=url_for("consultations.show", slug=slug)),
                sign_in_link_url=url_for("accounts.request_sign_in_link", _external=True))
        except rules.NoPlaceLeft:
            db.session.rollback()
            form.form_errors.append(_("No place is left: raise the number of places in the "
                                      "set-up form, then register the person again."))
        else:
            name = done.registration.user.name
            flash(_("%(name)s is registered and checked in; a sign-in link is on its way to "
                    "%(email)s.", name=name, email=done.registration.user.email)
                  if done.account_created else
                  _("%(email)s has an account already: %(name)s is registered with it and "
                    "checked in; a sign-in link is on its way.", name=name,
                    email=done.registration.user.email), "success")
            return redirect(url_for("consultations.check_in", slug=slug))
    return _check_in_page(consultation, "", form, 400)


@blueprint.post("/c/<slug>/check-in/<int:registration_id>")
@login_required
def mark_present(slug, registration_id):
    consultation = load_consultation(slug)
    require(permissions.may_check_in(current_user, consultation))
    registration = load_within(consultation, Registration, registration_id)
    if StatusForm().validate_on_submit():
        present = request.form.get("present", "1") == "1"
        rules.check_in(registration, current_user, present)
        flash(_("%(name)s is checked in.", name=registration.user.name) if present
              else _("%(name)s is no longer checked in.", name=registration.user.name),
              "success")
    return redirect(url_for("consultations.check_in", slug=slug, q=request.args.get("q")))
