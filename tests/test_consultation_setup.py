import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consultations.models import (
    AgendaItemKind,
    BreakoutGroup,
    Consultation,
    ConsultationStatus,
    Region,
    Role,
)
from consultations.operations import TRANSITIONS
from portal.audit.models import AuditEvent
from tests.conftest import PASSWORD, find_user, sign_in, submit

FORM = {
    "title": "Red Talks Nairobi: children on the move",
    "summary": "Protection of migrant children in East Africa.",
    "description": "Two days of breakouts and plenary.",
    "region": "africa",
    "gcm_objectives": ["7", "8"],
    "organisers": "Kenya Red Cross Society, IOM",
    "venue": "Nairobi, Kenya",
    "mode": "hybrid",
    "time_zone": "Africa/Nairobi",
    "starts_at": "2025-03-10T09:00",
    "ends_at": "2025-03-11T17:30",
    "working_languages": ["en", "fr"],
    "capacity": "80",
    "approval_rule": "facilitator",
    "attribution_rule": "chatham_house",
    "adoption_rule": "two_thirds",
    "small_group_threshold": "3",
    "consent_text": "We process your data to run the consultation.",
}


@pytest.fixture
def facilitator(make_user, make_consultation, register, client):
    user = make_user(email="facilitator@example.org")
    register(user, make_consultation(), Role.facilitator)
    sign_in(client, "facilitator@example.org")
    return user


def consultation_titled(session, title) -> Consultation:
    return session.execute(select(Consultation).where(Consultation.title == title)).scalar_one()


def test_a_facilitator_creates_a_draft_seen_only_by_its_facilitators(
    client, session, facilitator, app
):
    response = submit(client, "/consultations/new", FORM, follow_redirects=True)

    assert "The consultation is created as a draft" in response.get_data(as_text=True)
    consultation = consultation_titled(session, FORM["title"])
    assert consultation.slug == "red-talks-nairobi-children-on-the-move"
    assert consultation.status == ConsultationStatus.draft
    assert consultation.gcm_objectives == [7, 8]
    # 09:00 in Nairobi (UTC+3) is 06:00 UTC.
    assert consultation.starts_at == datetime(2025, 3, 10, 6, 0, tzinfo=UTC)
    assert consultation.region == Region.africa
    page = client.get(f"/c/{consultation.slug}").get_data(as_text=True)
    assert "Your role: Facilitator" in page
    assert app.test_client().get(f"/c/{consultation.slug}").status_code == 404


def test_a_refused_consultation_form_says_why_and_keeps_what_was_typed(client, facilitator):
    response = submit(client, "/consultations/new",
                      {**FORM, "ends_at": "2025-03-09T09:00", "gcm_objectives": []})

    page = response.get_data(as_text=True)
    assert "The end must come after the start." in page
    assert "Choose at least one objective." in page
    assert 'value="Red Talks Nairobi: children on the move"' in page
    assert 'value="Nairobi, Kenya"' in page


def test_a_participant_may_not_create_or_edit_consultations(
    client, make_user, make_consultation, register
):
    consultation = make_consultation()
    register(make_user(email="participant@example.org"), consultation, Role.participant)
    sign_in(client, "participant@example.org")

    assert client.get("/consultations/new").status_code == 403
    assert submit(client, "/consultations/new", FORM, form_path="/").status_code == 403
    assert submit(client, f"/c/{consultation.slug}/edit", FORM, form_path="/").status_code == 403
    assert submit(client, f"/c/{consultation.slug}/status", {"status": "closed"},
                  form_path="/").status_code == 403


def test_the_facilitator_edits_the_consultation_and_the_change_is_audited(
    client, session, facilitator, make_consultation, register
):
    consultation = make_consultation(title="Old title")
    register(facilitator, consultation, Role.facilitator)
    form = client.get(f"/c/{consultation.slug}/edit").get_data(as_text=True)
    assert 'value="Old title"' in form

    submit(client, f"/c/{consultation.slug}/edit", {**FORM, "title": "New title"})

    session.refresh(consultation)
    assert consultation.title == "New title"
    assert consultation.time_zone == "Africa/Nairobi"
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "consultation.updated")).one()
    assert "title" in event.details["fields"]


def test_the_facilitator_keeps_registration_open_while_live(
    client, session, facilitator, make_consultation, register
):
    consultation = make_consultation(status=ConsultationStatus.live)
    register(facilitator, consultation, Role.facilitator)
    form = client.get(f"/c/{consultation.slug}/edit").get_data(as_text=True)
    assert "Keep registration open while live" in form
    visitor = client.application.test_client()
    assert visitor.get(f"/c/{consultation.slug}/register").status_code == 403

    submit(client, f"/c/{consultation.slug}/edit",
           {**FORM, "registration_open_while_live": "y"})

    session.refresh(consultation)
    assert consultation.registration_open_while_live
    assert visitor.get(f"/c/{consultation.slug}/register").status_code == 200


def test_the_lifecycle_moves_one_step_at_a_time(
    client, session, facilitator, make_consultation, register
):
    consultation = make_consultation(status=ConsultationStatus.draft)
    register(facilitator, consultation, Role.facilitator)
    path = f"/c/{consultation.slug}/status"

    skipped = submit(client, path, {"status": "live"}, form_path="/", follow_redirects=True)
    assert "A consultation cannot go from “Draft” to “Live”." in skipped.get_data(as_text=True)

    for status in ["registration_open", "live", "closed", "archived"]:
        submit(client, path, {"status": status}, form_path="/")
        session.refresh(consultation)
        assert consultation.status == ConsultationStatus(status)

    back = submit(client, path, {"status": "live"}, form_path="/", follow_redirects=True)
    assert "cannot go from “Archived” to “Live”" in back.get_data(as_text=True)


def test_only_the_documented_transitions_exist():
    S = ConsultationStatus
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == {
        (S.draft, S.registration_open), (S.registration_open, S.live), (S.live, S.closed),
        (S.closed, S.archived)}


def test_agenda_with_a_breakout_round_and_its_groups(
    client, session, facilitator, make_consultation, register, make_user
):
    consultation = make_consultation()
    register(facilitator, consultation, Role.facilitator)
    register(make_user(email="rapporteur@example.org"), consultation, Role.rapporteur)

    submit(client, f"/c/{consultation.slug}/agenda/new", {
        "kind": "breakout_round", "title": "Breakout round 1", "starts_at": "2024-04-23T10:00",
        "ends_at": "2024-04-23T12:00"})
    session.refresh(consultation)
    [round_] = consultation.agenda_items
    assert round_.kind == AgendaItemKind.breakout_round
    # Dakar is on UTC.
    assert round_.starts_at == datetime(2024, 4, 23, 10, 0, tzinfo=UTC)

    refused = submit(client, f"/c/{consultation.slug}/agenda/{round_.id}/groups/new", {
        "name": "Search and identification", "language": "",
        "rapporteur_email": "stranger@example.org"})
    assert "Nobody with this address is registered" in refused.get_data(as_text=True)
    malformed = submit(client, f"/c/{consultation.slug}/agenda/{round_.id}/groups/new", {
        "name": "Search and identification", "language": "",
        "rapporteur_email": "rapporteur\x00@example.org"})
    assert malformed.status_code == 200
    assert "Remove the invisible control characters" in malformed.get_data(as_text=True)

    submit(client, f"/c/{consultation.slug}/agenda/{round_.id}/groups/new", {
        "name": "Search and identification", "theme": "Identifying the dead",
        "guiding_questions": "Who collects the data?\n\nHow are families told?\n",
        "capacity": "25", "language": "fr", "rapporteur_email": "rapporteur@example.org"})
    group = session.scalars(select(BreakoutGroup)).one()
    assert group.guiding_questions == ["Who collects the data?", "How are families told?"]
    assert group.rapporteur.email == "rapporteur@example.org"
    assert group.language == "fr"
    assert "Search and identification" in client.get(f"/c/{consultation.slug}").get_data(
        as_text=True)


def test_appointing_by_email_with_and_without_an_account(
    app, client, session, facilitator, make_consultation, register, make_user, mailbox
):
    consultation = make_consultation()
    register(facilitator, consultation, Role.facilitator)
    make_user(email="colleague@example.org")

    done = submit(client, f"/c/{consultation.slug}/team",
                  {"email": "Colleague@example.org", "role": "secretariat"},
                  follow_redirects=True)
    assert "is now Secretariat" in done.get_data(as_text=True)
    waiting = submit(client, f"/c/{consultation.slug}/team",
                     {"email": "newcomer@example.org", "role": "rapporteur"},
                     follow_redirects=True)
    assert "applies when they create one" in waiting.get_data(as_text=True)

    newcomer = app.test_client()
    submit(newcomer, "/account/sign-up", {
        "name": "Rapporteur", "email": "newcomer@example.org", "organisation": "Caritas",
        "stakeholder_group": "civil_society", "country": "SN", "preferred_locale": "en",
        "password": PASSWORD, "password_confirmation": PASSWORD})
    (confirmation,) = mailbox.to("newcomer@example.org")
    link = re.search(r"http://portal\.test(/account/sign-up/confirm/\S+)",
                     confirmation.get_content()).group(1)
    submit(newcomer, link, {})
    page = newcomer.get(f"/c/{consultation.slug}").get_data(as_text=True)
    assert "Your role: Rapporteur" in page
    assert find_user("newcomer@example.org") is not None


def test_the_listing_filters_by_region_and_objective(client, make_consultation):
    make_consultation(title="Dakar on missing migrants", gcm_objectives=[8])
    make_consultation(title="Bangkok on labour migration", region=Region.asia_pacific,
                      gcm_objectives=[6])

    by_region = client.get("/", query_string={"region": "asia_pacific"}).get_data(as_text=True)
    by_objective = client.get("/", query_string={"objective": "8"}).get_data(as_text=True)

    assert "Bangkok on labour migration" in by_region
    assert "Dakar on missing migrants" not in by_region
    assert "Dakar on missing migrants" in by_objective
    assert "Bangkok on labour migration" not in by_objective
