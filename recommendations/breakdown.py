"""Breakdowns by stakeholder group (and the participation figures by region, country and
attendance) as each reader may see them: the one place that applies the small-group rule.
Every output that breaks votes or participants down goes through here: the tally pushed live
and sent on joining a round, the console and the projector, the results page and its CSV and
JSON, the JSON API, the reservations quoted with their group, and the outcome document.

The rules:

- While a round is open, nobody but those who run the vote gets its votes by stakeholder
  group, whatever the attribution rule: the tally pushed to the round's room, which every
  participant follows, carries none. Once the round is closed, everyone gets the same
  breakdown. (A breakdown that moves vote by vote shows how the last voter's group voted.)
- Under the Chatham House rule no output may let anyone infer one person's vote, nor single
  a person out in the participation figures: a group with fewer voters (participants) than the
  consultation's ``small_group_threshold`` is never shown on its own. Such groups are counted
  together under "Other groups"; when even together they are fewer than the threshold, no
  breakdown is given at all (the total minus the groups shown would give them away).
- Under the attributed rule, the groups are shown as they are.
"""

from collections.abc import Callable, Hashable, Mapping
from enum import Enum
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from consultations.models import AttributionRule, Consultation
from portal import permissions
from portal.accounts.models import STAKEHOLDER_GROUP_LABELS, StakeholderGroup
from recommendations import adoption
from recommendations.models import VoteChoice, VoteRound

#: The key of the groups counted together in a breakdown by stakeholder group.
OTHER_GROUPS = "other_groups"

#: The label of every key a breakdown by stakeholder group may have.
GROUP_LABELS = {**{group.value: label for group, label in STAKEHOLDER_GROUP_LABELS.items()},
                OTHER_GROUPS: _l("Other groups")}

Key = TypeVar("Key", bound=Hashable)


class Audience(Enum):
    """Who an output is for."""

    #: Anyone admitted to the consultation: the round's room, the projector, every page
    #: and export that is not the console.
    everyone = "everyone"
    #: Those who run the vote (``permissions.may_see_open_round_breakdown``): the console.
    chair = "chair"


def audience_of(user, consultation: Consultation) -> Audience:
    if user is not None and permissions.may_see_open_round_breakdown(user, consultation):
        return Audience.chair
    return Audience.everyone


def small_group_rule(consultation: Consultation) -> int | None:
    """The consultation's threshold when the small-group rule applies (Chatham House)."""
    if consultation.attribution_rule == AttributionRule.chatham_house:
        return consultation.small_group_threshold
    return None


def merged(sizes: Mapping[Key, int], threshold: int | None) -> tuple[list[Key], list[Key]] | None:
    """The keys shown on their own and the keys counted together, in the order given; None
    when no breakdown may be shown (the ones counted together are fewer than the threshold).

    Keys with no one are left out. Without a threshold every key is shown on its own.
    """
    present = [key for key, size in sizes.items() if size > 0]
    if threshold is None:
        return present, []
    small = [key for key in present if sizes[key] < threshold]
    if small and sum(sizes[key] for key in small) < threshold:
        return None
    return [key for key in present if key not in small], small


def _counts(counts: adoption.Counts) -> dict[str, int]:
    return {choice.value: getattr(counts, choice.value) for choice in VoteChoice}


def votes_by_group(round_: VoteRound, by_stakeholder_group: Mapping[str, adoption.Counts],
                   audience: Audience) -> dict[str, dict[str, int]] | None:
    """A round's device votes by stakeholder group as ``audience`` may see them: {group:
    {choice: count}}, groups in the order of ``StakeholderGroup``, "other_groups" last; None
    when no breakdown may be shown."""
    if round_.is_open and audience != Audience.chair:
        return None
    order = [group.value for group in StakeholderGroup]
    sizes = {group: by_stakeholder_group[group].cast
             for group in sorted(by_stakeholder_group, key=_position_in(order))}
    split = merged(sizes, small_group_rule(round_.consultation))
    if split is None:
        return None
    shown, together = split
    breakdown = {group: _counts(by_stakeholder_group[group]) for group in shown}
    if together:
        breakdown[OTHER_GROUPS] = _counts(sum((by_stakeholder_group[group] for group in together),
                                              adoption.Counts()))
    return breakdown


def _position_in(order: list[str]) -> Callable[[str], tuple[int, str]]:
    return lambda key: (order.index(key) if key in order else len(order), key)


def tally_payload(round_: VoteRound, tally, audience: Audience) -> dict:
    """A round's tally (``voting.Tally``) as sent to ``audience``: the counts and turnout,
    and ``by_stakeholder_group`` as ``votes_by_group`` gives it (null when none is shown)."""
    return {**tally.as_payload(),
            "by_stakeholder_group": votes_by_group(round_, tally.by_stakeholder_group,
                                                   audience)}


def reservation_group(round_: VoteRound, group: StakeholderGroup,
                      voters_by_group: Mapping[str, int]) -> str:
    """The group a reservation is quoted with when its author is not named: the author's own
    group, "Other groups", or nothing ("") under the small-group rule."""
    split = merged(voters_by_group, small_group_rule(round_.consultation))
    if split is None:
        return ""
    shown, _together = split
    return str(GROUP_LABELS[group.value if group.value in shown else OTHER_GROUPS])


def figures_by(sizes: Mapping[Key, int], consultation: Consultation,
               ) -> tuple[list[tuple[Key, int]], int] | None:
    """A participation breakdown (participants by group, region, country or attendance) under
    the small-group rule: the rows shown on their own, in the order given, and how many are
    counted together (0 when none); None when no breakdown may be shown."""
    split = merged(sizes, small_group_rule(consultation))
    if split is None:
        return None
    shown, together = split
    return [(key, sizes[key]) for key in shown], sum(sizes[key] for key in together)
