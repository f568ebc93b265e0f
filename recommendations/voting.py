"""The rules of voting: opening and closing rounds, casting and changing votes, the tally and
the result by the consultation's adoption rule.

A vote is stored, or refused with a reason, in one transaction: the round's row is updated
first (its ``seq`` counts stored vote changes), which also serialises the votes of a round, so
a participant's concurrent attempts leave exactly one vote (and the unique constraint on
round and registration stands behind it). The update also checks, in the database, that the
voter still may vote, so that a vote over a live connection costs two statements once the
full rules have found the voter (``Voter``).
"""

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from consultations.models import (
    Attendance,
    Consultation,
    ConsultationStatus,
    Registration,
    RegistrationStatus,
)
from consultations.next_step import register_open_vote
from portal import permissions
from portal.accounts.models import SignIn, StakeholderGroup, User
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.live import broadcast_after_commit
from portal.plain_text import has_control_characters, one_line_ending, without_bidi_controls
from portal.refusals import Refused
from recommendations import adoption
from recommendations.drafting import accept_amendment
from recommendations.models import (
    Amendment,
    AmendmentStatus,
    Recommendation,
    RecommendationStatus,
    Vote,
    VoteChoice,
    VoteRound,
)
from recommendations.text import has_open_brackets

MAX_RESERVATION_LENGTH = 2000


class VoteRefused(Refused):
    """The vote or the round action is refused; ``reason`` says why in the user's language."""


class CloseNeedsConfirmation(VoteRefused):
    """Closing the round now needs the facilitator's confirmation: ``warnings`` say why."""

    code = "confirmation_needed"

    def __init__(self, warnings: list[str]):
        super().__init__(" ".join(warnings))
        self.warnings = warnings


def room_of(round_: VoteRound) -> str:
    return f"round:{round_.id}"


def console_room_of(round_: VoteRound) -> str:
    """The room of those who run the vote (the console): tallies with the votes by group."""
    return f"round_console:{round_.id}"


def open_round_of(consultation_id: int) -> VoteRound | None:
    return db.session.scalar(
        select(VoteRound).where(VoteRound.consultation_id == consultation_id,
                                VoteRound.closed_at.is_(None)).limit(1))


def open_round(recommendation: Recommendation, actor: User, *, amendment: Amendment | None = None,
               countdown_seconds: int | None = None, quorum: int | None = None,
               stakeholder_rule: bool = False) -> VoteRound:
    consultation = recommendation.consultation
    if not permissions.may_run_votes(actor, consultation):
        raise VoteRefused(_("Only a facilitator of a live consultation opens votes."))
    if open_round_of(consultation.id) is not None:
        raise VoteRefused(_("Another vote is open: close it first."))
    if recommendation.status != RecommendationStatus.draft:
        raise VoteRefused(_("This recommendation was decided already."))
    version = recommendation.current_version
    if amendment is None and has_open_brackets(version.text):
        raise VoteRefused(_("The text still has passages in square brackets: it cannot be put "
                            "to a final vote."))
    if amendment is not None and (amendment.recommendation_id != recommendation.id
                                  or amendment.status != AmendmentStatus.proposed):
        raise VoteRefused(_("Only a proposed amendment of this recommendation can be voted on."))
    number = db.session.scalar(
        select(func.coalesce(func.max(VoteRound.number), 0)).where(
            VoteRound.recommendation_id == recommendation.id)) + 1
    now = utcnow()
    round_ = VoteRound(
        consultation=consultation, recommendation=recommendation, version=version,
        amendment=amendment, number=number, rule=consultation.adoption_rule,
        quorum=quorum if quorum is not None else consultation.quorum,
        stakeholder_rule=stakeholder_rule, opened_at=now, opened_by_id=actor.id,
        closes_at=now + timedelta(seconds=countdown_seconds) if countdown_seconds else None)
    db.session.add(round_)
    db.session.flush()
    record_event("vote_round.opened", actor=actor, target=round_, consultation=consultation,
                 reference=recommendation.reference, amendment=amendment.id if amendment else None)
    broadcast_after_commit("round_opened", round_state(round_), f"consultation:{consultation.id}")
    return round_


_OWN_VOTE = select(Vote).where(Vote.round_id == bindparam("round_id"),
                               Vote.registration_id == bindparam("registration_id"))


def own_vote(round_: VoteRound, user) -> Vote | None:
    registration = permissions.registration_of(user, round_.consultation)
    if registration is None:
        return None
    return db.session.scalar(_OWN_VOTE, {"round_id": round_.id,
                                         "registration_id": registration.id})


def own_vote_payload(round_id: int, choice: str, reservation: str | None, seq: int) -> dict:
    """What every connection of a voter is told when their vote is stored (``your_vote``)."""
    choice, reservation = checked_choice(choice, reservation)
    return {"round_id": round_id, "choice": choice.value, "reservation": reservation,
            "seq": seq}


def voter_registration(round_: VoteRound, user) -> Registration | None:
    """The voter's approved registration, if they may vote in this round."""
    if not permissions.may_vote(user, round_.consultation):
        return None
    registration = permissions.registration_of(user, round_.consultation)
    if registration is None or registration.role not in permissions.VOTING_ROLES:
        return None
    return registration


@dataclass(frozen=True)
class Voter:
    """A participant found eligible to vote in a round, with what storing their vote needs.

    Found once per connection by the full rules (``voter_in``); each vote after that is
    stored by one statement that checks again, in the database, that they still may vote.
    """

    round_id: int
    registration_id: int
    #: The sign-in (the device) the vote comes from; it must still be active. None when the
    #: vote is cast without one (demo data, scripts): the full rules ran just before.
    sign_in_id: int | None
    stakeholder_group: StakeholderGroup


@dataclass(frozen=True)
class StoredVote:
    vote_id: int
    seq: int


def voter_in(round_: VoteRound, user) -> Voter | None:
    registration = voter_registration(round_, user)
    if registration is None:
        return None
    return Voter(round_id=round_.id, registration_id=registration.id,
                 sign_in_id=sign_in.id if (sign_in := user.current_sign_in) else None,
                 stakeholder_group=registration.stakeholder_group)


def checked_choice(choice, reservation) -> tuple[VoteChoice, str | None]:
    """The choice as a member, and the reservation it needs (none for the other choices)."""
    try:
        choice = VoteChoice(choice)
    except (ValueError, TypeError):
        raise VoteRefused(_("This is not a choice in this vote."), "invalid_choice") from None
    if choice != VoteChoice.support_with_reservations:
        return choice, None
    reservation = (without_bidi_controls(one_line_ending(reservation)).strip()
                   if isinstance(reservation, str) else "")
    if not reservation:
        raise VoteRefused(_("Write your reservation: it is kept with the result."),
                          "reservation_required")
    if len(reservation) > MAX_RESERVATION_LENGTH:
        raise VoteRefused(_("A reservation has %(count)d characters at most.",
                            count=MAX_RESERVATION_LENGTH), "invalid_choice")
    if has_control_characters(reservation):
        raise VoteRefused(_("Remove the invisible control characters from your reservation."),
                          "invalid_choice")
    return choice, reservation


def _take_seq_statement(from_sign_in: bool):
    """Counts the vote in the round's ``seq`` if the round is open and the voter still may
    vote: the same rule as ``permissions.may_vote`` (a live consultation, an approved
    registration with a voting role), and, ``from_sign_in``, the sign-in the vote comes from
    still active (not signed out). Updating the round's row first also serialises the votes of
    a round."""
    conditions = [
        Registration.id == bindparam("registration_id"),
        Registration.consultation_id == VoteRound.consultation_id,
        Registration.status == RegistrationStatus.approved,
        Registration.role.in_(permissions.VOTING_ROLES),
        Consultation.id == VoteRound.consultation_id,
        Consultation.status == ConsultationStatus.live,
    ]
    if from_sign_in:
        conditions.append(exists().where(
            SignIn.id == bindparam("sign_in_id"),
            SignIn.user_id == Registration.user_id,
            SignIn.ended_at.is_(None),
        ))
    return (
        update(VoteRound)
        .where(
            VoteRound.id == bindparam("round_id"),
            VoteRound.closed_at.is_(None),
            or_(VoteRound.closes_at.is_(None), VoteRound.closes_at > bindparam("now")),
            exists().where(*conditions),
        )
        .values(seq=VoteRound.seq + 1)
        .returning(VoteRound.seq)
    )


#: A vote from a device's sign-in (every vote sent over HTTP or Socket.IO), and one cast
#: without (demo data, scripts), which the full rules checked just before.
_TAKE_SEQ = {True: _take_seq_statement(True), False: _take_seq_statement(False)}

_STORE_VOTE: dict[str, object] = {}


def _store_vote_statement(dialect: str):
    """Insert the vote, or change the one the voter already has in the round."""
    if dialect not in _STORE_VOTE:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(Vote).values(
            round_id=bindparam("round_id"), registration_id=bindparam("registration_id"),
            choice=bindparam("choice"), reservation=bindparam("reservation"),
            stakeholder_group=bindparam("stakeholder_group"), cast_at=bindparam("now"),
            seq=bindparam("seq"))
        _STORE_VOTE[dialect] = statement.on_conflict_do_update(
            index_elements=[Vote.round_id, Vote.registration_id],
            set_={"choice": statement.excluded.choice,
                  "reservation": statement.excluded.reservation,
                  "changed_at": statement.excluded.cast_at,
                  "seq": statement.excluded.seq},
        ).returning(Vote.id)
    return _STORE_VOTE[dialect]


def store_vote(voter: Voter, choice: VoteChoice, reservation: str | None) -> StoredVote | None:
    """Store the vote in two statements; None when the round is closed or the voter no
    longer may vote (``voter_for`` then says which)."""
    connection = db.session.connection()
    values = {"round_id": voter.round_id, "registration_id": voter.registration_id,
              "sign_in_id": voter.sign_in_id, "now": utcnow()}
    seq = connection.execute(_TAKE_SEQ[voter.sign_in_id is not None], values)\
        .scalar_one_or_none()
    if seq is None:
        return None
    vote_id = connection.execute(_store_vote_statement(connection.dialect.name), {
        **values, "choice": choice, "reservation": reservation,
        "stakeholder_group": voter.stakeholder_group, "seq": seq}).scalar_one()
    return StoredVote(vote_id=vote_id, seq=seq)


def round_closed() -> VoteRefused:
    return VoteRefused(_("This vote is closed: your vote was not counted."), "round_closed")


def _store_or_refuse(voter: Voter, choice: VoteChoice, reservation: str | None) -> StoredVote:
    stored = store_vote(voter, choice, reservation)
    if stored is None:
        raise round_closed()
    return stored


def _not_a_voter() -> VoteRefused:
    return VoteRefused(_("You are not a voting participant of this consultation."),
                       "not_eligible")


def cast_vote(round_: VoteRound, user, choice: str, reservation: str | None = None) -> Vote:
    """Store the user's vote (or their changed vote) in the round; refused with a reason."""
    choice, reservation = checked_choice(choice, reservation)
    voter = voter_in(round_, user)
    if voter is None:
        raise _not_a_voter()
    stored = _store_or_refuse(voter, choice, reservation)
    return db.session.get(Vote, stored.vote_id, populate_existing=True)


def voter_for(round_id: int, user) -> Voter:
    """The full rules for a round known by its id, as a socket event names it: the voter, or
    a refusal that says why (a round the user may not follow is refused as if it did not
    exist). The id is a row id already (``portal.database.is_row_id``)."""
    if not permissions.is_signed_in(user):
        raise VoteRefused(_("You are signed out: sign in again to vote."), "not_eligible")
    round_ = db.session.get(VoteRound, round_id)
    if round_ is None or not permissions.may_follow_votes(user, round_.consultation):
        raise VoteRefused(_("There is no such vote."), "no_round")
    voter = voter_in(round_, user)
    if voter is None:
        raise _not_a_voter()
    return voter


@dataclass(frozen=True)
class Tally:
    round_id: int
    seq: int
    devices: adoption.Counts
    in_room: adoption.Counts
    by_stakeholder_group: dict[str, adoption.Counts]
    voters: int
    present: int
    #: The votes the round needs (None: a round closed before quorums were kept).
    quorum: int | None = None

    @property
    def cast(self) -> int:
        """Every vote, on devices and by show of hands, abstentions included."""
        return (self.devices + self.in_room).cast

    def as_payload(self) -> dict:
        """The counts and the turnout, never who voted what nor the votes by stakeholder
        group: what a reader may see of those, ``breakdown.tally_payload`` adds."""
        return {
            "round_id": self.round_id, "seq": self.seq,
            "counts": _counts(self.devices), "in_room": _counts(self.in_room),
            "turnout": {"voted": self.voters, "present": self.present, "cast": self.cast,
                        "quorum": self.quorum},
        }


def _counts(counts: adoption.Counts) -> dict[str, int]:
    return {choice.value: getattr(counts, choice.value) for choice in VoteChoice}


def tally(round_: VoteRound) -> Tally:
    rows = db.session.execute(
        select(Vote.stakeholder_group, Vote.choice, func.count(), func.max(Vote.seq))
        .where(Vote.round_id == round_.id)
        .group_by(Vote.stakeholder_group, Vote.choice)).all()
    by_group: dict[str, dict[str, int]] = {}
    totals = {choice.value: 0 for choice in VoteChoice}
    for group, choice, count, _seq in rows:
        by_group.setdefault(group.value, {c.value: 0 for c in VoteChoice})[choice.value] += count
        totals[choice.value] += count
    seq = db.session.scalar(select(VoteRound.seq).where(VoteRound.id == round_.id))
    present = eligible_present(round_)
    return Tally(
        round_id=round_.id, seq=seq, devices=adoption.Counts(**totals),
        in_room=in_room_counts(round_),
        by_stakeholder_group={group: adoption.Counts(**counts)
                              for group, counts in by_group.items()},
        voters=sum(totals.values()), present=present, quorum=quorum_of(round_, present),
    )


def in_room_counts(round_: VoteRound) -> adoption.Counts:
    return adoption.Counts(
        support=round_.in_room_support,
        support_with_reservations=round_.in_room_support_with_reservations,
        oppose=round_.in_room_oppose, abstain=round_.in_room_abstain)


def eligible_present(round_: VoteRound) -> int:
    """Voting participants present. Where the check-in desk is used: those checked in, those
    taking part online (they check in nowhere) and whoever has voted in the round (a vote is
    proof of presence, for a latecomer the desk has not seen). Where nobody was checked in:
    every approved voting participant."""
    if round_.present is not None and not round_.is_open:
        return round_.present
    voting_participants = (Registration.consultation_id == round_.consultation_id,
                           Registration.status == RegistrationStatus.approved,
                           Registration.role.in_(permissions.VOTING_ROLES))
    base = select(func.count()).select_from(Registration).where(*voting_participants)
    desk_used = db.session.scalar(select(exists().where(
        *voting_participants, Registration.checked_in_at.is_not(None))))
    if not desk_used:
        return db.session.scalar(base)
    voted = exists().where(Vote.round_id == round_.id, Vote.registration_id == Registration.id)
    return db.session.scalar(base.where(or_(Registration.checked_in_at.is_not(None),
                                            Registration.attendance == Attendance.online,
                                            voted)))


def majority_of(present: int) -> int:
    return present // 2 + 1


def quorum_of(round_: VoteRound, present: int) -> int | None:
    """The votes the round needs: the one it was decided by once closed; while open, its own
    or, by default, a majority of the voting participants present."""
    if not round_.is_open:
        return round_.quorum_applied if round_.quorum_applied is not None else round_.quorum
    return round_.quorum if round_.quorum is not None else majority_of(present)


def pending_amendments(round_: VoteRound) -> list[Amendment]:
    """Amendments to the version voted on that are still proposed (other than the one voted)."""
    query = select(Amendment).where(Amendment.version_id == round_.version_id,
                                    Amendment.status == AmendmentStatus.proposed)
    if round_.amendment_id is not None:
        query = query.where(Amendment.id != round_.amendment_id)
    return db.session.scalars(query.order_by(Amendment.id)).all()


def closing_warnings(round_: VoteRound) -> list[str]:
    """What the facilitator confirms before closing: a turnout below the quorum, amendments
    still pending."""
    counts = tally(round_)
    warnings = []
    quorum = quorum_of(round_, counts.present)
    if quorum is not None and counts.cast < quorum:
        warnings.append(_("%(cast)d of %(present)d voting participants have voted, below the "
                          "quorum of %(quorum)d: closed now, the vote is not adopted.",
                          cast=counts.cast, present=counts.present, quorum=quorum))
    pending = pending_amendments(round_)
    if pending:
        warnings.append(ngettext(
            "Amendment %(ids)s to the version voted on is still proposed.",
            "Amendments %(ids)s to the version voted on are still proposed.", len(pending),
            ids=", ".join(str(amendment.id) for amendment in pending)))
    return warnings


def set_in_room_counts(round_: VoteRound, actor: User, counts: adoption.Counts) -> None:
    if not permissions.may_run_votes(actor, round_.consultation):
        raise VoteRefused(_("Only a facilitator records the show of hands."))
    if not round_.is_open:
        raise VoteRefused(_("This vote is closed."))
    round_.in_room_support = counts.support
    round_.in_room_support_with_reservations = counts.support_with_reservations
    round_.in_room_oppose = counts.oppose
    round_.in_room_abstain = counts.abstain
    db.session.flush()
    record_event("vote_round.in_room_counted", actor=actor, target=round_,
                 consultation=round_.consultation, **_counts(counts))


def close_round(round_: VoteRound, actor: User | None, *,
                confirmed: bool = False) -> adoption.Outcome:
    """Close the round, decide it by its rule, and apply the result. A facilitator closing it
    below the quorum, or with amendments to the version still pending, confirms it first
    (``CloseNeedsConfirmation``); a round closed at its deadline (no actor) closes as it is."""
    if actor is not None and not permissions.may_run_votes(actor, round_.consultation):
        raise VoteRefused(_("Only a facilitator closes votes."))
    if not round_.is_open:
        raise VoteRefused(_("This vote is closed already."))
    if actor is not None and not confirmed and (warnings := closing_warnings(round_)):
        raise CloseNeedsConfirmation(warnings)
    present = eligible_present(round_)
    round_.quorum_applied = quorum_of(round_, present)
    round_.present = present
    round_.closed_at = utcnow()
    db.session.flush()
    counts = tally(round_)
    outcome = adoption.decide(
        adoption.Rule(round_.rule.value), counts.devices, counts.in_room,
        quorum=round_.quorum_applied,
        by_stakeholder_group=counts.by_stakeholder_group,
        stakeholder_rule=round_.stakeholder_rule)
    round_.adopted, round_.result_reason = outcome.adopted, outcome.reason
    if round_.amendment is not None:
        if outcome.adopted:
            accept_amendment(round_.amendment, actor, by_vote=True)
    else:
        round_.recommendation.status = (RecommendationStatus.adopted if outcome.adopted
                                        else RecommendationStatus.not_adopted)
    db.session.flush()
    # The counts the result rests on, kept for the integrity check (recommendations/
    # integrity.py) to compare with the votes.
    record_event("vote_round.closed", actor=actor, target=round_,
                 consultation=round_.consultation, adopted=outcome.adopted,
                 reason=outcome.reason, rule=round_.rule.value, quorum=round_.quorum_applied,
                 present=present, confirmed=confirmed,
                 counts=_counts(counts.devices), in_room=_counts(counts.in_room))
    state = round_state(round_)
    broadcast_after_commit("round_closed", state, room_of(round_))
    broadcast_after_commit("round_closed", state, f"consultation:{round_.consultation_id}")
    return outcome


def reopen_round(round_: VoteRound, actor: User, reason: str) -> VoteRound:
    """Reopen a round closed by mistake, once, with the reason: the votes cast stay, and the
    recommendation is under vote again."""
    consultation = round_.consultation
    if not permissions.may_reopen_rounds(actor, consultation):
        raise VoteRefused(_("Only a facilitator of a live consultation reopens votes."))
    if round_.is_open:
        raise VoteRefused(_("This vote is open."))
    if round_.reopened_at is not None:
        raise VoteRefused(_("This vote was reopened once already: it cannot be reopened "
                            "again."))
    reason = one_line_ending(reason or "").strip()
    if not reason:
        raise VoteRefused(_("Say why the vote is reopened."))
    if open_round_of(consultation.id) is not None:
        raise VoteRefused(_("Another vote is open: close it first."))
    later = db.session.scalar(select(func.count()).select_from(VoteRound).where(
        VoteRound.recommendation_id == round_.recommendation_id,
        VoteRound.number > round_.number))
    if later:
        raise VoteRefused(_("Only the last vote on a recommendation can be reopened."))
    recommendation = round_.recommendation
    if recommendation.status == RecommendationStatus.merged or (
            round_.amendment is not None and round_.adopted):
        raise VoteRefused(_("What this vote decided has been carried on since: it cannot be "
                            "reopened."))
    was = {"adopted": round_.adopted, "reason": round_.result_reason,
           "closed_at": round_.closed_at.isoformat()}
    round_.closed_at = round_.closes_at = None
    round_.adopted = round_.result_reason = None
    round_.present = round_.quorum_applied = None
    round_.reopened_at, round_.reopened_by_id, round_.reopen_reason = utcnow(), actor.id, reason
    if round_.amendment is None:
        recommendation.status = RecommendationStatus.draft
    db.session.flush()
    record_event("vote_round.reopened", actor=actor, target=round_, consultation=consultation,
                 reference=recommendation.reference, reason=reason, was=was)
    broadcast_after_commit("round_opened", round_state(round_), f"consultation:{consultation.id}")
    return round_


def last_rounds_of(consultation) -> dict[int, VoteRound]:
    """Each recommendation's last vote round on its text (not on an amendment)."""
    rounds = db.session.scalars(
        select(VoteRound).where(VoteRound.consultation_id == consultation.id,
                                VoteRound.amendment_id.is_(None))
        .order_by(VoteRound.recommendation_id, VoteRound.number)).all()
    return {round_.recommendation_id: round_ for round_ in rounds}


def round_state(round_: VoteRound) -> dict:
    """The round as a client needs it on (re)joining: what is voted, until when, the result."""
    recommendation = round_.recommendation
    return {
        "round_id": round_.id,
        "recommendation_id": recommendation.id,
        "reference": recommendation.reference,
        "title": recommendation.title,
        "version_id": round_.version_id,
        "amendment_id": round_.amendment_id,
        "open": round_.is_open,
        "closes_at": round_.closes_at.isoformat() if round_.closes_at else None,
        "rule": round_.rule.value,
        "adopted": round_.adopted,
        "result_reason": round_.result_reason,
    }


def rounds_past_deadline() -> list[VoteRound]:
    return db.session.scalars(
        select(VoteRound).where(VoteRound.closed_at.is_(None),
                                VoteRound.closes_at.is_not(None),
                                VoteRound.closes_at <= utcnow())).all()


# A consultation's page says "Vote now" as its reader's next step while a round is open.
register_open_vote(open_round_of)
