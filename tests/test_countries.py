"""Country lists as a reader of each language expects them: every name in their language and
script, in their alphabet's order."""

import re

import pytest
from flask_babel import force_locale

from portal.countries import country_choices, country_name

ARABIC_LETTERS = re.compile(r"[\u0600-\u06ff]")
LATIN_LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f]")


def names(app, locale: str) -> list[str]:
    with app.test_request_context(), force_locale(locale):
        return [choice.label for choice in country_choices()]


def test_every_country_is_named_in_arabic_script(app):
    arabic = names(app, "ar")
    assert len(arabic) == 249
    assert [name for name in arabic if LATIN_LETTERS.search(name)] == []
    assert all(ARABIC_LETTERS.search(name) for name in arabic)
    with app.test_request_context(), force_locale("ar"):
        assert country_name("IR") == "إيران"
        assert country_name("SY") == "سوريا"
        assert country_name("TR") == "تركيا"


def test_french_sorts_accented_names_among_the_others(app):
    french = names(app, "fr")
    assert french.index("Djibouti") < french.index("Égypte") < french.index("Espagne")
    assert french[-1] == "Zimbabwe"


@pytest.mark.parametrize("locale", ["en", "fr", "es", "pt", "ar"])
def test_the_country_field_lists_every_country_once(app, locale):
    listed = names(app, locale)
    assert len(listed) == len(set(listed)) == 249
