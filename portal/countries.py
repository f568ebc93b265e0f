"""Countries from ISO 3166-1, named in the reader's language."""

import gettext
from functools import cache

import pycountry
from flask_babel import get_locale
from wtforms.fields.choices import SelectChoice


@cache
def _catalog(locale: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[locale], fallback=True
    )


def _locale() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return _catalog(_locale()).gettext(getattr(country, "common_name", country.name))


def country_choices() -> list[SelectChoice]:
    catalog = _catalog(_locale())
    names = [
        (country.alpha_2, catalog.gettext(getattr(country, "common_name", country.name)))
        for country in pycountry.countries
    ]
    names.sort(key=lambda pair: pair[1].casefold())
    return [SelectChoice(code, name) for code, name in names]


def is_country_code(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None
