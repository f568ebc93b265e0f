"""A review: who creates and edits it, who sees a private one, its page, and attaching and
detaching consultations."""

from datetime import date

import pytest
from sqlalchemy import select

from consultations.models import ConsultationStatus, Region, Role
from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.permissions import NotPermitted
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    VersionSource,
)
from reviews import setting_up
from reviews.models import Review
from tests.conftest import sign_in, submit


def make_review(creator, **overrides) -> Review:
    fields = {"title": "2024 GCM regional review for Africa", "region": "africa",
              "gcm_objectives": [8, 23], "starts_on": date(2024, 9, 1),
              "ends_on": date(2024, 9, 3), "description": "", "is_public": True}
    fields.update(overrides)
    fields["region"] = Region(fields["region"])
    return setting_up.create_review(creator, **fields)


@pytest.fixture
def secretariat(make_user, make_consultation, register):
    person = make_user(email="secretariat@example.org", name="Aminata Secretariat")
    register(person, make_consultation(), Role.secretariat)
    return person


def adopt(consultation, reference_number, title, text, status=RecommendationStatus.adopted):
    recommendation = Recommendation(consultation=consultation, number=reference_number,
                                    title=title, status=status)
    recommendation.gcm_objectives = [8]
    recommendation.versions.append(RecommendationVersion(number=1, text=text, locale="en",
                                                         source=VersionSource.drafted))
    db.session.add(recommendation)
    db.session.flush()
    return recommendation


REVIEW_FORM = {"title": "2024 GCM regional review for Africa", "region": "africa",
               "gcm_objectives": ["8"], "starts_on": "2024-09-01", "ends_on": "2024-09-03",
               "description": "Objective 8 in Africa", "is_public": "y"}


def test_a_consultations_secretariat_creates_a_review_and_joins_its_team(client, secretariat):
    sign_in(client, secretariat.email)
    response = submit(client, "/reviews/new", REVIEW_FORM)
    assert response.status_code == 302
    review = setting_up.find_review("2024-gcm-regional-review-for-africa")
    assert [member.user_id for member in review.secretariat] == [secretariat.id]
    assert review.gcm_objectives == [8]
    page = client.get(response.location).get_data(as_text=True)
    assert "Objective 8 in Africa" in page and "Edit the review" in page


def test_a_participant_may_not_create_a_review(client, make_user, make_consultation, register):
    person = make_user()
    register(person, make_consultation(), Role.participant)
    sign_in(client, person.email)
    assert client.get("/reviews/new").status_code == 403
    assert not client.get("/reviews").get_data(as_text=True).count("Create a review")


def test_a_review_ending_before_it_starts_is_refused_and_keeps_what_was_typed(client,
                                                                              secretariat):
    sign_in(client, secretariat.email)
    response = submit(client, "/reviews/new", {**REVIEW_FORM, "title": "Review of the Sahel",
                                               "ends_on": "2024-08-01"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The review cannot end before it starts." in page
    assert 'value="Review of the Sahel"' in page
    assert setting_up.find_review("review-of-the-sahel") is None


def test_the_team_edits_the_review_and_the_form_shows_what_it_holds(client, secretariat):
    review = make_review(secretariat, description="First words")
    sign_in(client, secretariat.email)
    path = f"/reviews/{review.slug}/edit"
    assert "First words" in client.get(path).get_data(as_text=True)
    response = submit(client, path, {**REVIEW_FORM, "title": "Africa review, revised",
                                     "gcm_objectives": ["7", "8"], "is_public": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert (review.title, review.gcm_objectives, review.is_public) == (
        "Africa review, revised", [7, 8], False)
    assert review.slug == "2024-gcm-regional-review-for-africa"
    assert "review.updated" in audit_actions()


def test_the_team_adds_a_member_by_address_and_an_unknown_address_is_refused(
        client, secretariat, make_user):
    review = make_review(secretariat)
    colleague = make_user(email="colleague@example.org", name="Colleague")
    sign_in(client, secretariat.email)
    path = f"/reviews/{review.slug}/team"
    page = submit(client, path, {"email": "nobody@example.org"}).get_data(as_text=True)
    assert "Nobody has an account with this e-mail address." in page
    assert submit(client, path, {"email": "Colleague@Example.org"}).status_code == 302
    db.session.expire_all()
    assert {member.user_id for member in review.secretariat} == {secretariat.id, colleague.id}
    assert "review.team_member_added" in audit_actions()


def test_the_last_member_of_the_team_cannot_be_removed(client, secretariat):
    review = make_review(secretariat)
    sign_in(client, secretariat.email)
    member = review.secretariat[0]
    submit(client, f"/reviews/{review.slug}/team/{member.id}/remove", {},
           form_path=f"/reviews/{review.slug}/team", follow_redirects=True)
    assert len(review.secretariat) == 1


def test_someone_outside_the_team_may_not_edit_the_review(client, secretariat, make_user):
    review = make_review(secretariat)
    sign_in(client, make_user().email)
    assert client.get(f"/reviews/{review.slug}/edit").status_code == 403
    assert client.get(f"/reviews/{review.slug}/team").status_code == 403


def test_a_private_review_is_hidden_from_outsiders_and_seen_by_who_runs_its_consultations(
        app, client, secretariat, make_user, make_consultation, register):
    review = make_review(secretariat, is_public=False, title="Closed review")
    consultation = make_consultation()
    facilitator = make_user(email="facilitator@example.org")
    register(facilitator, consultation, Role.facilitator)
    participant = make_user(email="participant@example.org")
    register(participant, consultation, Role.participant)
    setting_up.attach_consultation(review, consultation, make_user(is_admin=True))

    assert client.get(f"/reviews/{review.slug}").status_code == 404
    assert "Closed review" not in client.get("/reviews").get_data(as_text=True)
    client = signed_in(app, participant)
    assert client.get(f"/reviews/{review.slug}").status_code == 404
    client = signed_in(app, facilitator)
    assert client.get(f"/reviews/{review.slug}").status_code == 200
    assert "Closed review" in client.get("/reviews").get_data(as_text=True)


def test_a_facilitator_attaches_their_consultation_and_its_page_says_so(
        client, secretariat, make_user, make_consultation, register):
    review = make_review(secretariat)
    consultation = make_consultation(title="Dakar consultation", status=ConsultationStatus.closed)
    facilitator = make_user(email="facilitator@example.org")
    register(facilitator, consultation, Role.facilitator)
    adopted = adopt(consultation, 1, "One contact point", "Families need one contact point.")
    adopt(consultation, 2, "Still a draft", "Not adopted yet.", RecommendationStatus.draft)

    sign_in(client, facilitator.email)
    path = f"/c/{consultation.slug}/reviews"
    assert submit(client, path, {"review": str(review.id)}).status_code == 302
    db.session.expire_all()
    assert [link.consultation_id for link in review.attachments] == [consultation.id]
    assert "review.consultation_attached" in audit_actions()
    public_page = client.get(f"/c/{consultation.slug}").get_data(as_text=True)
    assert "Part of" in public_page and f"/reviews/{review.slug}" in public_page

    review_page = client.get(f"/reviews/{review.slug}").get_data(as_text=True)
    assert "Dakar consultation" in review_page
    assert adopted.reference in review_page and "Families need one contact point." in review_page
    assert "Not adopted yet." not in review_page


def test_a_participant_may_not_attach_their_consultation(
        client, secretariat, make_user, make_consultation, register):
    review = make_review(secretariat)
    consultation = make_consultation()
    participant = make_user()
    register(participant, consultation, Role.participant)
    sign_in(client, participant.email)
    assert client.get(f"/c/{consultation.slug}/reviews").status_code == 403
    response = client.post(f"/c/{consultation.slug}/reviews", data={"review": review.id})
    assert response.status_code in (400, 403)
    assert review.attachments == []
    with pytest.raises(NotPermitted):
        setting_up.attach_consultation(review, consultation, participant)


def test_a_private_review_is_not_offered_to_a_facilitator_outside_it(
        client, secretariat, make_user, make_consultation, register):
    make_review(secretariat, is_public=False, title="Closed review")
    consultation = make_consultation()
    facilitator = make_user()
    register(facilitator, consultation, Role.facilitator)
    sign_in(client, facilitator.email)
    page = client.get(f"/c/{consultation.slug}/reviews").get_data(as_text=True)
    assert "Closed review" not in page


def test_the_team_detaches_a_consultation_and_an_outsider_may_not(
        app, secretariat, make_user, make_consultation, register):
    review = make_review(secretariat)
    consultation = make_consultation()
    facilitator = make_user()
    register(facilitator, consultation, Role.facilitator)
    setting_up.attach_consultation(review, consultation, facilitator)
    path = f"/reviews/{review.slug}/consultations/{consultation.id}/detach"

    client = signed_in(app, make_user())
    assert submit(client, path, {}, form_path="/reviews").status_code == 403
    assert len(review.attachments) == 1
    client = signed_in(app, secretariat)
    assert submit(client, path, {}, form_path="/reviews").status_code == 302
    db.session.expire_all()
    assert review.attachments == []
    assert "review.consultation_detached" in audit_actions()


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action)))


def signed_in(app, person):
    """A browser of its own, signed in as ``person``."""
    client = app.test_client()
    assert sign_in(client, person.email).status_code == 302
    return client
