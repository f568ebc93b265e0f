"""The rules of breakout groups: proposing a balanced assignment, moving people, publishing,
and who belongs to which group."""

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from consultations.assignment import Candidate, Group, Proposal, propose_assignment
from consultations.geography import sub_region_of
from consultations.models import (
    AgendaItem,
    BreakoutAssignment,
    BreakoutChoice,
    BreakoutGroup,
    Consultation,
    Registration,
    RegistrationStatus,
)
from portal import permissions
from portal.accounts.models import User
from portal.audit.operations import record_event
from portal.database import utcnow
from portal.extensions import db
from portal.live import recheck_followers_after_commit
from portal.refusals import Refused


class AssignmentRefused(Refused):
    """The assignment cannot be changed so; ``reason`` says why when there is one."""


def members_to_place(round_: AgendaItem) -> list[Registration]:
    return db.session.scalars(
        select(Registration)
        .where(Registration.consultation_id == round_.consultation_id,
               Registration.status == RegistrationStatus.approved,
               Registration.role.in_(permissions.VOTING_ROLES),
               Registration.user_id.is_not(None))
        .order_by(Registration.id)
    ).all()


def assignments_of(round_: AgendaItem) -> dict[int, BreakoutAssignment]:
    """The round's assignments by registration id."""
    rows = db.session.scalars(
        select(BreakoutAssignment).where(BreakoutAssignment.round_id == round_.id)
        .options(selectinload(BreakoutAssignment.registration).selectinload(Registration.user))
    ).all()
    return {assignment.registration_id: assignment for assignment in rows}


def candidate_for(registration: Registration, choice: int | None = None) -> Candidate:
    return Candidate(
        id=registration.id,
        stakeholder_group=registration.stakeholder_group.value,
        country=registration.country,
        sub_region=sub_region_of(registration.country),
        attendance=registration.attendance.value,
        languages=frozenset(registration.languages),
        choice=choice,
    )


def _groups(round_: AgendaItem) -> list[Group]:
    return [Group(id=group.id, capacity=group.capacity, language=group.language)
            for group in round_.groups]


def propose(round_: AgendaItem, actor: User) -> Proposal:
    """Replace the round's assignment, except what was placed by hand, with a balanced one."""
    permissions.demand(permissions.may_edit_consultation(actor, round_.consultation))
    if not round_.groups:
        raise AssignmentRefused("the round has no group")
    members = members_to_place(round_)
    current = assignments_of(round_)
    fixed = {registration_id: assignment.group_id
             for registration_id, assignment in current.items() if assignment.fixed}
    # The rapporteur of a group works in that group.
    for group in round_.groups:
        for registration in members:
            if group.rapporteur_id == registration.user_id:
                fixed[registration.id] = group.id
    choices = dict(db.session.execute(
        select(BreakoutChoice.registration_id, BreakoutChoice.group_id)
        .where(BreakoutChoice.round_id == round_.id)
    ).all()) if round_.allow_choices else {}
    candidates = [candidate_for(member, choices.get(member.id)) for member in members]
    placing = {candidate.id for candidate in candidates}
    proposal = propose_assignment(
        candidates, _groups(round_), allow_choices=round_.allow_choices,
        fixed={key: value for key, value in fixed.items() if key in placing})
    db.session.execute(delete(BreakoutAssignment).where(BreakoutAssignment.round_id == round_.id))
    recheck_followers_after_commit(None)
    db.session.flush()
    now = utcnow()
    for group_id, registration_ids in proposal.groups.items():
        for registration_id in registration_ids:
            db.session.add(BreakoutAssignment(
                round_id=round_.id, group_id=group_id, registration_id=registration_id,
                fixed=registration_id in fixed, assigned_at=now))
    round_.assignment_published_at = None
    db.session.flush()
    record_event("breakout_assignment.proposed", actor=actor, target=round_,
                 consultation=round_.consultation, placed=sum(map(len, proposal.groups.values())),
                 unplaced=len(proposal.unplaced))
    return proposal


def current_proposal(round_: AgendaItem) -> tuple[Proposal, list[Candidate]]:
    """The round's assignment as it stands, in the shape the balance figures read."""
    members = members_to_place(round_)
    placed = {group.id: [] for group in round_.groups}
    for registration_id, assignment in assignments_of(round_).items():
        placed.setdefault(assignment.group_id, []).append(registration_id)
    unplaced = tuple(sorted(member.id for member in members
                            if not any(member.id in ids for ids in placed.values())))
    proposal = Proposal(
        groups={group_id: tuple(sorted(ids)) for group_id, ids in placed.items()},
        unplaced=unplaced,
        capacities={group.id: group.capacity for group in round_.groups},
    )
    return proposal, [candidate_for(member) for member in members]


def move(round_: AgendaItem, registration: Registration, group: BreakoutGroup | None,
         actor: User) -> None:
    """Place a person by hand (kept by later proposals), or take them out of the round."""
    permissions.demand(permissions.may_edit_consultation(actor, round_.consultation))
    if group is not None and group.round_id != round_.id:
        raise AssignmentRefused("the group is not in this round")
    assignment = db.session.scalar(
        select(BreakoutAssignment).where(BreakoutAssignment.round_id == round_.id,
                                         BreakoutAssignment.registration_id == registration.id))
    if group is None:
        if assignment is not None:
            db.session.delete(assignment)
    elif assignment is None:
        db.session.add(BreakoutAssignment(round_id=round_.id, group_id=group.id,
                                          registration_id=registration.id, fixed=True))
    else:
        assignment.group_id = group.id
        assignment.fixed = True
    db.session.flush()
    record_event("breakout_assignment.moved", actor=actor, target=registration,
                 consultation=round_.consultation, round=round_.id,
                 group=group.id if group else None)


def publish(round_: AgendaItem, actor: User) -> None:
    permissions.demand(permissions.may_edit_consultation(actor, round_.consultation))
    round_.assignment_published_at = utcnow()
    db.session.flush()
    record_event("breakout_assignment.published", actor=actor, target=round_,
                 consultation=round_.consultation)


def choose_group(round_: AgendaItem, registration: Registration, group: BreakoutGroup) -> None:
    if not round_.allow_choices or round_.assignment_published_at is not None:
        raise AssignmentRefused("choices are closed")
    if group.round_id != round_.id:
        raise AssignmentRefused("the group is not in this round")
    choice = db.session.scalar(
        select(BreakoutChoice).where(BreakoutChoice.round_id == round_.id,
                                     BreakoutChoice.registration_id == registration.id))
    if choice is None:
        db.session.add(BreakoutChoice(round_id=round_.id, registration_id=registration.id,
                                      group_id=group.id))
    else:
        choice.group_id = group.id
        choice.chosen_at = utcnow()
    db.session.flush()


def group_of(registration: Registration | None, round_: AgendaItem) -> BreakoutGroup | None:
    """The person's group in the round, once the assignment is published."""
    if registration is None or round_.assignment_published_at is None:
        return None
    return db.session.scalar(
        select(BreakoutGroup).join(BreakoutAssignment).where(
            BreakoutAssignment.round_id == round_.id,
            BreakoutAssignment.registration_id == registration.id))


def groups_of(consultation: Consultation) -> list[BreakoutGroup]:
    """Every breakout group of every round of the consultation, in agenda order: the rounds
    by their start, the groups of a round by their position."""
    return db.session.scalars(
        select(BreakoutGroup).join(AgendaItem)
        .where(AgendaItem.consultation_id == consultation.id)
        .order_by(AgendaItem.starts_at, AgendaItem.id, BreakoutGroup.position,
                  BreakoutGroup.id)).all()


def members_of(group: BreakoutGroup) -> list[Registration]:
    return db.session.scalars(
        select(Registration).join(BreakoutAssignment,
                                  BreakoutAssignment.registration_id == Registration.id)
        .where(BreakoutAssignment.group_id == group.id)
        .options(selectinload(Registration.user))
        .order_by(Registration.id)).all()
