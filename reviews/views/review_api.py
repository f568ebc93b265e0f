"""The reviews' JSON API: the reviews with their consultations, and a review's commitments
(docs/api.md; described in recommendations/openapi.json)."""

from flask import jsonify
from flask_login import current_user

from portal import permissions
from portal.extensions import db
from reviews import commitments, setting_up
from reviews.models import Commitment, Review
from reviews.views import blueprint


def _day(value) -> str | None:
    return value.isoformat() if value else None


def review_json(review: Review) -> dict:
    return {
        "id": review.id, "slug": review.slug, "title": review.title,
        "region": review.region.value, "gcm_objectives": list(review.gcm_objectives),
        "starts_on": _day(review.starts_on), "ends_on": _day(review.ends_on),
        "is_public": review.is_public,
        "consultations": [{"id": link.consultation.id, "slug": link.consultation.slug}
                          for link in review.attachments],
    }


def commitment_json(commitment: Commitment) -> dict:
    return {
        "id": commitment.id, "organisation": commitment.organisation,
        "stakeholder_group": commitment.stakeholder_group.value,
        "country": commitment.country or None,
        "recommendation": {
            "reference": commitments.target_reference(commitment),
            "recommendation_id": commitment.recommendation_id,
            "synthesised_id": commitment.synthesised_id,
            "consultation_id": commitment.recommendation.consultation_id
            if commitment.recommendation else None},
        "action": commitment.action, "due_on": _day(commitment.due_on),
        "location": commitment.location, "progress": commitment.progress.value,
        "created_at": commitment.created_at.isoformat(),
        "reports": [{"progress": report.progress.value, "text": report.text,
                     "link": report.link or None, "reported_at": report.reported_at.isoformat()}
                    for report in commitment.reports],
    }


@blueprint.get("/api/v1/reviews")
def api_reviews():
    return jsonify({"reviews": [review_json(review)
                                for review in setting_up.reviews_visible_to(current_user)]})


@blueprint.get("/api/v1/reviews/<int:review_id>/commitments")
def api_commitments(review_id):
    review = db.session.get(Review, review_id)
    if review is None or not permissions.may_view_review(current_user, review):
        return jsonify({"error": "no such review"}), 404
    return jsonify({"review_id": review.id, "commitments": [
        commitment_json(commitment) for commitment in commitments.commitments_of(review)]})
