"""The demo's synthesis and silence procedure (demo/synthesis.py), seeded on a review that
holds the demo's Dakar consultation."""

from sqlalchemy import select

from consultations.models import Consultation
from demo.people import DEMO_SLUG
from demo.synthesis import BREAKING_REASON, BREAKING_STATE, seed_synthesis
from portal.extensions import db
from reviews import silence, versions
from reviews.models import SilenceStatus
from tests.review_fixtures import make_review
from tests.test_demo import empty_app, seed  # noqa: F401


def test_the_demo_review_has_a_synthesis_circulated_and_its_silence_broken_by_ghana(
        empty_app):  # noqa: F811
    seed(empty_app)
    with empty_app.app_context():
        dakar = db.session.scalar(select(Consultation).where(Consultation.slug == DEMO_SLUG))
        review = make_review(db.session, dakar, slug="demo-review")
        version = seed_synthesis(review)
        db.session.commit()
        assert seed_synthesis(review) is None
        content = version.content
        assert content["languages"] == ["en", "fr"]
        assert content["recommendations"]
        assert all(set(entry["texts"]) == {"en", "fr"} for entry in content["recommendations"])
        assert any(source["result"] and source["result"]["adopted"]
                   for entry in content["recommendations"] for source in entry["sources"])
        [procedure] = silence.procedures_of(review)
        assert procedure.status == SilenceStatus.silence_broken
        assert procedure.closed_at is not None and procedure.deadline < procedure.closed_at
        [ghana] = [v for v in procedure.validators if v.broke_silence_at is not None]
        assert ghana.organisation == BREAKING_STATE and ghana.reason == BREAKING_REASON
        assert len(procedure.validators) > 1
        assert [v.number for v in versions.versions_of(review)] == [1]
        procedure_id = procedure.id
    page = empty_app.test_client().get(f"/reviews/demo-review/silence/{procedure_id}")
    text = page.get_data(as_text=True)
    assert "Silence broken" in text and "Ministry of Foreign Affairs of Ghana" in text
