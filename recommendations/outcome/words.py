"""The outcome document's words: the portal's own (headings, labels, sentences, in the
document's language through gettext) and the names of the consultation that are to be
translated for it, with the written parts (``OutcomeText``) in each language.
"""

from flask_babel import force_locale, get_translations
from flask_babel import gettext as _
from sqlalchemy import select

from consultations import wording
from consultations.models import Consultation
from portal.extensions import db
from recommendations import drafting
from recommendations.models import RecommendationStatus
from recommendations.outcome.models import OutcomeText

# What is to be translated --------------------------------------------------------------------

def _consultation_names(consultation: Consultation) -> list[str]:
    """The consultation's own names, written in its main language."""
    names = [consultation.title, consultation.venue, consultation.organisers]
    for item in consultation.agenda_items:
        names.append(item.title)
        for group in item.groups:
            names.extend([group.name, group.theme])
    return names


def names_to_translate(consultation: Consultation, locale: str) -> list[str]:
    """The names the document in ``locale`` needs in that language, in the order they
    appear: the consultation's own (when ``locale`` is not its main language), and the themes
    of recommendations written in another language."""
    main = drafting.main_language(consultation)
    names = _consultation_names(consultation) if locale != main else []
    given = wording.names_in(consultation, locale)
    for recommendation in drafting.recommendations_of(consultation):
        if (recommendation.status != RecommendationStatus.merged
                and recommendation.current_version.locale != locale):
            names.append(recommendation.theme)
    seen, ordered = set(), []
    for name in names:
        name = (name or "").strip()
        if name and name not in seen and name not in given:
            seen.add(name)
            ordered.append(name)
    return ordered


def outcome_text_of(consultation: Consultation, locale: str) -> OutcomeText | None:
    return db.session.scalar(select(OutcomeText).where(
        OutcomeText.consultation_id == consultation.id, OutcomeText.locale == locale))


# The portal's own words ----------------------------------------------------------------------

def document_labels() -> dict[str, str]:
    """The document's fixed headings and labels, in the current locale."""
    return {
        "outcome_document": _("Outcome document"),
        "contents": _("Contents"),
        "objectives": _("Objectives of the Global Compact for Migration"),
        "executive_summary": _("Executive summary"),
        "introduction": _("Introduction"),
        "participation": _("Participation"),
        "by_group": _("By stakeholder group"),
        "by_region": _("By region"),
        "by_country": _("By country"),
        "by_attendance": _("In person and online"),
        "stakeholder_group": _("Stakeholder group"),
        "region": _("Region"),
        "country": _("Country"),
        "attendance": _("Taking part"),
        "participants": _("Participants"),
        "colour": _("Colour in the chart"),
        "discussion": _("Discussion and voting"),
        "adopted": _("Adopted recommendations"),
        "by_objective": _("Recommendations by GCM objective"),
        "objective": _("GCM objective"),
        "recommendations": _("Recommendations"),
        "result": _("Result"),
        "choice": _("Choice"),
        "devices": _("On devices"),
        "in_room": _("Show of hands in the room"),
        "total": _("Total"),
        "reservations": _("Reservations"),
        "quote": _("“%(text)s” (%(by)s)"),
        "quote_unattributed": _("“%(text)s”"),
        "withheld": _("Not shown: too few participants to count them separately under the "
                      "Chatham House Rule."),
        "breakouts": _("Breakout summaries"),
        "annexes": _("Annexes"),
        "annex": _("Annex %(number)d. %(title)s"),
        "not_adopted": _("Recommendations not adopted"),
        "undecided": _("Recommendations without a result"),
        "undecided_note": _("These recommendations were not decided in plenary."),
        "agenda": _("Agenda"),
        "when": _("When"),
        "item": _("Item"),
        "kind": _("Kind"),
        "amendments": _("Amendments accepted"),
        "amendment": _("Amendment"),
        "versions": _("Versions"),
        "decided": _("Decided"),
        "proposed_by": _("Proposed by"),
        "supports": _("Supports"),
        "no_amendments": _("No amendment was accepted."),
        "participant_list": _("List of participants"),
        "name": _("Name"),
        "organisation": _("Organisation"),
        "nothing": _("None."),
        "colon": _("%(label)s:"),
        "bars": _("Participants by stakeholder group"),
        "page": _("Page %(page)s of %(pages)s"),
    }


def untranslated_labels(locale: str) -> int:
    """How many of the labels have no translation in the interface's catalog for ``locale``
    (they would show in English). English is the source language: nothing is missing."""
    if locale == "en":
        return 0
    with force_locale("en"):
        sources = list(document_labels().values())
    with force_locale(locale):
        catalog = getattr(get_translations(), "_catalog", None) or {}
    return sum(1 for source in sources if source not in catalog)
