"""Hybrid sessions: the video meeting links of a consultation and of its breakout groups,
and who is given which. Any video service will do (Jitsi, Zoom, Teams, Webex, BigBlueButton):
a link is an https address, shown only to those admitted who take part online
(``permissions.may_see_meeting_link``)."""

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from consultations import breakouts
from consultations.models import AgendaItem, BreakoutGroup, Consultation
from portal import permissions

MAX_LENGTH = 500

#: Why a typed meeting link is refused.
NOT_A_MEETING_LINK = _l("Give the meeting's https address, as the video service gives it, "
                        "e.g. https://meet.example.org/red-talks-dakar.")


def meeting_link_problem(link: str) -> str | None:
    """Why ``link`` cannot be a meeting link, or None when it can (an empty one included):
    an https address with a host, no credentials in it, no spaces, at most 500 characters."""
    if not link:
        return None
    if len(link) > MAX_LENGTH or any(character.isspace() or ord(character) < 32
                                     for character in link):
        return str(NOT_A_MEETING_LINK)
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        return str(NOT_A_MEETING_LINK)
    if parts.scheme != "https" or not parts.hostname or "." not in parts.hostname.strip("."):
        return str(NOT_A_MEETING_LINK)
    if parts.username is not None or parts.password is not None:
        return str(NOT_A_MEETING_LINK)
    return None


def consultation_link_for(user, consultation: Consultation) -> str:
    """The consultation's meeting link if ``user`` may have it, else empty."""
    if consultation.meeting_link and permissions.may_see_meeting_link(user, consultation):
        return consultation.meeting_link
    return ""


def group_link_for(user, group: BreakoutGroup) -> str:
    """Where ``user`` joins the group online: its own link, else the consultation's; empty
    when they may not have it."""
    link = group.meeting_link or group.round.consultation.meeting_link
    if link and permissions.may_see_group_meeting_link(user, group):
        return link
    return ""


def item_link_for(user, item: AgendaItem) -> str:
    """Where ``user`` joins an agenda item online: a breakout round in their own group's
    meeting (once the assignment is published), anything else in the consultation's."""
    consultation = item.consultation
    if item.is_breakout_round:
        group = breakouts.group_of(permissions.registration_of(user, consultation), item)
        if group is not None:
            return group_link_for(user, group)
    return consultation_link_for(user, consultation)
