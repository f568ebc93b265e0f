"""The results of a consultation's votes (the page, CSV, workbook and JSON) and the
read-only JSON API."""

from pathlib import Path

from flask import (
    Response,
    jsonify,
    render_template,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations.models import Consultation
from portal import permissions
from portal.extensions import db
from portal.i18n import RIGHT_TO_LEFT
from portal.page_access import load_consultation, require
from portal.spreadsheets import Column, downloads
from recommendations import breakdown, drafting, voting
from recommendations.models import (
    Recommendation,
    RecommendationStatus,
    RecommendationVersion,
    VoteChoice,
    VoteRound,
)
from recommendations.results import results_of
from recommendations.turnout import result_sentence
from recommendations.views import blueprint

# Results --------------------------------------------------------------------------------------

def _results(consultation: Consultation) -> list[dict]:
    return results_of(
        consultation, drafting.recommendations_of(consultation),
        show_names=permissions.may_see_author_names(current_user, consultation),
        audience=breakdown.audience_of(current_user, consultation))


@blueprint.get("/c/<slug>/results")
@login_required
def results(slug):
    consultation = load_consultation(slug)
    require(permissions.may_follow_votes(current_user, consultation))
    return render_template("recommendations/results.html", consultation=consultation,
                           results=_results(consultation), choices=list(VoteChoice),
                           group_labels=breakdown.GROUP_LABELS)


@blueprint.get("/c/<slug>/results.csv")
@login_required
def results_csv(slug):
    return _results_download(slug, "csv")


@blueprint.get("/c/<slug>/results.xlsx")
@login_required
def results_xlsx(slug):
    return _results_download(slug, "xlsx")


def _results_download(slug, file_format: str):
    consultation = load_consultation(slug)
    require(permissions.may_follow_votes(current_user, consultation))
    zone = consultation.time_zone
    columns = [
        Column("reference", _("Reference")), Column("title", _("Title")),
        Column("status", _("Status")), Column("round", _("Round")),
        Column("on_amendment", _("On amendment")), Column("rule", _("Adoption rule")),
        Column("adopted", _("Adopted")), Column("reason", _("Reason")),
        *[Column(choice.value, choice.label) for choice in VoteChoice],
        *[Column(f"in_room_{choice.value}",
                 _("Show of hands: %(choice)s", choice=choice.label)) for choice in VoteChoice],
        Column("voted", _("Voted")), Column("present", _("Present")),
        Column("cast", _("Votes cast")), Column("quorum", _("Quorum")),
        Column("closed_at", _("Closed (%(time_zone)s time)", time_zone=zone)),
        Column("reopened_at", _("Reopened (%(time_zone)s time)", time_zone=zone)),
        Column("reopen_reason", _("Reason for reopening")), Column("result", _("Result")),
    ]
    return downloads(columns, _result_rows(consultation), f"{slug}-results", file_format,
                     sheet_name=_("Results"), time_zone=zone,
                     right_to_left=str(get_locale()) in RIGHT_TO_LEFT)


def _result_rows(consultation: Consultation) -> list[list]:
    rows = []
    for entry in _results(consultation):
        recommendation = entry["recommendation"]
        for item in entry["rounds"] or [None]:
            round_, tally = (item["round"], item["tally"]) if item else (None, None)
            rows.append([
                recommendation.reference, recommendation.title, recommendation.status,
                round_.number if round_ else "",
                (round_.amendment_id or "") if round_ else "",
                round_.rule if round_ else "",
                "" if not round_ or round_.adopted is None else round_.adopted,
                (round_.result_reason or "") if round_ else "",
                *[tally["counts"][choice.value] if tally else "" for choice in VoteChoice],
                *[tally["in_room"][choice.value] if tally else "" for choice in VoteChoice],
                tally["turnout"]["voted"] if tally else "",
                tally["turnout"]["present"] if tally else "",
                tally["turnout"]["cast"] if tally else "",
                _blank(tally["turnout"]["quorum"]) if tally else "",
                (round_.closed_at or "") if round_ else "",
                (round_.reopened_at or "") if round_ else "",
                (round_.reopen_reason or "") if round_ else "",
                item["result"] if item else ""])
    return rows


def _blank(value) -> object:
    return "" if value is None else value


def _isoformat(moment) -> str:
    return moment.isoformat() if moment else ""


@blueprint.get("/c/<slug>/results.json")
@login_required
def results_json(slug):
    consultation = load_consultation(slug)
    require(permissions.may_follow_votes(current_user, consultation))
    return jsonify({"consultation": consultation.slug, "recommendations": [
        {**_recommendation_json(entry["recommendation"]),
         "rounds": [{**_round_json(item["round"], item["tally"]),
                     "reservations": item["reservations"], "result": item["result"]}
                    for item in entry["rounds"]]}
        for entry in _results(consultation)]})


# The read-only JSON API -----------------------------------------------------------------------

def _recommendation_json(recommendation: Recommendation) -> dict:
    version: RecommendationVersion = recommendation.current_version
    return {"id": recommendation.id, "reference": recommendation.reference,
            "title": recommendation.title, "theme": recommendation.theme,
            "status": recommendation.status.value,
            "gcm_objectives": list(recommendation.gcm_objectives),
            "version": {"id": version.id, "number": version.number, "text": version.text}}


def _round_json(round_: VoteRound, tally: dict | None = None) -> dict:
    """A round with its tally (as the signed-in reader may see it, unless given)."""
    if tally is None:
        tally = breakdown.tally_payload(
            round_, voting.tally(round_),
            breakdown.audience_of(current_user, round_.consultation))
    return {**voting.round_state(round_), "quorum": tally["turnout"]["quorum"],
            "stakeholder_rule": round_.stakeholder_rule, "tally": tally,
            "opened_at": round_.opened_at.isoformat(),
            "closed_at": _isoformat(round_.closed_at) or None,
            "reopened": {"at": round_.reopened_at.isoformat(), "reason": round_.reopen_reason}
            if round_.reopened_at else None,
            "result": result_sentence(round_, tally)}


def _api_error(status: int, message: str):
    return jsonify({"error": message}), status


@blueprint.get("/api/v1/consultations/<int:consultation_id>/recommendations")
def api_recommendations(consultation_id):
    consultation = db.session.get(Consultation, consultation_id)
    if not current_user.is_authenticated:
        return _api_error(401, "sign in first")
    if consultation is None or not permissions.may_view_consultation(current_user,
                                                                     consultation):
        return _api_error(404, "no such consultation")
    if not permissions.may_follow_votes(current_user, consultation):
        return _api_error(403, "not admitted to this consultation")
    return jsonify({"consultation_id": consultation.id, "recommendations": [
        _recommendation_json(r) for r in drafting.recommendations_of(consultation)
        if r.status != RecommendationStatus.merged]})


#: The API's description (OpenAPI 3.1), shipped beside this module; docs/api.md explains it.
OPENAPI = Path(__file__).parent.parent / "openapi.json"


@blueprint.get("/api/v1/openapi.json")
def api_description():
    response = Response(OPENAPI.read_bytes(), mimetype="application/json")
    response.cache_control.public, response.cache_control.max_age = True, 3600
    return response


@blueprint.get("/api/v1/rounds/<int:round_id>")
def api_round(round_id):
    round_ = db.session.get(VoteRound, round_id)
    if not current_user.is_authenticated:
        return _api_error(401, "sign in first")
    if round_ is None or not permissions.may_view_consultation(current_user,
                                                               round_.consultation):
        return _api_error(404, "no such round")
    if not permissions.may_follow_votes(current_user, round_.consultation):
        return _api_error(403, "not admitted to this consultation")
    return jsonify(_round_json(round_))
