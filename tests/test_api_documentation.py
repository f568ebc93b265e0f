"""The JSON API as documented (docs/api.md, /api/v1/openapi.json): every answer of the demo
consultation, to a facilitator and to those refused, matches its schema in the OpenAPI 3.1
description, and the description names exactly the portal's JSON routes."""

import re
from urllib.parse import quote

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import select

from demo import DEMO_PASSWORD
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account, hash_password
from portal.extensions import db
from recommendations.models import VoteRound
from recommendations.outcome.models import OutcomeDocument
from tests.conftest import sign_in
from tests.test_every_page import demo  # noqa: F401

BASE = "urn:redtalks-api"
JSON_ROUTES = re.compile(r"^/api/|\.json$|^/(healthz|readyz)$")


@pytest.fixture(scope="module")
def description(demo):  # noqa: F811
    app, _ids = demo
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def check(description: dict, template: str, response) -> None:
    """Validate ``response``'s JSON against the schema documented for its status."""
    pointer = (f"/paths/{template.replace('~', '~0').replace('/', '~1')}/get/responses/"
               f"{response.status_code}/content/application~1json/schema")
    registry = Registry().with_resource(
        BASE, Resource.from_contents(description, default_specification=DRAFT202012))
    validator = Draft202012Validator({"$ref": f"{BASE}#{quote(pointer, safe='/~')}"},
                                     registry=registry)
    errors = [f"{list(error.absolute_path)}: {error.message}"
              for error in validator.iter_errors(response.get_json())]
    assert errors == [], f"{template} ({response.status_code})"


def test_the_description_is_openapi_3_1_with_valid_schemas(description):
    assert description["openapi"] == "3.1.0"
    for name, schema in description["components"]["schemas"].items():
        try:
            Draft202012Validator.check_schema(schema)
        except Exception as error:
            raise AssertionError(f"schema {name}: {error}") from error


def test_the_description_names_every_json_route_and_no_other(demo, description):  # noqa: F811
    app, _ids = demo
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if JSON_ROUTES.search(rule.rule)}
    assert set(description["paths"]) == routes


def test_every_answer_to_a_facilitator_matches_its_schema(demo, description):  # noqa: F811
    app, ids = demo
    client = app.test_client()
    assert sign_in(client, "facilitator@redtalks.example", DEMO_PASSWORD).status_code == 302
    with app.app_context():
        rounds = db.session.scalars(select(VoteRound.id)).all()
        documents = db.session.scalars(select(OutcomeDocument.id)).all()
        open_rounds = db.session.scalars(
            select(VoteRound.id).where(VoteRound.closed_at.is_(None))).all()
    assert open_rounds and len(rounds) > len(open_rounds) and documents

    slug, consultation_id = ids["slug"], ids["consultation_id"]
    answers = [
        ("/api/v1/consultations/{consultation_id}/recommendations",
         f"/api/v1/consultations/{consultation_id}/recommendations"),
        *[("/api/v1/rounds/{round_id}", f"/api/v1/rounds/{number}") for number in rounds],
        ("/c/{slug}/results.json", f"/c/{slug}/results.json"),
        *[("/c/{slug}/outcome/versions/{document_id}/outcome.json",
           f"/c/{slug}/outcome/versions/{number}/outcome.json") for number in documents],
        ("/healthz", "/healthz"),
        ("/readyz", "/readyz"),
    ]
    for template, path in answers:
        response = client.get(path)
        assert response.status_code == 200, path
        check(description, template, response)
    results = client.get(f"/c/{slug}/results.json").get_json()
    assert any(round_["reservations"] for entry in results["recommendations"]
               for round_ in entry["rounds"])


def test_every_refusal_of_the_api_matches_its_schema(demo, description):  # noqa: F811
    app, ids = demo
    with app.app_context():
        create_account(email="outsider@example.org", password_hash=hash_password(DEMO_PASSWORD),
                       name="Outsider", organisation="Elsewhere",
                       stakeholder_group=StakeholderGroup.academia, country="FR")
        db.session.commit()
    rounds = "/api/v1/rounds/{round_id}"
    listing = "/api/v1/consultations/{consultation_id}/recommendations"
    anonymous = app.test_client()
    outsider = app.test_client()
    assert sign_in(outsider, "outsider@example.org", DEMO_PASSWORD).status_code == 302
    cases = [
        (anonymous, listing, f"/api/v1/consultations/{ids['consultation_id']}/recommendations",
         401),
        (anonymous, rounds, f"/api/v1/rounds/{ids['vote_round_id']}", 401),
        (outsider, listing, f"/api/v1/consultations/{ids['consultation_id']}/recommendations",
         403),
        (outsider, rounds, f"/api/v1/rounds/{ids['vote_round_id']}", 403),
        (outsider, listing, "/api/v1/consultations/999999/recommendations", 404),
        (outsider, rounds, "/api/v1/rounds/999999", 404),
    ]
    for client, template, path, status in cases:
        response = client.get(path)
        assert response.status_code == status, path
        check(description, template, response)
