"""Every page of the portal renders for the people who use it, on the demo consultation."""

import re

import pytest
from sqlalchemy import select

from consultations.models import AgendaItem, BreakoutGroup, Comment, Consultation, Thread
from demo import DEMO_PASSWORD, seed_demo
from portal import create_app
from portal.extensions import db
from recommendations.models import Amendment, Recommendation, VoteRound
from recommendations.outcome.models import OutcomeDocument
from tests.conftest import FreshContextClient, sign_in, suite_settings
from tests.databases import scratch_database


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with scratch_database(tmp_path_factory.mktemp("every-page"), "pages") as url:
        app = create_app(suite_settings(url))
        app.test_client_class = FreshContextClient
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            seed_demo()
            db.session.commit()
            ids = {
                # The Dakar consultation, the first (the review's national one comes after).
                "slug": db.session.scalar(select(Consultation.slug).order_by(Consultation.id)),
                "round_id": db.session.scalar(select(AgendaItem.id).where(
                    AgendaItem.kind == "breakout_round")),
                "group_id": db.session.scalar(select(BreakoutGroup.id)),
                "thread_id": db.session.scalar(select(Thread.id)),
                "comment_id": db.session.scalar(select(Comment.id)),
                "recommendation_id": db.session.scalar(select(Recommendation.id)),
                "vote_round_id": db.session.scalar(select(VoteRound.id)),
                "amendment_id": db.session.scalar(select(Amendment.id)),
                "consultation_id": db.session.scalar(
                    select(Consultation.id).order_by(Consultation.id)),
                "document_id": db.session.scalar(select(OutcomeDocument.id)),
            }
            db.session.remove()
        yield app, ids
        with app.app_context():
            db.engine.dispose()


def page_paths(app, ids) -> list[str]:
    """Every GET route of the URL map, filled in from the demo."""
    names = {"slug": ids["slug"], "round_id": ids["round_id"], "group_id": ids["group_id"],
             "thread_id": ids["thread_id"], "comment_id": ids["comment_id"],
             "recommendation_id": ids["recommendation_id"], "item_id": ids["round_id"],
             "consultation_id": ids["consultation_id"], "registration_id": 1,
             "question_id": 1, "token": "not-a-token", "filename": "css/portal.css",
             "document_id": ids["document_id"], "amendment_id": ids["amendment_id"],
             "locale": "fr", "provider": "unhcr", "code": "not-a-badge",
             "review_slug": "2024-gcm-regional-review-for-africa", "member_id": 1,
             "commitment_id": 1, "file_format": "xlsx",
             # The synthesis of a review (its pages answer 404 where the demo has none).
             "number": 1, "procedure_id": 1, "review_id": 1, "extension": "docx"}
    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = rule.rule
        if rule.endpoint == "recommendations.api_round":
            path = path.replace("<int:round_id>", str(ids["vote_round_id"]))
        for argument in rule.arguments:
            path = re.sub(rf"<(?:\w+:)?{argument}>", str(names[argument]), path)
        paths.append(path)
    return paths


@pytest.mark.parametrize("email", [
    "facilitator@redtalks.example", "participant02@redtalks.example",
    "secretariat@redtalks.example", "admin@redtalks.example", None,
])
def test_no_page_fails_for_anyone(demo, email):
    app, ids = demo
    client = app.test_client()
    if email:
        assert sign_in(client, email, DEMO_PASSWORD).status_code == 302

    failures = {}
    for path in page_paths(app, ids):
        status = client.get(path).status_code
        if status >= 500:
            failures[path] = status

    assert failures == {}
