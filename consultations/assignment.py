"""A balanced assignment of participants to the breakout groups of one round.

:func:`propose_assignment` proposes who goes to which group and :func:`balance_figures` sums the
proposal up for the facilitator, who reviews it before anything is saved. The module knows
nothing of Flask or the database: it works on plain :class:`Candidate` and :class:`Group` values.

Hard constraints, always kept:

* a group never holds more candidates than its capacity (``None``: no limit);
* nobody is placed in a group whose working language they do not speak (a group without a
  language accepts everybody; a candidate without languages accepts every group);
* fixed placements, made by hand by the facilitator, are kept as they are (even in another
  language) and count towards capacity and balance;
* with ``allow_choices``, a candidate's choice is honoured when the group has room and its
  language fits; choices are taken in order of registration id, before anybody else is placed,
  and a choice that cannot be honoured leaves the candidate to be placed like the others;
* as many of the others as possible are placed; whoever cannot be (every group in their
  languages is full) is reported in ``Proposal.unplaced``, never dropped.

Balance, in order of priority:

1. group sizes as even as possible, given capacities and languages;
2. each stakeholder group spread as evenly as possible across the groups, then in-person and
   online attendance, then countries, then sub-regions.

Method: the candidates are placed one by one, the rarest categories first, each into the
allowed group that is least full against its fair share and then holds the fewest people of
the same stakeholder group, attendance, country and sub-region. A seat plan (a maximum flow
from candidates to the room left in the groups) is kept alongside, so that no placement costs
somebody else a seat they could otherwise have had. A local search then moves candidates from
larger to smaller groups, and swaps pairs of candidates between groups, as long as that improves
the balance. Groups of different sizes are compared by shares, not counts.

The result depends on the input only, not on its order; there is no randomness.
"""

import heapq
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import chain, combinations

#: The attributes spread across groups, most important first.
BALANCED_ATTRIBUTES = ("stakeholder_group", "attendance", "country", "sub_region")


@dataclass(frozen=True)
class Candidate:
    """A registered participant to place in a group."""

    id: int
    stakeholder_group: str
    country: str
    sub_region: str
    attendance: str
    languages: frozenset[str]
    choice: int | None = None


@dataclass(frozen=True)
class Group:
    """A breakout group of the round."""

    id: int
    capacity: int | None
    language: str | None


@dataclass(frozen=True)
class Proposal:
    """Who goes where: candidate ids by group id, those who found no seat, and each group's
    capacity (for :func:`balance_figures`). Ids are sorted."""

    groups: dict[int, tuple[int, ...]]
    unplaced: tuple[int, ...]
    capacities: dict[int, int | None] = field(default_factory=dict)

    def group_of(self, candidate_id: int) -> int | None:
        """The group proposed for the candidate, or ``None`` when they have none."""
        for group_id, members in self.groups.items():
            if candidate_id in members:
                return group_id
        return None


@dataclass(frozen=True)
class GroupBalance:
    """The make-up of one group, as the facilitator sees it in a table."""

    size: int
    capacity: int | None
    stakeholder_groups: dict[str, int]
    attendance: dict[str, int]
    countries: dict[str, int]
    sub_regions: dict[str, int]


def speaks(candidate: Candidate, group: Group) -> bool:
    """Whether the candidate can work in the group's language."""
    return (
        group.language is None or not candidate.languages or group.language in candidate.languages
    )


def propose_assignment(
    candidates: Iterable[Candidate],
    groups: Iterable[Group],
    *,
    allow_choices: bool = False,
    fixed: Mapping[int, int] | None = None,
) -> Proposal:
    """Propose a balanced assignment of the candidates to the groups.

    ``fixed`` maps candidate ids to the group the facilitator placed them in by hand. Raises
    ``ValueError`` for duplicate ids, a negative capacity, or fixed placements naming an unknown
    candidate or group or overfilling a group.
    """
    breakout = _Breakout(candidates, groups)
    breakout.keep_fixed(fixed or {})
    if allow_choices:
        breakout.honour_choices()
    breakout.place_the_others()
    breakout.even_out_sizes()
    breakout.swap_for_balance()
    return breakout.proposal()


def balance_figures(proposal: Proposal, candidates: Iterable[Candidate]) -> dict[int, GroupBalance]:
    """Size, capacity and the count of each category, group by group."""
    by_id = {candidate.id: candidate for candidate in candidates}
    figures = {}
    for group_id, member_ids in sorted(proposal.groups.items()):
        unknown = [member_id for member_id in member_ids if member_id not in by_id]
        if unknown:
            raise ValueError(f"unknown candidates in group {group_id}: {unknown}")
        members = [by_id[member_id] for member_id in member_ids]
        figures[group_id] = GroupBalance(
            size=len(members),
            capacity=proposal.capacities.get(group_id),
            stakeholder_groups=_tally(member.stakeholder_group for member in members),
            attendance=_tally(member.attendance for member in members),
            countries=_tally(member.country for member in members),
            sub_regions=_tally(member.sub_region for member in members),
        )
    return figures


def _tally(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _refuse_duplicates(ids: list[int], what: str) -> None:
    duplicates = sorted(id_ for id_, count in Counter(ids).items() if count > 1)
    if duplicates:
        raise ValueError(f"duplicate {what} ids: {duplicates}")


class _SeatPlan:
    """A maximum flow of the candidates still waiting into the room left in the groups.

    Candidates allowed in the same groups are counted together as one *kind*. The plan says how
    many of each kind go to each group. A seat is given to a candidate only if the plan can be
    rearranged so that the others still get as many seats as before, less that one.
    """

    def __init__(self, kinds: list[tuple[int, ...]], demand: list[int], room: list[int]):
        self.kinds = kinds
        self.demand = demand
        self.room = room
        self.flow = [[0] * len(room) for _ in kinds]
        self.out = [0] * len(kinds)
        self.used = [0] * len(room)
        for kind in range(len(kinds)):
            self._fill(kind)

    @property
    def seats(self) -> int:
        return sum(self.out)

    def take(self, kind: int, group: int) -> bool:
        """Seat one candidate of ``kind`` in ``group`` if the others lose nothing by it."""
        if self.room[group] == 0:
            return False
        if self._spare(group) > 0:
            pass
        elif self.flow[kind][group] > 0:
            self._shift(kind, group, -1)
        elif self.out[kind] < self.demand[kind]:
            other = next(other for other, row in enumerate(self.flow) if row[group] > 0)
            self._shift(other, group, -1)
        else:
            path = self._path((group,), lambda end: self._spare(end) > 0 or self.flow[kind][end])
            if path is None:
                return False
            end = path[-1][2]
            if self._spare(end) == 0:
                self._shift(kind, end, -1)
            self._apply(path)
        self.room[group] -= 1
        self._leave(kind)
        return True

    def skip(self, kind: int) -> None:
        """Forget a candidate of ``kind`` who gets no seat."""
        self._leave(kind)

    def _leave(self, kind: int) -> None:
        self.demand[kind] -= 1
        if self.out[kind] > self.demand[kind]:
            group = next(group for group in self.kinds[kind] if self.flow[kind][group] > 0)
            self._shift(kind, group, -1)

    def _spare(self, group: int) -> int:
        return self.room[group] - self.used[group]

    def _shift(self, kind: int, group: int, amount: int) -> None:
        self.flow[kind][group] += amount
        self.out[kind] += amount
        self.used[group] += amount

    def _fill(self, kind: int) -> None:
        for group in self.kinds[kind]:
            amount = min(self.demand[kind] - self.out[kind], self._spare(group))
            if amount > 0:
                self._shift(kind, group, amount)
        while self.out[kind] < self.demand[kind]:
            path = self._path(self.kinds[kind], lambda end: self._spare(end) > 0)
            if path is None:
                return
            self._apply(path)
            self._shift(kind, path[0][1], 1)

    def _path(
        self, starts: tuple[int, ...], is_end: Callable[[int], object]
    ) -> list[tuple[int, int, int]] | None:
        """Moves (kind, from group, to group) freeing a seat in one of the full ``starts``."""
        reached: dict[int, tuple[int, int] | None] = dict.fromkeys(starts)
        queue = deque(starts)
        while queue:
            group = queue.popleft()
            for kind, row in enumerate(self.flow):
                if row[group] == 0:
                    continue
                for target in self.kinds[kind]:
                    if target in reached:
                        continue
                    reached[target] = (kind, group)
                    if is_end(target):
                        return self._trace(reached, target)
                    queue.append(target)
        return None

    @staticmethod
    def _trace(reached: dict[int, tuple[int, int] | None], end: int) -> list[tuple[int, int, int]]:
        moves = []
        target = end
        while (step := reached[target]) is not None:
            kind, source = step
            moves.append((kind, source, target))
            target = source
        return moves[::-1]

    def _apply(self, moves: list[tuple[int, int, int]]) -> None:
        for kind, source, target in moves:
            self._shift(kind, source, -1)
            self._shift(kind, target, 1)


class _Breakout:
    """The groups of one round as they fill up."""

    def __init__(self, candidates: Iterable[Candidate], groups: Iterable[Group]):
        self.candidates = sorted(candidates, key=lambda candidate: candidate.id)
        self.groups = sorted(groups, key=lambda group: group.id)
        _refuse_duplicates([candidate.id for candidate in self.candidates], "candidate")
        _refuse_duplicates([group.id for group in self.groups], "group")
        for group in self.groups:
            if group.capacity is not None and group.capacity < 0:
                raise ValueError(f"group {group.id} has a negative capacity")
        self.by_id = {candidate.id: candidate for candidate in self.candidates}
        self.index = {group.id: index for index, group in enumerate(self.groups)}
        self.allowed = {
            candidate.id: tuple(
                index for index, group in enumerate(self.groups) if speaks(candidate, group)
            )
            for candidate in self.candidates
        }
        self.profiles = {
            candidate.id: tuple(getattr(candidate, name) for name in BALANCED_ATTRIBUTES)
            for candidate in self.candidates
        }
        self.members: list[set[int]] = [set() for _ in self.groups]
        self.placement: dict[int, int] = {}
        self.locked: set[int] = set()
        self.unplaced: list[int] = []
        self.counts = [[Counter[str]() for _ in self.groups] for _ in BALANCED_ATTRIBUTES]

    def keep_fixed(self, fixed: Mapping[int, int]) -> None:
        """Place and lock the candidates the facilitator placed by hand."""
        for candidate_id, group_id in sorted(fixed.items()):
            if candidate_id not in self.by_id:
                raise ValueError(f"fixed placement of unknown candidate {candidate_id}")
            if group_id not in self.index:
                raise ValueError(f"fixed placement in unknown group {group_id}")
            self._place(candidate_id, self.index[group_id])
            self.locked.add(candidate_id)
        for index, group in enumerate(self.groups):
            if group.capacity is not None and len(self.members[index]) > group.capacity:
                raise ValueError(f"fixed placements overfill group {group.id}")

    def honour_choices(self) -> None:
        """Place and lock, by registration id, each candidate whose choice can be met."""
        for candidate in self.candidates:
            index = self.index.get(candidate.choice)
            if (
                index is not None
                and candidate.id not in self.placement
                and index in self.allowed[candidate.id]
                and self._room(index) != 0
            ):
                self._place(candidate.id, index)
                self.locked.add(candidate.id)

    def place_the_others(self) -> None:
        """Place the remaining candidates one by one, the rarest categories first."""
        waiting = [candidate for candidate in self.candidates if candidate.id not in self.placement]
        kinds = sorted({self.allowed[candidate.id] for candidate in waiting})
        kind_of = {allowed: kind for kind, allowed in enumerate(kinds)}
        demand = Counter(kind_of[self.allowed[candidate.id]] for candidate in waiting)
        unlimited = len(self.candidates)
        room = [
            unlimited if free is None else free
            for free in (self._room(index) for index in range(len(self.groups)))
        ]
        plan = _SeatPlan(kinds, [demand[kind] for kind in range(len(kinds))], room)
        targets = self._fair_shares(plan.seats)
        for candidate in self._rarest_first(waiting):
            kind = kind_of[self.allowed[candidate.id]]
            for index in self._by_placement_cost(candidate.id, targets):
                if plan.take(kind, index):
                    self._place(candidate.id, index)
                    break
            else:
                plan.skip(kind)
                self.unplaced.append(candidate.id)

    def even_out_sizes(self) -> None:
        """Move candidates from larger to smaller groups while sizes differ by two or more."""
        while (move := self._size_move()) is not None:
            self._move(*move)

    def swap_for_balance(self) -> None:
        """Swap pairs of candidates between groups while that spreads the categories better."""
        totals = [Counter[str]() for _ in BALANCED_ATTRIBUTES]
        for candidate_id in self.placement:
            for attribute, value in enumerate(self.profiles[candidate_id]):
                totals[attribute][value] += 1
        versions = [0] * len(self.groups)
        settled: dict[tuple[int, int], tuple[int, int]] = {}
        improved = True
        while improved:
            improved = False
            for first, second in combinations(range(len(self.groups)), 2):
                if settled.get((first, second)) == (versions[first], versions[second]):
                    continue
                while (swap := self._improving_swap(first, second, totals)) is not None:
                    self._move(swap[0], second)
                    self._move(swap[1], first)
                    versions[first] += 1
                    versions[second] += 1
                    improved = True
                settled[(first, second)] = (versions[first], versions[second])

    def proposal(self) -> Proposal:
        return Proposal(
            groups={
                group.id: tuple(sorted(self.members[index]))
                for index, group in enumerate(self.groups)
            },
            unplaced=tuple(sorted(self.unplaced)),
            capacities={group.id: group.capacity for group in self.groups},
        )

    def _room(self, index: int) -> int | None:
        capacity = self.groups[index].capacity
        return None if capacity is None else capacity - len(self.members[index])

    def _place(self, candidate_id: int, index: int) -> None:
        self.members[index].add(candidate_id)
        self.placement[candidate_id] = index
        for attribute, value in enumerate(self.profiles[candidate_id]):
            self.counts[attribute][index][value] += 1

    def _move(self, candidate_id: int, index: int) -> None:
        source = self.placement[candidate_id]
        self.members[source].remove(candidate_id)
        for attribute, value in enumerate(self.profiles[candidate_id]):
            self.counts[attribute][source][value] -= 1
        self._place(candidate_id, index)

    def _fair_shares(self, seats: int) -> list[int]:
        """Group sizes once ``seats`` more are given out as evenly as capacities allow."""
        shares = [len(members) for members in self.members]
        open_groups = [
            (shares[index], index) for index in range(len(self.groups)) if self._room(index) != 0
        ]
        heapq.heapify(open_groups)
        for _ in range(seats):
            if not open_groups:
                break
            size, index = heapq.heappop(open_groups)
            shares[index] = size + 1
            capacity = self.groups[index].capacity
            if capacity is None or size + 1 < capacity:
                heapq.heappush(open_groups, (size + 1, index))
        return shares

    def _rarest_first(self, waiting: list[Candidate]) -> list[Candidate]:
        frequencies = [Counter[str]() for _ in BALANCED_ATTRIBUTES]
        for candidate in waiting:
            for attribute, value in enumerate(self.profiles[candidate.id]):
                frequencies[attribute][value] += 1

        def rarity(candidate: Candidate) -> tuple:
            profile = self.profiles[candidate.id]
            return (
                *chain.from_iterable(
                    (frequencies[attribute][value], value)
                    for attribute, value in enumerate(profile)
                ),
                candidate.id,
            )

        return sorted(waiting, key=rarity)

    def _by_placement_cost(self, candidate_id: int, shares: list[int]) -> list[int]:
        """The candidate's allowed groups, the best placement first."""
        profile = self.profiles[candidate_id]

        def cost(index: int) -> tuple:
            after = len(self.members[index]) + 1
            share = shares[index]
            fill = (0, after / share) if share else (1, after)
            return (
                *fill,
                *(self.counts[attribute][index][value] for attribute, value in enumerate(profile)),
                index,
            )

        return sorted(self.allowed[candidate_id], key=cost)

    def _size_move(self) -> tuple[int, int] | None:
        """A candidate to move from a group to one at least two smaller, and where to."""
        order = sorted(
            range(len(self.groups)), key=lambda index: (-len(self.members[index]), index)
        )
        for source in order:
            for target in reversed(order):
                if len(self.members[source]) - len(self.members[target]) < 2:
                    break
                if self._room(target) == 0:
                    continue
                movers = [
                    candidate_id
                    for candidate_id in self.members[source]
                    if candidate_id not in self.locked and target in self.allowed[candidate_id]
                ]
                if movers:
                    best = min(movers, key=lambda mover: self._move_cost(mover, source, target))
                    return best, target
        return None

    def _move_cost(self, candidate_id: int, source: int, target: int) -> tuple[int, ...]:
        profile = self.profiles[candidate_id]
        return (
            *(
                self.counts[attribute][target][value] - self.counts[attribute][source][value]
                for attribute, value in enumerate(profile)
            ),
            candidate_id,
        )

    def _improving_swap(
        self, first: int, second: int, totals: list[Counter[str]]
    ) -> tuple[int, int] | None:
        """Two candidates whose exchange spreads the categories better, if there are any.

        The spread is measured per attribute as the sum, over groups and values, of the squared
        gap between the count in the group and its share of the total (scaled to integers).
        Exchanging a candidate with value ``u`` in ``first`` for one with value ``v`` in
        ``second`` changes it by a multiple of ``pull(u) - pull(v) + 2 * placed``.
        """
        movable_from_first = self._movable(first, second)
        movable_from_second = self._movable(second, first)
        if not movable_from_first or not movable_from_second:
            return None
        placed = len(self.placement)
        size_gap = len(self.members[second]) - len(self.members[first])

        def pull(attribute: int, value: str) -> int:
            counts = self.counts[attribute]
            return (
                placed * (counts[second][value] - counts[first][value])
                - totals[attribute][value] * size_gap
            )

        return self._find_swap(movable_from_first, movable_from_second, 0, pull, placed)

    def _find_swap(
        self,
        leaving_first: list[int],
        leaving_second: list[int],
        attribute: int,
        pull: Callable[[int, str], int],
        placed: int,
    ) -> tuple[int, int] | None:
        if attribute == len(BALANCED_ATTRIBUTES):
            return None
        first_by_value = self._by_value(leaving_first, attribute)
        second_by_value = self._by_value(leaving_second, attribute)
        pulls = {value: pull(attribute, value) for value in first_by_value}
        pulls.update((value, pull(attribute, value)) for value in second_by_value)
        strongest_second = sorted(second_by_value, key=lambda value: -pulls[value])
        for value, from_first in first_by_value.items():
            for other_value in strongest_second:
                change = pulls[value] - pulls[other_value] + 2 * placed
                if change > 0:
                    break
                if change < 0:
                    return from_first[0], second_by_value[other_value][0]
                found = self._find_swap(
                    from_first, second_by_value[other_value], attribute + 1, pull, placed
                )
                if found is not None:
                    return found
            if value in second_by_value and attribute + 1 < len(BALANCED_ATTRIBUTES):
                found = self._find_swap(
                    from_first, second_by_value[value], attribute + 1, pull, placed
                )
                if found is not None:
                    return found
        return None

    def _by_value(self, candidate_ids: list[int], attribute: int) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for candidate_id in candidate_ids:
            groups.setdefault(self.profiles[candidate_id][attribute], []).append(candidate_id)
        return groups

    def _movable(self, source: int, target: int) -> list[int]:
        return sorted(
            candidate_id
            for candidate_id in self.members[source]
            if candidate_id not in self.locked and target in self.allowed[candidate_id]
        )
