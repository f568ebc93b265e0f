"""Pages of the recommendations area: drafting and amending, voting by form, the plenary
console and the projector view (results and the JSON API: results.py)."""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consultations import breakouts
from consultations.forms import ReasonForm, StatusForm, text
from consultations.gcm import OBJECTIVES
from portal import permissions
from portal.extensions import db
from portal.live import broadcast_after_commit, person_room
from portal.page_access import load_consultation, load_within, require
from portal.rate_limits import limited
from recommendations import breakdown, drafting, joining, translating, voting
from recommendations.adoption import Counts
from recommendations.forms import (
    MAX_HANDS,
    AmendmentForm,
    CloseRoundForm,
    InRoomForm,
    MergeForm,
    OpenRoundForm,
    RecommendationForm,
    ReopenRoundForm,
    RevisionForm,
    VoteForm,
)
from recommendations.live import tallies
from recommendations.models import (
    Amendment,
    AmendmentStatus,
    Recommendation,
    VoteChoice,
    VoteRound,
)
from recommendations.text import diff_html, has_open_brackets, numbered_lines
from recommendations.turnout import result_sentence

blueprint = Blueprint("recommendations", __name__)


def _back(recommendation, anchor=None):
    return redirect(url_for("recommendations.show", slug=recommendation.consultation.slug,
                            recommendation_id=recommendation.id, _anchor=anchor))


@blueprint.get("/c/<slug>/recommendations")
@login_required
def index(slug):
    consultation = load_consultation(slug)
    require(permissions.may_follow_votes(current_user, consultation))
    recommendations = drafting.recommendations_of(consultation)
    return render_template(
        "recommendations/index.html", consultation=consultation,
        recommendations=recommendations, merge_form=MergeForm(),
        readings=translating.readings_of(
            ((recommendation, recommendation.current_version)
             for recommendation in recommendations), str(get_locale())),
        may_draft=permissions.may_draft_recommendations(current_user, consultation),
        may_moderate=permissions.may_moderate(current_user, consultation),
        open_round=voting.open_round_of(consultation.id), action_form=StatusForm())


@blueprint.route("/c/<slug>/recommendations/new", methods=["GET", "POST"])
@login_required
def new(slug):
    consultation = load_consultation(slug)
    require(permissions.may_draft_recommendations(current_user, consultation))
    groups = breakouts.groups_of(consultation)
    form = RecommendationForm(groups=groups, languages=consultation.working_languages or ["en"])
    if form.validate_on_submit():
        try:
            recommendation = drafting.create_recommendation(
                consultation, current_user, title=text(form.title), text=form.text.data,
                theme=text(form.theme), gcm_objectives=form.gcm_objectives.data,
                group=next((g for g in groups if g.id == form.group.data), None),
                locale=form.language.data)
        except drafting.DraftingRefused as refusal:
            form.text.errors.append(refusal.reason)
        else:
            flash(_("%(reference)s is drafted.", reference=recommendation.reference), "success")
            return _back(recommendation)
    return render_template("recommendations/new.html", consultation=consultation, form=form)


@blueprint.get("/c/<slug>/recommendations/<int:recommendation_id>")
@login_required
def show(slug, recommendation_id):
    consultation = load_consultation(slug)
    recommendation = load_within(consultation, Recommendation, recommendation_id)
    require(permissions.may_follow_votes(current_user, consultation))
    return _render_recommendation(consultation, recommendation)


def _render_recommendation(consultation, recommendation, status=200, **forms):
    versions = recommendation.versions
    by_number = {version.number: version for version in versions}
    compare_from = by_number.get(request.args.get("from", type=int))
    compare_to = by_number.get(request.args.get("to", type=int)) or recommendation.current_version
    amendments = db.session.scalars(
        select(Amendment).where(Amendment.recommendation_id == recommendation.id)
        .options(selectinload(Amendment.supports), selectinload(Amendment.author_registration))
        .order_by(Amendment.id)).all()
    open_round = voting.open_round_of(consultation.id)
    if open_round is not None and open_round.recommendation_id != recommendation.id:
        open_round = None
    own_vote = voting.own_vote(open_round, current_user) if open_round else None
    vote_form = forms.pop("vote_form", None) or VoteForm(data={
        "choice": own_vote.choice.value, "reservation": own_vote.reservation or ""}
        if own_vote else None)
    current = recommendation.current_version
    locale = str(get_locale())
    original = request.args.get("original") == "1"
    translated = translating.reading_of(recommendation, current, locale)
    reading = translating.reading_of(recommendation, current, locale, original=True) \
        if original else translated
    return render_template(
        "recommendations/show.html", consultation=consultation, recommendation=recommendation,
        current=current, lines=numbered_lines(reading.text), reading=reading,
        translated=translated, reader_locale=locale,
        amendment_translations={} if original else translating.amendment_readings(
            amendments, locale),
        has_brackets=has_open_brackets(current.text), versions=versions,
        compare_from=compare_from, compare_to=compare_to,
        comparison=diff_html(compare_from.text, compare_to.text) if compare_from else None,
        amendments=amendments, diff_html=diff_html, open_round=open_round, own_vote=own_vote,
        may_vote=bool(open_round and voting.voter_registration(open_round, current_user)),
        may_draft=permissions.may_draft_recommendations(current_user, consultation),
        may_amend=permissions.may_propose_amendments(current_user, consultation),
        may_run=permissions.may_run_votes(current_user, consultation),
        show_names=permissions.may_see_author_names(current_user, consultation),
        revision_form=forms.pop("revision_form", None) or RevisionForm(
            data={"text": current.text}),
        amendment_form=forms.pop("amendment_form", None) or AmendmentForm(
            data={"text": current.text}),
        vote_form=vote_form, reason_form=ReasonForm(), action_form=StatusForm(),
        decided=_decided(recommendation),
        objectives=OBJECTIVES, AmendmentStatus=AmendmentStatus,
    ), status


def _decided(recommendation) -> dict | None:
    """The recommendation's last closed vote on its text, with its result in words."""
    round_ = voting.last_rounds_of(recommendation.consultation).get(recommendation.id)
    if round_ is None or round_.is_open:
        return None
    tally = breakdown.tally_payload(round_, voting.tally(round_),
                                    breakdown.audience_of(current_user, round_.consultation))
    return {"round": round_, "result": result_sentence(round_, tally)}


@blueprint.post("/c/<slug>/recommendations/<int:recommendation_id>/revise")
@login_required
def revise(slug, recommendation_id):
    consultation = load_consultation(slug)
    recommendation = load_within(consultation, Recommendation, recommendation_id)
    require(permissions.may_draft_recommendations(current_user, consultation))
    form = RevisionForm()
    if form.validate_on_submit():
        try:
            version = drafting.revise(recommendation, current_user, form.text.data)
        except drafting.DraftingRefused as refusal:
            form.text.errors.append(refusal.reason)
        else:
            flash(_("Version %(number)d is saved.", number=version.number), "success")
            return _back(recommendation)
    return _render_recommendation(consultation, recommendation, 400, revision_form=form)


@blueprint.post("/c/<slug>/recommendations/<int:recommendation_id>/amendments")
@login_required
@limited("RATE_LIMIT_AMENDMENTS")
def propose_amendment(slug, recommendation_id):
    consultation = load_consultation(slug)
    recommendation = load_within(consultation, Recommendation, recommendation_id)
    require(permissions.may_propose_amendments(current_user, consultation))
    form = AmendmentForm()
    if form.validate_on_submit():
        try:
            amendment = drafting.propose_amendment(
                recommendation, current_user, text=form.text.data,
                rationale=form.rationale.data or "")
        except drafting.DraftingRefused as refusal:
            form.text.errors.append(refusal.reason)
        else:
            flash(_("Your amendment is proposed."), "success")
            return _back(recommendation, f"amendment-{amendment.id}")
    return _render_recommendation(consultation, recommendation, 400, amendment_form=form)


def _support(amendment, form):
    if drafting.support_amendment(amendment, current_user):
        return _("Your support is counted."), "success"
    return _("You support this amendment already."), "info"


def _accept(amendment, form):
    version = drafting.accept_amendment(amendment, current_user)
    return _("The amendment is accepted: version %(number)d.", number=version.number), "success"


def _reject(amendment, form):
    drafting.reject_amendment(amendment, current_user, form.reason.data)
    return _("The amendment is rejected."), "success"


def _withdraw(amendment, form):
    drafting.withdraw_amendment(amendment, current_user)
    return _("Your amendment is withdrawn."), "success"


#: What may be done to an amendment: who may, and doing it (the message said afterwards).
AMENDMENT_ACTIONS = {
    "support": (permissions.may_support_amendment, _support),
    "accept": (permissions.may_decide_amendment, _accept),
    "reject": (permissions.may_decide_amendment, _reject),
    "withdraw": (permissions.may_withdraw_amendment, _withdraw),
}


@blueprint.post("/c/<slug>/amendments/<int:amendment_id>/<action>")
@login_required
def decide_amendment(slug, amendment_id, action):
    consultation = load_consultation(slug)
    amendment = load_within(consultation, Amendment, amendment_id)
    if action not in AMENDMENT_ACTIONS:
        abort(404)
    allowed, do = AMENDMENT_ACTIONS[action]
    require(allowed(current_user, amendment))
    form = ReasonForm() if action == "reject" else StatusForm()
    if not form.validate_on_submit():
        flash(_("Say why the amendment is rejected.") if action == "reject"
              else _("The form has expired; try again."), "error")
        return _back(amendment.recommendation, f"amendment-{amendment.id}")
    try:
        flash(*do(amendment, form))
    except drafting.DraftingRefused as refusal:
        db.session.rollback()
        flash(refusal.reason, "error")
    return _back(amendment.recommendation, f"amendment-{amendment.id}")


@blueprint.post("/c/<slug>/recommendations/merge")
@login_required
def merge(slug):
    consultation = load_consultation(slug)
    require(permissions.may_moderate(current_user, consultation)
            and permissions.may_draft_recommendations(current_user, consultation))
    form = MergeForm()
    ids = request.form.getlist("recommendation", type=int)
    sources = [load_within(consultation, Recommendation, rid) for rid in ids]
    if form.validate_on_submit():
        try:
            merged = drafting.merge(consultation, current_user, sources, title=text(form.title),
                                    text=form.text.data, theme=text(form.theme))
        except drafting.DraftingRefused as refusal:
            flash(refusal.reason, "error")
        else:
            flash(_("%(reference)s merges %(sources)s.", reference=merged.reference,
                    sources=", ".join(source.reference for source in sources)), "success")
            return _back(merged)
    else:
        flash(_("Give the merged recommendation a title and a text."), "error")
    return redirect(url_for("recommendations.index", slug=slug))


@blueprint.post("/c/<slug>/recommendations/renumber")
@login_required
def renumber(slug):
    consultation = load_consultation(slug)
    require(permissions.may_moderate(current_user, consultation))
    if StatusForm().validate_on_submit():
        drafting.renumber(consultation, current_user)
        flash(_("The recommendations are numbered in plenary order."), "success")
    return redirect(url_for("recommendations.index", slug=slug))


@blueprint.post("/c/<slug>/rounds/<int:round_id>/vote")
@login_required
def vote(slug, round_id):
    """The same vote as the socket's cast_vote, for a browser without JavaScript."""
    consultation = load_consultation(slug)
    round_ = load_within(consultation, VoteRound, round_id)
    require(permissions.may_follow_votes(current_user, consultation))
    form = VoteForm()
    if form.validate_on_submit():
        try:
            stored = voting.cast_vote(round_, current_user, form.choice.data,
                                      form.reservation.data)
        except voting.VoteRefused as refusal:
            db.session.rollback()
            form.choice.errors.append(refusal.reason)
        else:
            tallies.changed(round_.id)
            broadcast_after_commit("your_vote", voting.own_vote_payload(
                round_.id, stored.choice.value, stored.reservation, stored.seq),
                person_room(current_user.id))
            flash(_("Your vote is stored: %(choice)s.", choice=stored.choice.label), "success")
            return _back(round_.recommendation, "vote")
    return _render_recommendation(consultation, round_.recommendation, 400, vote_form=form)


@blueprint.get("/c/<slug>/vote")
def vote_now(slug):
    """The short address of the projector's QR code: where one votes on the round open now.
    Whoever may not follow the votes (yet) lands on the consultation's page, which says what
    to do first."""
    consultation = load_consultation(slug)
    if not permissions.may_follow_votes(current_user, consultation):
        return redirect(url_for("consultations.show", slug=slug, _anchor="next-step"))
    open_round = voting.open_round_of(consultation.id)
    if open_round is None:
        flash(_("No vote is open now."), "info")
        return redirect(url_for("recommendations.index", slug=slug))
    return redirect(url_for("recommendations.show", slug=slug,
                            recommendation_id=open_round.recommendation_id, _anchor="vote"))


# The plenary console and the projector --------------------------------------------------------

@blueprint.get("/c/<slug>/console")
@login_required
def console(slug):
    consultation = load_consultation(slug)
    require(permissions.may_run_votes(current_user, consultation))
    # The task that closes rounds at their deadline runs in every process that serves votes.
    tallies.ensure_running()
    open_round = voting.open_round_of(consultation.id)
    recommendations = drafting.recommendations_of(consultation)
    last_rounds = voting.last_rounds_of(consultation)
    return render_template(
        "recommendations/console.html", consultation=consultation,
        recommendations=recommendations, open_round=open_round,
        tally=breakdown.tally_payload(open_round, voting.tally(open_round),
                                      breakdown.Audience.chair) if open_round else None,
        closing_warnings=voting.closing_warnings(open_round) if open_round else [],
        last_rounds=last_rounds,
        results_by_round={round_.id: result_sentence(round_, breakdown.tally_payload(
            round_, voting.tally(round_), breakdown.Audience.chair))
            for round_ in last_rounds.values() if not round_.is_open},
        group_labels=breakdown.GROUP_LABELS,
        open_form=OpenRoundForm(), in_room_form=InRoomForm(obj=_in_room(open_round)),
        close_form=CloseRoundForm(), reopen_form=ReopenRoundForm(),
        has_open_brackets=has_open_brackets, choices=list(VoteChoice),
        proposed=drafting.proposed_amendments(consultation))


def _in_room(round_):
    if round_ is None:
        return None
    return voting.in_room_counts(round_)


@blueprint.post("/c/<slug>/recommendations/<int:recommendation_id>/rounds")
@login_required
def open_round(slug, recommendation_id):
    consultation = load_consultation(slug)
    recommendation = load_within(consultation, Recommendation, recommendation_id)
    require(permissions.may_run_votes(current_user, consultation))
    form = OpenRoundForm()
    amendment_id = request.form.get("amendment", type=int)
    amendment = load_within(consultation, Amendment, amendment_id) if amendment_id else None
    if form.validate_on_submit():
        try:
            voting.open_round(
                recommendation, current_user, amendment=amendment,
                countdown_seconds=form.countdown_minutes.data * 60
                if form.countdown_minutes.data else None,
                quorum=form.quorum.data, stakeholder_rule=form.stakeholder_rule.data)
        except voting.VoteRefused as refusal:
            flash(refusal.reason, "error")
        else:
            tallies.ensure_running()
            flash(_("The vote on %(reference)s is open.", reference=recommendation.reference),
                  "success")
    else:
        flash(_("Check the countdown and the quorum."), "error")
    return redirect(url_for("recommendations.console", slug=slug))


@blueprint.post("/c/<slug>/rounds/<int:round_id>/close")
@login_required
def close_round(slug, round_id):
    consultation = load_consultation(slug)
    round_ = load_within(consultation, VoteRound, round_id)
    require(permissions.may_run_votes(current_user, consultation))
    form = CloseRoundForm()
    if form.validate_on_submit():
        try:
            voting.close_round(round_, current_user, confirmed=form.confirm.data)
        except voting.CloseNeedsConfirmation as refusal:
            # The second step: the same form, with the reasons and the box to tick.
            return render_template(
                "recommendations/close.html", consultation=consultation, round=round_,
                warnings=refusal.warnings, form=form, choices=list(VoteChoice),
                tally=breakdown.tally_payload(round_, voting.tally(round_),
                                              breakdown.Audience.chair)), 409
        except voting.VoteRefused as refusal:
            flash(refusal.reason, "error")
        else:
            flash(_("The vote is closed. %(result)s", result=result_sentence(
                round_, breakdown.tally_payload(round_, voting.tally(round_),
                                                breakdown.Audience.chair))), "success")
    else:
        flash(_("The form has expired; try again."), "error")
    return redirect(url_for("recommendations.console", slug=slug))


@blueprint.post("/c/<slug>/rounds/<int:round_id>/reopen")
@login_required
def reopen_round(slug, round_id):
    consultation = load_consultation(slug)
    round_ = load_within(consultation, VoteRound, round_id)
    require(permissions.may_reopen_rounds(current_user, consultation))
    form = ReopenRoundForm()
    if form.validate_on_submit():
        try:
            voting.reopen_round(round_, current_user, form.reason.data)
        except voting.VoteRefused as refusal:
            flash(refusal.reason, "error")
        else:
            tallies.ensure_running()
            flash(_("The vote on %(reference)s is open again.",
                    reference=round_.recommendation.reference), "success")
    else:
        flash(" ".join(str(error) for error in form.reason.errors)
              or _("The form has expired; try again."), "error")
    return redirect(url_for("recommendations.console", slug=slug))


@blueprint.post("/c/<slug>/rounds/<int:round_id>/in-room")
@login_required
def record_in_room(slug, round_id):
    consultation = load_consultation(slug)
    round_ = load_within(consultation, VoteRound, round_id)
    require(permissions.may_run_votes(current_user, consultation))
    form = InRoomForm()
    if form.validate_on_submit():
        try:
            voting.set_in_room_counts(round_, current_user, Counts(
                **{name: form[name].data or 0 for name in VoteChoice}))
        except voting.VoteRefused as refusal:
            flash(refusal.reason, "error")
        else:
            tallies.changed(round_.id)
            flash(_("The show of hands is recorded."), "success")
    else:
        flash(_("Counts are whole numbers from 0 to %(max)d.", max=MAX_HANDS), "error")
    return redirect(url_for("recommendations.console", slug=slug))


@blueprint.get("/c/<slug>/projector")
@login_required
def projector(slug):
    consultation = load_consultation(slug)
    require(permissions.may_follow_votes(current_user, consultation))
    round_ = voting.open_round_of(consultation.id) or db.session.scalar(
        select(VoteRound).where(VoteRound.consultation_id == consultation.id)
        .order_by(VoteRound.opened_at.desc()).limit(1))
    locale = str(get_locale())
    reading = translating.reading_of(round_.recommendation, round_.version, locale) \
        if round_ else None
    text = reading.text if round_ else ""
    if round_ and round_.amendment:
        translation = translating.amendment_readings([round_.amendment], locale).get(
            round_.amendment_id)
        text = translation.text if translation else round_.amendment.proposed_text
    tally = breakdown.tally_payload(round_, voting.tally(round_), breakdown.Audience.everyone) \
        if round_ else None
    vote_address = url_for("recommendations.vote_now", slug=slug, _external=True)
    return render_template(
        "recommendations/projector.html", consultation=consultation, round=round_,
        vote_address=vote_address, vote_qr_code=joining.qr_code_svg(
            vote_address, _("QR code of the address to vote from a phone: %(address)s",
                            address=vote_address)),
        # On the screen of the room: what everyone may see.
        tally=tally, result=result_sentence(round_, tally) if round_ else None,
        reading=reading,
        lines=numbered_lines(text) if round_ else [], choices=list(VoteChoice))


from recommendations.views import results  # noqa: E402, F401  (its routes)
