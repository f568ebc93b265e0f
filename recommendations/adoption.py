"""Whether a vote round adopts a recommendation, by the consultation's adoption rule.

The counts decided on are the device votes plus the in-room show of hands. "In favour" is
support plus support with reservations. The checks run in this order:

1. No votes: nothing in favour and nothing against (at most abstentions) adopts nothing.
2. Quorum (optional): the votes cast, abstentions included, must reach the quorum.
3. The rule, on the votes cast excluding abstentions:
   - consensus: nobody opposes (and, by 1., at least one vote is in favour);
   - two_thirds: in favour is at least two thirds (``3 * in_favour >= 2 * cast``);
   - simple_majority: in favour is more than half (``2 * in_favour > cast``); a tie fails.
4. Stakeholder rule (optional): a recommendation the rule adopts is still not adopted when,
   in any one stakeholder group, more than half of the group's votes cast excluding
   abstentions oppose. Counts by group are device votes only: the show of hands is not
   known by group.

Counts are exact integers throughout; negative counts raise ``ValueError``.
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from enum import StrEnum


class Choice(StrEnum):
    """What one participant votes on a draft recommendation."""

    support = "support"
    support_with_reservations = "support_with_reservations"
    oppose = "oppose"
    abstain = "abstain"


class Rule(StrEnum):
    """The adoption rule a consultation votes by."""

    consensus = "consensus"
    two_thirds = "two_thirds"
    simple_majority = "simple_majority"


@dataclass(frozen=True)
class Counts:
    """Votes of one kind (on devices, or by show of hands in the room), one count per choice."""

    support: int = 0
    support_with_reservations: int = 0
    oppose: int = 0
    abstain: int = 0

    def __post_init__(self) -> None:
        for choice in fields(self):
            value = getattr(self, choice.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{choice.name} must be a whole number, not {value!r}")
            if value < 0:
                raise ValueError(f"{choice.name} cannot be negative: {value}")

    @property
    def in_favour(self) -> int:
        return self.support + self.support_with_reservations

    @property
    def cast(self) -> int:
        return self.in_favour + self.oppose + self.abstain

    @property
    def cast_excluding_abstentions(self) -> int:
        return self.in_favour + self.oppose

    def __add__(self, other: object) -> "Counts":
        if not isinstance(other, Counts):
            return NotImplemented
        return Counts(
            support=self.support + other.support,
            support_with_reservations=(
                self.support_with_reservations + other.support_with_reservations
            ),
            oppose=self.oppose + other.oppose,
            abstain=self.abstain + other.abstain,
        )


@dataclass(frozen=True)
class Outcome:
    """The decision on one vote round, with the figures it rests on.

    ``reason`` is one of "adopted", "opposed", "short_of_two_thirds", "no_majority",
    "no_quorum", "stakeholder_group_opposed" or "no_votes". ``required`` is the least number
    of votes in favour that adopts under the rule, given the votes cast (None for consensus).
    """

    adopted: bool
    rule: Rule
    reason: str
    in_favour: int
    oppose: int
    abstain: int
    cast: int
    required: int | None
    quorum: int | None
    opposing_group: str | None


def required_in_favour(rule: Rule, cast_excluding_abstentions: int) -> int | None:
    """The least number of votes in favour that adopts, given the votes cast for or against.

    Never less than one, since nothing is adopted without a vote in favour; None for
    consensus, which turns on opposition rather than on a number in favour.
    """
    match Rule(rule):
        case Rule.consensus:
            return None
        case Rule.two_thirds:
            return max(1, -(-2 * cast_excluding_abstentions // 3))
        case Rule.simple_majority:
            return cast_excluding_abstentions // 2 + 1


def _rule_rejection(rule: Rule, totals: Counts) -> str | None:
    """The reason the rule rejects these totals, or None when it adopts them."""
    in_favour, oppose = totals.in_favour, totals.oppose
    match rule:
        case Rule.consensus:
            return "opposed" if oppose else None
        case Rule.two_thirds:
            return None if 3 * in_favour >= 2 * (in_favour + oppose) else "short_of_two_thirds"
        case Rule.simple_majority:
            return None if 2 * in_favour > in_favour + oppose else "no_majority"


def _opposing_group(by_stakeholder_group: Mapping[str, Counts]) -> str | None:
    """The first group, in sorted order, where most votes cast excluding abstentions oppose."""
    for group in sorted(by_stakeholder_group):
        counts = by_stakeholder_group[group]
        if 2 * counts.oppose > counts.cast_excluding_abstentions:
            return group
    return None


def decide(
    rule: Rule,
    devices: Counts,
    in_room: Counts = Counts(),
    *,
    quorum: int | None = None,
    by_stakeholder_group: Mapping[str, Counts] | None = None,
    stakeholder_rule: bool = False,
) -> Outcome:
    """Decide whether a vote round adopts its recommendation under ``rule``.

    ``by_stakeholder_group`` (device votes by group) is needed, and only used, with
    ``stakeholder_rule``.
    """
    rule = Rule(rule)
    if quorum is not None and quorum < 0:
        raise ValueError(f"quorum cannot be negative: {quorum}")
    if stakeholder_rule and by_stakeholder_group is None:
        raise ValueError("the stakeholder rule needs the votes by stakeholder group")

    totals = devices + in_room

    def outcome(reason: str, opposing_group: str | None = None) -> Outcome:
        return Outcome(
            adopted=reason == "adopted",
            rule=rule,
            reason=reason,
            in_favour=totals.in_favour,
            oppose=totals.oppose,
            abstain=totals.abstain,
            cast=totals.cast,
            required=required_in_favour(rule, totals.cast_excluding_abstentions),
            quorum=quorum,
            opposing_group=opposing_group,
        )

    if totals.cast_excluding_abstentions == 0:
        return outcome("no_votes")
    if quorum is not None and totals.cast < quorum:
        return outcome("no_quorum")
    rejection = _rule_rejection(rule, totals)
    if rejection is not None:
        return outcome(rejection)
    if stakeholder_rule and by_stakeholder_group is not None:
        opposing_group = _opposing_group(by_stakeholder_group)
        if opposing_group is not None:
            return outcome("stakeholder_group_opposed", opposing_group)
    return outcome("adopted")
