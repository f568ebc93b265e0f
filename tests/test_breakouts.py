from collections import Counter

import pytest
from sqlalchemy import select

from consultations.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    BreakoutAssignment,
    BreakoutGroup,
    Role,
)
from portal.accounts.models import StakeholderGroup
from tests.conftest import sign_in, submit

GROUPS = list(StakeholderGroup)
COUNTRIES = ["SN", "ML", "NE", "MA", "KE", "GH"]


@pytest.fixture
def breakout_round(session, make_consultation, make_user, register):
    def make(people=24, groups=4, capacity=None, allow_choices=False):
        consultation = make_consultation()
        round_ = AgendaItem(consultation=consultation, kind=AgendaItemKind.breakout_round,
                            title="Breakout round 1", starts_at=consultation.starts_at,
                            ends_at=consultation.ends_at, allow_choices=allow_choices)
        session.add(round_)
        for number in range(groups):
            session.add(BreakoutGroup(round=round_, name=f"Group {number + 1}",
                                      capacity=capacity, position=number))
        facilitator = make_user(email="facilitator@example.org")
        register(facilitator, consultation, Role.facilitator)
        participants = []
        for number in range(people):
            user = make_user(email=f"p{number}@example.org",
                             stakeholder_group=GROUPS[number % len(GROUPS)],
                             country=COUNTRIES[number % len(COUNTRIES)])
            registration = register(user, consultation, Role.participant)
            registration.attendance = Attendance.online if number % 3 else Attendance.in_person
            participants.append(registration)
        session.flush()
        return consultation, round_, participants

    return make


def placements(session, round_) -> dict[int, int]:
    session.expire_all()
    return dict(session.execute(
        select(BreakoutAssignment.registration_id, BreakoutAssignment.group_id)
        .where(BreakoutAssignment.round_id == round_.id)).all())


def propose(client, consultation, round_):
    base = f"/c/{consultation.slug}/rounds/{round_.id}/assignment"
    return submit(client, f"{base}/propose", {}, form_path=base, follow_redirects=True)


def test_a_proposal_spreads_stakeholder_groups_evenly_within_capacity(
    client, session, breakout_round
):
    consultation, round_, participants = breakout_round(people=32, groups=4, capacity=8)
    sign_in(client, "facilitator@example.org")

    response = propose(client, consultation, round_)

    assert "A balanced assignment is proposed." in response.get_data(as_text=True)
    placed = placements(session, round_)
    assert len(placed) == 32
    assert set(Counter(placed.values()).values()) == {8}
    by_registration = {registration.id: registration for registration in participants}
    for group in {registration.stakeholder_group for registration in participants}:
        spread = Counter(group_id for registration_id, group_id in placed.items()
                         if by_registration[registration_id].stakeholder_group == group)
        assert max(spread.values()) - min(spread.values()) <= 1, group


def test_participants_see_their_group_only_once_it_is_published(
    app, client, session, breakout_round
):
    consultation, round_, participants = breakout_round(people=8, groups=2)
    sign_in(client, "facilitator@example.org")
    propose(client, consultation, round_)
    participant = app.test_client()
    sign_in(participant, "p0@example.org")

    assert "(your group)" not in participant.get(f"/c/{consultation.slug}").get_data(
        as_text=True)
    base = f"/c/{consultation.slug}/rounds/{round_.id}/assignment"
    submit(client, f"{base}/publish", {}, form_path=base)

    assert "(your group)" in participant.get(f"/c/{consultation.slug}").get_data(as_text=True)


def test_a_person_moved_by_hand_stays_there_in_the_next_proposal(
    client, session, breakout_round
):
    consultation, round_, participants = breakout_round(people=12, groups=3)
    sign_in(client, "facilitator@example.org")
    propose(client, consultation, round_)
    mover = participants[0]
    target = next(group for group in round_.groups
                  if group.id != placements(session, round_)[mover.id])
    base = f"/c/{consultation.slug}/rounds/{round_.id}/assignment"

    submit(client, f"{base}/move", {"registration": mover.id, "group": target.id},
           form_path=base)
    propose(client, consultation, round_)

    assert placements(session, round_)[mover.id] == target.id


def test_a_participant_may_not_assign_groups(app, session, breakout_round):
    consultation, round_, participants = breakout_round(people=4, groups=2)
    participant = app.test_client()
    sign_in(participant, "p0@example.org")
    base = f"/c/{consultation.slug}/rounds/{round_.id}/assignment"

    assert participant.get(base).status_code == 403
    assert submit(participant, f"{base}/propose", {}, form_path="/").status_code == 403
    assert submit(participant, f"{base}/publish", {}, form_path="/").status_code == 403
    assert placements(session, round_) == {}


def test_a_participants_choice_is_honoured_when_choices_are_allowed(
    app, client, session, breakout_round
):
    consultation, round_, participants = breakout_round(people=8, groups=2, allow_choices=True)
    wanted = round_.groups[1]
    participant = app.test_client()
    sign_in(participant, "p0@example.org")
    chosen = submit(participant, f"/c/{consultation.slug}/rounds/{round_.id}/choose",
                    {"group": wanted.id}, follow_redirects=True)
    assert f"Your choice is noted: {wanted.name}." in chosen.get_data(as_text=True)

    sign_in(client, "facilitator@example.org")
    propose(client, consultation, round_)

    assert placements(session, round_)[participants[0].id] == wanted.id
