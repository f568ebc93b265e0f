"""The ballot box: votes arriving over live connections, stored in batches.

Each vote takes its round's row (for the round's ``seq``) until its transaction commits, so the
votes of a round are stored one after the other, and each commit waits for the disk on
PostgreSQL. The ballot box stores all the votes that arrived while the previous batch was being
stored in one transaction: the row lock and the commit are paid once per batch. A vote's
acknowledgement still waits for the commit that stores it.

One writer per server process, started on the first vote. If a batch fails, its votes are
stored again one transaction each, so one bad vote cannot take the others with it.
"""

import logging
import threading
from collections import deque
from dataclasses import dataclass, field

from flask import current_app

from portal.database import intending_to_write
from portal.extensions import db, socketio
from recommendations import voting
from recommendations.models import VoteChoice

log = logging.getLogger(__name__)

#: The most votes stored in one transaction.
BATCH_SIZE = 500
#: Seconds a vote waits for its batch before the voter is told it was not stored.
PATIENCE = 30


class BallotBoxUnavailable(Exception):
    """The vote could not be stored (the database failed or did not answer in time)."""


@dataclass(eq=False)
class _Ballot:
    voter: voting.Voter
    choice: VoteChoice
    reservation: str | None
    done: threading.Event = field(default_factory=threading.Event)
    stored: voting.StoredVote | None = None
    #: Whether the transaction that decided the vote (stored, or refused) committed.
    decided: bool = False
    failed: bool = False


class BallotBox:
    def __init__(self):
        self._lock = threading.Lock()
        self._ballots: deque[_Ballot] = deque()
        self._arrived = threading.Event()
        self._started = False

    def store(self, voter: voting.Voter, choice: VoteChoice,
              reservation: str | None) -> voting.StoredVote | None:
        """Store the vote with the others that arrive meanwhile and return once committed;
        None when the round is closed or the voter no longer may vote."""
        ballot = _Ballot(voter, choice, reservation)
        with self._lock:
            self._ballots.append(ballot)
            if not self._started:
                self._started = True
                socketio.start_background_task(self._run, current_app._get_current_object())
        self._arrived.set()
        if not ballot.done.wait(PATIENCE) or ballot.failed:
            raise BallotBoxUnavailable
        return ballot.stored

    def _take(self) -> list[_Ballot]:
        with self._lock:
            batch = [self._ballots.popleft()
                     for _ in range(min(BATCH_SIZE, len(self._ballots)))]
            if not self._ballots:
                self._arrived.clear()
        return batch

    def _run(self, app) -> None:
        while True:
            self._arrived.wait()
            batch = self._take()
            if not batch:
                continue
            try:
                with app.app_context():
                    try:
                        self._store_together(batch)
                    except Exception:
                        log.exception("Storing %d votes together failed; storing them one by "
                                      "one", len(batch))
                        for ballot in batch:
                            self._store_alone(ballot)
                    finally:
                        db.session.remove()
            except Exception:
                # The writer outlives any failure: the next batch gets its chance.
                log.exception("The ballot box failed on a batch of %d votes", len(batch))
            finally:
                # A vote not known to be stored is answered as not stored, never as stored.
                for ballot in batch:
                    if not ballot.decided:
                        ballot.failed = True
                    ballot.done.set()

    @staticmethod
    def _store_together(batch: list[_Ballot]) -> None:
        with intending_to_write():
            try:
                stored = [voting.store_vote(b.voter, b.choice, b.reservation) for b in batch]
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        for ballot, vote in zip(batch, stored, strict=True):
            ballot.stored, ballot.decided = vote, True

    @staticmethod
    def _store_alone(ballot: _Ballot) -> None:
        with intending_to_write():
            try:
                ballot.stored = voting.store_vote(ballot.voter, ballot.choice,
                                                  ballot.reservation)
                db.session.commit()
                ballot.decided = True
            except Exception:
                db.session.rollback()
                log.exception("A vote could not be stored")
                ballot.failed = True


ballot_box = BallotBox()
