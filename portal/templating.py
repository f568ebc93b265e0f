"""What every template can use: permissions, languages, numbers the reader's way and dates in
a consultation's time. The areas add their own (consultations/templating.py,
recommendations/templating.py); the app factory registers them all."""

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal
from flask import Flask, request
from flask_babel import get_locale, lazy_pgettext

from portal import permissions
from portal.countries import country_name
from portal.i18n import LANGUAGE_NAMES, RIGHT_TO_LEFT, language_name
from portal.plain_text import without_bidi_controls


def _zone(time_zone: str | None) -> ZoneInfo:
    return ZoneInfo(time_zone or "UTC")


@cache
def _datetime_pattern(locale: str) -> str:
    """The reader's medium date with their short time: "Apr 23, 2024, 8:30 AM", "23 avr. 2024,
    08:30". Seconds are noise on a consultation's pages; live pages write times the same way
    (``dateStyle: "medium", timeStyle: "short"`` in portal/static/js/thread.js)."""
    reader = Locale.parse(locale)
    return (reader.datetime_formats["medium"]
            .replace("{1}", reader.date_formats["medium"].pattern)
            .replace("{0}", reader.time_formats["short"].pattern))


def local_datetime(moment: datetime | None, time_zone: str | None = None) -> str:
    """``moment`` in ``time_zone`` (a consultation's), written the reader's way."""
    if moment is None:
        return ""
    return format_datetime(moment, _datetime_pattern(reader_locale()), tzinfo=_zone(time_zone),
                           locale=get_locale())


def local_date(moment: datetime | None, time_zone: str | None = None) -> str:
    """The day of ``moment`` in ``time_zone``, as :func:`local_datetime` writes it."""
    if moment is None:
        return ""
    return format_date(moment.astimezone(_zone(time_zone)), "medium", locale=get_locale())


def local_time(moment: datetime | None, time_zone: str | None = None) -> str:
    """The time of ``moment`` in ``time_zone``, without seconds, as :func:`local_datetime`
    writes it."""
    if moment is None:
        return ""
    return format_time(moment, "short", tzinfo=_zone(time_zone), locale=get_locale())


def number(value: int | float | None) -> str:
    """A count or a figure written the reader's way (1,234 · 1 234 · 1.234)."""
    if value is None:
        return ""
    return format_decimal(value, locale=get_locale())


@cache
def _plural_samples(locale: str) -> tuple[tuple[str, int], ...]:
    rule = Locale.parse(locale).plural_form
    samples: dict[str, int] = {}
    for count in (*range(0, 200), 1_000_000):
        samples.setdefault(rule(count), count)
    return tuple(samples.items())


def plural_samples() -> tuple[tuple[str, int], ...]:
    """One count for each plural category of the reader's language (CLDR's "one", "few",
    "other"...): a page gives a script each form of a message, which then picks one with
    ``Intl.PluralRules``, whose categories are the same."""
    return _plural_samples(str(get_locale() or "en"))


def reader_locale() -> str:
    return str(get_locale() or "en")


def _page_context() -> dict:
    locale = str(get_locale() or "en")
    return {
        "permissions": permissions,
        "language_names": LANGUAGE_NAMES,
        "language_name": language_name,
        "page_locale": locale,
        "page_direction": "rtl" if locale in RIGHT_TO_LEFT else "ltr",
        "plural_samples": plural_samples,
        # Translators: separates the items of a list ("English, Français").
        "comma": lazy_pgettext("list separator", ", "),
        # Translators: separates longer items of a list, each of which may hold commas.
        "semicolon": lazy_pgettext("list separator", "; "),
        "current_path": request.full_path.rstrip("?") if request else "/",
        # When the page was made: live rooms send what changed after it (portal/live.py).
        "server_time": lambda: datetime.now(UTC).isoformat(),
    }


def register_template_globals(app: Flask) -> None:
    # What a page shows never holds a bidirectional override, even from a text stored before
    # forms took them out (portal/plain_text.py).
    app.jinja_env.finalize = without_bidi_controls
    app.context_processor(_page_context)
    app.add_template_filter(local_datetime)
    app.add_template_filter(local_date)
    app.add_template_filter(local_time)
    app.add_template_filter(number)
    app.add_template_filter(country_name)
