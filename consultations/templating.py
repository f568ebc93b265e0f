"""What every template can use from the consultations area: a consultation's texts in the
reader's language, and the meeting links the signed-in person may have (registered by the app
factory beside portal/templating.py's)."""

from flask import Flask
from flask_login import current_user

from consultations import wording
from consultations.meeting_links import consultation_link_for, group_link_for
from portal.templating import reader_locale


def consultation_wording(consultation):
    """The consultation's title, summary, description, venue and organisers in the reader's
    language."""
    return wording.wording_of(consultation, reader_locale())


def item_wording(item):
    """An agenda item's title and description in the reader's language."""
    return wording.item_wording(item, reader_locale())


def group_wording(group):
    """A breakout group's name, theme and guiding questions in the reader's language."""
    return wording.group_wording(group, reader_locale())


def thread_title(thread) -> str:
    return wording.thread_title(thread, reader_locale())


def consultation_meeting_link(consultation) -> str:
    """The consultation's meeting link if the signed-in person may have it, else empty."""
    return consultation_link_for(current_user, consultation)


def group_meeting_link(group) -> str:
    """Where the signed-in person joins a breakout group online, if they may, else empty."""
    return group_link_for(current_user, group)


def _page_context() -> dict:
    return {
        "wording": consultation_wording,
        "item_wording": item_wording,
        "group_wording": group_wording,
        "thread_title": thread_title,
        "consultation_meeting_link": consultation_meeting_link,
        "group_meeting_link": group_meeting_link,
    }


def register_template_globals(app: Flask) -> None:
    app.context_processor(_page_context)
