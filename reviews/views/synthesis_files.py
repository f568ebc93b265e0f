"""The synthesis as files and as JSON: a version's Word and PDF documents in each language,
and ``GET /api/v1/reviews/<id>/synthesis``."""

import io

from flask import abort, flash, jsonify, redirect, send_file, url_for
from flask_login import current_user

from portal import pdf, permissions
from portal.extensions import db
from reviews import silence, versions
from reviews.models import Review
from reviews.synthesis_document import DOCX, PDF, build_synthesis_docx, filename_of
from reviews.views import blueprint
from reviews.views.review_pages import close_due_silence
from reviews.views.synthesis import load_review


def _version_in(review_slug: str, number: int, locale: str):
    review = load_review(review_slug)
    version = versions.version_numbered(review, number)
    if version is None or locale not in version.content["languages"]:
        abort(404)
    return version


@blueprint.get("/reviews/<review_slug>/synthesis/versions/<int:number>/synthesis-<locale>."
               "<any(docx, pdf):extension>")
def synthesis_document(review_slug, number, locale, extension):
    version = _version_in(review_slug, number, locale)
    content = build_synthesis_docx(version, locale)
    mimetype = DOCX
    if extension == "pdf":
        try:
            content, mimetype = pdf.pdf_of(content), PDF
        except pdf.PdfUnavailable as unavailable:
            flash(unavailable.reason, "error")
            return redirect(url_for("reviews.synthesis_version",
                                    review_slug=review_slug, number=number))
    return send_file(io.BytesIO(content), mimetype=mimetype, as_attachment=True,
                     download_name=filename_of(version, locale, extension))


def _procedure_json(procedure) -> dict | None:
    if procedure is None:
        return None
    return {
        "id": procedure.id, "version": procedure.version.number,
        "status": procedure.status.value, "deadline": procedure.deadline.isoformat(),
        "closed_at": procedure.closed_at.isoformat() if procedure.closed_at else None,
        "amendments_allowed": procedure.amendments_allowed,
        "validators": [{
            "organisation": validator.organisation, "country": validator.country or None,
            "broke_silence_at": validator.broke_silence_at.isoformat()
            if validator.broke_silence_at else None,
            "reason": validator.reason or None,
        } for validator in procedure.validators],
    }


def _version_json(version) -> dict | None:
    if version is None:
        return None
    return {
        "number": version.number, "saved_at": version.created_at.isoformat(),
        "note": version.note, "languages": version.content["languages"],
        "recommendations": [{
            "reference": entry["reference"], "title": entry["title"],
            "objectives": entry["objectives"], "texts": entry["texts"],
            "sources": [{"consultation": source["consultation"]["slug"],
                         "reference": source["reference"]} for source in entry["sources"]],
        } for entry in version.content["recommendations"]],
    }


@blueprint.get("/api/v1/reviews/<int:review_id>/synthesis")
def api_synthesis(review_id):
    review = db.session.get(Review, review_id)
    if review is None or not permissions.may_read_synthesis(current_user, review):
        return jsonify({"error": "no such review"}), 404
    if silence.has_due_procedure(review):
        close_due_silence(review)
    saved = versions.versions_of(review)
    procedures = silence.procedures_of(review)
    return jsonify({"review_id": review.id, "latest_version": _version_json(
        saved[0] if saved else None), "silence_procedure": _procedure_json(
        procedures[0] if procedures else None)})
