"""The consultation's own words in each of its working languages: its title, summary,
description, venue and organisers, its agenda items' titles and descriptions, and its breakout
groups' names, themes and guiding questions.

They are written in the consultation's main language (the first working language) and may be
given in each other one. A reader sees them in the language of their pages where they were
given, field by field; whatever was not given stays in the original.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from consultations import breakouts
from consultations.models import (
    AgendaItem,
    AgendaItemTranslation,
    BreakoutGroup,
    BreakoutGroupTranslation,
    Consultation,
    ConsultationTranslation,
    Thread,
)
from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.refusals import Refused

#: The longest each translated field may be: the same as the original's.
LIMITS = {"title": 200, "summary": 500, "description": 20_000, "venue": 300,
          "organisers": 500, "item_title": 200, "item_description": 5000, "name": 120,
          "theme": 300, "question": 500}


class WordingRefused(Refused):
    """The translation cannot be saved; ``reason`` says why in the user's language."""


def main_language(consultation: Consultation) -> str:
    """The consultation's main language: the first of its working languages."""
    return (consultation.working_languages or ["en"])[0]


def other_languages(consultation: Consultation) -> list[str]:
    """The working languages its texts can be translated into."""
    return list((consultation.working_languages or ["en"])[1:])


@dataclass(frozen=True)
class ConsultationWording:
    title: str
    summary: str
    description: str
    venue: str
    organisers: str
    #: The language each field is shown in: the reader's where given, else the original's
    #: (``text_locale`` is the summary's and the description's).
    title_locale: str
    text_locale: str
    venue_locale: str
    organisers_locale: str


@dataclass(frozen=True)
class ItemWording:
    title: str
    description: str
    title_locale: str
    description_locale: str


@dataclass(frozen=True)
class GroupWording:
    name: str
    theme: str
    questions: list[str]
    locale: str


def _given(translated: str | None, original: str) -> tuple[str, bool]:
    translated = (translated or "").strip()
    return (translated, True) if translated else (original, False)


def in_language(items, locale: str):
    """The translation among ``items`` (a consultation's or a group's) made into ``locale``."""
    for item in items:
        if item.locale == locale:
            return item
    return None


def _given_for(translated: str | None, original: str) -> tuple[str, bool]:
    """As ``_given``, for a field that may be empty in the original: nothing stays nothing."""
    if not (original or "").strip():
        return original, False
    return _given(translated, original)


def wording_of(consultation: Consultation, locale: str) -> ConsultationWording:
    """The consultation's title, summary, description, venue and organisers as a reader in
    ``locale`` sees them."""
    original = main_language(consultation)
    translation = (in_language(consultation.translations, locale)
                   if locale != original else None)
    if translation is None:
        return ConsultationWording(consultation.title, consultation.summary,
                                   consultation.description, consultation.venue,
                                   consultation.organisers, original, original, original,
                                   original)
    title, title_given = _given(translation.title, consultation.title)
    summary, summary_given = _given(translation.summary, consultation.summary)
    description, description_given = _given(translation.description, consultation.description)
    venue, venue_given = _given_for(translation.venue, consultation.venue)
    organisers, organisers_given = _given_for(translation.organisers, consultation.organisers)
    return ConsultationWording(
        title, summary, description, venue, organisers, locale if title_given else original,
        locale if (summary_given or description_given) else original,
        locale if venue_given else original, locale if organisers_given else original)


def item_wording(item: AgendaItem, locale: str) -> ItemWording:
    """The agenda item's title and description as a reader in ``locale`` sees them."""
    original = main_language(item.consultation)
    translation = in_language(item.translations, locale) if locale != original else None
    if translation is None:
        return ItemWording(item.title, item.description, original, original)
    title, title_given = _given(translation.title, item.title)
    description, description_given = _given_for(translation.description, item.description)
    return ItemWording(title, description, locale if title_given else original,
                       locale if description_given else original)


def group_wording(group: BreakoutGroup, locale: str) -> GroupWording:
    """The group's name, theme and guiding questions as a reader in ``locale`` sees them."""
    original = main_language(group.round.consultation)
    translation = in_language(group.translations, locale) if locale != original else None
    if translation is None:
        return GroupWording(group.name, group.theme, list(group.guiding_questions), original)
    given = list(translation.guiding_questions or [])
    questions = [_given(given[position] if position < len(given) else "", question)[0]
                 for position, question in enumerate(group.guiding_questions)]
    return GroupWording(_given(translation.name, group.name)[0],
                        _given(translation.theme, group.theme)[0], questions, locale)


def thread_title(thread: Thread, locale: str) -> str:
    """A guiding question's thread is titled by the question in the reader's language."""
    if not thread.guiding_question or thread.breakout_group is None:
        return thread.title
    questions = group_wording(thread.breakout_group, locale).questions
    if thread.position < len(questions):
        return questions[thread.position]
    return thread.title


@dataclass
class ItemText:
    """What a translator gives for one agenda item."""

    title: str = ""
    description: str = ""


@dataclass
class GroupText:
    """What a translator gives for one breakout group."""

    name: str = ""
    theme: str = ""
    questions: tuple[str, ...] = ()


def _refuse_if_too_long(value: str, field: str) -> None:
    if len(value) > LIMITS[field]:
        raise WordingRefused(_("A field has %(count)d characters at most.", count=LIMITS[field]))


def _clean(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def _refuse_unfit_groups(known: dict[int, BreakoutGroup], groups: dict[int, GroupText]) -> None:
    """Refuse a group of another consultation, more questions than the group has, or a text
    too long."""
    for group_id, text in groups.items():
        group = known.get(group_id)
        if group is None:
            raise WordingRefused(_("That breakout group is not part of this consultation."))
        if len(text.questions) > len(group.guiding_questions):
            raise WordingRefused(_(
                "%(group)s has %(count)d guiding questions: give at most as many translations, "
                "one per line, in the same order.", group=group.name,
                count=len(group.guiding_questions)))
        _refuse_if_too_long(text.name.strip(), "name")
        _refuse_if_too_long(text.theme.strip(), "theme")
        for question in text.questions:
            _refuse_if_too_long(question.strip(), "question")


def save_wording(consultation: Consultation, actor: User, locale: str, *, title: str,
                 summary: str, description: str, venue: str, organisers: str,
                 items: dict[int, ItemText], groups: dict[int, GroupText]) -> None:
    """Keep the consultation's texts in ``locale``, and those of the agenda items and breakout
    groups given by id. An empty field leaves the original in place."""
    if not permissions.may_translate_consultation_texts(actor, consultation):
        raise WordingRefused(_("You may not translate the texts of this consultation."))
    if locale not in other_languages(consultation):
        raise WordingRefused(_("Choose one of the consultation's other working languages."))
    fields = {"title": title, "summary": summary, "description": description, "venue": venue,
              "organisers": organisers}
    fields = {name: _clean(value) for name, value in fields.items()}
    for name, value in fields.items():
        _refuse_if_too_long(value, name)
    agenda = {item.id: item for item in consultation.agenda_items}
    items = {item_id: ItemText(_clean(text.title), _clean(text.description))
             for item_id, text in items.items()}
    for item_id, text in items.items():
        if item_id not in agenda:
            raise WordingRefused(_("That agenda item is not part of this consultation."))
        _refuse_if_too_long(text.title, "item_title")
        _refuse_if_too_long(text.description, "item_description")
    known = {group.id: group for group in breakouts.groups_of(consultation)}
    _refuse_unfit_groups(known, groups)
    translation = in_language(consultation.translations, locale)
    if translation is None:
        translation = ConsultationTranslation(consultation=consultation, locale=locale)
        db.session.add(translation)
    translation.title, translation.summary = fields["title"], fields["summary"]
    translation.description = fields["description"]
    translation.venue, translation.organisers = fields["venue"], fields["organisers"]
    translation.updated_at, translation.updated_by_id = utcnow(), actor.id
    for item_id, text in items.items():
        item = agenda[item_id]
        item_translation = in_language(item.translations, locale)
        if item_translation is None:
            item_translation = AgendaItemTranslation(item=item, locale=locale)
            db.session.add(item_translation)
        item_translation.title, item_translation.description = text.title, text.description
        item_translation.updated_at, item_translation.updated_by_id = utcnow(), actor.id
    for group_id, text in groups.items():
        group = known[group_id]
        group_translation = in_language(group.translations, locale)
        if group_translation is None:
            group_translation = BreakoutGroupTranslation(group=group, locale=locale)
            db.session.add(group_translation)
        group_translation.name, group_translation.theme = text.name.strip(), text.theme.strip()
        group_translation.guiding_questions = [question.strip() for question in text.questions]
        group_translation.updated_at, group_translation.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_event("consultation.texts_translated", actor=actor, target=consultation,
                 consultation=consultation, locale=locale, items=sorted(items),
                 groups=sorted(groups))


def names_in(consultation: Consultation, locale: str) -> dict[str, str]:
    """The consultation's title, venue and organisers, its agenda items' titles and its
    groups' names and themes, original to translation, as given in ``locale`` (the outcome
    document takes them from here)."""
    names = {}
    translation = in_language(consultation.translations, locale)
    if translation is not None:
        for original, translated in ((consultation.title, translation.title),
                                     (consultation.venue, translation.venue),
                                     (consultation.organisers, translation.organisers)):
            if original and translated:
                names[original] = translated
    for item in consultation.agenda_items:
        item_translation = in_language(item.translations, locale)
        if item_translation is not None and item.title and item_translation.title:
            names[item.title] = item_translation.title
    for group in breakouts.groups_of(consultation):
        group_translation = in_language(group.translations, locale)
        if group_translation is None:
            continue
        for original, translated in ((group.name, group_translation.name),
                                     (group.theme, group_translation.theme)):
            if original and translated:
                names[original] = translated
    return names
