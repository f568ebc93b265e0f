"""The silence procedure's pages: opening one on a saved version, following it, breaking the
silence for a validating State."""

from datetime import UTC

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import permissions
from portal.countries import country_name
from portal.database import is_row_id, utcnow
from portal.extensions import db
from portal.page_access import require
from reviews import silence, versions
from reviews.models import SilenceProcedure
from reviews.synthesis_forms import BreakSilenceForm, SilenceForm
from reviews.views import blueprint
from reviews.views.synthesis import load_review


def _silence_form(review, **kwargs) -> tuple[SilenceForm, dict[str, tuple[str, str]]]:
    found = {name: (name, country) for name, country in silence.default_validators(review)}
    choices = [(name, f"{name} ({country_name(country)})" if country else name)
               for name, (_name, country) in found.items()]
    form = SilenceForm(organisations=choices, **kwargs)
    return form, found


@blueprint.route("/reviews/<review_slug>/synthesis/versions/<int:number>/silence",
                 methods=["GET", "POST"])
@login_required
def open_silence(review_slug, number):
    review = load_review(review_slug)
    require(permissions.may_open_silence_procedure(current_user, review))
    version = versions.version_numbered(review, number) or abort(404)
    form, found = _silence_form(review)
    if not form.is_submitted():
        form.validators_chosen.data = list(found)
    if form.validate_on_submit():
        try:
            procedure = silence.open_procedure(
                version, current_user, deadline=form.deadline.data.replace(tzinfo=UTC),
                validators=[found[name] for name in form.validators_chosen.data],
                amendments_allowed=form.amendments_allowed.data)
        except silence.SilenceRefused as refusal:
            form.deadline.errors = [*form.deadline.errors, refusal.reason]
        else:
            flash(_("The silence procedure is open."), "success")
            return redirect(url_for("reviews.silence_procedure", review_slug=review_slug,
                                    procedure_id=procedure.id))
    return render_template("reviews/silence/new.html", review=review, version=version,
                           form=form, now=utcnow()), 400 if form.errors else 200


def _load_procedure(review, procedure_id) -> SilenceProcedure:
    procedure = db.session.get(SilenceProcedure, procedure_id) if is_row_id(procedure_id) \
        else None
    if procedure is None or procedure.review_id != review.id:
        abort(404)
    return procedure


def _break_form(procedure, **kwargs) -> BreakSilenceForm:
    choices = [(validator.id, validator.organisation) for validator in procedure.validators
               if permissions.may_break_silence(current_user, validator)]
    return BreakSilenceForm(choices=choices, **kwargs)


@blueprint.get("/reviews/<review_slug>/silence/<int:procedure_id>")
def silence_procedure(review_slug, procedure_id):
    review = load_review(review_slug)
    procedure = _load_procedure(review, procedure_id)
    return _render_procedure(review, procedure, _break_form(procedure))


def _render_procedure(review, procedure, form, status=200):
    return render_template("reviews/silence/show.html", review=review, procedure=procedure,
                           form=form, country_name=country_name), status


@blueprint.post("/reviews/<review_slug>/silence/<int:procedure_id>/break")
@login_required
def break_silence(review_slug, procedure_id):
    review = load_review(review_slug)
    procedure = _load_procedure(review, procedure_id)
    form = _break_form(procedure)
    if procedure.status != "open":
        flash(_("The deadline of this silence procedure has passed: the silence can no longer "
                "be broken."), "error")
        return redirect(url_for("reviews.silence_procedure",
                                review_slug=review_slug, procedure_id=procedure.id))
    require(bool(form.validator.choices))
    if form.validate_on_submit():
        validator = next(v for v in procedure.validators if v.id == form.validator.data)
        try:
            silence.break_silence(validator, current_user, reason=form.reason.data,
                                  amendment=form.amendment.data or "")
        except silence.SilenceRefused as refusal:
            form.reason.errors = [*form.reason.errors, refusal.reason]
        else:
            flash(_("%(organisation)s has broken the silence.",
                    organisation=validator.organisation), "success")
            return redirect(url_for("reviews.silence_procedure", review_slug=review_slug,
                                    procedure_id=procedure.id))
    return _render_procedure(review, procedure, form, 400)
