"""What every template can use: permissions, languages and dates in a consultation's time."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time
from flask import Flask, request
from flask_babel import get_locale

from portal import permissions
from portal.countries import country_name
from portal.i18n import LANGUAGE_NAMES, RIGHT_TO_LEFT


def _zone(time_zone: str | None) -> ZoneInfo:
    return ZoneInfo(time_zone or "UTC")


def local_datetime(moment: datetime | None, time_zone: str | None = None, style="medium") -> str:
    """``moment`` in ``time_zone`` (a consultation's), written the reader's way."""
    if moment is None:
        return ""
    return format_datetime(moment, style, tzinfo=_zone(time_zone), locale=get_locale())


def local_date(moment: datetime | None, time_zone: str | None = None, style="long") -> str:
    if moment is None:
        return ""
    return format_date(moment.astimezone(_zone(time_zone)), style, locale=get_locale())


def local_time(moment: datetime | None, time_zone: str | None = None, style="short") -> str:
    if moment is None:
        return ""
    return format_time(moment, style, tzinfo=_zone(time_zone), locale=get_locale())


def _page_context() -> dict:
    locale = str(get_locale() or "en")
    return {
        "permissions": permissions,
        "language_names": LANGUAGE_NAMES,
        "page_locale": locale,
        "page_direction": "rtl" if locale in RIGHT_TO_LEFT else "ltr",
        "current_path": request.full_path.rstrip("?") if request else "/",
    }


def register_template_globals(app: Flask) -> None:
    app.context_processor(_page_context)
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(local_time)
    app.add_template_filter(country_name)
