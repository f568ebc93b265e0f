"""The breakout assignment of a round: the facilitators' proposal, moves and publication,
and participants' choice of group."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import breakouts as rules
from consultations import wording
from consultations.assignment import balance_figures
from consultations.forms import StatusForm
from consultations.geography import sub_region_label
from consultations.models import AgendaItem, BreakoutGroup, Registration
from consultations.views import blueprint
from portal import permissions
from portal.database import is_row_id
from portal.extensions import db
from portal.page_access import load_consultation, load_within, require


def _round(consultation, round_id) -> AgendaItem:
    round_ = load_within(consultation, AgendaItem, round_id)
    if not round_.is_breakout_round:
        abort(404)
    return round_


@blueprint.get("/c/<slug>/rounds/<int:round_id>/assignment")
@login_required
def assignment(slug, round_id):
    consultation = load_consultation(slug)
    round_ = _round(consultation, round_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    proposal, candidates = rules.current_proposal(round_)
    registrations = {member.id: member for member in rules.members_to_place(round_)}
    return render_template(
        "consultations/breakouts/assignment.html", consultation=consultation, round=round_,
        proposal=proposal, balance=balance_figures(proposal, candidates),
        registrations=registrations, form=StatusForm(), sub_region_label=sub_region_label)


@blueprint.post("/c/<slug>/rounds/<int:round_id>/assignment/propose")
@login_required
def propose_assignment(slug, round_id):
    consultation = load_consultation(slug)
    round_ = _round(consultation, round_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    if StatusForm().validate_on_submit():
        try:
            proposal = rules.propose(round_, current_user)
        except rules.AssignmentRefused:
            flash(_("Add groups to the round first."), "error")
        else:
            flash(_("A balanced assignment is proposed. Participants see it once you publish "
                    "it."), "success")
            if proposal.unplaced:
                flash(ngettext("%(num)d person could not be placed: no group with room works "
                               "in their languages.",
                               "%(num)d people could not be placed: no group with room works "
                               "in their languages.", len(proposal.unplaced)), "error")
    return redirect(url_for("consultations.assignment", slug=slug, round_id=round_id))


@blueprint.post("/c/<slug>/rounds/<int:round_id>/assignment/move")
@login_required
def move_participant(slug, round_id):
    consultation = load_consultation(slug)
    round_ = _round(consultation, round_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    registration = load_within(consultation, Registration,
                               request.form.get("registration", type=int))
    group_id = request.form.get("group", type=int)
    group = db.session.get(BreakoutGroup, group_id) if is_row_id(group_id) else None
    if StatusForm().validate_on_submit():
        try:
            rules.move(round_, registration, group, current_user)
        except rules.AssignmentRefused:
            abort(400)
        flash(_("%(name)s is moved.", name=registration.user.name), "success")
    return redirect(url_for("consultations.assignment", slug=slug, round_id=round_id))


@blueprint.post("/c/<slug>/rounds/<int:round_id>/assignment/publish")
@login_required
def publish_assignment(slug, round_id):
    consultation = load_consultation(slug)
    round_ = _round(consultation, round_id)
    require(permissions.may_edit_consultation(current_user, consultation))
    if StatusForm().validate_on_submit():
        rules.publish(round_, current_user)
        flash(_("The assignment is published: participants see their group."), "success")
    return redirect(url_for("consultations.assignment", slug=slug, round_id=round_id))


@blueprint.route("/c/<slug>/rounds/<int:round_id>/choose", methods=["GET", "POST"])
@login_required
def choose_group(slug, round_id):
    consultation = load_consultation(slug)
    round_ = _round(consultation, round_id)
    require(permissions.may_choose_breakout_group(current_user, round_))
    registration = permissions.registration_of(current_user, consultation)
    if request.method == "POST" and StatusForm().validate_on_submit():
        group_id = request.form.get("group", type=int)
        group = db.session.get(BreakoutGroup, group_id) if is_row_id(group_id) else None
        if group is None:
            flash(_("Choose a group."), "error")
        else:
            try:
                rules.choose_group(round_, registration, group)
            except rules.AssignmentRefused:
                flash(_("Choices are closed: the assignment is published."), "error")
            else:
                name = wording.group_wording(group, str(get_locale() or "en")).name
                flash(_("Your choice is noted: %(group)s.", group=name), "success")
                return redirect(url_for("consultations.show", slug=slug))
    return render_template("consultations/breakouts/choose.html", consultation=consultation,
                           round=round_, form=StatusForm())
