"""The follow-up of a review: making a commitment, reporting progress on it, the follow-up
page and its exports, and the reminder asking for progress reports."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations.forms import StatusForm
from consultations.gcm import OBJECTIVES
from portal import permissions
from portal.accounts.models import StakeholderGroup
from portal.i18n import RIGHT_TO_LEFT
from portal.page_access import require
from portal.spreadsheets import downloads
from reviews import commitments, follow_up
from reviews.commitment_forms import ANOTHER, CommitmentForm, ProgressForm
from reviews.models import CommitmentProgress
from reviews.review_forms import ReminderDateForm
from reviews.views import blueprint
from reviews.views.review_pages import load_review


def _commitment_form(review):
    return CommitmentForm(
        targets=commitments.targets_of(review),
        organisations=commitments.organisations_of(current_user, review),
        may_type=permissions.may_name_commitment_organisation(current_user, review))


def _typed(form):
    if form.organisation.data != ANOTHER:
        return None
    return commitments.Organisation(form.other_organisation.data or "",
                                    StakeholderGroup(form.stakeholder_group.data),
                                    form.country.data or "")


@blueprint.route("/reviews/<review_slug>/commitments/new", methods=["GET", "POST"])
@login_required
def new_commitment(review_slug):
    review = load_review(review_slug)
    require(permissions.may_make_commitment(current_user, review))
    form = _commitment_form(review)
    if form.validate_on_submit():
        try:
            commitment = commitments.make_commitment(
                review, current_user, target=form.recommendation.data, action=form.action.data,
                due_on=form.due_on.data, location=form.location.data,
                organisation=form.organisation.data, typed=_typed(form))
        except commitments.CommitmentRefused as refusal:
            form.action.errors.append(refusal.reason)
        else:
            flash(_("The commitment is registered."), "success")
            return redirect(url_for("reviews.commitment", review_slug=review.slug,
                                    commitment_id=commitment.id))
    return render_template("reviews/new_commitment.html", review=review, form=form)


@blueprint.route("/reviews/<review_slug>/commitments/<int:commitment_id>",
                 methods=["GET", "POST"])
def commitment(review_slug, commitment_id):
    review = load_review(review_slug)
    found = commitments.find_commitment(review, commitment_id)
    if found is None:
        abort(404)
    form = ProgressForm()
    if request.method == "POST":
        require(permissions.may_report_progress(current_user, found))
        if form.validate_on_submit():
            try:
                commitments.report_progress(
                    found, current_user, progress=CommitmentProgress(form.progress.data),
                    text=form.text.data, link=form.link.data)
            except commitments.CommitmentRefused as refusal:
                form.link.errors.append(refusal.reason)
            else:
                flash(_("Your progress report is recorded."), "success")
                return redirect(request.path)
    return render_template("reviews/commitment.html", review=review, commitment=found,
                           form=form, reference=commitments.target_reference(found))


@blueprint.get("/reviews/<review_slug>/follow-up")
def follow_up_page(review_slug):
    return _render_follow_up(load_review(review_slug))


def _render_follow_up(review, date_form=None):
    return render_template(
        "reviews/follow_up.html", review=review, follow_up=follow_up.follow_up_of(review),
        objectives=OBJECTIVES, progresses=list(CommitmentProgress),
        reference_of=commitments.target_reference,
        may_edit=permissions.may_edit_review(current_user, review),
        may_commit=permissions.may_make_commitment(current_user, review),
        date_form=date_form or ReminderDateForm(data={
            "progress_reports_due_on": review.progress_reports_due_on}),
        action_form=StatusForm())


@blueprint.get("/reviews/<review_slug>/commitments.<any(csv, xlsx):file_format>")
def export_commitments(review_slug, file_format):
    review = load_review(review_slug)
    return downloads(follow_up.COLUMNS, follow_up.export_rows(review),
                     f"{review.slug}-commitments", file_format, sheet_name=_("Commitments"),
                     right_to_left=str(get_locale()) in RIGHT_TO_LEFT)


@blueprint.post("/reviews/<review_slug>/progress-reports-due-on")
@login_required
def set_reports_due_on(review_slug):
    review = load_review(review_slug)
    require(permissions.may_edit_review(current_user, review))
    form = ReminderDateForm()
    if not form.validate_on_submit():
        return _render_follow_up(review, date_form=form)
    follow_up.set_reports_due_on(review, current_user, form.progress_reports_due_on.data)
    flash(_("The date is saved."), "success")
    return redirect(url_for("reviews.follow_up_page", review_slug=review.slug))


@blueprint.post("/reviews/<review_slug>/progress-reminders")
@login_required
def send_progress_reminders(review_slug):
    review = load_review(review_slug)
    require(permissions.may_edit_review(current_user, review))
    try:
        count = follow_up.send_progress_reminders(review, current_user, follow_up_link)
    except follow_up.ReminderRefused as refusal:
        flash(refusal.reason, "error")
    else:
        flash(ngettext("The reminder is on its way to %(num)d person.",
                       "The reminder is on its way to %(num)d people.", count), "success")
    return redirect(url_for("reviews.follow_up_page", review_slug=review.slug))


def follow_up_link(review) -> str:
    return url_for("reviews.follow_up_page", review_slug=review.slug, _external=True)
