"""Consultations in calendar applications (iCalendar, RFC 5545): a consultation's agenda, a
person's feed of the consultations they are registered in, and the invitation sent with an
approval.

Times are written in the consultation's time zone (``DTSTART;TZID=Africa/Dakar``) with its
VTIMEZONE, so that an agenda item after a change of summer time stays at the hour the
facilitators set. The venue is the LOCATION; someone admitted who takes part online gets the
meeting link instead, and only they (``consultations.meeting_links``).

A person's feed is fetched by calendar applications without cookies: its address carries a
secret token, the database keeps the token's digest (``CalendarFeed``), and renewing the
address replaces it, so the old one stops working at once.
"""

from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText, vUri
from sqlalchemy import delete, select

from consultations import breakouts
from consultations.meeting_links import consultation_link_for, item_link_for
from consultations.models import (
    AgendaItem,
    CalendarFeed,
    Consultation,
    Registration,
    RegistrationStatus,
)
from consultations.wording import group_wording, item_wording, wording_of
from portal import permissions
from portal.accounts.models import User, new_secret_token, token_digest
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.mail import MailAttachment, message_id_domain

PRODUCT = "-//Red Talks portal//Consultations//EN"

#: The media type of an invitation e-mailed to be added to the calendar (iTIP, RFC 5546).
INVITATION_TYPE = 'text/calendar; method=REQUEST; charset="utf-8"'

#: Registrations shown in a person's feed: approved ones as confirmed, the others as tentative.
IN_FEED = (RegistrationStatus.approved, RegistrationStatus.pending,
           RegistrationStatus.waitlisted)


def _new_calendar(name: str, *, method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


def _finished(calendar: Calendar) -> bytes:
    """The calendar as bytes, with a VTIMEZONE for every time zone its events use, whose
    rules cover a year either side of its events (not the half century icalendar writes by
    default)."""
    moments = [event[name].dt for event in calendar.walk("VEVENT") for name in ("DTSTART",
                                                                                 "DTEND")]
    if moments:
        calendar.add_missing_timezones(first_date=min(moments).date() - timedelta(days=366),
                                       last_date=max(moments).date() + timedelta(days=366))
    return calendar.to_ical()


def _uid(kind: str, row_id: int) -> str:
    return f"{kind}-{row_id}@{message_id_domain(current_app.config)}"


def _local(moment: datetime, consultation: Consultation) -> datetime:
    return moment.astimezone(ZoneInfo(consultation.time_zone))


def _event(uid: str, summary: str, starts_at: datetime, ends_at: datetime,
           consultation: Consultation, *, location: str, link: str, lines: list[str],
           status: str) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", utcnow())
    event.add("dtstart", _local(starts_at, consultation))
    event.add("dtend", _local(ends_at, consultation))
    event.add("summary", summary)
    event.add("status", status)
    page = url_for("consultations.show", slug=consultation.slug, _external=True)
    event.add("url", vUri(page))
    if link:
        event.add("location", link)
        # RFC 7986: the video meeting, for the applications that show a "Join" button.
        event.add("conference", vUri(link), parameters={
            "value": "URI", "feature": "VIDEO", "label": _("Meeting link")})
        lines = [*lines, _("Meeting link: %(link)s", link=link)]
    elif location:
        event.add("location", location)
    event.add("description", "\n\n".join([*[line for line in lines if line], page]))
    return event


def consultation_event(consultation: Consultation, user, locale: str, *,
                       status: str = "CONFIRMED") -> Event:
    """The consultation from its start to its end, as ``user`` may see it, in ``locale``."""
    words = wording_of(consultation, locale)
    return _event(_uid("consultation", consultation.id), words.title, consultation.starts_at,
                  consultation.ends_at, consultation, location=words.venue,
                  link=consultation_link_for(user, consultation), lines=[words.summary],
                  status=status)


def agenda_item_event(item: AgendaItem, user, locale: str) -> Event:
    """An agenda item; for a breakout round, with ``user``'s group, its room and link."""
    consultation = item.consultation
    words = item_wording(item, locale)
    summary, location = words.title, wording_of(consultation, locale).venue
    group = None
    if item.is_breakout_round:
        group = breakouts.group_of(permissions.registration_of(user, consultation), item)
    lines = [words.description]
    if group is not None:
        group_words = group_wording(group, locale)
        summary = _("%(round)s: %(group)s", round=words.title, group=group_words.name)
        if group.room:
            location = _("%(room)s, %(venue)s", room=group.room, venue=location) if location \
                else group.room
        lines = [group_words.theme, *lines]
    return _event(_uid("agenda-item", item.id), summary, item.starts_at, item.ends_at,
                  consultation, location=location, link=item_link_for(user, item),
                  lines=lines, status="CONFIRMED")


def agenda_calendar(consultation: Consultation, user, locale: str) -> bytes:
    """The consultation and each item of its agenda, for ``user`` (signed in or not)."""
    with force_locale(locale):
        calendar = _new_calendar(wording_of(consultation, locale).title)
        calendar.add_component(consultation_event(consultation, user, locale))
        for item in consultation.agenda_items:
            calendar.add_component(agenda_item_event(item, user, locale))
        return _finished(calendar)


def registrations_in_feed(user: User) -> list[Registration]:
    """The person's registrations their feed shows, by the consultations' start."""
    registrations = db.session.scalars(
        select(Registration).join(Consultation)
        .where(Registration.user_id == user.id, Registration.status.in_(IN_FEED))
        .order_by(Consultation.starts_at, Consultation.id)).all()
    return [registration for registration in registrations
            if permissions.may_view_consultation(user, registration.consultation)]


def personal_calendar(user: User) -> bytes:
    """The person's feed, in their language: each consultation they are admitted to with its
    agenda; those they wait for (pending, waitlisted) as tentative, without the agenda."""
    locale = user.preferred_locale
    with force_locale(locale):
        calendar = _new_calendar(_("Red Talks: your consultations"))
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"value": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        for registration in registrations_in_feed(user):
            consultation = registration.consultation
            admitted = registration.status == RegistrationStatus.approved
            calendar.add_component(consultation_event(
                consultation, user, locale, status="CONFIRMED" if admitted else "TENTATIVE"))
            if admitted:
                for item in consultation.agenda_items:
                    calendar.add_component(agenda_item_event(item, user, locale))
        return _finished(calendar)


def invitation(registration: Registration) -> MailAttachment:
    """The consultation as an invitation (METHOD:REQUEST) to e-mail with an approval, in the
    person's language: one event, whose UID is the one their feed and the agenda use."""
    user, consultation = registration.user, registration.consultation
    locale = user.preferred_locale
    with force_locale(locale):
        calendar = _new_calendar(wording_of(consultation, locale).title, method="REQUEST")
        event = consultation_event(consultation, user, locale)
        event.add("sequence", 0)
        sender_name, sender_address = parseaddr(current_app.config["MAIL_FROM"])
        organiser = vCalAddress(f"mailto:{sender_address or 'no-reply@localhost'}")
        organiser.params["cn"] = vText(
            wording_of(consultation, locale).organisers or sender_name or "Red Talks")
        event.add("organizer", organiser)
        attendee = vCalAddress(f"mailto:{user.email}")
        attendee.params.update({"cn": vText(user.name), "role": "REQ-PARTICIPANT",
                                "partstat": "ACCEPTED", "rsvp": "FALSE"})
        event.add("attendee", attendee)
        calendar.add_component(event)
        content = _finished(calendar)
    return MailAttachment(filename=f"{consultation.slug}.ics", content_type=INVITATION_TYPE,
                          content=content)


# The secret address of a person's feed -------------------------------------------------------

def renew_calendar_feed(user: User) -> str:
    """A new secret address for the person's feed; any earlier one stops working. Returns
    the token, shown once: the database keeps its digest only."""
    had_one = stop_calendar_feed(user, quietly=True)
    token = new_secret_token()
    db.session.add(CalendarFeed(user_id=user.id, token_hash=token_digest(token)))
    db.session.flush()
    record_event("calendar_feed.renewed" if had_one else "calendar_feed.created",
                 actor=user, target=user)
    return token


def stop_calendar_feed(user: User, *, quietly: bool = False) -> bool:
    """Take the person's feed address away; whether there was one."""
    removed = db.session.execute(
        delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount
    db.session.flush()
    if removed and not quietly:
        record_event("calendar_feed.stopped", actor=user, target=user)
    return bool(removed)


def calendar_feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def person_of_calendar_token(token: str) -> User | None:
    """Whose feed this address is, or None (a wrong, renewed or stopped address)."""
    if not token or len(token) > 200:
        return None
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.token_hash == token_digest(token)))
    return feed.user if feed is not None else None
