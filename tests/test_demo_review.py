"""The demo's review: the 2024 GCM regional review for Africa holds the Dakar consultation and
the national consultation of Senegal, in French, with commitments and their progress."""

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from consultations.models import Consultation, ConsultationStatus, Registration
from portal.accounts.models import StakeholderGroup
from portal.extensions import db
from recommendations.models import Recommendation, RecommendationStatus, VoteRound
from reviews import commitments, setting_up
from reviews.models import CommitmentProgress
from tests.test_demo import empty_app, seed  # noqa: F401  (the fixture)


def test_the_demo_review_holds_dakar_and_the_national_consultation_of_senegal(
        empty_app):  # noqa: F811
    seed(empty_app)
    with empty_app.app_context():
        review = setting_up.find_review("2024-gcm-regional-review-for-africa")
        assert review.title == "2024 GCM regional review for Africa" and review.is_public
        slugs = [link.consultation.slug for link in review.attachments]
        assert slugs == ["red-talks-dakar-2024", "consultation-nationale-senegal-2024"]
        senegal = db.session.scalars(select(Consultation).where(
            Consultation.slug == "consultation-nationale-senegal-2024")).one()
        assert senegal.title == "Consultation nationale du Sénégal sur les migrations"
        assert senegal.status == ConsultationStatus.closed
        assert senegal.working_languages == ["fr"]
        adopted = db.session.scalars(select(Recommendation).where(
            Recommendation.consultation_id == senegal.id,
            Recommendation.status == RecommendationStatus.adopted)).all()
        assert len(adopted) == 4
        assert all(recommendation.current_version.locale == "fr" for recommendation in adopted)
        groups = set(db.session.scalars(select(Registration.stakeholder_group).where(
            Registration.consultation_id == senegal.id)))
        assert {StakeholderGroup.member_state, StakeholderGroup.red_cross,
                StakeholderGroup.civil_society} <= groups
        zone = ZoneInfo(senegal.time_zone)
        rounds = db.session.scalars(select(VoteRound).where(
            VoteRound.consultation_id == senegal.id)).all()
        assert {round_.closed_at.astimezone(zone).date() for round_ in rounds} == {
            date(2024, 3, 14)}

        made = commitments.commitments_of(review)
        assert {commitment.stakeholder_group for commitment in made} == {
            StakeholderGroup.member_state, StakeholderGroup.red_cross,
            StakeholderGroup.un_agency, StakeholderGroup.civil_society}
        progress = {commitment.progress for commitment in made}
        assert {CommitmentProgress.done, CommitmentProgress.under_way} <= progress

    client = empty_app.test_client()
    page = client.get("/reviews/2024-gcm-regional-review-for-africa").get_data(as_text=True)
    assert "Consultation nationale du Sénégal sur les migrations" in page
    assert "Un point focal national pour les migrants disparus" in page
    follow_up = client.get("/reviews/2024-gcm-regional-review-for-africa/follow-up")
    assert follow_up.status_code == 200
    assert "40 volontaires formés, dont 20 en Casamance." in follow_up.get_data(as_text=True)
    dakar = client.get("/c/red-talks-dakar-2024").get_data(as_text=True)
    assert "2024 GCM regional review for Africa" in dakar
