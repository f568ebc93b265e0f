"""Live voting: the round and recommendation rooms, the ``cast_vote`` event, and tallies pushed
to a round's room coalesced, a few times a second at most whatever the vote rate.

The protocol is written down in docs/live-protocol.md.
"""

import logging
import threading
import time

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from portal import permissions
from portal.database import intending_to_write, is_row_id, kept_in_session
from portal.extensions import db, socketio
from portal.live import (
    client_event,
    connection_memory,
    person_loaded_again,
    person_room,
    refusal,
    room_kind,
    room_snapshot,
)
from recommendations import breakdown, voting
from recommendations.ballot_box import BallotBoxUnavailable, ballot_box
from recommendations.models import Recommendation, VoteRound

log = logging.getLogger(__name__)

#: Seconds between two tallies of one round, and how often deadlines are checked.
TALLY_INTERVAL = 0.25
MAX_RESERVATION_BYTES = 4 * voting.MAX_RESERVATION_LENGTH
#: What a connection remembers of the voter the full rules found when it joined a round's room
#: (or at its first vote there): its votes are then checked and stored in two statements.
VOTER = "voter"


class SharedTallies:
    """Each round's tally, computed once and shared by every join of the round's rooms in this
    process, and by the tally publisher: after a server restart a thousand phones joining
    again cost one computation, not a thousand.

    A tally is shared for ``MAX_AGE`` seconds at most, the publisher's own pace: votes stored
    by other processes reach a joining phone as fresh as they reach those already in the room.
    Joins that arrive while the tally is being computed wait for it rather than computing it
    again. A vote or a count stored by this process outdates the round's tally at once.
    """

    MAX_AGE = TALLY_INTERVAL

    def __init__(self):
        self._lock = threading.Lock()
        self._tallies: dict[int, tuple[float, voting.Tally]] = {}
        self._computing: dict[int, threading.Lock] = {}

    def of(self, round_: VoteRound) -> voting.Tally:
        """The round's tally, as computed at most ``MAX_AGE`` seconds ago."""
        shared = self._fresh(round_.id)
        if shared is not None:
            return shared
        with self._lock:
            computing = self._computing.setdefault(round_.id, threading.Lock())
        with computing:
            shared = self._fresh(round_.id)
            if shared is not None:
                return shared
            return self.computed(round_)

    def computed(self, round_: VoteRound) -> voting.Tally:
        """The round's tally computed now, and shared from now on."""
        tally = voting.tally(round_)
        with self._lock:
            self._tallies[round_.id] = (time.monotonic(), tally)
        return tally

    def outdated(self, round_id: int) -> None:
        """A vote or a count of this process changed the round's tally: the next join
        computes it again."""
        with self._lock:
            self._tallies.pop(round_id, None)

    def forget(self) -> None:
        with self._lock:
            self._tallies.clear()

    def _fresh(self, round_id: int) -> voting.Tally | None:
        with self._lock:
            shared = self._tallies.get(round_id)
        if shared is not None and time.monotonic() - shared[0] < self.MAX_AGE:
            return shared[1]
        return None


shared_tallies = SharedTallies()


#: The round, its consultation and its recommendation in one query: a join checks the first
#: and sends the round's state, which names the second. A thousand phones joining again after a
#: restart make a thousand of these, not three thousand queries; the statement is built once
#: (on SQLite, building it cost as much as running it).
_ROUND_WITH_ITS_CONSULTATION = select(VoteRound).where(VoteRound.id == bindparam("round_id")) \
    .options(joinedload(VoteRound.consultation), joinedload(VoteRound.recommendation))


def _round_with_its_consultation(round_id: int) -> VoteRound | None:
    return kept_in_session(db.session, "rounds", round_id, lambda: db.session.scalar(
        _ROUND_WITH_ITS_CONSULTATION, {"round_id": round_id}))


def round_snapshot(round_id: int, since=None, *,
                   audience: breakdown.Audience = breakdown.Audience.everyone) -> dict:
    round_ = _round_with_its_consultation(round_id)
    state = voting.round_state(round_)
    state["tally"] = breakdown.tally_payload(round_, shared_tallies.of(round_), audience)
    vote = voting.own_vote(round_, current_user)
    connection_memory()[VOTER] = voting.voter_in(round_, current_user)
    state["your_vote"] = ({"choice": vote.choice.value, "reservation": vote.reservation,
                           "seq": vote.seq} if vote else None)
    return state


@room_kind("round", snapshot=round_snapshot)
def may_follow_round(user, round_id: int) -> bool:
    round_ = _round_with_its_consultation(round_id)
    return round_ is not None and permissions.may_follow_votes(user, round_.consultation)


def console_snapshot(round_id: int, since=None) -> dict:
    return round_snapshot(round_id, since, audience=breakdown.Audience.chair)


@room_kind("round_console", snapshot=console_snapshot)
def may_follow_round_console(user, round_id: int) -> bool:
    """The console's room of a round: its tally with the votes by stakeholder group while it
    is open, for those who run the vote."""
    round_ = _round_with_its_consultation(round_id)
    return round_ is not None and permissions.may_see_open_round_breakdown(
        user, round_.consultation)


@room_snapshot("consultation")
def consultation_snapshot(consultation_id: int, since=None) -> dict:
    """The rounds open in the consultation: a page following the plenary that was away when
    one opened or closed moves on with it."""
    open_round = voting.open_round_of(consultation_id)
    return {"open_rounds": [open_round.id] if open_round else []}


@room_kind("recommendation")
def may_follow_recommendation(user, recommendation_id: int) -> bool:
    recommendation = db.session.get(Recommendation, recommendation_id)
    return recommendation is not None and permissions.may_follow_votes(
        user, recommendation.consultation)


class TallyPublisher:
    """Remembers which rounds changed and pushes each one's tally at most every
    ``TALLY_INTERVAL`` seconds from one background task per process; the same task closes
    rounds whose countdown ran out."""

    def __init__(self):
        self._lock = threading.Lock()
        self._changed: set[int] = set()
        self._started = False

    def changed(self, round_id: int) -> None:
        shared_tallies.outdated(round_id)
        with self._lock:
            self._changed.add(round_id)
        self.ensure_running()

    def ensure_running(self) -> None:
        """Start this process's task (once): on the first vote, or when a round opens."""
        with self._lock:
            if not self._started and current_app.config["TALLY_PUBLISHER"]:
                self._started = True
                socketio.start_background_task(self._run, current_app._get_current_object())

    def flush(self) -> None:
        """Push the tallies of the rounds changed since the last push, now."""
        self.publish(self._take())

    def _take(self) -> set[int]:
        with self._lock:
            changed, self._changed = self._changed, set()
        return changed

    def _run(self, app) -> None:
        while True:
            socketio.sleep(TALLY_INTERVAL)
            try:
                with app.app_context():
                    self.publish(self._take())
                    self.close_past_deadline()
                    db.session.remove()
            except Exception:
                log.exception("Publishing tallies failed; trying again")

    @staticmethod
    def publish(round_ids: set[int]) -> None:
        for round_id in sorted(round_ids):
            round_ = db.session.get(VoteRound, round_id)
            if round_ is not None:
                tally = shared_tallies.computed(round_)
                socketio.emit("tally", breakdown.tally_payload(
                    round_, tally, breakdown.Audience.everyone), to=voting.room_of(round_))
                socketio.emit("tally", breakdown.tally_payload(
                    round_, tally, breakdown.Audience.chair), to=voting.console_room_of(round_))

    def close_past_deadline(self) -> None:
        with intending_to_write():
            for round_ in voting.rounds_past_deadline():
                try:
                    voting.close_round(round_, None)
                    db.session.commit()
                    self.changed(round_.id)
                except voting.VoteRefused:
                    db.session.rollback()


tallies = TallyPublisher()


@client_event("cast_vote", unreadable=_l("The vote could not be read."))
def cast_vote(payload: dict) -> dict:
    round_id, choice = payload.get("round_id"), payload.get("choice")
    reservation = payload.get("reservation")
    if not isinstance(round_id, int) or isinstance(round_id, bool) or not isinstance(choice, str):
        return refusal(_("The vote could not be read."), "invalid_payload")
    if not is_row_id(round_id):
        return refusal(_("There is no such vote."), "no_round")
    if reservation is not None and (
            not isinstance(reservation, str) or len(reservation) > MAX_RESERVATION_BYTES
            # Lone surrogates cannot be encoded: the reservation is not text.
            or any("\ud800" <= char <= "\udfff" for char in reservation)
            or len(reservation.encode()) > MAX_RESERVATION_BYTES):
        return refusal(_("The reservation could not be read."), "invalid_payload")
    # Named before the commit, which expires the person: reading it after would load the
    # account again, once per vote.
    voters_devices = person_room(current_user.id)
    with intending_to_write():
        try:
            choice, reservation = voting.checked_choice(choice, reservation)
            stored = _store_for_this_connection(round_id, choice, reservation)
            db.session.commit()
        except voting.VoteRefused as refused:
            db.session.rollback()
            return refusal(refused.reason, refused.code)
        except BallotBoxUnavailable:
            db.session.rollback()
            return refusal(_("Your vote could not be stored: send it again."), "not_stored")
    tallies.changed(round_id)
    socketio.emit("your_vote", voting.own_vote_payload(round_id, choice, reservation, stored.seq),
                  to=voters_devices)
    return {"ok": True, "vote_id": stored.vote_id, "seq": stored.seq}


def _store_for_this_connection(round_id: int, choice: voting.VoteChoice,
                               reservation: str | None) -> voting.StoredVote:
    """Store the vote of the connection's person. The full rules (``voting.voter_for``) run
    once per connection and round, at the join or the first vote; each vote after that is
    stored with one check in the database, in the ballot box's batches. When that check
    fails (the round closed, the person may no longer vote), the full rules run again and
    say why."""
    store = ballot_box.store if current_app.config["BALLOT_BOX"] else voting.store_vote
    remembered = connection_memory()
    voter = remembered.get(VOTER)
    if voter is None or voter.round_id != round_id:
        voter = remembered[VOTER] = voting.voter_for(round_id, current_user)
    stored = store(voter, choice, reservation)
    if stored is not None:
        return stored
    # The person as the database holds them now (signed out elsewhere?): the rules say why.
    voter = remembered[VOTER] = voting.voter_for(round_id, person_loaded_again())
    stored = store(voter, choice, reservation)
    if stored is None:
        raise voting.round_closed()
    return stored
