"""The reviews' JSON API: the reviews with their consultations, a review's commitments, each
answer matching its schema in the OpenAPI description; a private review is not told."""

import json

import pytest

from consultations.models import Role
from portal.accounts.models import StakeholderGroup
from portal.extensions import db
from recommendations.views.results import OPENAPI
from reviews import commitments, setting_up
from reviews.models import CommitmentProgress
from tests.test_api_documentation import check
from tests.test_reviews import adopt, make_review, signed_in


@pytest.fixture
def description():
    return json.loads(OPENAPI.read_text())


@pytest.fixture
def review(make_user, make_consultation, register):
    consultation = make_consultation(slug="dakar")
    secretariat = make_user(email="secretariat@example.org")
    register(secretariat, consultation, Role.secretariat)
    review = make_review(secretariat)
    setting_up.attach_consultation(review, consultation, make_user(is_admin=True))
    recommendation = adopt(consultation, 1, "One contact point", "Families need one.")
    state = make_user(organisation="Government of Senegal",
                      stakeholder_group=StakeholderGroup.member_state)
    register(state, consultation)
    made = commitments.make_commitment(
        review, state, target=f"r{recommendation.id}", action="=Create a focal point.",
        organisation="Government of Senegal", location="Dakar")
    commitments.report_progress(made, state, progress=CommitmentProgress.under_way,
                                text="Focal point named.", link="https://example.org/decree")
    return review


def test_the_reviews_list_names_their_consultations(client, review, description):
    response = client.get("/api/v1/reviews")
    check(description, "/api/v1/reviews", response)
    [listed] = response.get_json()["reviews"]
    assert listed["slug"] == review.slug and listed["gcm_objectives"] == [8, 23]
    assert listed["consultations"] == [{"id": review.attachments[0].consultation_id,
                                        "slug": "dakar"}]


def test_a_public_reviews_commitments_are_open_to_anyone(client, review, description):
    template = "/api/v1/reviews/{review_id}/commitments"
    response = client.get(f"/api/v1/reviews/{review.id}/commitments")
    assert response.status_code == 200
    check(description, template, response)
    [commitment] = response.get_json()["commitments"]
    assert commitment["organisation"] == "Government of Senegal"
    assert commitment["stakeholder_group"] == "member_state"
    assert commitment["recommendation"]["reference"] == "dakar R1"
    assert commitment["action"] == "=Create a focal point."
    assert commitment["progress"] == "under_way"
    assert commitment["reports"][0]["link"] == "https://example.org/decree"


def test_a_private_review_is_not_told_to_outsiders_but_is_to_its_team(app, client, review,
                                                                       description, make_user):
    review.is_public = False
    db.session.flush()
    response = client.get(f"/api/v1/reviews/{review.id}/commitments")
    assert response.status_code == 404
    check(description, "/api/v1/reviews/{review_id}/commitments", response)
    assert client.get("/api/v1/reviews").get_json() == {"reviews": []}
    outsider = signed_in(app, make_user())
    assert outsider.get(f"/api/v1/reviews/{review.id}/commitments").status_code == 404
    team = signed_in(app, review.secretariat[0].user)
    assert team.get(f"/api/v1/reviews/{review.id}/commitments").status_code == 200
    assert [item["id"] for item in team.get("/api/v1/reviews").get_json()["reviews"]] == [
        review.id]


def test_an_unknown_review_answers_404(client, description):
    response = client.get("/api/v1/reviews/999999/commitments")
    assert response.status_code == 404
    check(description, "/api/v1/reviews/{review_id}/commitments", response)
