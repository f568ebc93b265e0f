"""The synthesis pages of a review: building it (groups, texts, order) and its versions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations.gcm import OBJECTIVES
from portal import permissions
from portal.database import is_row_id
from portal.extensions import db
from portal.page_access import require
from reviews import provenance, silence, synthesis, versions
from reviews.models import Review, SynthesisedRecommendation, SynthesisSource
from reviews.synthesis_forms import (
    ActionForm,
    GroupForm,
    TargetForm,
    VersionForm,
    group_texts_form,
)
from reviews.views import blueprint, review_pages


def load_review(review_slug: str) -> Review:
    """The review at this address for its synthesis and silence pages: readable by whoever may
    read its synthesis (a private review's validating States too), 404 for anyone else."""
    return review_pages.load_review(review_slug, permissions.may_read_synthesis)


def _building(review_slug: str) -> Review:
    review = load_review(review_slug)
    require(permissions.may_build_synthesis(current_user, review))
    return review


def _within(review: Review, model, identifier):
    item = db.session.get(model, identifier) if is_row_id(identifier) else None
    if item is None or item.review_id != review.id:
        abort(404)
    return item


def _back(review: Review, anchor: str | None = None):
    return redirect(url_for("reviews.synthesis_page", review_slug=review.slug, _anchor=anchor))


def _texts_form(review: Review, group: SynthesisedRecommendation, formdata=None):
    languages = provenance.languages_of(review)
    data = {"title": group.title, "gcm_objectives": group.gcm_objectives,
            **{f"text_{locale}": synthesis.text_in(group, locale) for locale in languages}}
    return group_texts_form(languages, formdata=formdata, data=data)


def _render_synthesis(review: Review, status: int = 200, failed=None):
    groups = synthesis.groups_of(review)
    waiting = synthesis.ungrouped(review)
    forms = {group.id: _texts_form(review, group) for group in groups}
    if failed is not None:
        forms[failed[0]] = failed[1]
    choices = [(group.id, f"{group.reference} {group.title}") for group in groups]
    return render_template(
        "reviews/synthesis/index.html", review=review, groups=groups, waiting=waiting,
        suggestions=synthesis.suggestions(review), texts_forms=forms,
        group_form=GroupForm(choices=[(r.id, r.reference) for r in waiting]),
        target_choices=choices, action_form=ActionForm(), version_form=VersionForm(),
        languages=provenance.languages_of(review), provenance=provenance,
        objectives=OBJECTIVES, TargetForm=TargetForm), status


@blueprint.get("/reviews/<review_slug>/synthesis")
@login_required
def synthesis_page(review_slug):
    return _render_synthesis(_building(review_slug))


@blueprint.post("/reviews/<review_slug>/synthesis/groups")
@login_required
def create_group(review_slug):
    review = _building(review_slug)
    waiting = {recommendation.id: recommendation for recommendation in synthesis.ungrouped(review)}
    form = GroupForm(choices=[(key, str(key)) for key in waiting])
    if not form.validate_on_submit():
        flash(_("Choose recommendations waiting to be grouped."), "error")
        return _back(review, "waiting")
    try:
        group = synthesis.create_group(review, current_user,
                                       [waiting[key] for key in form.recommendations.data])
    except synthesis.SynthesisRefused as refusal:
        flash(refusal.reason, "error")
        return _back(review, "waiting")
    flash(_("%(reference)s is added to the synthesis.", reference=group.reference), "success")
    return _back(review, f"group-{group.id}")


@blueprint.post("/reviews/<review_slug>/synthesis/groups/<int:group_id>")
@login_required
def edit_group(review_slug, group_id):
    review = _building(review_slug)
    group = _within(review, SynthesisedRecommendation, group_id)
    form = _texts_form(review, group, formdata=request.form)
    if form.validate_on_submit():
        texts = {locale: form[f"text_{locale}"].data or ""
                 for locale in provenance.languages_of(review)}
        try:
            synthesis.edit_group(group, current_user, title=form.title.data,
                                 objectives=form.gcm_objectives.data, texts=texts)
        except synthesis.SynthesisRefused as refusal:
            form.title.errors = [*form.title.errors, refusal.reason]
        else:
            flash(_("%(reference)s is saved.", reference=group.reference), "success")
            return _back(review, f"group-{group.id}")
    return _render_synthesis(review, 400, failed=(group.id, form))


@blueprint.post("/reviews/<review_slug>/synthesis/sources/<int:source_id>/split")
@login_required
def split_source(review_slug, source_id):
    review = _building(review_slug)
    source = _within(review, SynthesisSource, source_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        group = synthesis.split_source(source, current_user)
    except synthesis.SynthesisRefused as refusal:
        flash(refusal.reason, "error")
        return _back(review)
    return _back(review, f"group-{group.id}")


@blueprint.post("/reviews/<review_slug>/synthesis/sources/<int:source_id>/move")
@login_required
def move_source(review_slug, source_id):
    review = _building(review_slug)
    source = _within(review, SynthesisSource, source_id)
    return _to_target(review, lambda target: synthesis.move_source(source, target, current_user))


@blueprint.post("/reviews/<review_slug>/synthesis/groups/<int:group_id>/merge")
@login_required
def merge_group(review_slug, group_id):
    review = _building(review_slug)
    group = _within(review, SynthesisedRecommendation, group_id)
    return _to_target(review, lambda into: synthesis.merge_groups(group, into, current_user))


def _to_target(review: Review, change):
    groups = {group.id: group for group in synthesis.groups_of(review)}
    form = TargetForm(choices=[(key, str(key)) for key in groups])
    if not form.validate_on_submit():
        flash(_("Choose a group of this synthesis."), "error")
        return _back(review)
    try:
        change(groups[form.target.data])
    except synthesis.SynthesisRefused as refusal:
        flash(refusal.reason, "error")
        return _back(review)
    return _back(review, f"group-{form.target.data}")


@blueprint.post("/reviews/<review_slug>/synthesis/groups/<int:group_id>/<any(up, down):direction>")
@login_required
def move_group(review_slug, group_id, direction):
    review = _building(review_slug)
    group = _within(review, SynthesisedRecommendation, group_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    synthesis.move_group(group, current_user, up=direction == "up")
    return _back(review, f"group-{group.id}")


@blueprint.post("/reviews/<review_slug>/synthesis/versions")
@login_required
def save_version(review_slug):
    review = _building(review_slug)
    form = VersionForm()
    if not form.validate_on_submit():
        flash(_("The note is too long."), "error")
        return _back(review, "save-version")
    try:
        version = versions.save_version(review, current_user, form.note.data or "")
    except synthesis.SynthesisRefused as refusal:
        flash(refusal.reason, "error")
        return _back(review, "save-version")
    flash(_("Version %(number)d of the synthesis is saved.", number=version.number), "success")
    return redirect(url_for("reviews.synthesis_version",
                            review_slug=review_slug, number=version.number))


@blueprint.get("/reviews/<review_slug>/synthesis/versions")
def synthesis_versions(review_slug):
    review = load_review(review_slug)
    return render_template("reviews/synthesis/versions.html", review=review,
                           versions=versions.versions_of(review),
                           may_build=permissions.may_build_synthesis(current_user, review))


@blueprint.get("/reviews/<review_slug>/synthesis/versions/<int:number>")
def synthesis_version(review_slug, number):
    review = load_review(review_slug)
    version = versions.version_numbered(review, number) or abort(404)
    return render_template(
        "reviews/synthesis/version.html", review=review, version=version,
        sections=versions.by_objective(version.content), provenance=provenance,
        objectives=OBJECTIVES, procedure=silence.procedure_on(version),
        may_open=permissions.may_open_silence_procedure(current_user, review))
