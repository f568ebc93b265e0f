"""The small-group rule: no output lets anyone infer how a lone member of a stakeholder group
voted under the Chatham House rule, and nobody but the console sees votes by group while a
round is open."""

import io

import pytest
from docx import Document

from consultations.models import Attendance, AttributionRule, Role
from portal.accounts.models import StakeholderGroup
from recommendations import drafting, voting
from recommendations.live import tallies
from recommendations.outcome import operations
from tests.conftest import find_user, sign_in, submit
from tests.test_consultation_setup import FORM as SET_UP

G = StakeholderGroup
RESERVATION = "Only with a budget line."


@pytest.fixture
def plenary(session, make_consultation, make_user, register):
    """A live consultation with a facilitator, a secretariat and voters of ``groups``
    (emails v0@, v1@... in that order), and an open round on R1."""

    def make(groups, attribution=AttributionRule.chatham_house, **fields):
        consultation = make_consultation(attribution_rule=attribution, **fields)
        facilitator = make_user(email="facilitator@example.org", name="The facilitator")
        register(facilitator, consultation, Role.facilitator)
        register(make_user(email="secretariat@example.org"), consultation, Role.secretariat)
        for number, group in enumerate(groups):
            register(make_user(email=f"v{number}@example.org", name=f"Voter {number}",
                               stakeholder_group=group, country="SN"),
                     consultation, Role.participant)
        recommendation = drafting.create_recommendation(
            consultation, facilitator, title="Focal points", text="Name a focal point.")
        round_ = voting.open_round(recommendation, facilitator)
        session.flush()
        return consultation, round_

    return make


def vote(round_, number, choice, reservation=None):
    voting.cast_vote(round_, find_user(f"v{number}@example.org"), choice, reservation)


def close(round_):
    voting.close_round(round_, find_user("facilitator@example.org"), confirmed=True)


def follower(app, connect_socket, email, room):
    browser = app.test_client()
    sign_in(browser, email)
    socket = connect_socket(browser)
    answer = socket.emit("join", {"room": room}, callback=True)
    assert answer["ok"], answer
    socket.get_received()
    return socket, answer["state"]


def pushed_tallies(socket) -> list[dict]:
    return [event["args"][0] for event in socket.get_received() if event["name"] == "tally"]


def signed_in(app, email):
    browser = app.test_client()
    sign_in(browser, email)
    return browser


def text_of(browser, path) -> str:
    response = browser.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def docx_text(document) -> str:
    docx = Document(io.BytesIO(document.content))
    cells = [cell.text for table in docx.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in docx.paragraphs] + cells)


LONE = [G.member_state, G.member_state, G.member_state, G.private_sector]


def test_a_lone_private_sector_vote_shows_in_no_output_under_chatham_house(
    app, session, plenary, connect_socket
):
    consultation, round_ = plenary(LONE)
    room = f"round:{round_.id}"
    participant, _ = follower(app, connect_socket, "v0@example.org", room)
    for number in range(3):
        vote(round_, number, "support")
    vote(round_, 3, "support_with_reservations", RESERVATION)
    session.commit()
    tallies.changed(round_.id)
    tallies.flush()
    _, state = follower(app, connect_socket, "v1@example.org", room)
    browser = signed_in(app, "v2@example.org")
    while_open = [*pushed_tallies(participant), state["tally"],
                  browser.get(f"/api/v1/rounds/{round_.id}").get_json()["tally"]]

    close(round_)
    session.commit()
    results = text_of(browser, f"/c/{consultation.slug}/results")
    exported = text_of(browser, f"/c/{consultation.slug}/results.json")
    table = text_of(browser, f"/c/{consultation.slug}/results.csv")
    api = browser.get(f"/api/v1/rounds/{round_.id}").get_json()
    document = operations.compile_outcome(consultation, "en",
                                          find_user("secretariat@example.org"))

    assert len(while_open) == 3
    assert all(tally["by_stakeholder_group"] is None for tally in while_open)
    assert all(tally["counts"]["support_with_reservations"] == 1 for tally in while_open)
    assert api["tally"]["by_stakeholder_group"] is None, "3 + 1: the 1 cannot be shown"
    assert "Too few voters in each stakeholder group to show the votes by group." in results
    assert RESERVATION in results and RESERVATION in exported
    for output in (results, exported, table, str(api), docx_text(document)):
        assert "Private sector" not in output and "private_sector" not in output
    assert "Member State" not in results, "no breakdown at all when the rest would tell"


def test_small_groups_counted_together_are_shown_once_they_reach_the_threshold(
    app, session, plenary
):
    consultation, round_ = plenary(LONE + [G.academia, G.civil_society])
    for number in range(3):
        vote(round_, number, "support")
    vote(round_, 3, "oppose")
    vote(round_, 4, "support_with_reservations", RESERVATION)
    vote(round_, 5, "abstain")
    close(round_)
    session.commit()
    browser = signed_in(app, "v0@example.org")

    groups = browser.get(f"/api/v1/rounds/{round_.id}").get_json()["tally"][
        "by_stakeholder_group"]
    results = text_of(browser, f"/c/{consultation.slug}/results")

    assert groups == {
        "member_state": {"support": 3, "support_with_reservations": 0, "oppose": 0,
                         "abstain": 0},
        "other_groups": {"support": 0, "support_with_reservations": 1, "oppose": 1,
                         "abstain": 1},
    }
    assert "Member State / government" in results and "Other groups" in results
    assert "Private sector" not in results and "Academia" not in results
    assert f"<q dir=\"auto\">{RESERVATION}</q> (<bdi>Other groups</bdi>)" in results


def test_the_consultations_threshold_decides_which_groups_stand_alone(
    app, session, plenary, client
):
    consultation, round_ = plenary(LONE + [G.academia, G.civil_society])
    for number in range(6):
        vote(round_, number, "support")
    close(round_)
    session.commit()
    browser = signed_in(app, "v0@example.org")
    path = f"/api/v1/rounds/{round_.id}"
    before = browser.get(path).get_json()["tally"]["by_stakeholder_group"]

    sign_in(client, "facilitator@example.org")
    edit = f"/c/{consultation.slug}/edit"
    refused = submit(client, edit, {**SET_UP, "small_group_threshold": "2"})
    submit(client, edit, {**SET_UP, "small_group_threshold": "4"})
    session.refresh(consultation)
    after = browser.get(path).get_json()["tally"]["by_stakeholder_group"]

    assert set(before) == {"member_state", "other_groups"}
    assert "Give a whole number from 3 to 1000." in refused.get_data(as_text=True)
    assert consultation.small_group_threshold == 4
    assert after == {"other_groups": {"support": 6, "support_with_reservations": 0,
                                      "oppose": 0, "abstain": 0}}


@pytest.mark.parametrize("attribution", list(AttributionRule))
def test_while_open_only_the_console_gets_the_votes_by_group(
    app, session, plenary, connect_socket, attribution
):
    consultation, round_ = plenary([G.member_state] * 3 + [G.red_cross] * 3,
                                   attribution=attribution)
    participant, _ = follower(app, connect_socket, "v0@example.org", f"round:{round_.id}")
    console, _ = follower(app, connect_socket, "facilitator@example.org",
                          f"round_console:{round_.id}")
    refused = participant.emit("join", {"room": f"round_console:{round_.id}"}, callback=True)
    for number in range(6):
        vote(round_, number, ("support", "oppose")[number // 3])
    session.commit()
    tallies.changed(round_.id)
    tallies.flush()
    facilitator = signed_in(app, "facilitator@example.org")
    page = text_of(facilitator, f"/c/{consultation.slug}/console")

    [to_participants] = pushed_tallies(participant)
    [to_console] = pushed_tallies(console)
    assert refused["ok"] is False
    assert to_participants["by_stakeholder_group"] is None
    assert to_participants["counts"] == to_console["counts"]
    assert to_console["by_stakeholder_group"]["member_state"]["support"] == 3
    assert to_console["by_stakeholder_group"]["red_cross"]["oppose"] == 3
    assert f'data-live-room="round_console:{round_.id}"' in page
    assert 'data-group="red_cross" >' in page
    assert 'data-group="private_sector" hidden' in page
    close(round_)
    session.commit()
    closed = signed_in(app, "v0@example.org").get(f"/api/v1/rounds/{round_.id}").get_json()
    assert closed["tally"]["by_stakeholder_group"] == to_console["by_stakeholder_group"]


def test_the_outcome_document_counts_small_groups_together_and_says_so(session, plenary):
    consultation, round_ = plenary(
        [G.member_state] * 3 + [G.private_sector, G.academia, G.civil_society])
    close(round_)
    for number, country in enumerate(["GH", "GH", "GH", "ML", "NE", "TG"]):
        [registration] = find_user(f"v{number}@example.org").registrations
        registration.country = country
    registration.attendance = Attendance.online
    session.flush()

    document = operations.compile_outcome(consultation, "en",
                                          find_user("secretariat@example.org"))
    docx = Document(io.BytesIO(document.content))
    tables = {tuple(cell.text for cell in table.rows[0].cells):
              [[cell.text for cell in row.cells] for row in table.rows[1:]]
              for table in docx.tables}

    assert tables[("Colour in the chart", "Stakeholder group", "Participants")] == [
        ["", "Member State / government", "3"], ["", "Other groups", "3"]]
    assert tables[("Country", "Participants")] == [["Ghana", "3"], ["Other countries", "3"]]
    assert ("Under the Chatham House Rule, no group of fewer than 3 participants is shown on "
            "its own") in docx_text(document)
    for hidden in ("Private sector", "Academia", "Mali", "Niger", "Togo"):
        assert hidden not in docx_text(document)
    assert "Not shown: too few participants" in docx_text(document), "in person and online"
