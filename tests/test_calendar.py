"""Consultations in calendar applications: the agenda as .ics, a person's feed at a secret
address, and the invitation e-mailed with an approval. Each file is parsed back with the
icalendar package; times are checked across the change to summer time."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from consultations import breakouts
from consultations import registrations as rules
from consultations.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    BreakoutGroup,
    CalendarFeed,
    Consultation,
    ConsultationStatus,
    Mode,
    RegistrationStatus,
    Role,
)
from portal.accounts.models import token_digest
from portal.mail import MailAttachment
from tests.conftest import find_user, sign_in, submit

PARIS = ZoneInfo("Europe/Paris")
LINK = "https://meet.example.org/red-talks-lyon"
GROUP_A_LINK = "https://video.example.net/j/4417?pwd=salle-a"
VENUE = "Palais des congrès, Lyon"


def paris(*args) -> datetime:
    """A wall-clock time in Paris, as a point in time."""
    return datetime(*args, tzinfo=PARIS).astimezone(UTC)


@dataclass
class Hybrid:
    consultation: Consultation
    plenary: AgendaItem
    breakout_round: AgendaItem
    group_a: BreakoutGroup
    group_b: BreakoutGroup


@pytest.fixture
def hybrid(session, make_consultation, make_user, register):
    """A hybrid consultation in Lyon over the night Europe goes to summer time (31 March
    2024, 02:00 becomes 03:00): a plenary on the Saturday, a breakout round on the Monday,
    each at 10:00 Paris time; people of every kind around it."""
    consultation = make_consultation(
        slug="red-talks-lyon", title="Red Talks Lyon", mode=Mode.hybrid, venue=VENUE,
        meeting_link=LINK, time_zone="Europe/Paris",
        starts_at=paris(2024, 3, 30, 9, 0), ends_at=paris(2024, 4, 1, 17, 0))
    plenary = AgendaItem(consultation=consultation, kind=AgendaItemKind.plenary,
                         title="Opening plenary", starts_at=paris(2024, 3, 30, 10, 0),
                         ends_at=paris(2024, 3, 30, 12, 0))
    breakout_round = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                                title="Breakouts", starts_at=paris(2024, 4, 1, 10, 0),
                                ends_at=paris(2024, 4, 1, 12, 0))
    session.add_all([plenary, breakout_round])
    session.flush()
    group_a = BreakoutGroup(round=breakout_round, name="Search and rescue", room="Salle 2",
                            meeting_link=GROUP_A_LINK, position=1)
    group_b = BreakoutGroup(round=breakout_round, name="Identification", room="Salle 3",
                            position=2)
    session.add_all([group_a, group_b])
    facilitator = make_user(email="chair@example.org", name="Chair of the day")
    register(facilitator, consultation, Role.facilitator)
    people = {
        "online": (Attendance.online, RegistrationStatus.approved, group_a),
        "online_b": (Attendance.online, RegistrationStatus.approved, group_b),
        "in_room": (Attendance.in_person, RegistrationStatus.approved, group_a),
        "online_pending": (Attendance.online, RegistrationStatus.pending, None),
        "online_declined": (Attendance.online, RegistrationStatus.declined, None),
    }
    for name, (attendance, status, group) in people.items():
        user = make_user(email=f"{name}@example.org", name=f"Delegate {name}")
        registration = register(user, consultation, status=status)
        registration.attendance = attendance
        if group is not None:
            breakouts.move(breakout_round, registration, group, facilitator)
    breakouts.publish(breakout_round, facilitator)
    session.flush()
    return Hybrid(consultation, plenary, breakout_round, group_a, group_b)


def parsed(response) -> Calendar:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.get_data())


def events_by_summary(calendar: Calendar) -> dict:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


def browser_of(app, email):
    browser = app.test_client()
    if email:
        sign_in(browser, email)
    return browser


def test_the_agenda_keeps_each_item_at_its_hour_across_the_change_to_summer_time(
        client, hybrid):
    calendar = parsed(client.get("/c/red-talks-lyon/agenda.ics"))

    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/Paris"
    assert {component.name for component in zone.subcomponents} >= {"STANDARD", "DAYLIGHT"}
    events = events_by_summary(calendar)
    assert set(events) == {"Red Talks Lyon", "Opening plenary", "Breakouts"}
    # The file's own VTIMEZONE, not this machine's zone database, turns its times into
    # points in time: as a calendar application without "Europe/Paris" would.
    zone_of_file = zone.to_tz()
    expected = {"Opening plenary": (paris(2024, 3, 30, 10, 0), 9),
                "Breakouts": (paris(2024, 4, 1, 10, 0), 8),
                "Red Talks Lyon": (paris(2024, 3, 30, 9, 0), 8)}
    for summary, (moment, utc_hour) in expected.items():
        start = events[summary]["DTSTART"]
        assert start.params["TZID"] == "Europe/Paris"
        wall_clock = start.dt.replace(tzinfo=None)
        assert wall_clock == moment.astimezone(PARIS).replace(tzinfo=None)
        in_utc = wall_clock.replace(tzinfo=zone_of_file).astimezone(UTC)
        assert in_utc == moment and in_utc.hour == utc_hour
    assert events["Red Talks Lyon"]["DTEND"].dt == paris(2024, 4, 1, 17, 0)
    assert str(events["Opening plenary"]["LOCATION"]) == VENUE
    assert str(events["Red Talks Lyon"]["URL"]).endswith("/c/red-talks-lyon")
    assert len({str(event["UID"]) for event in events.values()}) == 3


def test_only_approved_participants_taking_part_online_are_given_the_meeting_links(
        app, hybrid):
    def agenda(email):
        response = browser_of(app, email).get("/c/red-talks-lyon/agenda.ics")
        return response.get_data(as_text=True), events_by_summary(parsed(response))

    text, events = agenda("online@example.org")
    assert str(events["Red Talks Lyon"]["LOCATION"]) == LINK
    assert str(events["Red Talks Lyon"]["CONFERENCE"]) == LINK
    assert LINK in str(events["Red Talks Lyon"]["DESCRIPTION"])
    assert str(events["Opening plenary"]["LOCATION"]) == LINK
    # The breakout round, in the person's own group, at its own meeting.
    breakout = events["Breakouts: Search and rescue"]
    assert str(breakout["LOCATION"]) == GROUP_A_LINK
    # A group without a link of its own meets in the consultation's.
    _text, events = agenda("online_b@example.org")
    assert str(events["Breakouts: Identification"]["LOCATION"]) == LINK

    _text, events = agenda("in_room@example.org")
    assert str(events["Breakouts: Search and rescue"]["LOCATION"]) == f"Salle 2, {VENUE}"
    for email in ("in_room@example.org", "online_pending@example.org",
                  "online_declined@example.org", "chair@example.org", None):
        text, events = agenda(email)
        assert "meet.example.org" not in text and "video.example.net" not in text, email
        assert str(events["Red Talks Lyon"]["LOCATION"]) == VENUE
        assert "CONFERENCE" not in events["Red Talks Lyon"]


def test_the_agenda_of_a_consultation_one_may_not_see_is_not_found(
        app, hybrid, make_consultation, make_user, register):
    draft = make_consultation(slug="draft-consultation", status=ConsultationStatus.draft,
                              meeting_link=LINK)
    make_user(email="draft-participant@example.org")
    register(find_user("draft-participant@example.org"), draft)
    register(find_user("chair@example.org"), draft, Role.facilitator)

    assert browser_of(app, None).get("/c/draft-consultation/agenda.ics").status_code == 404
    assert browser_of(app, "draft-participant@example.org").get(
        "/c/draft-consultation/agenda.ics").status_code == 404
    assert browser_of(app, "online@example.org").get(
        "/c/draft-consultation/agenda.ics").status_code == 404
    assert browser_of(app, None).get("/c/no-such-consultation/agenda.ics").status_code == 404
    assert parsed(browser_of(app, "chair@example.org").get("/c/draft-consultation/agenda.ics"))


ADDRESS = re.compile(r'value="https?://([^/"]+)(/calendar/([A-Za-z0-9_-]+)\.ics)"')


def make_address(browser) -> tuple[str, str]:
    """Make (or renew) the feed's address on the account's calendar page; the page shows
    it this once."""
    page = submit(browser, "/account/calendar/renew", {}, form_path="/account/calendar")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    host, path, token = ADDRESS.search(page.get_data(as_text=True)).groups()
    assert f'href="webcal://{host}{path}"' in page.get_data(as_text=True)
    return path, token


def test_a_persons_feed_lists_their_consultations_at_a_secret_address_without_cookies(
        app, session, hybrid, make_consultation, register):
    person = find_user("online@example.org")
    other = make_consultation(slug="red-talks-dakar", title="Red Talks Dakar",
                              time_zone="Africa/Dakar")
    waiting = make_consultation(slug="red-talks-tunis", title="Red Talks Tunis",
                                time_zone="Africa/Tunis")
    register(person, waiting, status=RegistrationStatus.waitlisted)
    make_consultation(slug="red-talks-nairobi", title="Red Talks Nairobi")
    draft = make_consultation(slug="red-talks-draft", title="Red Talks draft",
                              status=ConsultationStatus.draft)
    register(person, draft)
    cancelled = make_consultation(slug="red-talks-accra", title="Red Talks Accra")
    register(person, cancelled, status=RegistrationStatus.cancelled)
    register(find_user("in_room@example.org"), other)
    browser = browser_of(app, "online@example.org")
    path, token = make_address(browser)

    # A calendar application: no cookies, the address is the credential.
    feed = parsed(app.test_client().get(path))

    events = events_by_summary(feed)
    assert set(events) == {"Red Talks Lyon", "Opening plenary", "Breakouts: Search and rescue",
                           "Red Talks Tunis"}
    assert str(events["Red Talks Lyon"]["STATUS"]) == "CONFIRMED"
    assert str(events["Red Talks Tunis"]["STATUS"]) == "TENTATIVE"
    assert str(events["Breakouts: Search and rescue"]["LOCATION"]) == GROUP_A_LINK
    assert events["Breakouts: Search and rescue"]["DTSTART"].dt == paris(2024, 4, 1, 10, 0)
    assert {str(zone["TZID"]) for zone in feed.walk("VTIMEZONE")} == {
        "Europe/Paris", "Africa/Tunis"}
    # The database keeps the token's digest, never the token.
    feed_row = session.scalars(select(CalendarFeed)).one()
    assert feed_row.token_hash == token_digest(token) and token not in feed_row.token_hash
    # The page never shows the address again.
    assert token not in browser.get("/account/calendar").get_data(as_text=True)
    assert token not in browser.get("/account/personal-data").get_data(as_text=True)


def test_the_feed_is_in_the_persons_language(app, session, hybrid):
    find_user("online@example.org").preferred_locale = "fr"
    session.flush()
    path, _token = make_address(browser_of(app, "online@example.org"))

    feed = parsed(app.test_client().get(path))

    assert str(feed["X-WR-CALNAME"]) == "Red Talks : vos consultations"
    breakout = events_by_summary(feed)["Breakouts : Search and rescue"]
    assert "Lien de la réunion" in str(breakout["DESCRIPTION"])


def test_a_renewed_stopped_or_wrong_address_is_refused(app, session, hybrid):
    browser = browser_of(app, "online@example.org")
    old_path, old_token = make_address(browser)
    new_path, new_token = make_address(browser)

    assert new_token != old_token
    refused = app.test_client().get(old_path)
    assert refused.status_code == 404
    assert b"BEGIN:VCALENDAR" not in refused.get_data()
    assert parsed(app.test_client().get(new_path))
    for wrong in (new_token[:-1] + ("A" if new_token[-1] != "A" else "B"), "x", "a" * 300,
                  new_token.upper() if new_token.upper() != new_token else new_token + "a"):
        assert app.test_client().get(f"/calendar/{wrong}.ics").status_code == 404, wrong
    assert app.test_client().get(f"/calendar/{new_token}").status_code == 404
    assert session.scalar(select(func.count()).select_from(CalendarFeed)) == 1

    submit(browser, "/account/calendar/stop", {}, form_path="/account/calendar")

    assert app.test_client().get(new_path).status_code == 404
    assert session.scalar(select(func.count()).select_from(CalendarFeed)) == 0


def test_renewing_needs_a_signed_in_person_and_the_form(app, hybrid):
    anonymous = app.test_client()
    assert anonymous.get("/account/calendar").status_code == 302
    assert anonymous.post("/account/calendar/renew").status_code in (302, 400)
    browser = browser_of(app, "online@example.org")
    # Without the form's token (a forged request from another site), nothing is made.
    forged = browser.post("/account/calendar/renew")
    assert forged.status_code in (302, 400)
    assert "/calendar/" not in forged.get_data(as_text=True)


def test_the_approval_email_carries_the_invitation_and_the_link_for_online_participants(
        app, session, hybrid, mailbox, make_user, register):
    chair = find_user("chair@example.org")
    waiting = {}
    for name, attendance in (("newcomer_online", Attendance.online),
                             ("newcomer_in_room", Attendance.in_person)):
        user = make_user(email=f"{name}@example.org", name=f"Delegate {name}")
        waiting[name] = register(user, hybrid.consultation, status=RegistrationStatus.pending)
        waiting[name].attendance = attendance
    session.flush()
    mailbox.messages.clear()

    for registration in waiting.values():
        rules.approve(registration, chair, "See you in Lyon.")
    session.commit()

    online = mailbox.to("newcomer_online@example.org")[0]
    text = online.get_body(("plain",)).get_content()
    assert LINK in text and "See you in Lyon." in text
    [attachment] = list(online.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    assert attachment.get_filename() == "red-talks-lyon.ics"
    invitation = Calendar.from_ical(attachment.get_content())
    assert str(invitation["METHOD"]) == "REQUEST"
    [event] = invitation.walk("VEVENT")
    assert str(event["LOCATION"]) == LINK
    assert str(event["ATTENDEE"]) == "mailto:newcomer_online@example.org"
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert str(event["ORGANIZER"]).startswith("mailto:")
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].dt == paris(2024, 3, 30, 9, 0)
    # The same event as in the agenda and the feed: calendars update it, never double it.
    agenda = events_by_summary(parsed(app.test_client().get("/c/red-talks-lyon/agenda.ics")))
    assert str(event["UID"]) == str(agenda["Red Talks Lyon"]["UID"])

    in_room = mailbox.to("newcomer_in_room@example.org")[0]
    assert LINK not in in_room.get_body(("plain",)).get_content()
    [attachment] = list(in_room.iter_attachments())
    [event] = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(event["LOCATION"]) == VENUE
    assert "meet.example.org" not in attachment.get_content()
    # Sent: the outbox keeps neither the body nor the invitation.
    assert session.scalar(select(func.count()).select_from(MailAttachment)) == 0


def test_a_registration_waiting_for_a_decision_gets_neither_invitation_nor_link(
        session, hybrid, mailbox, make_user):
    hybrid.consultation.status = ConsultationStatus.registration_open
    person = make_user(email="hopeful@example.org")
    mailbox.messages.clear()

    registration = rules.register(
        hybrid.consultation, person, organisation="IFRC",
        stakeholder_group=person.stakeholder_group, country="FR",
        attendance=Attendance.online, languages=["en"], interpretation_language=None,
        accessibility_needs="", notes="", answers={}, consented=True)
    session.commit()

    assert registration.status == RegistrationStatus.pending
    [message] = mailbox.to("hopeful@example.org")
    assert not message.is_multipart()
    assert LINK not in message.get_content()
