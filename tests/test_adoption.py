"""Whether a vote round adopts a recommendation (recommendations.adoption)."""

import operator
from dataclasses import FrozenInstanceError, fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations.adoption import Choice, Counts, Outcome, Rule, decide, required_in_favour

PROPERTY = settings(max_examples=300, deadline=None, database=None)

counts = st.builds(
    Counts,
    support=st.integers(0, 40),
    support_with_reservations=st.integers(0, 40),
    oppose=st.integers(0, 40),
    abstain=st.integers(0, 40),
)
groups = st.dictionaries(
    st.sampled_from(["academia", "civil_society", "member_state", "red_cross", "un_agency"]),
    counts,
    max_size=4,
)
quorums = st.none() | st.integers(0, 200)
rules = st.sampled_from(Rule)
rules_by_number = st.sampled_from([Rule.two_thirds, Rule.simple_majority])


def votes(support=0, reservations=0, oppose=0, abstain=0) -> Counts:
    return Counts(
        support=support, support_with_reservations=reservations, oppose=oppose, abstain=abstain
    )


# Counts


def test_counts_have_one_field_per_choice():
    assert [field.name for field in fields(Counts)] == list(Choice)


def test_counts_total_in_favour_and_votes_cast():
    counts = votes(support=3, reservations=2, oppose=4, abstain=5)
    assert counts.in_favour == 5
    assert counts.cast_excluding_abstentions == 9
    assert counts.cast == 14


def test_counts_add_choice_by_choice():
    total = votes(1, 2, 3, 4) + votes(10, 20, 30, 40)
    assert total == votes(11, 22, 33, 44)


def test_counts_only_add_to_counts():
    with pytest.raises(TypeError):
        operator.add(votes(1), 1)


@pytest.mark.parametrize("choice", list(Choice))
def test_negative_counts_are_refused(choice):
    with pytest.raises(ValueError, match="negative"):
        Counts(**{choice: -1})


@pytest.mark.parametrize("value", [1.0, "1", True, None])
def test_counts_must_be_whole_numbers(value):
    with pytest.raises(TypeError):
        Counts(support=value)


def test_counts_and_outcomes_are_frozen():
    with pytest.raises(FrozenInstanceError):
        votes(1).support = 2
    outcome = decide(Rule.consensus, votes(1))
    with pytest.raises(FrozenInstanceError):
        outcome.adopted = False


# No votes


@pytest.mark.parametrize("rule", list(Rule))
def test_no_votes_adopts_nothing(rule):
    outcome = decide(rule, Counts())
    assert not outcome.adopted
    assert outcome.reason == "no_votes"
    assert outcome.cast == 0


@pytest.mark.parametrize("rule", list(Rule))
def test_abstentions_alone_adopt_nothing(rule):
    outcome = decide(rule, votes(abstain=12), votes(abstain=3))
    assert not outcome.adopted
    assert outcome.reason == "no_votes"
    assert outcome.abstain == outcome.cast == 15


# Consensus


def test_consensus_adopts_when_nobody_opposes():
    outcome = decide(Rule.consensus, votes(support=1, reservations=8, abstain=20))
    assert outcome == Outcome(
        adopted=True,
        rule=Rule.consensus,
        reason="adopted",
        in_favour=9,
        oppose=0,
        abstain=20,
        cast=29,
        required=None,
        quorum=None,
        opposing_group=None,
    )


def test_consensus_is_broken_by_a_single_oppose():
    outcome = decide(Rule.consensus, votes(support=40, reservations=5, oppose=1))
    assert not outcome.adopted
    assert outcome.reason == "opposed"
    assert outcome.required is None


def test_a_single_oppose_in_the_room_breaks_consensus():
    outcome = decide(Rule.consensus, votes(support=40), votes(oppose=1))
    assert not outcome.adopted
    assert outcome.reason == "opposed"


# Two thirds


def test_exactly_two_thirds_adopts():
    outcome = decide(Rule.two_thirds, votes(support=2, oppose=1))
    assert outcome.adopted
    assert outcome.reason == "adopted"
    assert outcome.required == 2


def test_just_short_of_two_thirds_is_not_adopted():
    outcome = decide(Rule.two_thirds, votes(support=5, oppose=3))
    assert not outcome.adopted
    assert outcome.reason == "short_of_two_thirds"
    assert outcome.required == 6


def test_abstentions_do_not_count_towards_two_thirds():
    outcome = decide(Rule.two_thirds, votes(support=2, oppose=1, abstain=100))
    assert outcome.adopted
    assert outcome.cast == 103
    assert outcome.required == 2


def test_support_with_reservations_counts_in_favour():
    outcome = decide(Rule.two_thirds, votes(support=1, reservations=1, oppose=1))
    assert outcome.adopted
    assert outcome.in_favour == 2


def test_two_thirds_uses_exact_arithmetic():
    # In floating point, (2 * 10**18 - 1) / (3 * 10**18) rounds to exactly 2 / 3.
    assert decide(Rule.two_thirds, votes(support=666, oppose=333)).adopted
    assert not decide(Rule.two_thirds, votes(support=665, oppose=334)).adopted
    assert decide(Rule.two_thirds, votes(support=2 * 10**18, oppose=10**18)).adopted
    assert not decide(Rule.two_thirds, votes(support=2 * 10**18 - 1, oppose=10**18 + 1)).adopted


# Simple majority


def test_more_in_favour_than_against_is_a_simple_majority():
    outcome = decide(Rule.simple_majority, votes(support=3, reservations=1, oppose=3, abstain=9))
    assert outcome.adopted
    assert outcome.required == 4


def test_a_tie_is_not_a_simple_majority():
    outcome = decide(Rule.simple_majority, votes(support=2, reservations=1, oppose=3))
    assert not outcome.adopted
    assert outcome.reason == "no_majority"
    assert outcome.required == 4


def test_abstentions_do_not_count_against_a_simple_majority():
    outcome = decide(Rule.simple_majority, votes(support=1, abstain=50))
    assert outcome.adopted
    assert outcome.required == 1


# In-room counts


def test_in_room_counts_are_added():
    devices = votes(support=3, oppose=2, abstain=1)
    in_room = votes(support=2, reservations=1, oppose=1, abstain=2)
    outcome = decide(Rule.two_thirds, devices, in_room)
    assert outcome.adopted
    assert (outcome.in_favour, outcome.oppose, outcome.abstain, outcome.cast) == (6, 3, 3, 12)
    assert outcome.required == 6


def test_in_room_votes_can_decide_the_round():
    devices = votes(support=2, oppose=2)
    assert not decide(Rule.simple_majority, devices).adopted
    assert decide(Rule.simple_majority, devices, votes(support=1)).adopted


# Quorum


def test_quorum_counts_abstentions():
    outcome = decide(Rule.simple_majority, votes(support=3, abstain=7), quorum=10)
    assert outcome.adopted
    assert outcome.quorum == 10


def test_one_vote_short_of_quorum_is_not_adopted():
    outcome = decide(Rule.consensus, votes(support=9), quorum=10)
    assert not outcome.adopted
    assert outcome.reason == "no_quorum"
    assert outcome.quorum == 10


def test_quorum_counts_in_room_votes():
    outcome = decide(Rule.consensus, votes(support=6), votes(support=2, abstain=2), quorum=10)
    assert outcome.adopted


def test_quorum_is_checked_before_the_rule():
    outcome = decide(Rule.simple_majority, votes(support=1, oppose=5), quorum=10)
    assert outcome.reason == "no_quorum"


def test_no_votes_is_checked_before_quorum():
    outcome = decide(Rule.simple_majority, votes(abstain=3), quorum=10)
    assert outcome.reason == "no_votes"


def test_a_zero_quorum_is_always_met():
    assert decide(Rule.consensus, votes(support=1), quorum=0).adopted


def test_a_negative_quorum_is_refused():
    with pytest.raises(ValueError, match="quorum"):
        decide(Rule.consensus, votes(support=1), quorum=-1)


def test_an_oppose_can_bring_a_round_to_quorum():
    """Quorum is the one place where an extra oppose can help: it makes the round count."""
    assert decide(Rule.two_thirds, votes(support=2), quorum=3).reason == "no_quorum"
    assert decide(Rule.two_thirds, votes(support=2, oppose=1), quorum=3).adopted


# Stakeholder rule


def test_the_stakeholder_rule_blocks_when_one_group_mostly_opposes():
    by_group = {
        "civil_society": votes(support=10),
        "member_state": votes(support=1, oppose=2, abstain=4),
    }
    outcome = decide(
        Rule.two_thirds,
        votes(support=11, oppose=2, abstain=4),
        by_stakeholder_group=by_group,
        stakeholder_rule=True,
    )
    assert not outcome.adopted
    assert outcome.reason == "stakeholder_group_opposed"
    assert outcome.opposing_group == "member_state"


def test_the_stakeholder_rule_ignores_a_group_split_evenly():
    by_group = {
        "civil_society": votes(support=10),
        "member_state": votes(reservations=2, oppose=2, abstain=4),
    }
    outcome = decide(
        Rule.two_thirds,
        votes(support=10, reservations=2, oppose=2, abstain=4),
        by_stakeholder_group=by_group,
        stakeholder_rule=True,
    )
    assert outcome.adopted
    assert outcome.opposing_group is None


def test_the_stakeholder_rule_ignores_abstentions_within_a_group():
    by_group = {"member_state": votes(support=2, oppose=1, abstain=10)}
    outcome = decide(
        Rule.simple_majority,
        votes(support=2, oppose=1, abstain=10),
        by_stakeholder_group=by_group,
        stakeholder_rule=True,
    )
    assert outcome.adopted


def test_the_stakeholder_rule_ignores_a_group_with_no_votes():
    by_group = {"academia": Counts(), "un_agency": votes(abstain=3)}
    outcome = decide(
        Rule.consensus,
        votes(support=5, abstain=3),
        by_stakeholder_group=by_group,
        stakeholder_rule=True,
    )
    assert outcome.adopted


def test_the_stakeholder_rule_names_the_first_opposing_group_in_sorted_order():
    by_group = {
        "un_agency": votes(oppose=2),
        "academia": votes(support=20),
        "member_state": votes(oppose=3),
        "red_cross": votes(oppose=1),
    }
    outcome = decide(
        Rule.simple_majority,
        votes(support=20, oppose=6),
        by_stakeholder_group=by_group,
        stakeholder_rule=True,
    )
    assert outcome.opposing_group == "member_state"


def test_the_stakeholder_rule_applies_only_when_the_rule_adopts():
    by_group = {"member_state": votes(oppose=3)}
    outcome = decide(
        Rule.two_thirds,
        votes(support=1, oppose=3),
        by_stakeholder_group=by_group,
        stakeholder_rule=True,
    )
    assert outcome.reason == "short_of_two_thirds"
    assert outcome.opposing_group is None


def test_votes_by_group_are_ignored_without_the_stakeholder_rule():
    by_group = {"member_state": votes(oppose=3)}
    outcome = decide(
        Rule.simple_majority, votes(support=4, oppose=3), by_stakeholder_group=by_group
    )
    assert outcome.adopted


def test_the_stakeholder_rule_needs_votes_by_group():
    with pytest.raises(ValueError, match="stakeholder group"):
        decide(Rule.simple_majority, votes(support=1), stakeholder_rule=True)


# Rules given by name


def test_the_rule_may_be_given_by_its_name():
    outcome = decide("simple_majority", votes(support=1))
    assert outcome.rule is Rule.simple_majority


def test_an_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unanimity"):
        decide("unanimity", votes(support=1))


# Properties


@PROPERTY
@given(rule=rules_by_number, devices=counts, in_room=counts)
def test_required_is_the_least_number_in_favour_that_adopts(rule, devices, in_room):
    outcome = decide(rule, devices, in_room)
    assert outcome.adopted == (outcome.in_favour >= outcome.required)
    cast = outcome.in_favour + outcome.oppose
    assert outcome.required == required_in_favour(rule, cast)
    if cast:
        fewer = outcome.required - 1
        assert not decide(rule, votes(support=fewer, oppose=cast - fewer)).adopted
    if cast and outcome.required <= cast:
        assert decide(rule, votes(support=outcome.required, oppose=cast - outcome.required)).adopted


@PROPERTY
@given(devices=counts, in_room=counts)
def test_consensus_adopts_exactly_when_someone_is_in_favour_and_nobody_opposes(devices, in_room):
    outcome = decide(Rule.consensus, devices, in_room)
    assert outcome.adopted == (outcome.in_favour > 0 and outcome.oppose == 0)


@PROPERTY
@given(devices=counts, in_room=counts)
def test_two_thirds_never_adopts_what_a_simple_majority_rejects(devices, in_room):
    if decide(Rule.two_thirds, devices, in_room).adopted:
        assert decide(Rule.simple_majority, devices, in_room).adopted


@PROPERTY
@given(rule=rules, devices=counts, in_room=counts, quorum=quorums, by_group=groups)
def test_the_outcome_reports_the_combined_counts(rule, devices, in_room, quorum, by_group):
    outcome = decide(
        rule, devices, in_room, quorum=quorum, by_stakeholder_group=by_group, stakeholder_rule=True
    )
    totals = devices + in_room
    assert outcome.rule is rule
    assert outcome.quorum == quorum
    assert outcome.in_favour == totals.in_favour
    assert outcome.oppose == totals.oppose
    assert outcome.abstain == totals.abstain
    assert outcome.cast == totals.cast
    assert outcome.adopted == (outcome.reason == "adopted")
    assert (outcome.opposing_group is not None) == (outcome.reason == "stakeholder_group_opposed")


@PROPERTY
@given(
    rule=rules,
    devices=counts,
    in_room=counts,
    by_group=groups,
    stakeholder_rule=st.booleans(),
    data=st.data(),
)
def test_one_more_oppose_never_turns_a_rejection_into_adoption(
    rule, devices, in_room, by_group, stakeholder_rule, data
):
    before = decide(
        rule, devices, in_room, by_stakeholder_group=by_group, stakeholder_rule=stakeholder_rule
    )
    if by_group and data.draw(st.booleans(), label="voter has a group"):
        group = data.draw(st.sampled_from(sorted(by_group)), label="group")
        by_group = by_group | {group: replace(by_group[group], oppose=by_group[group].oppose + 1)}
    after = decide(
        rule,
        replace(devices, oppose=devices.oppose + 1),
        in_room,
        by_stakeholder_group=by_group,
        stakeholder_rule=stakeholder_rule,
    )
    assert after.adopted <= before.adopted


@PROPERTY
@given(
    rule=rules,
    devices=counts,
    in_room=counts,
    quorum=quorums,
    choice=st.sampled_from([Choice.support, Choice.support_with_reservations]),
    in_the_room=st.booleans(),
)
def test_one_more_vote_in_favour_never_turns_adoption_into_rejection(
    rule, devices, in_room, quorum, choice, in_the_room
):
    before = decide(rule, devices, in_room, quorum=quorum)
    if in_the_room:
        in_room = replace(in_room, **{choice: getattr(in_room, choice) + 1})
    else:
        devices = replace(devices, **{choice: getattr(devices, choice) + 1})
    after = decide(rule, devices, in_room, quorum=quorum)
    assert after.adopted >= before.adopted
