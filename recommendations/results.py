"""The results of a consultation's votes: each recommendation with its rounds, their tallies
as an audience may see them, and the reservations quoted (for the results page, its exports,
the console and the outcome document).
"""

from sqlalchemy import select

from consultations.models import Registration
from portal.accounts.models import User
from portal.extensions import db
from recommendations import breakdown
from recommendations.models import (
    Recommendation,
    Vote,
    VoteRound,
)
from recommendations.turnout import result_sentence
from recommendations.voting import tally


def results_of(consultation, recommendations: list[Recommendation], *, show_names: bool,
               audience: breakdown.Audience = breakdown.Audience.everyone) -> list[dict]:
    """Each recommendation with its rounds, their tallies as ``audience`` may see them and the
    reservations quoted: by name and organisation when ``show_names``, else by stakeholder
    group under the small-group rule (``breakdown.reservation_group``)."""
    rounds = db.session.scalars(
        select(VoteRound).where(VoteRound.consultation_id == consultation.id)
        .order_by(VoteRound.recommendation_id, VoteRound.number)).all()
    reservations: dict[int, list[dict]] = {}
    rows = db.session.execute(
        select(Vote.round_id, Vote.reservation, Vote.stakeholder_group, User.name,
               Registration.organisation)
        .join(VoteRound, VoteRound.id == Vote.round_id)
        .outerjoin(Registration, Registration.id == Vote.registration_id)
        .outerjoin(User, User.id == Registration.user_id)
        .where(VoteRound.consultation_id == consultation.id, Vote.reservation.is_not(None))
        .order_by(Vote.id)).all()
    tallies = {round_.id: tally(round_) for round_ in rounds}
    rounds_by_id = {round_.id: round_ for round_ in rounds}
    for round_id, text, group, name, organisation in rows:
        if show_names and name:
            by = f"{name} ({organisation})"
        else:
            voters = {key: counts.cast
                      for key, counts in tallies[round_id].by_stakeholder_group.items()}
            by = breakdown.reservation_group(rounds_by_id[round_id], group, voters)
        reservations.setdefault(round_id, []).append({"text": text, "by": by})
    by_recommendation: dict[int, list[dict]] = {}
    for round_ in rounds:
        payload = breakdown.tally_payload(round_, tallies[round_.id], audience)
        by_recommendation.setdefault(round_.recommendation_id, []).append({
            "round": round_,
            "tally": payload,
            "result": result_sentence(round_, payload),
            # Reservations appearing one by one while the round is open would tell who just
            # voted with one, as a breakdown would.
            "reservations": reservations.get(round_.id, [])
            if not round_.is_open or audience == breakdown.Audience.chair else []})
    return [{"recommendation": recommendation,
             "rounds": by_recommendation.get(recommendation.id, [])}
            for recommendation in recommendations]
