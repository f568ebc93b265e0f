"""Attaching a consultation to a review and detaching it: from the consultation's set-up pages
(its facilitators and secretariat), and from the review's page (its team)."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from consultations.forms import StatusForm
from consultations.models import Consultation
from portal import permissions
from portal.extensions import db
from portal.page_access import load_consultation, require
from reviews import setting_up
from reviews.review_forms import AttachForm
from reviews.views import blueprint
from reviews.views.review_pages import load_review


def _attachable(consultation) -> list:
    attached = {review.id for review in setting_up.reviews_of(consultation, current_user)}
    return [review for review in setting_up.reviews_visible_to(current_user)
            if review.id not in attached]


@blueprint.route("/c/<slug>/reviews", methods=["GET", "POST"])
@login_required
def consultation_reviews(slug):
    consultation = load_consultation(slug)
    require(permissions.may_attach_consultation(current_user, consultation))
    choices = _attachable(consultation)
    form = AttachForm(reviews=choices)
    if form.validate_on_submit():
        review = next(review for review in choices if review.id == form.review.data)
        try:
            setting_up.attach_consultation(review, consultation, current_user)
        except setting_up.ReviewRefused as refusal:
            form.review.errors.append(refusal.reason)
        else:
            flash(_("The consultation is now part of %(review)s.", review=review.title),
                  "success")
            return redirect(url_for("reviews.consultation_reviews", slug=slug))
    return render_template(
        "reviews/consultation_reviews.html", consultation=consultation, form=form,
        reviews=setting_up.reviews_of(consultation, current_user), action_form=StatusForm())


@blueprint.post("/reviews/<review_slug>/consultations/<int:consultation_id>/detach")
@login_required
def detach(review_slug, consultation_id):
    review = load_review(review_slug)
    consultation = db.session.scalar(
        select(Consultation).where(Consultation.id == consultation_id))
    if consultation is None:
        abort(404)
    require(permissions.may_detach_consultation(current_user, review, consultation))
    try:
        setting_up.detach_consultation(review, consultation, current_user)
    except setting_up.ReviewRefused as refusal:
        flash(refusal.reason, "error")
    else:
        flash(_("The consultation is no longer part of %(review)s.", review=review.title),
              "success")
    if permissions.may_attach_consultation(current_user, consultation):
        return redirect(url_for("reviews.consultation_reviews", slug=consultation.slug))
    return redirect(url_for("reviews.show", review_slug=review.slug))
