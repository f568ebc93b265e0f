"""Which language and time zone a request is served in."""

from pathlib import Path

from babel import Locale
from flask import Blueprint, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import get_locale, lazy_gettext
from flask_login import current_user

from portal.config import LOCALES
from portal.navigation import safe_next

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "pt": "Português",
}

#: Languages written right to left.
RIGHT_TO_LEFT = {"ar"}

LOCALE_COOKIE = "locale"


def language_name(code: str, in_language: str | None = None) -> str:
    """A language's name as the reader says it, for sentences ("rédigée en anglais"), or as
    ``in_language`` says it (a document's own language: "français" in a French document);
    ``LANGUAGE_NAMES`` gives each language its own name, for lists and the switch."""
    reader = in_language or str(get_locale() or "en")
    try:
        return Locale.parse(code).get_language_name(reader) or LANGUAGE_NAMES.get(code, code)
    except (ValueError, TypeError):
        return LANGUAGE_NAMES.get(code, code)


def interface_locales(directory: Path) -> list[str]:
    """English and every language whose catalog has been compiled in ``directory``."""
    return [
        locale
        for locale in LOCALES
        if locale == "en" or (directory / locale / "LC_MESSAGES" / "messages.mo").exists()
    ]


def select_locale() -> str:
    """The language of the request, the first of: the signed-in user's preference, the
    language switch (a cookie), the browser's languages (Accept-Language), the main working
    language of the consultation the page belongs to, English."""
    if not has_request_context():
        # Commands and e-mails choose their language with flask_babel.force_locale.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    available = current_app.config["INTERFACE_LOCALES"]
    if current_user and current_user.is_authenticated and (
        current_user.preferred_locale in available
    ):
        return current_user.preferred_locale
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in available:
        return chosen
    return (request.accept_languages.best_match(available)
            or consultation_language(available) or "en")


def consultation_language(available: list[str]) -> str | None:
    """The first working language of the consultation named by the page's address (its
    ``slug``) that the interface is available in, if the page belongs to one."""
    slug = (request.view_args or {}).get("slug")
    if not isinstance(slug, str) or g.get("database_unavailable"):
        return None
    from portal.page_access import working_language_of

    return working_language_of(slug, available)


#: Shown when a page needs a signed-in user (Flask-Login flashes it).
SIGN_IN_REQUIRED = lazy_gettext("Sign in to see this page.")


blueprint = Blueprint("language", __name__)


@blueprint.post("/language")
def choose_language():
    """The language switch: kept in a cookie, and as the preference of a signed-in user (which
    comes first)."""
    response = redirect(safe_next(request.form.get("next")) or url_for("consultations.index"))
    locale = request.form.get("locale")
    if locale in current_app.config["INTERFACE_LOCALES"]:
        if current_user.is_authenticated:
            from portal.accounts.operations import update_profile

            update_profile(current_user, preferred_locale=locale)
        response.set_cookie(
            LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response
