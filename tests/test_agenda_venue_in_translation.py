"""The venue, the organisers and the agenda items in the reader's language: given with the
consultation's other texts on its texts page, shown on every page that names them (marked with
the language they are in), and taken from there by the outcome document, so that the pages
and the document agree."""

import html
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from consultations import wording
from consultations.models import AgendaItem, AgendaItemTranslation, ConsultationTranslation
from portal.audit.models import AuditEvent
from portal.extensions import db
from recommendations.outcome import content, words
from recommendations.outcome import operations as outcome
from tests.conftest import sign_in, submit
from tests.outcome_data import build_outcome_consultation

NOW = datetime(2024, 4, 24, 17, 0, tzinfo=UTC)
FRENCH = {"venue": "Dakar, Sénégal", "organisers": "FICR, CICR, OIM",
          "opening": "Plénière d'ouverture",
          "opening_description": "Accueil et méthode de la journée.",
          "breakout": "Travaux en groupes"}


@pytest.fixture
def made(session, make_user, make_consultation, register):
    built = build_outcome_consultation(session, make_user, make_consultation, register)
    opening, breakout_round = built.consultation.agenda_items
    opening.description = "Welcome and the day's method."
    # Choices are open, so that the page to choose a group exists.
    breakout_round.allow_choices = True
    session.flush()
    return built


def reader(app, made, who: str, locale: str):
    """A signed-in client whose pages are in ``locale`` (their own preference)."""
    made.users[who].preferred_locale = locale
    db.session.flush()
    client = app.test_client()
    sign_in(client, made.users[who].email)
    return client


def text_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def marked(page: str, text: str, locale: str) -> bool:
    """Whether ``text`` is the whole content of an element whose ``lang`` is ``locale``."""
    return re.search(rf'<[a-z0-9]+ [^>]*lang="{locale}"[^>]*>{re.escape(text)}<', page) is not None


def french_form(made) -> dict:
    opening, breakout_round = made.consultation.agenda_items
    return {"title": "", "summary": "", "description": "", "venue": FRENCH["venue"],
            "organisers": FRENCH["organisers"],
            f"item_{opening.id}_title": FRENCH["opening"],
            f"item_{opening.id}_description": FRENCH["opening_description"],
            f"item_{breakout_round.id}_title": FRENCH["breakout"]}


def give_in_french(app, made, form: dict | None = None):
    client = reader(app, made, "facilitator", "en")
    response = submit(client, f"/c/{made.consultation.slug}/texts/fr", form or french_form(made))
    assert response.status_code == 302
    db.session.expire_all()


def test_a_french_reader_sees_the_agenda_the_venue_and_the_organisers_in_french_on_every_page(
        app, made):
    give_in_french(app, made)
    consultation = made.consultation
    slug = consultation.slug
    opening, breakout_round = consultation.agenda_items
    group = breakout_round.groups[0]
    # Who reads each page in French, and what it shows: (text, marked with lang="fr").
    walk = [
        ("p1", "/", [(FRENCH["venue"], True)]),
        ("p1", f"/c/{slug}", [(FRENCH["venue"], True), (FRENCH["organisers"], True),
                              (FRENCH["opening"], True), (FRENCH["opening_description"], True),
                              (FRENCH["breakout"], True)]),
        ("p1", f"/c/{slug}/rounds/{breakout_round.id}/choose", [(FRENCH["breakout"], False)]),
        ("rapporteur", f"/c/{slug}/groups/{group.id}", [(FRENCH["breakout"], True)]),
        ("facilitator", f"/c/{slug}/manage", [(FRENCH["opening"], True),
                                              (FRENCH["breakout"], True)]),
        ("facilitator", f"/c/{slug}/rounds/{breakout_round.id}/assignment",
         [(FRENCH["breakout"], False)]),
        ("facilitator", f"/c/{slug}/groups/{group.id}/edit", [(FRENCH["breakout"], True)]),
        ("secretariat", f"/c/{slug}/outcome/preview?locale=fr",
         [(FRENCH["venue"], False), (FRENCH["organisers"], False), (FRENCH["opening"], False),
          (FRENCH["breakout"], False)]),
    ]
    missing = []
    for who, path, expected in walk:
        page = text_of(reader(app, made, who, "fr"), path)
        for text, with_lang in expected:
            if text not in page or (with_lang and not marked(page, text, "fr")):
                missing.append((path, text))
        for english in ("Opening plenary", "Dakar, Senegal", "IFRC, ICRC, IOM"):
            if english in page:
                missing.append((path, english))
    assert missing == []

    # An English reader keeps the originals.
    english = text_of(reader(app, made, "p2", "en"), f"/c/{slug}")
    assert "Opening plenary" in english and "Dakar, Senegal" in english
    assert "IFRC, ICRC, IOM" in english and "Welcome and the day's method." in english
    assert FRENCH["opening"] not in english and FRENCH["venue"] not in english


def test_what_is_not_given_in_french_stays_in_the_original_marked_as_english(app, made):
    opening, breakout_round = made.consultation.agenda_items
    form = {**french_form(made), "organisers": "", f"item_{opening.id}_title": "",
            f"item_{opening.id}_description": ""}
    give_in_french(app, made, form)

    page = text_of(reader(app, made, "p1", "fr"), f"/c/{made.consultation.slug}")
    assert marked(page, FRENCH["venue"], "fr") and marked(page, FRENCH["breakout"], "fr")
    assert marked(page, "IFRC, ICRC, IOM", "en")
    assert marked(page, "Opening plenary", "en")
    assert marked(page, "Welcome and the day's method.", "en")


def test_the_french_outcome_document_takes_them_from_the_texts_page_and_does_not_ask_again(
        app, made, session):
    consultation = made.consultation
    slug = consultation.slug
    secretariat = made.users["secretariat"]
    wanted = words.names_to_translate(consultation, "fr")
    assert {"Dakar, Senegal", "IFRC, ICRC, IOM", "Opening plenary", "Breakout round"} <= set(
        wanted)
    # Written for the document before the texts page had them: the texts page wins.
    outcome.save_outcome_text(consultation, secretariat, "fr", executive_summary="",
                              introduction="", names={"Dakar, Senegal": "Dakar (Sénégal)"})

    give_in_french(app, made)

    wanted = words.names_to_translate(consultation, "fr")
    assert not {"Dakar, Senegal", "IFRC, ICRC, IOM", "Opening plenary",
                "Breakout round"} & set(wanted)
    form = text_of(reader(app, made, "secretariat", "en"), f"/c/{slug}/outcome/texts/fr")
    assert "Opening plenary" not in form and "Dakar, Senegal" not in form
    assert f'href="/c/{slug}/texts/fr"' in form  # where they are given

    document = content.outcome_of(consultation, "fr", generated_at=NOW)
    facts = {fact.label: fact.value.text for fact in document.cover.facts}
    assert facts["Lieu"] == FRENCH["venue"]
    assert facts["Organisateurs"] == FRENCH["organisers"]
    assert [entry.title.text for entry in document.agenda] == [FRENCH["opening"],
                                                               FRENCH["breakout"]]
    assert not {gap.subject for gap in document.gaps} & {
        "Dakar, Senegal", "IFRC, ICRC, IOM", "Opening plenary", "Breakout round"}
    # The pages say the same as the document.
    page = text_of(reader(app, made, "p1", "fr"), f"/c/{slug}")
    assert all(text in page for text in (facts["Lieu"], facts["Organisateurs"],
                                         FRENCH["opening"], FRENCH["breakout"]))


def test_the_texts_form_keeps_what_was_typed_when_it_is_refused(app, made, session):
    consultation = made.consultation
    opening, _breakout_round = consultation.agenda_items
    path = f"/c/{consultation.slug}/texts/fr"
    client = reader(app, made, "facilitator", "fr")
    form = {**french_form(made), f"item_{opening.id}_title": "P" * 201}

    refused = submit(client, path, form)

    assert refused.status_code == 400
    page = html.unescape(refused.get_data(as_text=True))
    assert "P" * 201 in page and FRENCH["venue"] in page
    assert FRENCH["opening_description"] in page and FRENCH["breakout"] in page
    assert session.scalars(select(ConsultationTranslation)).all() == []
    assert session.scalars(select(AgendaItemTranslation)).all() == []

    # Saved, the form shows what was given, and the audit names the agenda items.
    assert submit(client, path, french_form(made)).status_code == 302
    page = text_of(client, path)
    assert FRENCH["venue"] in page and FRENCH["organisers"] in page
    assert FRENCH["opening"] in page and FRENCH["opening_description"] in page
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "consultation.texts_translated")).one()
    assert event.actor_id == made.users["facilitator"].id
    assert sorted(event.details["items"]) == sorted(
        item.id for item in consultation.agenda_items)


def test_only_those_who_translate_the_texts_change_the_venue_and_the_agenda(
        app, made, session, make_consultation):
    consultation = made.consultation
    path = f"/c/{consultation.slug}/texts/fr"
    participant = reader(app, made, "p1", "fr")
    refused = submit(participant, path, french_form(made), form_path=f"/c/{consultation.slug}")
    assert refused.status_code == 403
    assert session.scalars(select(AgendaItemTranslation)).all() == []

    # An agenda item of another consultation cannot be translated through this one.
    other = make_consultation(title="Another consultation")
    foreign = AgendaItem(
        consultation=other, kind=consultation.agenda_items[0].kind,
        title="Someone else's plenary", starts_at=other.starts_at, ends_at=other.starts_at)
    session.add(foreign)
    session.flush()
    with pytest.raises(wording.WordingRefused):
        wording.save_wording(consultation, made.users["facilitator"], "fr", title="",
                             summary="", description="", venue="", organisers="",
                             items={foreign.id: wording.ItemText("Plénière")}, groups={})
    with pytest.raises(wording.WordingRefused):
        wording.save_wording(consultation, made.users["p1"], "fr", title="", summary="",
                             description="", venue=FRENCH["venue"], organisers="", items={},
                             groups={})
    assert session.scalars(select(AgendaItemTranslation)).all() == []


def test_the_walk_in_e_mail_names_the_consultation_in_the_newcomers_language(
        app, made, mailbox):
    french_title = "Consultation régionale sur les migrants disparus"
    give_in_french(app, made, {**french_form(made), "title": french_title})
    slug = made.consultation.slug
    facilitator = reader(app, made, "facilitator", "en")

    done = submit(facilitator, f"/c/{slug}/check-in/walk-in",
                  {"name": "Aïssatou Diallo", "organisation": "Caritas Dakar",
                   "stakeholder_group": "civil_society", "country": "SN",
                   "email": "walk.in@example.org", "preferred_locale": "fr", "consent": "y"},
                  form_path=f"/c/{slug}/check-in")

    assert done.status_code == 302
    (message,) = mailbox.to("walk.in@example.org")
    assert french_title in message.get_content()
    assert made.consultation.title not in message.get_content()
