"""Pages of outcome documents: what is missing and the versions, compiling, the preview and
a version's view, downloads (.docx, PDF, CSV, JSON), marking final, the written parts and the
cover, breakout summaries, translations of recommendations, and consent to be named."""

import base64
import io
import json
from dataclasses import asdict, is_dataclass
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import breakouts, wording
from portal import permissions
from portal.config import LOCALES
from portal.database import intending_to_write, utcnow
from portal.extensions import db
from portal.i18n import RIGHT_TO_LEFT, language_name
from portal.page_access import load_consultation, load_within, require
from portal.spreadsheets import downloads
from recommendations import drafting, translating
from recommendations.models import Amendment, Recommendation, TranslationStatus
from recommendations.outcome import content, exports, operations, parts, pdf, words
from recommendations.outcome.chart import bar_chart
from recommendations.outcome.forms import (
    AmendmentTranslationForm,
    BreakoutSummaryForm,
    CompileForm,
    CoverForm,
    FinalForm,
    ListingForm,
    TranslationForm,
    languages_for,
    outcome_text_form,
)
from recommendations.outcome.models import DISTRIBUTION_LABELS, OutcomeDocument
from recommendations.outcome.prose import blocks_of
from recommendations.text import diff_html

blueprint = Blueprint("outcome", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def _chosen_locale(consultation) -> str:
    locale = request.args.get("locale")
    return locale if locale in LOCALES else drafting.main_language(consultation)


def _locale_or_404(locale: str) -> str:
    if locale not in LOCALES:
        abort(404)
    return locale


def _chart(data: dict) -> str | None:
    """The participation chart of an outcome as a data: URI, for its web page."""
    chart = bar_chart([figure["count"] for figure in data["participation"]["by_group"] or []],
                      right_to_left=data["right_to_left"])
    return "data:image/png;base64," + base64.b64encode(chart).decode() if chart else None


def _stale_flags(flags: list) -> list[dict]:
    """Flagged written parts (``content.StalePart``, or as stored data) for a page, with
    their dates as dates."""
    return [{**(asdict(flag) if is_dataclass(flag) else flag),
             "changed_at": datetime.fromisoformat(
                 flag.changed_at if is_dataclass(flag) else flag["changed_at"])}
            for flag in flags]


def _load_document(consultation, document_id: int) -> OutcomeDocument:
    document = load_within(consultation, OutcomeDocument, document_id)
    require(permissions.may_read_outcome_document(current_user, document))
    return document


@blueprint.get("/c/<slug>/outcome")
@login_required
def index(slug):
    consultation = load_consultation(slug)
    if not permissions.may_compile_outcome(current_user, consultation):
        require(permissions.may_read_discussions(current_user, consultation))
        return render_template("recommendations/outcome/final.html", consultation=consultation,
                               documents=operations.documents_of(consultation, final_only=True),
                               pdf_available=pdf.available())
    locale = _chosen_locale(consultation)
    outcome = content.outcome_of(consultation, locale, generated_at=utcnow())
    return render_template(
        "recommendations/outcome/index.html", consultation=consultation, locale=locale,
        languages=languages_for(consultation), gaps=outcome.gaps,
        stale=_stale_flags(outcome.stale), cover=operations.cover_of(consultation),
        documents=operations.documents_of(consultation, locale), pdf_available=pdf.available(),
        distributions=DISTRIBUTION_LABELS,
        final=operations.final_document(consultation, locale),
        compile_form=CompileForm(consultation=consultation, data={"locale": locale}),
        final_form=FinalForm(), groups=breakouts.groups_of(consultation))


@blueprint.post("/c/<slug>/outcome/compile")
@login_required
def compile_document(slug):
    consultation = load_consultation(slug)
    require(permissions.may_compile_outcome(current_user, consultation))
    form = CompileForm(consultation=consultation)
    if not form.validate_on_submit():
        flash(_("Choose the language of the document."), "error")
        return redirect(url_for("outcome.index", slug=slug))
    try:
        document = operations.compile_outcome(consultation, form.locale.data, current_user)
    except operations.OutcomeRefused as refusal:
        flash(refusal.reason, "error")
        return redirect(url_for("outcome.index", slug=slug, locale=form.locale.data))
    flash(_("Version %(number)d of the outcome document is compiled.", number=document.number),
          "success")
    return redirect(url_for("outcome.version", slug=slug, document_id=document.id))


@blueprint.get("/c/<slug>/outcome/preview")
@login_required
def preview(slug):
    consultation = load_consultation(slug)
    require(permissions.may_compile_outcome(current_user, consultation))
    locale = _chosen_locale(consultation)
    data = parts.as_data(content.outcome_of(consultation, locale, generated_at=utcnow()))
    return render_template("recommendations/outcome/preview.html", consultation=consultation,
                           data=data, locale=locale, blocks_of=blocks_of, chart=_chart(data))


@blueprint.get("/c/<slug>/outcome/versions/<int:document_id>")
@login_required
def version(slug, document_id):
    consultation = load_consultation(slug)
    document = _load_document(consultation, document_id)
    return render_template(
        "recommendations/outcome/version.html", consultation=consultation, document=document,
        data=document.data, blocks_of=blocks_of, chart=_chart(document.data),
        final_form=FinalForm(), stale=_stale_flags(operations.stale_parts_of(document)),
        pdf_available=pdf.available(),
        may_compile=permissions.may_compile_outcome(current_user, consultation),
        final=operations.final_document(consultation, document.locale))


@blueprint.get("/c/<slug>/outcome/versions/<int:document_id>/document.docx")
@login_required
def download(slug, document_id):
    consultation = load_consultation(slug)
    document = _load_document(consultation, document_id)
    return send_file(io.BytesIO(document.content), mimetype=DOCX, as_attachment=True,
                     download_name=document.filename, etag=document.sha256,
                     last_modified=document.generated_at, max_age=0)


@blueprint.get("/c/<slug>/outcome/versions/<int:document_id>/document.pdf")
@login_required
def download_pdf(slug, document_id):
    consultation = load_consultation(slug)
    document = _load_document(consultation, document_id)
    if document.pdf is None:
        # Made the first time it is asked for, by LibreOffice in a process of its own: no
        # transaction waits on it (this one only read), then it is kept in a short one.
        try:
            made = pdf.pdf_of(document.content)
        except pdf.PdfUnavailable as unavailable:
            flash(unavailable.reason, "error")
            return redirect(url_for("outcome.version", slug=slug, document_id=document_id))
        db.session.rollback()
        with intending_to_write():
            document = db.session.get(OutcomeDocument, document_id)
            operations.store_pdf(document, made, current_user)
    return send_file(io.BytesIO(document.pdf), mimetype=PDF, as_attachment=True,
                     download_name=document.pdf_filename, etag=document.pdf_sha256,
                     last_modified=document.generated_at, max_age=0)


@blueprint.get("/c/<slug>/outcome/versions/<int:document_id>/outcome.json")
@login_required
def version_json(slug, document_id):
    consultation = load_consultation(slug)
    document = _load_document(consultation, document_id)
    archive = {"consultation": consultation.slug, "locale": document.locale,
               "number": document.number, "final": document.final,
               "generated_at": document.generated_at.isoformat(), "sha256": document.sha256,
               "outcome": document.data}
    return Response(json.dumps(archive, ensure_ascii=False, indent=2),
                    mimetype="application/json", headers={
                        "Content-Disposition": "attachment; filename="
                        f'"{document.filename.removesuffix(".docx")}.json"'})


@blueprint.get("/c/<slug>/outcome/versions/<int:document_id>/recommendations.csv")
@login_required
def version_csv(slug, document_id):
    return _recommendations_download(slug, document_id, "csv")


@blueprint.get("/c/<slug>/outcome/versions/<int:document_id>/recommendations.xlsx")
@login_required
def version_xlsx(slug, document_id):
    return _recommendations_download(slug, document_id, "xlsx")


def _recommendations_download(slug, document_id: int, file_format: str):
    """The recommendations of a version and their results, one row each, in the version's
    language; a workbook's headings are in the reader's."""
    consultation = load_consultation(slug)
    document = _load_document(consultation, document_id)
    rows = exports.csv_rows(document.data)
    if file_format == "xlsx":
        rows = [exports.sheet_row(row) for row in rows]
    return downloads(exports.export_columns(), rows,
                     f'{document.filename.removesuffix(".docx")}-recommendations', file_format,
                     sheet_name=_("Recommendations"),
                     right_to_left=str(get_locale()) in RIGHT_TO_LEFT)


@blueprint.post("/c/<slug>/outcome/versions/<int:document_id>/final")
@login_required
def mark_final(slug, document_id):
    consultation = load_consultation(slug)
    document = load_within(consultation, OutcomeDocument, document_id)
    require(permissions.may_compile_outcome(current_user, consultation))
    form = FinalForm()
    if form.validate_on_submit():
        try:
            operations.mark_final(document, current_user,
                                  missing_acknowledged=form.missing_acknowledged.data,
                                  stale_acknowledged=form.stale_acknowledged.data)
        except operations.OutcomeRefused as refusal:
            flash(refusal.reason, "error")
        else:
            flash(_("Version %(number)d is the final outcome document in %(language)s.",
                    number=document.number, language=language_name(document.locale)),
                  "success")
    else:
        flash(_("The form has expired; try again."), "error")
    return redirect(url_for("outcome.version", slug=slug, document_id=document.id))


def _written_texts(consultation, locale: str, originals: list[str]) -> dict | None:
    """The outcome's written parts and names in ``locale`` as the form's fields, if any."""
    written = words.outcome_text_of(consultation, locale)
    if written is None:
        return None
    return {"executive_summary": written.executive_summary,
            "introduction": written.introduction,
            **{f"name_{number}": (written.names or {}).get(original, "")
               for number, original in enumerate(originals)}}


@blueprint.route("/c/<slug>/outcome/texts/<locale>", methods=["GET", "POST"])
@login_required
def texts(slug, locale):
    consultation = load_consultation(slug)
    locale = _locale_or_404(locale)
    require(permissions.may_compile_outcome(current_user, consultation))
    originals = words.names_to_translate(consultation, locale)
    form = outcome_text_form(originals, data=_written_texts(consultation, locale, originals)
                             if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.save_outcome_text(
                consultation, current_user, locale,
                executive_summary=form.executive_summary.data or "",
                introduction=form.introduction.data or "", names=form.names(originals))
        except operations.OutcomeRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.reason)
        else:
            flash(_("The texts in %(language)s are saved.",
                    language=language_name(locale)), "success")
            return redirect(url_for("outcome.index", slug=slug, locale=locale))
    status = 400 if form.errors else 200
    return render_template("recommendations/outcome/texts.html", consultation=consultation,
                           locale=locale, form=form, originals=originals,
                           final=operations.is_final(consultation, locale),
                           working_language=locale in wording.other_languages(consultation)
                           ), status


@blueprint.route("/c/<slug>/outcome/cover", methods=["GET", "POST"])
@login_required
def cover(slug):
    consultation = load_consultation(slug)
    require(permissions.may_compile_outcome(current_user, consultation))
    saved = operations.cover_of(consultation)
    form = CoverForm(data={"symbol": saved.symbol, "distribution": saved.distribution}
                     if saved is not None and request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.save_cover(consultation, current_user, symbol=form.symbol.data or "",
                                  distribution=form.distribution.data or "")
        except operations.OutcomeRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.reason)
        else:
            flash(_("The cover's symbol and distribution line are saved."), "success")
            return redirect(url_for("outcome.index", slug=slug))
    status = 400 if form.errors else 200
    return render_template("recommendations/outcome/cover.html", consultation=consultation,
                           form=form), status


@blueprint.route("/c/<slug>/outcome/breakouts/<int:group_id>", methods=["GET", "POST"])
@login_required
def breakout_summary(slug, group_id):
    from consultations.models import BreakoutGroup

    consultation = load_consultation(slug)
    group = load_within(consultation, BreakoutGroup, group_id)
    require(permissions.may_write_breakout_summary(current_user, group))
    locale = _chosen_locale(consultation)
    summaries = operations.summaries_of(group)
    form = BreakoutSummaryForm(data={"text": summaries[locale].text}
                               if locale in summaries and request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            operations.save_breakout_summary(group, current_user, locale, form.text.data or "")
        except operations.OutcomeRefused as refusal:
            db.session.rollback()
            form.text.errors.append(refusal.reason)
        else:
            flash(_("The summary of %(group)s in %(language)s is saved.", group=group.name,
                    language=language_name(locale)), "success")
            return redirect(url_for("outcome.breakout_summary", slug=slug, group_id=group.id,
                                    locale=locale))
    status = 400 if form.errors else 200
    return render_template(
        "recommendations/outcome/breakout_summary.html", consultation=consultation, group=group,
        locale=locale, form=form, summaries=summaries, languages=languages_for(consultation),
        final=operations.is_final(consultation, locale), right_to_left=RIGHT_TO_LEFT), status


@blueprint.get("/c/<slug>/outcome/translations")
@login_required
def translations(slug):
    consultation = load_consultation(slug)
    require(permissions.may_translate(current_user, consultation))
    locale = _chosen_locale(consultation)
    recommendations, translations = translating.translations_to_make(consultation, locale)
    amendments = translating.amendments_to_translate(consultation)
    return render_template(
        "recommendations/outcome/translations.html", consultation=consultation, locale=locale,
        languages=languages_for(consultation), recommendations=recommendations,
        translations=translations,
        out_of_date=translating.out_of_date_translations(recommendations, locale),
        amendments=amendments,
        amendment_translations=translating.amendment_translations_into(amendments, locale))


def _status_choices(form, consultation, existing) -> None:
    """Offer "reviewed" only to someone who may review: not the one who translated it."""
    if not permissions.may_review_translation(current_user, consultation, existing):
        form.status.choices = [choice for choice in form.status.choices
                               if choice.value == TranslationStatus.draft.value]
        if not form.is_submitted():
            form.status.data = TranslationStatus.draft.value


def _translation_data(existing, earlier) -> dict | None:
    """The form's start: the translation there is, else the one of an earlier version, as a
    draft to bring up to date."""
    if existing is not None:
        return {"title": existing.title, "text": existing.text, "status": existing.status.value}
    if earlier is not None:
        return {"title": earlier.title, "text": earlier.text,
                "status": TranslationStatus.draft.value}
    return None


@blueprint.route("/c/<slug>/outcome/translations/<int:recommendation_id>/<locale>",
                 methods=["GET", "POST"])
@login_required
def translate(slug, recommendation_id, locale):
    consultation = load_consultation(slug)
    recommendation = load_within(consultation, Recommendation, recommendation_id)
    locale = _locale_or_404(locale)
    require(permissions.may_translate(current_user, consultation))
    version = recommendation.current_version
    existing = translating.translation_of(version, locale)
    earlier = translating.latest_translation(recommendation, locale) if existing is None else None
    form = TranslationForm(data=_translation_data(existing, earlier))
    _status_choices(form, consultation, existing)
    if form.validate_on_submit():
        try:
            translating.save_translation(version, current_user, locale=locale,
                                         title=form.title.data, text=form.text.data,
                                         status=TranslationStatus(form.status.data))
        except translating.TranslationRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.reason)
        else:
            flash(_("The translation of %(reference)s into %(language)s is saved.",
                    reference=recommendation.reference,
                    language=language_name(locale)), "success")
            return redirect(url_for("outcome.translations", slug=slug, locale=locale))
    status = 400 if form.errors else 200
    return render_template(
        "recommendations/outcome/translate.html", consultation=consultation,
        recommendation=recommendation, version=version, locale=locale, form=form,
        existing=existing, earlier=earlier, diff_html=diff_html,
        right_to_left=RIGHT_TO_LEFT), status


@blueprint.route("/c/<slug>/outcome/translations/amendments/<int:amendment_id>/<locale>",
                 methods=["GET", "POST"])
@login_required
def translate_amendment(slug, amendment_id, locale):
    consultation = load_consultation(slug)
    amendment = load_within(consultation, Amendment, amendment_id)
    locale = _locale_or_404(locale)
    require(permissions.may_translate(current_user, consultation))
    existing = translating.amendment_translation_of(amendment, locale)
    form = AmendmentTranslationForm(data={
        "text": existing.text, "rationale": existing.rationale,
        "status": existing.status.value} if existing else None)
    _status_choices(form, consultation, existing)
    if form.validate_on_submit():
        try:
            translating.save_amendment_translation(
                amendment, current_user, locale=locale, text=form.text.data,
                rationale=form.rationale.data, status=TranslationStatus(form.status.data))
        except translating.TranslationRefused as refusal:
            db.session.rollback()
            form.form_errors.append(refusal.reason)
        else:
            flash(_("The translation of amendment %(id)d into %(language)s is saved.",
                    id=amendment.id, language=language_name(locale)), "success")
            return redirect(url_for("outcome.translations", slug=slug, locale=locale,
                                    _anchor="amendments"))
    status = 400 if form.errors else 200
    return render_template(
        "recommendations/outcome/translate_amendment.html", consultation=consultation,
        amendment=amendment, locale=locale, form=form, existing=existing, diff_html=diff_html,
        right_to_left=RIGHT_TO_LEFT), status


@blueprint.post("/c/<slug>/outcome/listing")
@login_required
def listing(slug):
    consultation = load_consultation(slug)
    registration = permissions.registration_of(current_user, consultation)
    if registration is None:
        abort(404)
    form = ListingForm()
    if form.validate_on_submit():
        operations.set_listing(registration, current_user, bool(form.listed.data))
        flash(_("You will be named in the list of participants.") if form.listed.data
              else _("You will not be named in the list of participants."), "success")
    return redirect(url_for("consultations.my_registration", slug=slug))
