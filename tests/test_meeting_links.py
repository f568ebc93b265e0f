"""Hybrid sessions: a meeting link per consultation and per breakout group, set by the
facilitators, given only to approved participants taking part online; online and in-room
participants counted apart."""

import pytest

from consultations.meeting_links import meeting_link_problem
from consultations.models import BreakoutGroup, Consultation, Role
from tests.conftest import sign_in, submit
from tests.test_calendar import GROUP_A_LINK, LINK, browser_of, hybrid  # noqa: F401
from tests.test_consultation_setup import FORM


@pytest.mark.parametrize("link", [
    "", "https://meet.jit.si/RedTalksLyon", "https://us02web.zoom.us/j/8123456789?pwd=abc",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0",
    "https://bbb.example.org:8443/b/red-talks",
])
def test_any_video_services_https_address_is_a_meeting_link(link):
    assert meeting_link_problem(link) is None


@pytest.mark.parametrize("link", [
    "http://meet.example.org/red-talks", "javascript:alert(document.cookie)",
    "meet.example.org/red-talks", "https://", "https://localhost/red-talks",
    "https://user:secret@meet.example.org/red-talks", "https://meet.example.org/red talks",
    "https://meet.example.org/\nred-talks", "https://meet.example.org:port/red-talks",
    "data:text/html,<script>alert(1)</script>", "https://meet.example.org/" + "x" * 500,
])
def test_anything_else_is_refused(link):
    assert meeting_link_problem(link)


def test_a_refused_meeting_link_says_why_and_keeps_what_was_typed(
        client, session, make_user, make_consultation, register):
    consultation = make_consultation()
    register(make_user(email="chair@example.org"), consultation, Role.facilitator)
    sign_in(client, "chair@example.org")

    response = submit(client, f"/c/{consultation.slug}/edit",
                      {**FORM, "meeting_link": "http://meet.example.org/red-talks"})

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Give the meeting&#39;s https address" in page
    assert 'value="http://meet.example.org/red-talks"' in page
    session.expire_all()
    assert session.get(Consultation, consultation.id).meeting_link == ""

    submit(client, f"/c/{consultation.slug}/edit", {**FORM, "meeting_link": f"  {LINK} "})

    session.expire_all()
    assert session.get(Consultation, consultation.id).meeting_link == LINK


def test_the_facilitators_set_a_groups_meeting_link_in_its_form(app, session, hybrid):  # noqa: F811
    facilitator = browser_of(app, "chair@example.org")
    group = hybrid.group_b
    path = f"/c/red-talks-lyon/groups/{group.id}/edit"
    form = {"name": group.name, "theme": "", "room": "Salle 3", "guiding_questions": "",
            "capacity": "", "facilitator_email": "", "rapporteur_email": "", "language": ""}

    refused = submit(facilitator, path, {**form, "meeting_link": "ftp://files.example.org/"})
    assert "Give the meeting&#39;s https address" in refused.get_data(as_text=True)
    submit(facilitator, path, {**form, "meeting_link": "https://meet.example.org/salle-3"})

    session.expire_all()
    assert session.get(BreakoutGroup, group.id).meeting_link == "https://meet.example.org/salle-3"
    assert "https://meet.example.org/salle-3" in facilitator.get(path).get_data(as_text=True)
    # Not a participant's business: a participant may not set it.
    participant = browser_of(app, "online@example.org")
    assert submit(participant, path, {**form, "meeting_link": "https://evil.example.org/"},
                  form_path="/c/red-talks-lyon").status_code == 403
    session.expire_all()
    assert session.get(BreakoutGroup, group.id).meeting_link == "https://meet.example.org/salle-3"


def test_the_pages_give_the_links_only_to_approved_participants_taking_part_online(
        app, hybrid):  # noqa: F811
    group_a = f"/c/red-talks-lyon/groups/{hybrid.group_a.id}"

    online = browser_of(app, "online@example.org")
    page = online.get("/c/red-talks-lyon").get_data(as_text=True)
    assert f'href="{LINK}"' in page
    # The next step: their breakout group, and where to join it online.
    assert f'href="{GROUP_A_LINK}"' in page
    assert f'href="{GROUP_A_LINK}"' in online.get(group_a).get_data(as_text=True)
    assert f'href="{LINK}"' in online.get("/c/red-talks-lyon/registration").get_data(
        as_text=True)

    for email in ("in_room@example.org", "online_pending@example.org",
                  "online_declined@example.org", "chair@example.org", None):
        browser = browser_of(app, email)
        for path in ("/c/red-talks-lyon", group_a, "/c/red-talks-lyon/registration"):
            page = browser.get(path).get_data(as_text=True)
            assert "meet.example.org" not in page and "video.example.net" not in page, \
                (email, path)
    # The in-room participant of the same group reads its page, without the link.
    assert browser_of(app, "in_room@example.org").get(group_a).status_code == 200
    # Group B's online member never gets group A's link: its page is not theirs.
    other = browser_of(app, "online_b@example.org")
    assert other.get(group_a).status_code == 403
    assert "video.example.net" not in other.get("/c/red-talks-lyon").get_data(as_text=True)


def test_check_in_and_the_registrations_count_in_person_and_online_apart(app, hybrid):  # noqa: F811
    facilitator = browser_of(app, "chair@example.org")

    check_in = facilitator.get("/c/red-talks-lyon/check-in").get_data(as_text=True)
    registrations = facilitator.get("/c/red-talks-lyon/registrations").get_data(as_text=True)

    # Approved participants: two online (groups A and B), one in the room.
    assert "In person: <strong>1</strong> · Online: <strong>2</strong>" in check_in
    assert '<th scope="row">Online</th><td>2</td>' in registrations
    assert '<th scope="row">In person</th><td>1</td>' in registrations


def test_the_meeting_link_is_not_in_the_listing_the_results_or_the_api(app, hybrid):  # noqa: F811
    online = browser_of(app, "online@example.org")
    consultation_id = hybrid.consultation.id
    for path in ("/", "/c/red-talks-lyon/recommendations", "/c/red-talks-lyon/results.json",
                 f"/api/v1/consultations/{consultation_id}/recommendations"):
        response = online.get(path)
        assert response.status_code == 200, path
        assert "meet.example.org" not in response.get_data(as_text=True), path
