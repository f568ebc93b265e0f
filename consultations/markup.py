"""Comment bodies: a light Markdown subset rendered to sanitised HTML, and plain-text excerpts.

The subset: paragraphs and line breaks, ``**bold**``, ``*italic*``, `` `code` ``, bulleted and
numbered lists, ``>`` block quotes, ``[text](https://...)`` links and bare ``http(s)://`` URLs.
Raw HTML and entities are shown as typed; headings, images, tables and code blocks are not
recognised. Numbered lists start at 1 (the allow-list has no ``ol[start]``), so a line such as
``2024. was a good year`` stays a paragraph.

Hostile bodies stay cheap: the parser runs in linear time, nests quotes and lists at most
:data:`MAX_NESTING` deep and reads at most :data:`MAX_MARKUP` markup elements per comment; deeper
or later markup is shown as typed. Its HTML then goes through ``nh3`` with an explicit
allow-list, so the sanitiser, not the parser, has the last word on what reaches a page.
"""

import re
import string
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from html import escape

import nh3
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "code", "ul", "ol", "li", "blockquote", "a"})
ALLOWED_ATTRIBUTES = {"a": frozenset({"href"})}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

#: Deepest combined nesting of quotes and lists; markers below it are kept as text.
MAX_NESTING = 10
#: Markup elements (inline markers, quotes, list items) read per comment; later ones stay text.
MAX_MARKUP = 2000

ELLIPSIS = "…"

#: Control characters, and bidirectional embeddings, overrides and isolates (portal/plain_text.py
#: keeps them out of new texts; a body stored before cannot turn its page around either).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_WHITESPACE = re.compile(r"\s+")

_QUOTE_MARKER = re.compile(r" {0,3}> ?")
_LIST_MARKER = re.compile(r" {0,3}([-+*]|(\d{1,9})[.)])( +|$)")
_MAY_START_BLOCK = re.compile(r" {0,3}(?:>|[-+*](?: |$)|\d{1,9}[.)](?: |$))")

_INLINE_SPECIAL = re.compile(r"[\\`*_\[\]<]|(?<![\w/])(?=https?://)", re.IGNORECASE)
_ASCII_PUNCTUATION = frozenset(string.punctuation)
_BACKTICKS = re.compile(r"`+")
_DELIMITER_RUN = {"*": re.compile(r"\*+"), "_": re.compile(r"_+")}
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^\s<>]+)>", re.IGNORECASE)
_BARE_URL = re.compile(r"https?://[^\s<>\"`\[\]]+", re.IGNORECASE)
_LINK_TAIL = re.compile(r"\(\s*([^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)(?:\s+\"[^\"]*\")?\s*\)")
_ALLOWED_URL = re.compile(r"(?:https?://|mailto:)\S", re.IGNORECASE)
_URL_TRAILING_PUNCTUATION = frozenset(".,:;!?'\"*_~")


# Inline tokens. Plain ``str`` items in a token list are text, where a newline is a line break.


@dataclass(slots=True)
class _Code:
    content: str


@dataclass(slots=True)
class _Url:
    url: str


@dataclass(slots=True)
class _Link:
    href: str
    children: list


class _Delimiter:
    """A run of ``*`` or ``_`` that may open or close emphasis."""

    __slots__ = (
        "char",
        "count",
        "original",
        "can_open",
        "can_close",
        "position",
        "opens",
        "closes",
        "previous",
        "next",
    )

    def __init__(self, char: str, count: int, can_open: bool, can_close: bool, position: int):
        self.char = char
        self.count = self.original = count
        self.can_open = can_open
        self.can_close = can_close
        self.position = position
        self.opens: list[str] = []
        self.closes: list[str] = []
        self.previous: _Delimiter | None = None
        self.next: _Delimiter | None = None


# Blocks.


@dataclass(slots=True)
class _Paragraph:
    inline: list


@dataclass(slots=True)
class _Quote:
    blocks: list


@dataclass(slots=True)
class _List:
    ordered: bool
    items: list[list]
    tight: bool


@dataclass(slots=True)
class _Marker:
    ordered: bool
    symbol: str
    number: int
    offset: int
    content: str


def _is_allowed_url(url: str) -> bool:
    """Whether ``url`` is absolute with an allowed scheme (http, https or mailto)."""
    return _ALLOWED_URL.match(url) is not None


def _trim_url(url: str) -> str:
    """Drop trailing punctuation and unbalanced closing parentheses from a bare URL."""
    surplus = url.count(")") - url.count("(")
    end = len(url)
    while end:
        last = url[end - 1]
        if last == ")" and surplus > 0:
            surplus -= 1
        elif last not in _URL_TRAILING_PUNCTUATION:
            break
        end -= 1
    return url[:end]


def _is_punctuation(char: str) -> bool:
    """Whether ``char`` is punctuation or a symbol, as CommonMark counts them."""
    return char in _ASCII_PUNCTUATION or (char > "\x7f" and unicodedata.category(char)[0] in "PS")


def _delimiter(text: str, start: int) -> _Delimiter:
    """The ``*`` or ``_`` delimiter run starting at ``start`` (CommonMark flanking rules)."""
    char = text[start]
    end = _DELIMITER_RUN[char].match(text, start).end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    before_space, after_space = before.isspace(), after.isspace()
    before_punct, after_punct = _is_punctuation(before), _is_punctuation(after)
    left = not after_space and (not after_punct or before_space or before_punct)
    right = not before_space and (not before_punct or after_space or after_punct)
    if char == "*":
        return _Delimiter(char, end - start, left, right, start)
    can_open = left and (not right or before_punct)
    can_close = right and (not left or after_punct)
    return _Delimiter(char, end - start, can_open, can_close, start)


def _process_emphasis(tokens: list) -> None:
    """Match ``*`` and ``_`` delimiters in ``tokens`` into em and strong (CommonMark rules)."""
    delimiters = [token for token in tokens if isinstance(token, _Delimiter)]
    for earlier, later in zip(delimiters, delimiters[1:], strict=False):
        earlier.next, later.previous = later, earlier
    openers_bottom: dict[tuple[str, bool, int], int] = {}
    closer = delimiters[0] if delimiters else None
    while closer is not None:
        if not closer.can_close:
            closer = closer.next
            continue
        key = (closer.char, closer.can_open, closer.original % 3)
        bottom = openers_bottom.get(key, -1)
        opener = closer.previous
        while opener is not None and opener.position > bottom:
            odd_match = (
                (closer.can_open or opener.can_close)
                and closer.original % 3 != 0
                and (opener.original + closer.original) % 3 == 0
            )
            if opener.char == closer.char and opener.can_open and not odd_match:
                break
            opener = opener.previous
        else:
            opener = None
        if opener is None:
            openers_bottom[key] = closer.previous.position if closer.previous else -1
            following = closer.next
            if not closer.can_open:
                _unlink(closer)
            closer = following
            continue
        used = 2 if opener.count >= 2 and closer.count >= 2 else 1
        tag = "strong" if used == 2 else "em"
        opener.count -= used
        closer.count -= used
        opener.opens.append(tag)
        closer.closes.append(tag)
        opener.next, closer.previous = closer, opener
        if opener.count == 0:
            _unlink(opener)
        if closer.count == 0:
            following = closer.next
            _unlink(closer)
            closer = following


def _unlink(delimiter: _Delimiter) -> None:
    """Take ``delimiter`` out of the delimiter list; its remaining characters stay as text."""
    if delimiter.previous is not None:
        delimiter.previous.next = delimiter.next
    if delimiter.next is not None:
        delimiter.next.previous = delimiter.previous
    delimiter.previous = delimiter.next = None


def _list_marker(line: str) -> _Marker | None:
    """The list marker that starts ``line``, if any."""
    match = _LIST_MARKER.match(line)
    if match is None:
        return None
    marker_end = match.end(1)
    has_content = match.end() < len(line)
    offset = match.end() if has_content and len(match.group(3)) <= 4 else marker_end + 1
    number = match.group(2)
    return _Marker(
        ordered=number is not None,
        symbol=line[marker_end - 1],
        number=int(number) if number is not None else 0,
        offset=offset,
        content=line[offset:],
    )


def _list_opener(line: str) -> _Marker | None:
    """The marker of ``line`` if it opens a list: a bullet or the number 1, with some content."""
    marker = _list_marker(line)
    if marker is None or not marker.content or (marker.ordered and marker.number != 1):
        return None
    return marker


def _same_list(marker: _Marker, first: _Marker) -> bool:
    return (marker.ordered, marker.symbol) == (first.ordered, first.symbol)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Parser:
    """Parses one comment body, reading at most :data:`MAX_MARKUP` markup elements."""

    def __init__(self) -> None:
        self.budget = MAX_MARKUP

    def spend(self) -> bool:
        """Take one markup element from the budget; false once the budget is spent."""
        self.budget -= 1
        return self.budget >= 0

    def parse(self, text: str) -> list:
        """Blocks of a comment body."""
        text = _CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        return self.blocks([line.expandtabs(4).rstrip() for line in text.split("\n")], 0)

    def blocks(self, lines: list[str], depth: int) -> list:
        """Blocks of ``lines``, which have no trailing whitespace."""
        next_filled = [len(lines)] * (len(lines) + 1)
        for index in range(len(lines) - 1, -1, -1):
            next_filled[index] = index if lines[index] else next_filled[index + 1]
        blocks: list = []
        index = 0
        while index < len(lines):
            line = lines[index]
            nest = depth < MAX_NESTING and self.budget > 0
            if not line:
                index += 1
            elif nest and _QUOTE_MARKER.match(line):
                self.spend()
                quoted = []
                while index < len(lines) and (marker := _QUOTE_MARKER.match(lines[index])):
                    quoted.append(lines[index][marker.end() :])
                    index += 1
                blocks.append(_Quote(self.blocks(quoted, depth + 1)))
            elif nest and (first := _list_opener(line)):
                block, index = self.list(lines, index, first, next_filled, depth)
                blocks.append(block)
            else:
                paragraph = [line.strip()]
                index += 1
                while index < len(lines) and lines[index]:
                    line = lines[index]
                    if (
                        nest
                        and _MAY_START_BLOCK.match(line)
                        and (_QUOTE_MARKER.match(line) or _list_opener(line))
                    ):
                        break
                    paragraph.append(line.strip())
                    index += 1
                blocks.append(_Paragraph(self.inline("\n".join(paragraph))))
        return blocks

    def list(
        self, lines: list[str], index: int, first: _Marker, next_filled: list[int], depth: int
    ) -> tuple[_List, int]:
        """The list opened by ``first`` at ``lines[index]``, and the index of the line after."""
        items: list[list[str]] = []
        tight = True
        marker: _Marker | None = first
        while marker is not None and _same_list(marker, first) and self.spend():
            offset = marker.offset
            item = [marker.content]
            marker = None
            index += 1
            while index < len(lines):
                line = lines[index]
                if not line:
                    following = next_filled[index]
                    if following < len(lines) and _indent(lines[following]) >= offset:
                        item.extend([""] * (following - index))
                        tight = False
                        index = following
                        continue
                    break
                if _indent(line) >= offset:
                    item.append(line[offset:])
                else:
                    marker = _list_marker(line) if _MAY_START_BLOCK.match(line) else None
                    if marker is not None or not item[-1] or _QUOTE_MARKER.match(line):
                        break
                    item.append(line.lstrip(" "))
                index += 1
            items.append(item)
            if marker is None and index < len(lines) and not lines[index]:
                following = next_filled[index]
                marker = _list_marker(lines[following]) if following < len(lines) else None
                if marker is not None and _same_list(marker, first):
                    tight = False
                    index = following
        blocks = [self.blocks(item, depth + 1) for item in items]
        return _List(first.ordered, blocks, tight), index

    def inline(self, text: str) -> list:
        """Inline tokens of a paragraph's text."""
        if _INLINE_SPECIAL.search(text) is None:
            return [text]
        tokens: list = []
        brackets: list[tuple[int, int]] = []
        links_made = 0
        backtick_runs: dict[int, list[int]] | None = None
        position = 0
        while position < len(text):
            special = _INLINE_SPECIAL.search(text, position)
            if special is None:
                tokens.append(text[position:])
                break
            start = special.start()
            if start > position:
                tokens.append(text[position:start])
            if not self.spend():
                tokens.append(text[start:])
                break
            char = text[start]
            position = start + 1
            if char == "\\":
                following = text[position : position + 1]
                if following and following in _ASCII_PUNCTUATION:
                    tokens.append(following)
                    position += 1
                elif following != "\n":
                    tokens.append("\\")
            elif char == "`":
                if backtick_runs is None:
                    backtick_runs = _backtick_runs(text)
                position = _code_span(text, start, backtick_runs, tokens)
            elif char in "*_":
                delimiter = _delimiter(text, start)
                tokens.append(delimiter)
                position = start + delimiter.count
            elif char == "[":
                brackets.append((len(tokens), links_made))
                tokens.append("[")
            elif char == "]":
                position, links_made = _close_link(text, position, tokens, brackets, links_made)
            elif char == "<":
                position = _autolink(text, start, tokens)
            else:
                position = _bare_url(text, start, tokens)
        _process_emphasis(tokens)
        return tokens


def _backtick_runs(text: str) -> dict[int, list[int]]:
    """Where each run of backticks starts, by its length."""
    runs: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(text):
        runs.setdefault(run.end() - run.start(), []).append(run.start())
    return runs


def _code_span(text: str, start: int, backtick_runs: dict[int, list[int]], tokens: list) -> int:
    """The code span opened by the backticks at ``start`` (or the backticks as text, with no
    run of the same length to close it); returns where the text goes on."""
    end = _BACKTICKS.match(text, start).end()
    runs = backtick_runs.get(end - start, [])
    closing = bisect_left(runs, end)
    if closing < len(runs):
        content = text[end : runs[closing]].replace("\n", " ")
        if content[:1] == content[-1:] == " " and content.strip():
            content = content[1:-1]
        tokens.append(_Code(content))
        return runs[closing] + end - start
    tokens.append(text[start:end])
    return end


def _close_link(text: str, position: int, tokens: list, brackets: list[tuple[int, int]],
                links_made: int) -> tuple[int, int]:
    """A "]": the link it closes, with an allowed address after it, or the bracket as text;
    returns where the text goes on and how many links are made."""
    opener, made = brackets.pop() if brackets else (0, -1)
    tail = _LINK_TAIL.match(text, position) if made == links_made else None
    if tail and _is_allowed_url(tail.group(1)):
        children = tokens[opener + 1 :]
        del tokens[opener:]
        _process_emphasis(children)
        tokens.append(_Link(tail.group(1), children))
        return tail.end(), links_made + 1
    tokens.append("]")
    return position, links_made


def _autolink(text: str, start: int, tokens: list) -> int:
    """An address between angle brackets at ``start``, or the "<" as text."""
    autolink = _AUTOLINK.match(text, start)
    if autolink:
        tokens.append(_Url(autolink.group(1)))
        return autolink.end()
    tokens.append("<")
    return start + 1


def _bare_url(text: str, start: int, tokens: list) -> int:
    """An allowed address written as it is at ``start``, or its first character as text."""
    bare = _BARE_URL.match(text, start)
    url = _trim_url(bare.group()) if bare else ""
    if _is_allowed_url(url):
        tokens.append(_Url(url))
        return start + len(url)
    tokens.append(text[start])
    return start + 1


def _inline_html(tokens: list, in_link: bool = False) -> str:
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            parts.append(escape(token, quote=False).replace("\n", "<br>\n"))
        elif isinstance(token, _Delimiter):
            parts.extend(f"</{tag}>" for tag in token.closes)
            parts.append(token.char * token.count)
            parts.extend(f"<{tag}>" for tag in reversed(token.opens))
        elif isinstance(token, _Code):
            parts.append(f"<code>{escape(token.content, quote=False)}</code>")
        elif isinstance(token, _Url):
            text = escape(token.url, quote=False)
            parts.append(text if in_link else f'<a href="{escape(token.url)}">{text}</a>')
        else:
            label = _inline_html(token.children, in_link=True) or escape(token.href, quote=False)
            parts.append(f'<a href="{escape(token.href)}">{label}</a>')
    return "".join(parts)


def _blocks_html(blocks: list, tight: bool = False) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, _Paragraph):
            html = _inline_html(block.inline)
            parts.append(html if tight else f"<p>{html}</p>")
        elif isinstance(block, _Quote):
            parts.append(f"<blockquote>\n{_blocks_html(block.blocks)}\n</blockquote>")
        else:
            tag = "ol" if block.ordered else "ul"
            items = "".join(f"<li>{_blocks_html(item, block.tight)}</li>\n" for item in block.items)
            parts.append(f"<{tag}>\n{items}</{tag}>")
    return "\n".join(parts)


def _inline_text(tokens: list) -> str:
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, str):
            parts.append(token)
        elif isinstance(token, _Delimiter):
            parts.append(token.char * token.count)
        elif isinstance(token, _Code):
            parts.append(token.content)
        elif isinstance(token, _Url):
            parts.append(token.url)
        else:
            parts.append(_inline_text(token.children) or token.href)
    return "".join(parts)


def _blocks_text(blocks: list) -> str:
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, _Paragraph):
            parts.append(_inline_text(block.inline))
        elif isinstance(block, _Quote):
            parts.append(_blocks_text(block.blocks))
        else:
            parts.extend(_blocks_text(item) for item in block.items)
    return " ".join(parts)


@lru_cache(maxsize=20_000)
def render_comment(text: str) -> Markup:
    """Render a comment body to safe HTML (the same text always gives the same HTML, so the
    rendering is remembered: a long thread is not parsed again on every page view)."""
    cleaned = nh3.clean(
        _blocks_html(_Parser().parse(text)),
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )
    # Safe: the string is nh3's sanitised output (allow-listed tags and attributes only).
    return Markup(cleaned.strip())  # noqa: S704  # nosec B704


def comment_excerpt(text: str, length: int = 140) -> str:
    """Plain text of a comment, at most ``length`` characters, cut on a word boundary.

    The text is not HTML-escaped: templates and ``textContent`` do that.
    """
    if length < 1:
        raise ValueError("length must be at least 1")
    plain = _WHITESPACE.sub(" ", _blocks_text(_Parser().parse(text))).strip()
    if len(plain) <= length:
        return plain
    head = plain[: length - len(ELLIPSIS)]
    if plain[len(head)] != " ":
        words, space, _ = head.rpartition(" ")
        if space and words:
            head = words
    return head.rstrip(" ,;:") + ELLIPSIS
