"""Facilitators' pages for setting a consultation up: details, status, agenda, groups, team."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import breakouts, operations, wording
from consultations.forms import (
    AgendaItemForm,
    AppointmentForm,
    BreakoutGroupForm,
    ConsultationForm,
    StatusForm,
    text,
    to_local,
    wording_form,
)
from consultations.models import AgendaItem, BreakoutGroup, ConsultationStatus, Invitation, Role
from consultations.views import blueprint
from portal import permissions
from portal.accounts.operations import find_account
from portal.extensions import db
from portal.i18n import RIGHT_TO_LEFT, language_name
from portal.page_access import load_consultation, load_within, require


@blueprint.route("/consultations/new", methods=["GET", "POST"])
@login_required
def new_consultation():
    require(permissions.may_create_consultation(current_user))
    form = ConsultationForm()
    if form.validate_on_submit():
        try:
            consultation = operations.create_consultation(
                current_user, slug=form.slug.data or None, **form.consultation_fields())
        except operations.SlugTaken:
            form.slug.errors.append(_("Another consultation has this address already."))
        else:
            flash(_("The consultation is created as a draft: only its facilitators see it."),
                  "success")
            return redirect(url_for("consultations.manage", slug=consultation.slug))
    return render_template("consultations/setup/edit.html", form=form, consultation=None)


@blueprint.route("/c/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit_consultation(slug):
    consultation = load_consultation(slug)
    require(permissions.may_edit_consultation(current_user, consultation))
    form = ConsultationForm(consultation=consultation)
    if form.validate_on_submit():
        operations.update_consultation(consultation, current_user, **form.consultation_fields())
        flash(_("The consultation is saved."), "success")
        return redirect(url_for("consultations.manage", slug=slug))
    return render_template("consultations/setup/edit.html", form=form, consultation=consultation)


@blueprint.get("/c/<slug>/manage")
@login_required
def manage(slug):
    consultation = load_consultation(slug)
    require(permissions.may_edit_consultation(current_user, consultation))
    return render_template(
        "consultations/setup/manage.html",
        consultation=consultation,
        next_statuses=operations.next_statuses(consultation),
        status_form=StatusForm(),
        to_local=to_local,
    )


@blueprint.post("/c/<slug>/status")
@login_required
def change_status(slug):
    consultation = load_consultation(slug)
    require(permissions.may_edit_consultation(current_user, consultation))
    form = StatusForm()
    wanted = request.form.get("status", "")
    if form.validate_on_submit() and wanted in {status.value for status in ConsultationStatus}:
        try:
            operations.change_status(consultation, current_user, ConsultationStatus(wanted))
        except operations.TransitionRefused as refusal:
            flash(_("A consultation cannot go from “%(current)s” to “%(wanted)s”.",
                    current=refusal.current.label, wanted=refusal.wanted.label), "error")
        else:
            flash(_("The consultation is now: %(status)s.", status=consultation.status.label),
                  "success")
    else:
        flash(_("Choose a status from the buttons."), "error")
    return redirect(url_for("consultations.manage", slug=slug))


@blueprint.route("/c/<slug>/agenda/new", methods=["GET", "POST"])
@login_required
def new_agenda_item(slug):
    consultation = load_consultation(slug)
    require(permissions.may_edit_consultation(current_user, consultation))
    form = AgendaItemForm()
    if form.validate_on_submit():
        operations.add_agenda_item(
            consultation, current_user, **form.agenda_item_fields(consultation.time_zone))
        flash(_("The agenda item is added."), "success")
        return redirect(url_for("consultations.manage", slug=slug, _anchor="agenda"))
    return render_template("consultations/setup/agenda_item.html", form=form,
                           consultation=consultation, item=None)


@blueprint.route("/c/<slug>/agenda/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_agenda_item(slug, item_id):
    consultation = load_consultation(slug)
    item = load_within(consultation, AgendaItem, item_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    zone = consultation.time_zone
    form = AgendaItemForm(data={
        "kind": item.kind.value, "title": item.title, "description": item.description,
        "starts_at": to_local(item.starts_at, zone), "ends_at": to_local(item.ends_at, zone),
        "allow_choices": item.allow_choices,
    } if request.method == "GET" else None)
    if form.validate_on_submit():
        operations.update_agenda_item(item, current_user, **form.agenda_item_fields(zone))
        flash(_("The agenda item is saved."), "success")
        return redirect(url_for("consultations.manage", slug=slug, _anchor="agenda"))
    return render_template("consultations/setup/agenda_item.html", form=form,
                           consultation=consultation, item=item)


@blueprint.post("/c/<slug>/agenda/<int:item_id>/remove")
@login_required
def remove_agenda_item(slug, item_id):
    consultation = load_consultation(slug)
    item = load_within(consultation, AgendaItem, item_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    if StatusForm().validate_on_submit():
        title = wording.item_wording(item, str(get_locale() or "en")).title
        operations.remove_agenda_item(item, current_user)
        flash(_("The agenda item “%(title)s” is removed.", title=title), "success")
    return redirect(url_for("consultations.manage", slug=slug, _anchor="agenda"))


def _group_people(form, consultation) -> tuple[dict, bool]:
    """The group's facilitator and rapporteur from their addresses; they must be registered."""
    people, valid = {}, True
    for field, key in ((form.facilitator_email, "facilitator"),
                       (form.rapporteur_email, "rapporteur")):
        if field.errors:
            # Refused by its own checks already (a NUL would even fail the query).
            valid = False
            continue
        user = find_account(field.data) if field.data else None
        if field.data and (user is None
                           or not permissions.may_lead_breakout_group(user, consultation)):
            field.errors.append(_("Nobody with this address is registered in the consultation."))
            valid = False
        people[key] = user
    return people, valid


@blueprint.route("/c/<slug>/agenda/<int:item_id>/groups/new", methods=["GET", "POST"])
@login_required
def new_breakout_group(slug, item_id):
    consultation = load_consultation(slug)
    round_ = load_within(consultation, AgendaItem, item_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    if not round_.is_breakout_round:
        flash(_("Breakout groups belong to breakout rounds."), "error")
        return redirect(url_for("consultations.manage", slug=slug, _anchor="agenda"))
    form = BreakoutGroupForm(consultation=consultation)
    if form.is_submitted():
        form_valid = form.validate()
        people, people_valid = _group_people(form, consultation)
        if form_valid and people_valid:
            operations.add_breakout_group(
                round_, current_user, name=text(form.name), theme=text(form.theme),
                room=text(form.room), meeting_link=form.meeting_link.data,
                guiding_questions=form.questions(), capacity=form.capacity.data,
                language=form.language.data or None, **people)
            flash(_("The breakout group is added."), "success")
            return redirect(url_for("consultations.manage", slug=slug, _anchor="agenda"))
    return render_template("consultations/setup/breakout_group.html", form=form,
                           consultation=consultation, round=round_, group=None)


@blueprint.route("/c/<slug>/groups/<int:group_id>/edit", methods=["GET", "POST"])
@login_required
def edit_breakout_group(slug, group_id):
    consultation = load_consultation(slug)
    group = load_within(consultation, BreakoutGroup, group_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    form = BreakoutGroupForm(consultation=consultation, data={
        "name": group.name, "theme": group.theme, "room": group.room,
        "meeting_link": group.meeting_link,
        "guiding_questions": "\n".join(group.guiding_questions), "capacity": group.capacity,
        "facilitator_email": group.facilitator.email if group.facilitator else "",
        "rapporteur_email": group.rapporteur.email if group.rapporteur else "",
        "language": group.language or "",
    } if request.method == "GET" else None)
    if form.is_submitted():
        form_valid = form.validate()
        people, people_valid = _group_people(form, consultation)
        if form_valid and people_valid:
            operations.update_breakout_group(
                group, current_user, name=text(form.name), theme=text(form.theme),
                room=text(form.room), meeting_link=form.meeting_link.data,
                guiding_questions=form.questions(), capacity=form.capacity.data,
                language=form.language.data or None, **people)
            flash(_("The breakout group is saved."), "success")
            return redirect(url_for("consultations.manage", slug=slug, _anchor="agenda"))
    return render_template("consultations/setup/breakout_group.html", form=form,
                           consultation=consultation, round=group.round, group=group)


@blueprint.route("/c/<slug>/team", methods=["GET", "POST"])
@login_required
def team(slug):
    consultation = load_consultation(slug)
    require(permissions.may_view_registrations(current_user, consultation))
    form = AppointmentForm()
    appointable = permissions.roles_to_appoint(current_user, consultation)
    form.role.choices = [(role.value, role.label) for role in appointable]
    if form.is_submitted():
        require(bool(appointable))
    if form.validate_on_submit():
        role = Role(form.role.data)
        appointed = operations.appoint(consultation, current_user, form.email.data, role)
        if isinstance(appointed, Invitation):
            flash(_("Nobody has an account with %(email)s yet. The role of %(role)s applies "
                    "when they create one.", email=appointed.email, role=role.label), "info")
        else:
            flash(_("%(name)s is now %(role)s.", name=appointed.user.name, role=role.label),
                  "success")
        return redirect(url_for("consultations.team", slug=slug))
    return render_template("consultations/setup/team.html", consultation=consultation,
                           form=form, team=operations.team_of(consultation),
                           pending=operations.pending_appointments(consultation)
                           ), 400 if form.errors else 200


@blueprint.route("/c/<slug>/texts/<locale>", methods=["GET", "POST"])
@login_required
def translate_texts(slug, locale):
    """The consultation's title, description, venue, organisers, agenda items, breakout themes
    and guiding questions in one of its other working languages."""
    consultation = load_consultation(slug)
    require(permissions.may_translate_consultation_texts(current_user, consultation))
    if locale not in wording.other_languages(consultation):
        abort(404)
    items = consultation.agenda_items
    groups = breakouts.groups_of(consultation)
    form = wording_form(items, groups, data=_wording_data(consultation, items, groups, locale)
                        if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            wording.save_wording(consultation, current_user, locale, title=form.title.data,
                                 summary=form.summary.data, description=form.description.data,
                                 venue=form.venue.data, organisers=form.organisers.data,
                                 items=form.item_texts(items),
                                 groups=form.group_texts(groups))
        except wording.WordingRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.reason)
        else:
            flash(_("The consultation's texts in %(language)s are saved.",
                    language=language_name(locale)), "success")
            return redirect(url_for("consultations.translate_texts", slug=slug, locale=locale))
    return render_template(
        "consultations/setup/texts.html", consultation=consultation, locale=locale, form=form,
        items=items, groups=groups, original=wording.main_language(consultation),
        right_to_left=RIGHT_TO_LEFT), 400 if form.errors else 200


def _wording_data(consultation, items, groups, locale) -> dict:
    """What the form shows: the texts given in ``locale`` so far."""
    given = wording.in_language(consultation.translations, locale)
    data = {"title": given.title, "summary": given.summary, "description": given.description,
            "venue": given.venue, "organisers": given.organisers} if given else {}
    for item in items:
        translation = wording.in_language(item.translations, locale)
        if translation is not None:
            data[f"item_{item.id}_title"] = translation.title
            data[f"item_{item.id}_description"] = translation.description
    for group in groups:
        translation = wording.in_language(group.translations, locale)
        if translation is not None:
            data[f"group_{group.id}_name"] = translation.name
            data[f"group_{group.id}_theme"] = translation.theme
            data[f"group_{group.id}_questions"] = "\n".join(translation.guiding_questions)
    return data
