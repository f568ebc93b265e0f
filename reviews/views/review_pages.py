"""The pages of a review: the list of reviews, a review with its consultations and their
adopted recommendations, setting one up and its secretariat team."""

from babel.dates import format_date
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations.forms import StatusForm
from consultations.gcm import OBJECTIVES
from portal import permissions
from portal.database import intending_to_write
from portal.extensions import db
from portal.page_access import require
from reviews import setting_up, silence, versions
from reviews.models import Review
from reviews.review_forms import ReviewForm, TeamMemberForm, review_form_data
from reviews.views import blueprint


def load_review(slug: str, may_see=permissions.may_view_review) -> Review:
    """The review at this address, or 404: a private review is not acknowledged to outsiders.
    A silence procedure of the review whose deadline has passed is closed first."""
    review = setting_up.find_review(slug)
    if review is None or not may_see(current_user, review):
        abort(404)
    if silence.has_due_procedure(review):
        close_due_silence(review)
    return review


def close_due_silence(review: Review) -> None:
    """Close the review's due silence procedure. A page that only reads has begun a reading
    transaction, which SQLite may refuse to turn into a writing one: the closing then takes a
    short writing transaction of its own (as the outcome's PDF is kept) before the page goes on."""
    if request.method not in ("GET", "HEAD"):
        silence.close_due_procedures(review=review)
        return
    db.session.rollback()
    with intending_to_write():
        silence.close_due_procedures(review=review)
        db.session.commit()


def _to_review(review: Review, anchor: str | None = None):
    return redirect(url_for("reviews.show", review_slug=review.slug, _anchor=anchor))


@blueprint.app_template_filter("day")
def day(value) -> str:
    """A day (a ``date``) in the reader's language."""
    return format_date(value, "medium", locale=get_locale()) if value else ""


@blueprint.app_template_global()
def reviews_of(consultation):
    """The reviews the consultation is part of, that the reader may see."""
    return setting_up.reviews_of(consultation, current_user)


@blueprint.get("/reviews")
def index():
    return render_template("reviews/index.html",
                           reviews=setting_up.reviews_visible_to(current_user))


@blueprint.route("/reviews/new", methods=["GET", "POST"])
@login_required
def new():
    require(permissions.may_create_review(current_user))
    form = ReviewForm()
    if form.validate_on_submit():
        try:
            review = setting_up.create_review(current_user, **form.fields())
        except setting_up.ReviewRefused as refusal:
            form.ends_on.errors.append(refusal.reason)
        else:
            flash(_("The review is created."), "success")
            return _to_review(review)
    return render_template("reviews/edit.html", form=form, review=None)


@blueprint.get("/reviews/<review_slug>")
def show(review_slug):
    review = load_review(review_slug)
    saved, procedures = versions.versions_of(review), silence.procedures_of(review)
    return render_template(
        "reviews/show.html", review=review, objectives=OBJECTIVES,
        adopted=setting_up.adopted_recommendations(review),
        may_edit=permissions.may_edit_review(current_user, review),
        may_commit=permissions.may_make_commitment(current_user, review),
        may_build=permissions.may_build_synthesis(current_user, review),
        latest_version=saved[0] if saved else None,
        procedure=procedures[0] if procedures else None)


@blueprint.route("/reviews/<review_slug>/edit", methods=["GET", "POST"])
@login_required
def edit(review_slug):
    review = load_review(review_slug)
    require(permissions.may_edit_review(current_user, review))
    form = ReviewForm(data=None if request.method == "POST" else review_form_data(review))
    if form.validate_on_submit():
        try:
            setting_up.update_review(review, current_user, **form.fields())
        except setting_up.ReviewRefused as refusal:
            form.ends_on.errors.append(refusal.reason)
        else:
            flash(_("The review is saved."), "success")
            return _to_review(review)
    return render_template("reviews/edit.html", form=form, review=review)


@blueprint.route("/reviews/<review_slug>/team", methods=["GET", "POST"])
@login_required
def team(review_slug):
    review = load_review(review_slug)
    require(permissions.may_edit_review(current_user, review))
    form = TeamMemberForm()
    if form.validate_on_submit():
        try:
            member = setting_up.add_team_member(review, current_user, form.email.data)
        except setting_up.ReviewRefused as refusal:
            form.email.errors.append(refusal.reason)
        else:
            flash(_("%(name)s is in the team.", name=member.user.name), "success")
            return redirect(url_for("reviews.team", review_slug=review.slug))
    return render_template("reviews/team.html", review=review, form=form,
                           action_form=StatusForm())


@blueprint.post("/reviews/<review_slug>/team/<int:member_id>/remove")
@login_required
def remove_team_member(review_slug, member_id):
    review = load_review(review_slug)
    require(permissions.may_edit_review(current_user, review))
    member = next((m for m in review.secretariat if m.id == member_id), None)
    if member is None:
        abort(404)
    try:
        setting_up.remove_team_member(review, current_user, member)
    except setting_up.ReviewRefused as refusal:
        flash(refusal.reason, "error")
    else:
        flash(_("%(name)s is no longer in the team.", name=member.user.name), "success")
    return redirect(url_for("reviews.team", review_slug=review.slug))
