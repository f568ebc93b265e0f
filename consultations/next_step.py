"""The one thing a visitor of a consultation's page is to do next, from who they are and
where the consultation stands: create an account, register, wait for a decision, join their
breakout group, vote. The page shows it first; nothing else decides it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from consultations import breakouts
from consultations import registrations as rules
from consultations.models import (
    AgendaItem,
    BreakoutGroup,
    Consultation,
    ConsultationStatus,
    RegistrationStatus,
)
from portal import permissions
from portal.database import utcnow


@dataclass(frozen=True)
class NextStep:
    """``kind`` is one of: ``vote``, ``breakout``, ``pending``, ``waitlisted``,
    ``create_account``, ``register``, ``closed``."""

    kind: str
    #: vote: the open round.
    round: object | None = None
    #: breakout: the person's group and its round (which says when).
    group: BreakoutGroup | None = None
    breakout_round: AgendaItem | None = None
    #: waitlisted: the place in the waitlist, from 1.
    position: int | None = None
    #: closed: why registration is closed, in the reader's language.
    reason: str | None = None


def _breakout_step(consultation: Consultation, registration, now: datetime) -> NextStep | None:
    """The person's group in the breakout round going on or coming next; while the
    consultation is live and its rounds are over (a day running late), in the last one."""
    placed = [(item, group) for item in consultation.agenda_items if item.is_breakout_round
              for group in [breakouts.group_of(registration, item)] if group is not None]
    coming = [(item, group) for item, group in placed if item.ends_at > now]
    if not coming and consultation.status == ConsultationStatus.live:
        coming = placed[-1:]
    if not coming:
        return None
    item, group = coming[0]
    return NextStep("breakout", group=group, breakout_round=item)


#: How to find the vote round open now in a consultation, by its id: the recommendations
#: area, above this one, registers it (``register_open_vote``).
_open_vote: list[Callable[[int], object]] = []


def register_open_vote(find: Callable[[int], object]) -> None:
    _open_vote[:] = [find]


def next_step(consultation: Consultation, user, now: datetime | None = None) -> NextStep | None:
    """What ``user`` (signed in or not) is to do next in the consultation; None when there
    is nothing in particular (an organiser, a participant between sessions)."""
    now = now or utcnow()
    if permissions.may_vote(user, consultation) and _open_vote:
        open_round = _open_vote[0](consultation.id)
        if open_round is not None:
            return NextStep("vote", round=open_round)
    registration = permissions.registration_of(user, consultation)
    if registration is not None and registration.status == RegistrationStatus.approved:
        return _breakout_step(consultation, registration, now)
    if registration is not None and registration.status == RegistrationStatus.pending:
        return NextStep("pending")
    if registration is not None and registration.status == RegistrationStatus.waitlisted:
        return NextStep("waitlisted", position=rules.waitlist_position(registration))
    closed = rules.registration_closed_reason(consultation, user)
    if closed:
        return NextStep("closed", reason=closed)
    if not permissions.is_signed_in(user):
        return NextStep("create_account")
    return NextStep("register")
