"""The proposed assignment of participants to breakout groups (consultations.assignment)."""

from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.assignment import (
    Candidate,
    Group,
    Proposal,
    balance_figures,
    propose_assignment,
)

STAKEHOLDER_GROUPS = (
    "member_state",
    "un_agency",
    "red_cross",
    "civil_society",
    "migrant_organisation",
    "academia",
    "private_sector",
    "other",
)
SUB_REGIONS = {
    "SN": "West Africa",
    "NG": "West Africa",
    "GH": "West Africa",
    "MA": "North Africa",
    "EG": "North Africa",
    "TN": "North Africa",
    "KE": "East Africa",
    "ET": "East Africa",
    "UG": "East Africa",
}
LANGUAGES = ("en", "fr", "ar")

PROPERTY = settings(max_examples=100, deadline=None, database=None)


@dataclass
class Round:
    """The input of one call to propose_assignment."""

    candidates: list[Candidate]
    groups: list[Group]
    fixed: dict[int, int] = field(default_factory=dict)
    allow_choices: bool = False

    def propose(self) -> Proposal:
        return propose_assignment(
            self.candidates, self.groups, allow_choices=self.allow_choices, fixed=self.fixed
        )


PROFILES = [
    (stakeholder_group, country, sub_region, attendance)
    for stakeholder_group in STAKEHOLDER_GROUPS
    for country, sub_region in [*SUB_REGIONS.items(), ("SN", ""), ("KE", "")]
    for attendance in ("in_person", "online")
]
LANGUAGE_SETS = [
    frozenset(spoken)
    for spoken in ((), ("en",), ("fr",), ("ar",), ("en", "fr"), ("en", "ar"), ("fr", "ar"))
]
UNKNOWN_GROUP = 100


def candidate_from(drawn: tuple) -> Candidate:
    candidate_id, (stakeholder_group, country, sub_region, attendance), spoken, choice = drawn
    return Candidate(
        candidate_id, stakeholder_group, country, sub_region, attendance, spoken, choice
    )


@st.composite
def rounds(
    draw,
    *,
    capacities: bool = True,
    languages: bool = True,
    fixed: bool = True,
    choices: bool = True,
    min_groups: int = 0,
) -> Round:
    """Groups, candidates, fixed placements and choices; each kind of constraint can be off."""
    groups = draw(
        st.lists(
            st.builds(
                Group,
                id=st.integers(1, 99),
                capacity=(st.none() | st.integers(0, 10)) if capacities else st.none(),
                language=(st.none() | st.sampled_from(LANGUAGES)) if languages else st.none(),
            ),
            min_size=min_groups,
            max_size=6,
            unique_by=lambda group: group.id,
        )
    )
    group_ids = [group.id for group in groups]
    drawn_candidates = st.tuples(
        st.integers(1, 10_000),
        st.sampled_from(PROFILES),
        st.sampled_from(LANGUAGE_SETS) if languages else st.just(frozenset()),
        st.sampled_from([None, *group_ids, UNKNOWN_GROUP]) if choices else st.none(),
    )
    candidates = draw(
        st.lists(drawn_candidates.map(candidate_from), max_size=40, unique_by=lambda c: c.id)
    )
    placed_by_hand: dict[int, int] = {}
    if fixed and groups and candidates:
        room = {group.id: group.capacity for group in groups}
        wishes = draw(
            st.dictionaries(
                st.sampled_from([candidate.id for candidate in candidates]),
                st.sampled_from(group_ids),
                max_size=8,
            )
        )
        for candidate_id, group_id in wishes.items():
            if room[group_id] is None or room[group_id] > 0:
                placed_by_hand[candidate_id] = group_id
                if room[group_id] is not None:
                    room[group_id] -= 1
    return Round(candidates, groups, placed_by_hand, choices and draw(st.booleans()))


def candidate(
    candidate_id: int,
    stakeholder_group: str = "other",
    *,
    country: str = "SN",
    attendance: str = "in_person",
    languages: tuple[str, ...] = (),
    choice: int | None = None,
) -> Candidate:
    return Candidate(
        id=candidate_id,
        stakeholder_group=stakeholder_group,
        country=country,
        sub_region=SUB_REGIONS[country],
        attendance=attendance,
        languages=frozenset(languages),
        choice=choice,
    )


def works_in(candidate: Candidate, group: Group) -> bool:
    """Whether the candidate speaks the group's language (or either has none)."""
    return (
        group.language is None or not candidate.languages or group.language in candidate.languages
    )


def sizes(proposal: Proposal) -> dict[int, int]:
    return {group_id: len(members) for group_id, members in proposal.groups.items()}


def spread(proposal: Proposal, candidates: list[Candidate], attribute: str) -> dict[str, int]:
    """For each value of the attribute, the largest count in a group less the smallest."""
    by_id = {candidate.id: candidate for candidate in candidates}
    counts = {
        group_id: Counter(getattr(by_id[member], attribute) for member in members)
        for group_id, members in proposal.groups.items()
    }
    values = {getattr(candidate, attribute) for candidate in candidates}
    return {
        value: max(count[value] for count in counts.values())
        - min(count[value] for count in counts.values())
        for value in sorted(values)
    }


@PROPERTY
@given(rounds())
def test_capacity_is_never_exceeded(round_):
    proposal = round_.propose()

    for group in round_.groups:
        if group.capacity is not None:
            assert len(proposal.groups[group.id]) <= group.capacity


@PROPERTY
@given(rounds())
def test_every_candidate_is_placed_once_or_reported_unplaced(round_):
    proposal = round_.propose()

    placed = [member for members in proposal.groups.values() for member in members]
    assert sorted(placed + list(proposal.unplaced)) == sorted(c.id for c in round_.candidates)
    assert set(proposal.groups) == {group.id for group in round_.groups}
    assert all(list(members) == sorted(members) for members in proposal.groups.values())
    assert list(proposal.unplaced) == sorted(proposal.unplaced)


@PROPERTY
@given(rounds())
def test_someone_is_unplaced_only_when_every_group_in_their_languages_is_full(round_):
    proposal = round_.propose()

    by_id = {candidate.id: candidate for candidate in round_.candidates}
    for candidate_id in proposal.unplaced:
        for group in round_.groups:
            if works_in(by_id[candidate_id], group):
                assert len(proposal.groups[group.id]) == group.capacity


@PROPERTY
@given(rounds())
def test_nobody_is_placed_in_a_group_whose_language_they_do_not_speak(round_):
    proposal = round_.propose()

    groups = {group.id: group for group in round_.groups}
    for candidate in round_.candidates:
        group_id = proposal.group_of(candidate.id)
        if group_id is not None and candidate.id not in round_.fixed:
            assert works_in(candidate, groups[group_id])


@PROPERTY
@given(rounds(capacities=False, languages=False, fixed=False, choices=False, min_groups=1))
def test_group_sizes_differ_by_at_most_one_without_constraints(round_):
    proposal = round_.propose()

    assert proposal.unplaced == ()
    assert max(sizes(proposal).values()) - min(sizes(proposal).values()) <= 1


@PROPERTY
@given(rounds(languages=False, fixed=False, choices=False, min_groups=1))
def test_groups_with_room_left_are_at_most_one_smaller_than_any_other(round_):
    proposal = round_.propose()

    group_sizes = sizes(proposal)
    for group in round_.groups:
        if group.capacity is None or group_sizes[group.id] < group.capacity:
            assert max(group_sizes.values()) <= group_sizes[group.id] + 1


@PROPERTY
@given(rounds(capacities=False, languages=False, fixed=False, choices=False, min_groups=1))
def test_each_stakeholder_group_is_spread_within_one_across_groups(round_):
    proposal = round_.propose()

    assert all(
        gap <= 1 for gap in spread(proposal, round_.candidates, "stakeholder_group").values()
    )


@PROPERTY
@given(st.data())
def test_the_same_input_in_another_order_gives_the_same_assignment(data):
    round_ = data.draw(rounds())
    shuffled = Round(
        data.draw(st.permutations(round_.candidates)),
        data.draw(st.permutations(round_.groups)),
        dict(reversed(round_.fixed.items())),
        round_.allow_choices,
    )

    assert shuffled.propose() == round_.propose()


@PROPERTY
@given(rounds())
def test_fixed_placements_are_always_kept(round_):
    proposal = round_.propose()

    for candidate_id, group_id in round_.fixed.items():
        assert proposal.group_of(candidate_id) == group_id


@PROPERTY
@given(rounds(choices=True))
def test_a_choice_is_refused_only_when_the_group_is_full_or_in_another_language(round_):
    round_.allow_choices = True
    proposal = round_.propose()

    groups = {group.id: group for group in round_.groups}
    for candidate in round_.candidates:
        chosen = groups.get(candidate.choice)
        refused = proposal.group_of(candidate.id) != candidate.choice
        if candidate.id in round_.fixed or chosen is None or not refused:
            continue
        assert not works_in(candidate, chosen) or len(proposal.groups[chosen.id]) == chosen.capacity


def test_choices_are_kept_when_allowed_and_ignored_otherwise():
    groups = [Group(1, capacity=3, language=None), Group(2, None, "fr"), Group(3, None, None)]
    candidates = [candidate(candidate_id, choice=1) for candidate_id in range(1, 6)] + [
        candidate(6, languages=("en",), choice=2),
        candidate(7, choice=3),
        candidate(8),
    ]

    with_choices = propose_assignment(candidates, groups, allow_choices=True)
    without_choices = propose_assignment(candidates, groups)

    assert with_choices.groups[1] == (1, 2, 3)
    assert with_choices.group_of(7) == 3
    assert with_choices.group_of(6) == 3
    assert sorted(sizes(without_choices).values()) == [2, 3, 3]
    assert without_choices.groups[1] != (1, 2, 3)


def test_fixed_placements_are_kept_and_counted_in_capacity():
    groups = [Group(1, capacity=2, language=None), Group(2, capacity=10, language=None)]
    candidates = [candidate(candidate_id) for candidate_id in range(1, 7)]

    proposal = propose_assignment(candidates, groups, fixed={5: 1, 6: 1})

    assert proposal.groups == {1: (5, 6), 2: (1, 2, 3, 4)}
    assert proposal.unplaced == ()


def test_fixed_placements_are_kept_even_against_the_balance():
    groups = [Group(1, None, None), Group(2, None, None)]
    candidates = [candidate(candidate_id, "member_state") for candidate_id in range(1, 5)]

    proposal = propose_assignment(candidates, groups, fixed={1: 1, 2: 1, 3: 1})

    assert proposal.groups == {1: (1, 2, 3), 2: (4,)}


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        ({1: 9}, "unknown group 9"),
        ({99: 1}, "unknown candidate 99"),
        ({1: 1, 2: 1}, "overfill group 1"),
    ],
)
def test_impossible_fixed_placements_are_refused(fixed, message):
    groups = [Group(1, capacity=1, language=None), Group(2, None, None)]
    candidates = [candidate(1), candidate(2)]

    with pytest.raises(ValueError, match=message):
        propose_assignment(candidates, groups, fixed=fixed)


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError, match="duplicate candidate ids: \\[1\\]"):
        propose_assignment([candidate(1), candidate(1)], [Group(1, None, None)])
    with pytest.raises(ValueError, match="duplicate group ids: \\[1\\]"):
        propose_assignment([candidate(1)], [Group(1, None, None), Group(1, 2, None)])


def test_candidates_without_a_group_in_their_language_are_reported_unplaced():
    groups = [Group(1, None, "en"), Group(2, capacity=1, language="fr")]
    candidates = [
        candidate(1, languages=("ar",)),
        candidate(2, languages=("fr",)),
        candidate(3, languages=("fr",)),
        candidate(4, languages=("en", "ar")),
    ]

    proposal = propose_assignment(candidates, groups)

    assert proposal.groups == {1: (4,), 2: (2,)}
    assert proposal.unplaced == (1, 3)


def test_people_with_one_language_keep_the_seats_in_it():
    groups = [Group(1, capacity=2, language="fr"), Group(2, capacity=4, language="en")]
    bilingual = [
        candidate(candidate_id, stakeholder_group, languages=("en", "fr"))
        for candidate_id, stakeholder_group in enumerate(("academia", "other", "un_agency"), 1)
    ]
    french_only = [
        candidate(candidate_id, "member_state", languages=("fr",)) for candidate_id in (8, 9)
    ]

    proposal = propose_assignment(bilingual + french_only, groups)

    assert proposal.groups == {1: (8, 9), 2: (1, 2, 3)}
    assert proposal.unplaced == ()


def test_sizes_are_evened_out_across_languages():
    groups = [Group(1, None, "fr"), Group(2, None, "en")]
    candidates = [
        candidate(candidate_id, "academia", languages=("en", "fr")) for candidate_id in range(1, 5)
    ] + [candidate(candidate_id, "member_state", languages=("en",)) for candidate_id in range(5, 9)]

    proposal = propose_assignment(candidates, groups)

    assert proposal.groups == {1: (1, 2, 3, 4), 2: (5, 6, 7, 8)}


def test_a_small_group_gets_a_mix_rather_than_the_largest_stakeholder_group():
    groups = [Group(1, capacity=2, language=None), Group(2, None, None)]
    candidates = [
        candidate(candidate_id, stakeholder_group)
        for candidate_id, stakeholder_group in enumerate(
            ["member_state"] * 12 + ["civil_society"] * 4 + ["academia"] * 4, 1
        )
    ]

    proposal = propose_assignment(candidates, groups)

    figures = balance_figures(proposal, candidates)
    assert figures[1].size == 2
    assert len(figures[1].stakeholder_groups) == 2


def test_group_of_names_the_group_or_none():
    proposal = Proposal(groups={1: (3, 4), 2: (5,)}, unplaced=(6,))

    assert [proposal.group_of(candidate_id) for candidate_id in (3, 5, 6, 7)] == [1, 2, None, None]


def test_balance_figures_count_each_group():
    candidates = [
        candidate(1, "red_cross", country="SN", attendance="online"),
        candidate(2, "member_state", country="SN"),
        candidate(3, "member_state", country="KE"),
        candidate(4, "academia", country="MA", attendance="online"),
    ]
    proposal = Proposal(
        groups={2: (4,), 1: (1, 2, 3), 3: ()}, unplaced=(), capacities={1: 5, 2: None}
    )

    figures = balance_figures(proposal, candidates)

    assert list(figures) == [1, 2, 3]
    first = figures[1]
    assert (first.size, first.capacity) == (3, 5)
    assert first.stakeholder_groups == {"member_state": 2, "red_cross": 1}
    assert first.countries == {"KE": 1, "SN": 2}
    assert first.sub_regions == {"East Africa": 1, "West Africa": 2}
    assert first.attendance == {"in_person": 2, "online": 1}
    assert figures[2].attendance == {"online": 1}
    assert figures[2].capacity is None
    assert figures[3].size == 0
    assert figures[3].stakeholder_groups == {}


def test_balance_figures_refuse_a_proposal_with_unknown_candidates():
    with pytest.raises(ValueError, match="unknown candidates in group 1"):
        balance_figures(Proposal(groups={1: (1, 2)}, unplaced=()), [candidate(1)])


def regional_consultation(size: int) -> list[Candidate]:
    """Participants of the eight stakeholder groups from West, North and East Africa."""
    weights = {
        "member_state": 24,
        "civil_society": 18,
        "red_cross": 16,
        "migrant_organisation": 14,
        "un_agency": 10,
        "academia": 8,
        "private_sector": 6,
        "other": 4,
    }
    stakeholder_groups = [
        stakeholder_group
        for stakeholder_group, weight in weights.items()
        for _ in range(weight * size // 100)
    ]
    countries = sorted(SUB_REGIONS)
    return [
        Candidate(
            id=1000 + index,
            stakeholder_group=stakeholder_group,
            country=countries[index * 7 % len(countries)],
            sub_region=SUB_REGIONS[countries[index * 7 % len(countries)]],
            attendance="online" if index % 3 == 0 else "in_person",
            languages=frozenset(),
        )
        for index, stakeholder_group in enumerate(stakeholder_groups)
    ]


def test_a_regional_consultation_of_a_hundred_participants_is_spread_evenly():
    candidates = regional_consultation(100)
    groups = [Group(group_id, capacity=30, language=None) for group_id in (11, 12, 13, 14)]

    proposal = propose_assignment(candidates, groups)
    figures = balance_figures(proposal, candidates)

    assert proposal.unplaced == ()
    assert [figures[group_id].size for group_id in (11, 12, 13, 14)] == [25, 25, 25, 25]
    for group_id in (11, 12, 13, 14):
        assert figures[group_id].capacity == 30
        assert figures[group_id].stakeholder_groups["member_state"] == 6
        assert figures[group_id].stakeholder_groups["red_cross"] == 4
        assert sum(figures[group_id].stakeholder_groups.values()) == 25
        assert set(figures[group_id].sub_regions) == {"East Africa", "North Africa", "West Africa"}
    assert all(gap <= 1 for gap in spread(proposal, candidates, "stakeholder_group").values())
    assert all(gap <= 1 for gap in spread(proposal, candidates, "attendance").values())
    assert all(gap <= 1 for gap in spread(proposal, candidates, "sub_region").values())
    assert all(gap <= 2 for gap in spread(proposal, candidates, "country").values())


def test_a_thousand_candidates_in_several_languages_are_all_placed_into_ten_groups():
    candidates = [
        Candidate(
            id=c.id,
            stakeholder_group=c.stakeholder_group,
            country=c.country,
            sub_region=c.sub_region,
            attendance=c.attendance,
            languages=frozenset([("en", "fr"), ("en",), ("fr",), ("ar", "fr")][c.id % 4]),
        )
        for c in regional_consultation(1000)
    ]
    groups = [
        Group(group_id, capacity=110, language=LANGUAGES[group_id % 3]) for group_id in range(10)
    ]

    proposal = propose_assignment(candidates, groups)

    assert proposal.unplaced == ()
    assert all(len(members) <= 110 for members in proposal.groups.values())
