"""Countries from ISO 3166-1, named in the reader's language and sorted in their alphabet.

A country's name is the short one of the iso-codes catalogs (pycountry) when they translate it
into the reader's language; where they do not (their Arabic catalog has no "Iran", "Syria" or
"Türkiye"), the Unicode CLDR's name (Babel), which covers every country in every language the
portal speaks. Lists are sorted by the Unicode Collation Algorithm (pyuca): in French "Égypte"
comes between "Djibouti" and "Espagne", not after "Zimbabwe".
"""

import gettext
from functools import cache

import pycountry
from babel import Locale
from flask_babel import get_locale
from pyuca import Collator
from wtforms.fields.choices import SelectChoice


@cache
def _catalog(locale: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


@cache
def _cldr_names(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


@cache
def _collator() -> Collator:
    # Reads the collation table (about a second) once per process, on first use.
    return Collator()


def _locale() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def _name(country, locale: str) -> str:
    short = getattr(country, "common_name", country.name)
    if locale == "en":
        return short
    translated = _catalog(locale).gettext(short)
    if translated != short:
        return translated
    return _cldr_names(locale).get(country.alpha_2) or _catalog(locale).gettext(country.name)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _name(country, _locale())


@cache
def _sorted_choices(locale: str) -> tuple[tuple[str, str], ...]:
    names = [(country.alpha_2, _name(country, locale)) for country in pycountry.countries]
    names.sort(key=lambda pair: _collator().sort_key(pair[1]))
    return tuple(names)


def country_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in _sorted_choices(_locale())]


def is_country_code(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None
