"""The text of a recommendation version: word-by-word comparison of two versions, the square
brackets that mark passages still under negotiation, and numbered lines for display.

Everything here is pure text processing; every piece of user text that ends up in HTML is
escaped, and the HTML is returned as :class:`markupsafe.Markup`.
"""

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from markupsafe import Markup, escape

OPEN_BRACKET = "["
CLOSE_BRACKET = "]"

_SAME = Markup("{}")
_REMOVED = Markup("<del>{}</del>")
_ADDED = Markup("<ins>{}</ins>")
_BRACKETED = Markup('<mark class="bracketed">{}</mark>')


@dataclass(frozen=True, slots=True)
class DiffPart:
    """A run of text that both versions share, or that only the old or only the new one has."""

    kind: Literal["same", "added", "removed"]
    text: str


def _normalise_newlines(text: str) -> str:
    """``text`` with Windows (``\\r\\n``) and old Mac (``\\r``) line breaks turned into ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _char_class(char: str) -> str:
    if char.isspace():
        return "space"
    if char.isalnum() or char == "_" or unicodedata.category(char).startswith("M"):
        return "word"
    return "other"


def _tokens(text: str) -> list[str]:
    """``text`` cut into words, runs of whitespace and single punctuation characters.

    A word is a run of letters, digits, underscores and combining marks (so accents and Arabic
    vowel marks stay with their letters). Joining the tokens gives ``text`` back exactly.
    """
    tokens: list[str] = []
    start = 0
    previous = None
    for index, char in enumerate(text):
        current = _char_class(char)
        if index and (current != previous or current == "other"):
            tokens.append(text[start:index])
            start = index
        previous = current
    if text:
        tokens.append(text[start:])
    return tokens


def word_diff(old: str, new: str) -> list[DiffPart]:
    """The changes from ``old`` to ``new``, word by word.

    Joining the text of the "same" and "removed" parts gives ``old``; joining the "same" and
    "added" parts gives ``new``. A replaced passage shows as removed, then added. Adjacent parts
    never have the same kind, and no part is empty.
    """
    old_tokens, new_tokens = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    parts: list[DiffPart] = []

    def emit(kind: Literal["same", "added", "removed"], tokens: list[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if parts and parts[-1].kind == kind:
            parts[-1] = DiffPart(kind, parts[-1].text + text)
        else:
            parts.append(DiffPart(kind, text))

    for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            emit("same", old_tokens[old_start:old_end])
        else:
            emit("removed", old_tokens[old_start:old_end])
            emit("added", new_tokens[new_start:new_end])
    return parts


def diff_html(old: str, new: str) -> Markup:
    """The inline word diff of two versions as safe HTML.

    Unchanged text is escaped as is, removed text is wrapped in ``<del>`` and added text in
    ``<ins>``. Line breaks are normalised to ``\\n`` and kept in the text (the page shows them
    with ``white-space: pre-wrap``).
    """
    templates = {"same": _SAME, "removed": _REMOVED, "added": _ADDED}
    parts = word_diff(_normalise_newlines(old), _normalise_newlines(new))
    return Markup("").join(templates[part.kind].format(part.text) for part in parts)


def _bracket_scan(text: str) -> tuple[list[tuple[int, int]], bool]:
    """The outermost matched bracket pairs of ``text`` as ``(start, end)`` offsets, and whether
    any bracket was left unmatched."""
    opened: list[int] = []
    pairs: list[tuple[int, int]] = []
    unmatched_close = False
    for index, char in enumerate(text):
        if char == OPEN_BRACKET:
            opened.append(index)
        elif char == CLOSE_BRACKET:
            if opened:
                pairs.append((opened.pop(), index + 1))
            else:
                unmatched_close = True
    pairs.sort()
    outermost: list[tuple[int, int]] = []
    for start, end in pairs:
        if not outermost or start >= outermost[-1][1]:
            outermost.append((start, end))
    return outermost, unmatched_close or bool(opened)


def bracketed_passages(text: str) -> list[tuple[int, int]]:
    """The passages of ``text`` still under negotiation, as ``(start, end)`` offsets in order.

    ``text[start:end]`` is the passage including its square brackets. Nested brackets make one
    passage (the outermost pair); a ``[`` or ``]`` without a partner makes none.
    """
    return _bracket_scan(text)[0]


def has_open_brackets(text: str) -> bool:
    """Whether ``text`` is still under negotiation: it has a bracketed passage, or a bracket
    without a partner. Such a version cannot be put to a final vote."""
    passages, unbalanced = _bracket_scan(text)
    return bool(passages) or unbalanced


def numbered_lines(text: str) -> list[tuple[int, Markup]]:
    """The lines of ``text``, numbered from 1, each as safe HTML.

    Line breaks are normalised first (``\\r\\n`` and ``\\r`` become ``\\n``). Bracketed passages
    are wrapped in ``<mark class="bracketed">``; a passage that spans lines is closed at the end
    of each line and reopened on the next. An empty text has no lines.
    """
    text = _normalise_newlines(text)
    if not text:
        return []
    passages = bracketed_passages(text)
    numbered: list[tuple[int, Markup]] = []
    line_start = 0
    first_passage = 0
    for number, line in enumerate(text.split("\n"), start=1):
        line_end = line_start + len(line)
        while first_passage < len(passages) and passages[first_passage][1] <= line_start:
            first_passage += 1
        pieces: list[Markup] = []
        position = line_start
        for start, end in passages[first_passage:]:
            if start >= line_end:
                break
            marked_start, marked_end = max(start, line_start), min(end, line_end)
            if marked_start >= marked_end:
                continue
            pieces.append(escape(text[position:marked_start]))
            pieces.append(_BRACKETED.format(text[marked_start:marked_end]))
            position = marked_end
        pieces.append(escape(text[position:line_end]))
        numbered.append((number, Markup("").join(pieces)))
        line_start = line_end + 1
    return numbered
