"""The check-in desk's name badges and attendance list (PDF, laid out by LibreOffice, read back
with poppler's pdftotext and pdfinfo), and checking people in by the QR code of their badge."""

import io
import shutil
import subprocess  # nosec B404
from urllib.parse import urlsplit

import pytest
from docx import Document
from sqlalchemy import select

from consultations import badges
from consultations.badge_sheets import Badge, badges_docx
from consultations.models import Attendance, RegistrationStatus, Role
from portal.audit.models import AuditEvent
from tests.conftest import csrf_token_from, sign_in, submit

needs_pdf_tools = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("soffice", "pdftotext", "pdfinfo")),
    reason="LibreOffice and poppler's utilities are not installed")


@pytest.fixture
def desk(app, client, session, make_user, make_consultation, register):
    """A live consultation, its facilitator signed in at the check-in desk, and three
    approved people: two in the room, one online."""
    consultation = make_consultation(title="Red Talks Dakar 2024", venue="King Fahd Palace")
    facilitator = make_user(name="Mariama Sow")
    register(facilitator, consultation, role=Role.facilitator)
    people = {
        "amina": register(make_user(name="Amina Diallo", organisation="UNHCR Dakar"),
                          consultation),
        "kofi": register(make_user(name="Kofi Boateng", organisation="Ghana Red Cross"),
                         consultation),
        "leila": register(make_user(name="ليلى بن علي", organisation="الهلال الأحمر التونسي"),
                          consultation),
    }
    people["kofi"].attendance = Attendance.online
    session.flush()
    sign_in(client, facilitator.email)
    return consultation, people


def scan(client, consultation, text, *, json=True):
    page = client.get(f"/c/{consultation.slug}/check-in").get_data(as_text=True)
    headers = {"Accept": "application/json"} if json else {}
    return client.post(f"/c/{consultation.slug}/check-in/badge",
                       data={"badge": text, "csrf_token": csrf_token_from(page)},
                       headers=headers)


def address_of(app, registration) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for("consultations.badge", slug=registration.consultation.slug,
                       code=badges.badge_code(registration), _external=True)


# Scanning ------------------------------------------------------------------------------------

def test_scanning_a_badge_checks_its_person_in(app, client, session, desk):
    consultation, people = desk
    amina = people["amina"]
    answer = scan(client, consultation, address_of(app, amina))
    assert answer.status_code == 200
    assert answer.json["ok"] is True and answer.json["message"] == "Amina Diallo is checked in."
    session.refresh(amina)
    assert amina.checked_in_at is not None
    assert session.scalar(select(AuditEvent.action).where(
        AuditEvent.target_id == amina.id, AuditEvent.target_type == "registrations")
    ) == "registration.checked_in"

    first_time = amina.checked_in_at
    again = scan(client, consultation, address_of(app, amina))
    assert again.json["message"] == "Amina Diallo was checked in already."
    session.refresh(amina)
    assert amina.checked_in_at == first_time


def test_the_code_alone_works_too_as_a_hand_scanner_or_a_person_types_it(
        app, client, session, desk):
    consultation, people = desk
    code = urlsplit(address_of(app, people["kofi"])).path.rsplit("/", 1)[1]
    answer = scan(client, consultation, f"  {code}\n", json=False)
    assert answer.status_code == 302
    session.refresh(people["kofi"])
    assert people["kofi"].checked_in_at is not None
    assert "Kofi Boateng is checked in." in client.get(
        f"/c/{consultation.slug}/check-in").get_data(as_text=True)


def test_a_badge_of_another_consultation_is_refused(app, client, session, desk,
                                                    make_consultation, make_user, register):
    consultation, _people = desk
    elsewhere = make_consultation(title="Red Talks Bangkok")
    stranger = register(make_user(name="Somchai Prasert"), elsewhere)
    answer = scan(client, consultation, address_of(app, stranger))
    assert answer.status_code == 422
    assert answer.json == {"ok": False, "code": "other_consultation",
                           "message": "This badge is for another consultation."}
    assert stranger.checked_in_at is None


@pytest.mark.parametrize("scanned", [
    "", "hello", "https://portal.test/c/x/check-in/badge/WzEsMl0.forged-signature",
    "WzEsMl0", "x" * 5000, "https://elsewhere.example/",
])
def test_what_is_not_a_badge_is_refused(client, session, desk, scanned):
    consultation, people = desk
    answer = scan(client, consultation, scanned)
    assert answer.status_code == 422
    assert answer.json["message"] == "This code is not a badge of the portal."
    assert all(person.checked_in_at is None for person in people.values())


def test_the_badge_of_someone_no_longer_approved_is_refused(app, client, session, desk):
    consultation, people = desk
    people["amina"].status = RegistrationStatus.cancelled
    session.flush()
    answer = scan(client, consultation, address_of(app, people["amina"]))
    assert answer.status_code == 422
    assert "is not approved" in answer.json["message"]
    assert people["amina"].checked_in_at is None


def test_only_the_desk_checks_people_in_by_badge(app, client, session, desk, make_user,
                                                  register):
    consultation, people = desk
    participant = make_user()
    register(participant, consultation)
    address = address_of(app, people["amina"])
    client.post("/account/sign-out", data={"csrf_token": csrf_token_from(
        client.get("/account/profile").get_data(as_text=True))})
    sign_in(client, participant.email)
    page = client.get(f"/c/{consultation.slug}").get_data(as_text=True)
    answer = client.post(f"/c/{consultation.slug}/check-in/badge",
                         data={"badge": address, "csrf_token": csrf_token_from(page)})
    assert answer.status_code == 403
    assert client.get(urlsplit(address).path).status_code == 403
    assert people["amina"].checked_in_at is None


def test_a_phone_camera_opening_the_badge_shows_the_person_and_a_button(app, client, session,
                                                                        desk):
    consultation, people = desk
    page = client.get(urlsplit(address_of(app, people["amina"])).path)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Amina Diallo" in html and "Check in Amina Diallo" in html
    assert client.get(f"/c/{consultation.slug}/check-in/badge/not-a-badge").status_code == 400


def test_the_check_in_page_may_use_the_camera_and_no_other_page_may(client, session, desk):
    consultation, _people = desk
    page = client.get(f"/c/{consultation.slug}/check-in")
    assert "camera=(self)" in page.headers["Permissions-Policy"]
    assert "microphone=()" in page.headers["Permissions-Policy"]
    assert "camera=()" in client.get(f"/c/{consultation.slug}").headers["Permissions-Policy"]


# The printouts -------------------------------------------------------------------------------

def pdf_text(content: bytes, tmp_path) -> tuple[str, dict]:
    path = tmp_path / "printout.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],  # noqa: S603, S607
                          capture_output=True, check=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(path)],  # noqa: S603, S607
                          capture_output=True, check=True, text=True).stdout
    return text, dict(line.split(":", 1) for line in info.splitlines() if ":" in line)


@needs_pdf_tools
@pytest.mark.parametrize(("paper", "size"), [("a4", "595.304 x 841.89 pts (A4)"),
                                             ("letter", "612 x 792 pts (letter)")])
def test_badges_of_those_in_the_room_are_printed_on_the_paper_chosen(
        app, client, session, desk, tmp_path, monkeypatch, paper, size):
    monkeypatch.setitem(app.config, "LIBREOFFICE", "soffice")
    consultation, _people = desk
    response = client.get(f"/c/{consultation.slug}/check-in/badges.pdf?paper={paper}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"{consultation.slug}-badges-{paper}.pdf" in response.headers["Content-Disposition"]
    text, info = pdf_text(response.data, tmp_path)
    assert info["Page size"].strip() == size
    assert info["Pages"].strip() == "1"
    for words in ("Amina Diallo", "UNHCR Dakar", "Red Cross / Red Crescent",
                  "Red Talks Dakar 2024"):
        assert words in text, words
    assert "Kofi Boateng" not in text, "online participants get no badge"


def test_each_badge_carries_the_person_s_details_and_a_qr_code(app, session, desk):
    consultation, people = desk
    with app.test_request_context():
        sheet = [Badge(name=registration.user.name, organisation=registration.organisation,
                       stakeholder_group=registration.stakeholder_group.label,
                       consultation=consultation.title, address=f"https://portal.test/{index}")
                 for index, registration in enumerate(people.values())]
    document = Document(io.BytesIO(badges_docx(sheet, badges.Paper.a4, language="en")))
    table = document.tables[0]
    first = table.cell(0, 0).text
    assert "Amina Diallo" in first and "UNHCR Dakar" in first and "Red Talks Dakar 2024" in first
    assert len(document.inline_shapes) == 3, "one QR code a badge"
    assert "ليلى بن علي" in table.cell(1, 0).text


@needs_pdf_tools
def test_the_attendance_list_names_everyone_approved_with_a_column_to_sign(
        app, client, session, desk, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LIBREOFFICE", "soffice")
    consultation, _people = desk
    response = client.get(f"/c/{consultation.slug}/check-in/attendance.pdf?paper=letter")
    assert response.status_code == 200
    text, info = pdf_text(response.data, tmp_path)
    assert info["Page size"].strip() == "792 x 612 pts (letter)", "landscape letter"
    for words in ("Attendance list", "Red Talks Dakar 2024", "King Fahd Palace", "Signature",
                  "Amina Diallo", "Kofi Boateng", "Online", "In person", "Mariama Sow"):
        assert words in text, words


@needs_pdf_tools
def test_the_attendance_list_in_french(app, client, session, desk, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "LIBREOFFICE", "soffice")
    consultation, _people = desk
    submit(client, "/language", {"locale": "fr", "next": "/"}, form_path="/")
    response = client.get(f"/c/{consultation.slug}/check-in/attendance.pdf?paper=a4")
    text, info = pdf_text(response.data, tmp_path)
    assert "841.89 x 595.304 pts (A4)" in info["Page size"]
    assert "Liste de présence" in text and "Signature" in text and "En présentiel" in text


def test_without_libreoffice_the_desk_is_told_why_there_is_no_pdf(client, session, desk):
    consultation, _people = desk
    response = client.get(f"/c/{consultation.slug}/check-in/badges.pdf")
    assert response.status_code == 302
    assert "LibreOffice is not installed" in client.get(
        f"/c/{consultation.slug}/check-in").get_data(as_text=True)


def test_one_person_s_badge_and_none_for_someone_not_approved(app, client, session, desk,
                                                              monkeypatch):
    consultation, people = desk
    people["amina"].status = RegistrationStatus.declined
    session.flush()
    response = client.get(
        f"/c/{consultation.slug}/check-in/badges.pdf?person={people['amina'].id}")
    assert response.status_code == 302
    assert "is not approved: there is no badge to print" in client.get(
        f"/c/{consultation.slug}/check-in").get_data(as_text=True)
    assert client.get(f"/c/{consultation.slug}/check-in/badges.pdf?person=abc"
                      ).status_code == 404
