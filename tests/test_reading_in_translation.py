"""Reading the consultation in one's own language: reviewed translations of recommendations and
amendments in place of the original, marked, with the original one click away; translations
of earlier versions named out of date; review by a second person; translators appointed by
the secretariat; the consultation's own texts per working language."""

import html
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from consultations import breakouts
from consultations.models import Registration, Role, Thread
from portal.extensions import db
from recommendations import drafting, translating, voting
from recommendations.models import AmendmentTranslation, TranslationStatus
from recommendations.outcome import content
from tests.conftest import sign_in, submit
from tests.outcome_data import build_outcome_consultation

NOW = datetime(2024, 4, 24, 17, 0, tzinfo=UTC)
FRENCH_R4 = ("Information avant le départ",
             "Les États devraient informer les migrants des risques des routes.")


@pytest.fixture
def made(session, make_user, make_consultation, register):
    return build_outcome_consultation(session, make_user, make_consultation, register)


def say(app, locale: str, message: str, **variables) -> str:
    with app.test_request_context(), force_locale(locale):
        return gettext(message, **variables)


def reader(app, made, who: str, locale: str | None = None):
    """A signed-in client whose pages are in ``locale`` (their own preference)."""
    client = app.test_client()
    sign_in(client, made.users[who].email)
    if locale:
        made.users[who].preferred_locale = locale
        db.session.flush()
    return client


def text_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def review(made, version, locale, title, text):
    """Translated by the secretariat, reviewed by the facilitator."""
    for person, status in ((made.users["secretariat"], TranslationStatus.draft),
                           (made.users["facilitator"], TranslationStatus.reviewed)):
        translating.save_translation(version, person, locale=locale, title=title, text=text,
                                     status=status)


def test_a_participant_reads_the_reviewed_translation_marked_with_the_original_one_click_away(
        app, made, session):
    slug, r1 = made.consultation.slug, made.recommendations["R1"]
    client = reader(app, made, "p1", "fr")
    path = f"/c/{slug}/recommendations/{r1.id}"

    page = text_of(client, path)
    french = r1.current_version.translations[0]
    assert french.status == TranslationStatus.reviewed
    text = page[page.index('class="numbered-text"'):page.index('id="versions-heading"')]
    assert french.title in page and french.text.split("\n")[0] in text
    assert "States should each designate" not in text
    assert say(app, "fr", "Read the original, in %(language)s", language="anglais") in page
    assert f'href="{path}?original=1"' in page

    original = text_of(client, f"{path}?original=1")
    text = original[original.index('class="numbered-text"'):]
    assert "States should each designate" in text and french.title not in original
    assert say(app, "fr", "Read the reviewed translation into %(language)s",
               language="français") in original

    # The list of recommendations gives the French titles too; English readers keep theirs.
    assert french.title in text_of(client, f"/c/{slug}/recommendations")
    english = text_of(reader(app, made, "p2"), path)
    assert r1.title in english and french.title not in english


def test_a_draft_translation_is_not_shown_to_participants(app, made):
    slug, r4 = made.consultation.slug, made.recommendations["R4"]
    assert translating.translation_of(r4.current_version, "fr").status == TranslationStatus.draft
    page = text_of(reader(app, made, "p1", "fr"), f"/c/{slug}/recommendations/{r4.id}")
    assert "Information avant le départ" not in page
    assert "States should inform migrants" in page
    assert say(app, "fr", "No reviewed translation into %(language)s yet: here is the "
               "original, in %(original)s.", language="français", original="anglais") in page


def test_a_new_version_puts_its_earlier_translation_out_of_date_everywhere(app, made, session):
    slug, r4 = made.consultation.slug, made.recommendations["R4"]
    review(made, r4.current_version, "fr", *FRENCH_R4)
    client = reader(app, made, "p1", "fr")
    path = f"/c/{slug}/recommendations/{r4.id}"
    assert FRENCH_R4[1] in text_of(client, path)

    drafting.revise(r4, made.users["rapporteur"], "States should inform migrants of the "
                                                  "risks of every route.")
    session.flush()
    page = text_of(client, path)
    assert FRENCH_R4[1] not in page and "risks of every route" in page
    assert say(app, "fr", "The translation into %(language)s is of version %(old)d and out of "
               "date: the text changed in version %(new)d. Here is the original, in "
               "%(original)s.", language="français", old=1, new=2, original="anglais") in page

    listing = text_of(reader(app, made, "secretariat"),
                      f"/c/{slug}/outcome/translations?locale=fr")
    assert "Out of date: the translation is of version 1" in listing
    stale = translating.out_of_date_translations([r4], "fr")
    assert stale[r4.id].version.number == 1
    # The outcome document does not take it either.
    gaps = content.outcome_of(made.consultation, "fr", generated_at=NOW).gaps
    assert any(gap.kind == "translation" and gap.subject == "R4" for gap in gaps)


def test_a_translation_is_reviewed_by_someone_other_than_its_translator(app, made, session):
    r4 = made.recommendations["R4"]
    secretariat, facilitator = made.users["secretariat"], made.users["facilitator"]
    with pytest.raises(translating.TranslationRefused, match="Someone other than"):
        translating.save_translation(r4.current_version, secretariat, locale="ar",
                                     title="عنوان", text="نص", status=TranslationStatus.reviewed)
    translating.save_translation(r4.current_version, secretariat, locale="ar", title="عنوان",
                                 text="نص", status=TranslationStatus.draft)
    with pytest.raises(translating.TranslationRefused, match="Someone other than"):
        translating.save_translation(r4.current_version, secretariat, locale="ar",
                                     title="عنوان", text="نص", status=TranslationStatus.reviewed)
    reviewed = translating.save_translation(r4.current_version, facilitator, locale="ar",
                                            title="عنوان", text="نص معدل",
                                            status=TranslationStatus.reviewed)
    assert (reviewed.translated_by_id, reviewed.reviewed_by_id) == (secretariat.id,
                                                                    facilitator.id)
    # The translator changing it afterwards makes it a draft that needs reviewing again.
    again = translating.save_translation(r4.current_version, secretariat, locale="ar",
                                         title="عنوان", text="نص آخر",
                                         status=TranslationStatus.draft)
    assert again.status == TranslationStatus.draft and again.reviewed_by_id is None


def test_amendments_and_the_vote_on_one_are_read_in_translation(app, made, session):
    slug, r4 = made.consultation.slug, made.recommendations["R4"]
    amendment = drafting.propose_amendment(
        r4, made.users["p2"], text="States should inform migrants of the risks of the routes "
                                   "in their languages.", rationale="Language matters.")
    client = reader(app, made, "secretariat")
    path = f"/c/{slug}/outcome/translations/amendments/{amendment.id}/fr"
    assert f"Amendment {amendment.id}" in text_of(client, f"/c/{slug}/outcome/translations")
    kept = submit(client, path, {"text": "Les États devraient informer les migrants.",
                                 "rationale": "", "status": "draft"})
    assert kept.status_code == 400
    assert "Les États devraient informer les migrants." in html.unescape(
        kept.get_data(as_text=True))
    submit(client, path, {"text": "Les États devraient informer les migrants dans leurs "
                                  "langues.", "rationale": "La langue compte.",
                          "status": "draft"})
    assert translating.amendment_readings([amendment], "fr") == {}
    submit(reader(app, made, "facilitator"), path,
           {"text": "Les États devraient informer les migrants dans leurs langues.",
            "rationale": "La langue compte.", "status": "reviewed"})
    translation = session.scalars(select(AmendmentTranslation)).one()
    assert translation.status == TranslationStatus.reviewed

    voting.open_round(r4, made.users["facilitator"], amendment=amendment)
    session.flush()
    page = text_of(reader(app, made, "p1", "fr"), f"/c/{slug}/recommendations/{r4.id}")
    vote_box = page[page.index('id="vote"'):page.index('id="versions-heading"')]
    assert "dans leurs langues" in vote_box
    assert "La langue compte." in page
    assert "in their languages" in page  # the original, folded under the translation
    english = text_of(reader(app, made, "p3"), f"/c/{slug}/recommendations/{r4.id}")
    assert "dans leurs langues" not in english


def test_the_secretariat_appoints_translators_and_only_translators(app, made, session,
                                                                   make_user):
    slug = made.consultation.slug
    translator = make_user(email="translator@example.org", name="Arabic Translator")
    client = reader(app, made, "secretariat")
    team = text_of(client, f"/c/{slug}/team")
    assert 'value="translator"' in team and 'value="facilitator"' not in team

    refused = submit(client, f"/c/{slug}/team", {"email": "translator@example.org",
                                                 "role": "facilitator"})
    assert refused.status_code == 400
    assert session.scalar(select(Registration).where(
        Registration.user_id == translator.id)) is None
    submit(client, f"/c/{slug}/team", {"email": "translator@example.org", "role": "translator"})
    registration = session.scalar(select(Registration).where(
        Registration.user_id == translator.id))
    assert registration.role == Role.translator

    translating_client = app.test_client()
    sign_in(translating_client, "translator@example.org")
    assert translating_client.get(f"/c/{slug}/outcome/translations").status_code == 200
    # Translating is not compiling the outcome document.
    assert submit(translating_client, f"/c/{slug}/outcome/compile", {"locale": "fr"},
                  form_path=f"/c/{slug}/outcome/translations").status_code == 403
    assert reader(app, made, "p1").get(f"/c/{slug}/outcome/translations").status_code == 403
    # Participants cannot appoint anyone, whatever they post.
    assert submit(reader(app, made, "p1"), f"/c/{slug}/team",
                  {"email": "p5@example.org", "role": "translator"},
                  form_path=f"/c/{slug}").status_code == 403


def test_the_consultations_own_texts_are_read_in_each_working_language(app, made, session):
    consultation = made.consultation
    slug = consultation.slug
    group = breakouts.groups_of(consultation)[0]
    group.guiding_questions = ["Who searches for the missing?", "Who tells the families?"]
    from consultations.discussion import sync_guiding_threads

    sync_guiding_threads(group)
    session.flush()
    client = reader(app, made, "facilitator")
    path = f"/c/{slug}/texts/fr"
    form = {"title": "Consultation régionale sur les migrants disparus",
            "summary": "Un résumé en français.", "description": "",
            f"group_{group.id}_name": "Groupe 1",
            f"group_{group.id}_theme": "Recherche et identification",
            f"group_{group.id}_questions": "Qui recherche les disparus ?\nQui informe les "
                                           "familles ?\nUne question de trop ?"}
    refused = submit(client, path, form)
    assert refused.status_code == 400
    kept = html.unescape(refused.get_data(as_text=True))
    assert "Une question de trop ?" in kept and "Consultation régionale" in kept
    assert consultation.translations == []

    form[f"group_{group.id}_questions"] = "Qui recherche les disparus ?\n"
    assert submit(client, path, form).status_code == 302

    french = reader(app, made, "rapporteur", "fr")  # the rapporteur of group 1
    page = text_of(french, f"/c/{slug}")
    assert "Consultation régionale sur les migrants disparus" in page
    assert "Un résumé en français." in page
    assert "Recherche et identification" in page
    threads = session.scalars(select(Thread).where(Thread.breakout_group_id == group.id)
                              .order_by(Thread.position)).all()
    assert text_of(french, f"/c/{slug}/threads/{threads[0].id}").count(
        "Qui recherche les disparus ?") >= 1
    # The question left empty stays in the original.
    assert "Who tells the families?" in text_of(french, f"/c/{slug}/threads/{threads[1].id}")
    english = text_of(reader(app, made, "p2"), f"/c/{slug}")
    assert "Regional consultation on missing migrants" in english
    assert "Consultation régionale" not in english

    # The French outcome document takes the French title given here.
    session.expire_all()
    outcome = content.outcome_of(consultation, "fr", generated_at=NOW)
    assert not any(gap.subject == consultation.title for gap in outcome.gaps)

    # Participants cannot change these texts; English is the original and has no form.
    assert reader(app, made, "p1").get(path).status_code == 403
    assert client.get(f"/c/{slug}/texts/en").status_code == 404
