"""The interface's catalogs: complete, reviewed, in step with the sources, and faithful to the
placeholders and plural forms of each message."""

import re

import pytest
from babel.messages.pofile import read_po

from portal import catalogs

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")

#: Messages a translation may leave as they are written in English: punctuation, numbers and
#: names, in the languages whose writing they suit.
SAME_AS_ENGLISH = {
    "%(number)d. %(title)s", "%(group)s, %(country)s", "%(date)s, %(start)s–%(end)s",
    "%(label)s:", "SHA-256", "Word, %(size)s kB", "“%(text)s” (%(by)s)", "PDF",
    # The paper size's name (ISO 216).
    "A4",
    "%(round)s: %(group)s", "%(room)s, %(venue)s",
}
#: Words these languages share with English, letter for letter.
SAME_WORDS = {
    "fr": {"Action", "Annexes", "Consultation", "Consultations", "Dates", "Description",
           "Introduction", "Invitations", "Organisation", "Participant", "Participants",
           "Participation", "Places", "Question", "Rapporteur", "Total", "Version", "Versions",
           "Version %(number)d", "version %(number)d", ("%(num)d place", "%(num)d places"),
           "Distribution", "Signature", "Badge", "Quorum"},
    "es": {"Melanesia", "Micronesia", "No", "Total", "General", "Original: %(language)s",
           "PDF, %(size)s kB"},
    "pt": {"Total", "Original: %(language)s", "PDF, %(size)s kB"},
    "ar": set(),
}
#: The list separators are punctuation: French, Spanish and Portuguese write them as English.
SAME_PUNCTUATION = {("list separator", ", "), ("list separator", "; ")}


def _catalog(locale):
    with open(catalogs.catalog_path(locale), "rb") as handle:
        return read_po(handle, locale=locale)


def _messages(catalog):
    return [message for message in catalog if message.id]


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory):
    path = catalogs.extract(tmp_path_factory.mktemp("catalogs") / "messages.pot")
    with open(path, "rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("locale", catalogs.TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(locale):
    catalog = _catalog(locale)
    untranslated, fuzzy = [], []
    for message in _messages(catalog):
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(form and form.strip() for form in forms):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [], f"untranslated in {locale}: run make translations, translate"
    assert fuzzy == [], f"fuzzy in {locale}: review these translations, then drop the flag"


@pytest.mark.parametrize("locale", catalogs.TRANSLATED)
def test_each_catalog_holds_exactly_the_messages_of_the_sources(locale, fresh_extraction):
    def keys(catalog):
        return {(message.context, message.id) for message in _messages(catalog)}

    wanted, held = keys(fresh_extraction), keys(_catalog(locale))
    assert sorted(wanted - held, key=str) == [], "new messages: run make translations"
    assert sorted(held - wanted, key=str) == [], "messages gone from the code: make translations"


@pytest.mark.parametrize("locale", catalogs.TRANSLATED)
def test_translations_keep_the_placeholders_and_the_plural_forms(locale):
    catalog = _catalog(locale)
    problems = [(message.id, [str(error) for error in errors])
                for message, errors in catalog.check()]
    for message in _messages(catalog):
        if isinstance(message.id, tuple):
            assert len(message.string) == catalog.num_plurals, message.id
            wanted = set(PLACEHOLDER.findall(message.id[1]))
            for form in message.string:
                # A form may spell its number out ("un seul", "تعليقان"), never add a name.
                if not set(PLACEHOLDER.findall(form)) <= wanted:
                    problems.append((message.id, form))
        elif set(PLACEHOLDER.findall(message.id)) != set(PLACEHOLDER.findall(message.string)):
            problems.append((message.id, message.string))
    assert problems == []


@pytest.mark.parametrize("locale", catalogs.TRANSLATED)
def test_no_translation_is_the_english_copied(locale):
    allowed = SAME_AS_ENGLISH | SAME_WORDS[locale]
    copied = [
        message.id for message in _messages(_catalog(locale))
        if message.string == message.id and message.id not in allowed
        and (message.context, message.id) not in SAME_PUNCTUATION
    ]
    assert copied == []


def test_the_arabic_catalog_has_the_six_plural_forms_of_arabic():
    catalog = _catalog("ar")
    assert catalog.num_plurals == 6
    comments = next(message for message in _messages(catalog)
                    if message.id == ("%(num)d comment", "%(num)d comments"))
    assert len(set(comments.string)) == 6
