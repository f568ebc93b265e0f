"""The parts of a consultation's outcome in one language, as plain data: what
``content.outcome_of`` assembles and ``as_data`` turns into dicts and lists (JSON), from which
the Word document, its HTML view, the CSV and the archive's JSON file are all made.
"""

from dataclasses import asdict, dataclass, field


@dataclass
class Passage:
    """A text in the document's language; when there is none, ``missing`` says what is
    missing, and is shown in its place."""

    text: str = ""
    missing: str = ""


@dataclass
class Gap:
    """Something the document has no text for in its language, or no result for.

    ``kind`` is one of "executive_summary", "introduction", "name", "translation", "result",
    "breakout_summary" and "labels"; ``draft``: a translation exists, not reviewed yet.
    """

    kind: str
    subject: str = ""
    recommendation_id: int | None = None
    group_id: int | None = None
    draft: bool = False
    count: int = 0


@dataclass
class StalePart:
    """A written part that names a recommendation whose state or result changed after the
    part was last edited: it may say something the document's results contradict.

    ``part`` is "executive_summary", "introduction" or "breakout_summary" (then ``group`` and
    ``group_id`` say whose); ``change`` is "adopted", "not_adopted", "reopened" or "merged"
    (then ``into`` is the reference it was merged into); ``changed_at`` is ISO 8601 (UTC).
    """

    part: str
    reference: str
    recommendation_id: int
    change: str
    changed_at: str
    edited_at: str
    group: str = ""
    group_id: int | None = None
    into: str = ""


@dataclass
class Fact:
    label: str
    value: Passage


@dataclass
class Cover:
    title: Passage
    subtitle: str
    facts: list[Fact]
    objectives: list[str]
    version: str
    #: What UN documents carry at the top of their first page: the document symbol and the
    #: distribution line (both set by the secretariat, optional), the date of issue and the
    #: language the consultation worked in, each in the document's language.
    symbol: str = ""
    distribution: str = ""
    date: str = ""
    original: str = ""


@dataclass
class Figure:
    label: str
    count: int
    #: The colour of the row's bar in the chart (RRGGBB), when the table has a chart.
    colour: str = ""


@dataclass
class Participation:
    total: int
    lead: str
    #: Each breakdown is None where the small-group rule (Chatham House) leaves it out.
    by_group: list[Figure] | None
    by_region: list[Figure] | None
    by_country: list[Figure] | None
    by_attendance: list[Figure] | None
    chart_description: str
    activity: list[str]
    #: Under the Chatham House rule, how small groups are counted; empty otherwise.
    small_groups_note: str = ""


@dataclass
class ChoiceCount:
    #: The choice as stored ("support", ...), and as named in the document's language.
    value: str
    choice: str
    devices: int
    in_room: int
    total: int


@dataclass
class Reservation:
    text: str
    by: str


@dataclass
class Result:
    round: int
    adopted: bool
    sentence: str
    counts: list[ChoiceCount]
    #: The turnout the result rests on: the votes against the voting participants present
    #: and the quorum, and whether the turnout was low.
    turnout: str
    reservations: list[Reservation]
    #: The adoption rule the round was decided by, in words.
    rule: str = ""


@dataclass
class RecommendationEntry:
    id: int
    reference: str
    status: str
    title: Passage
    text: Passage
    version: int
    #: The language of the text shown: the document's, written so or translated into it.
    translated: bool
    objectives: list[int]
    objectives_line: str
    result: Result | None


@dataclass
class Theme:
    heading: Passage
    recommendations: list[RecommendationEntry]


@dataclass
class ObjectiveEntry:
    number: int
    title: str
    references: list[str]


@dataclass
class BreakoutEntry:
    id: int
    name: Passage
    theme: Passage
    summary: Passage


@dataclass
class AgendaEntry:
    when: str
    title: Passage
    kind: str


@dataclass
class AmendmentEntry:
    reference: str
    number: int
    label: str
    versions: str
    decided: str
    proposed_by: str
    supports: int


@dataclass
class ParticipantEntry:
    name: str
    organisation: str
    stakeholder_group: str
    country: str


@dataclass
class Outcome:
    consultation: str
    locale: str
    language_tag: str
    right_to_left: bool
    #: The version number of the compiled document; None for a preview.
    number: int | None
    #: When it was compiled (ISO 8601, UTC): the one thing that differs between two compiles
    #: of the same data.
    generated_at: str
    labels: dict[str, str]
    properties: dict[str, str]
    cover: Cover
    executive_summary: Passage
    introduction: Passage
    participation: Participation
    adopted: list[Theme]
    by_objective: list[ObjectiveEntry]
    breakouts: list[BreakoutEntry]
    not_adopted: list[RecommendationEntry]
    undecided: list[RecommendationEntry]
    agenda: list[AgendaEntry]
    amendments: list[AmendmentEntry]
    #: None where the attribution rule allows no list of participants.
    participants: list[ParticipantEntry] | None
    participants_note: str
    gaps: list[Gap] = field(default_factory=list)
    #: Written parts that may be out of date: not missing, but to be checked.
    stale: list[StalePart] = field(default_factory=list)


def as_data(outcome: Outcome) -> dict:
    """The outcome as dicts, lists, strings and numbers: what is stored, built and exported."""
    return asdict(outcome)
