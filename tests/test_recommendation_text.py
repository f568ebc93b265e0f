"""The text of recommendation versions: word diffs, bracketed passages and numbered lines
(recommendations.text)."""

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from recommendations.text import (
    DiffPart,
    bracketed_passages,
    diff_html,
    has_open_brackets,
    numbered_lines,
    word_diff,
)

PROPERTY = settings(max_examples=200, deadline=None, database=None)

WORDS = (
    "the",
    "States",
    "shall",
    "protect",
    "migrants",
    "réfugiés",
    "sécurité",
    "Côte d'Ivoire",
    "naïve",
    "élève",
    "الهجرة",
    "اللاجئين",
    "حماية",
    "مُهاجِر",
    "[urge]",
    "<script>alert(1)</script>",
    "&amp;",
    "42",
)
SEPARATORS = (" ", "  ", ", ", ". ", "\n", "\r\n", "\n\n", "\t", " — ", "; ", "")

#: Draft-like texts: words from three languages, punctuation, markup-like text and newlines.
drafts = st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)), max_size=30).map(
    lambda pairs: "".join(word + separator for word, separator in pairs)
)

#: Any text at all, with newlines, brackets, Arabic and accented letters made more likely.
texts = st.one_of(
    drafts,
    st.text(),
    st.text(alphabet=st.sampled_from("ab é\u0301ç\nا\u064fل\r[]<>&'\"")),
)

MARK_TAGS = re.compile(r'<mark class="bracketed">|</mark>')


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _old_side(parts: list[DiffPart]) -> str:
    return "".join(part.text for part in parts if part.kind in ("same", "removed"))


def _new_side(parts: list[DiffPart]) -> str:
    return "".join(part.text for part in parts if part.kind in ("same", "added"))


# word_diff


@PROPERTY
@given(old=texts, new=texts)
def test_word_diff_rebuilds_both_versions_exactly(old, new):
    parts = word_diff(old, new)
    assert _old_side(parts) == old
    assert _new_side(parts) == new


@PROPERTY
@given(old=texts, new=texts)
def test_word_diff_parts_are_merged_and_never_empty(old, new):
    parts = word_diff(old, new)
    assert all(part.text for part in parts)
    assert all(a.kind != b.kind for a, b in zip(parts, parts[1:], strict=False))


@PROPERTY
@given(old=texts, new=texts)
def test_word_diff_is_deterministic(old, new):
    assert word_diff(old, new) == word_diff(old, new)


@PROPERTY
@given(text=texts)
def test_word_diff_of_identical_texts_is_all_same(text):
    parts = word_diff(text, text)
    assert all(part.kind == "same" for part in parts)
    assert _old_side(parts) == text


def test_word_diff_shows_a_replaced_word_as_removed_then_added():
    assert word_diff("States shall protect migrants", "States should protect migrants") == [
        DiffPart("same", "States "),
        DiffPart("removed", "shall"),
        DiffPart("added", "should"),
        DiffPart("same", " protect migrants"),
    ]


def test_word_diff_compares_whole_words_not_characters():
    parts = word_diff("protection des réfugiés", "protection des réfugiées")
    assert DiffPart("removed", "réfugiés") in parts
    assert DiffPart("added", "réfugiées") in parts


def test_word_diff_keeps_arabic_words_with_their_vowel_marks():
    parts = word_diff("حماية مُهاجِر", "حماية مهاجر")
    assert parts == [
        DiffPart("same", "حماية "),
        DiffPart("removed", "مُهاجِر"),
        DiffPart("added", "مهاجر"),
    ]


def test_word_diff_reports_pure_insertions_and_deletions():
    assert word_diff("a c", "a b c") == [
        DiffPart("same", "a "),
        DiffPart("added", "b "),
        DiffPart("same", "c"),
    ]
    assert word_diff("a b c", "a c") == [
        DiffPart("same", "a "),
        DiffPart("removed", "b "),
        DiffPart("same", "c"),
    ]


def test_word_diff_of_empty_texts():
    assert word_diff("", "") == []
    assert word_diff("", "new text") == [DiffPart("added", "new text")]
    assert word_diff("old text", "") == [DiffPart("removed", "old text")]


def test_diff_parts_are_immutable():
    part = DiffPart("same", "text")
    with pytest.raises(AttributeError):
        part.text = "other"  # type: ignore[misc]


# diff_html


def test_diff_html_wraps_a_changed_word_in_del_then_ins():
    result = diff_html("States shall protect", "States should protect")
    assert isinstance(result, Markup)
    assert result == "States <del>shall</del><ins>should</ins> protect"


def test_diff_html_of_identical_texts_has_no_ins_or_del():
    text = "States shall [urge] protection,\nand more."
    result = diff_html(text, text)
    assert "<ins>" not in result
    assert "<del>" not in result
    assert result == "States shall [urge] protection,\nand more."


def test_diff_html_keeps_line_breaks_as_newlines():
    assert diff_html("one\r\ntwo", "one\ntwo\nthree") == "one\ntwo<ins>\nthree</ins>"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("safe text", "safe <script>alert(1)</script> text"),
        ("safe <script>alert(1)</script> text", "safe text"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ],
)
def test_diff_html_escapes_script_in_either_text(old, new):
    result = diff_html(old, new)
    assert "<script>" not in result
    assert "&lt;script&gt;" in result


def test_diff_html_escapes_ampersands_and_quotes():
    result = diff_html('a & "b"', "a & 'b'")
    assert "&amp;" in result
    assert '"' not in result.replace("<del>", "").replace("<ins>", "")


@PROPERTY
@given(old=texts, new=texts)
def test_diff_html_reads_back_as_either_version(old, new):
    result = str(diff_html(old, new))
    assert re.sub(r"</?(?:ins|del)>", "", result).count("<") == 0
    as_old = re.sub(r"<ins>.*?</ins>", "", result, flags=re.DOTALL)
    as_new = re.sub(r"<del>.*?</del>", "", result, flags=re.DOTALL)
    assert html.unescape(re.sub(r"</?del>", "", as_old)) == _normalised(old)
    assert html.unescape(re.sub(r"</?ins>", "", as_new)) == _normalised(new)


# bracketed passages


def _passages(text: str) -> list[str]:
    return [text[start:end] for start, end in bracketed_passages(text)]


def test_a_simple_bracketed_passage():
    text = "States shall [urgently] act."
    assert bracketed_passages(text) == [(13, 23)]
    assert _passages(text) == ["[urgently]"]
    assert has_open_brackets(text)


def test_several_bracketed_passages_in_order():
    text = "[States] shall [urgently] act [now]."
    assert _passages(text) == ["[States]", "[urgently]", "[now]"]


def test_nested_brackets_count_as_one_passage():
    text = "States shall [act [urgently] and [firmly]] now [x]"
    assert _passages(text) == ["[act [urgently] and [firmly]]", "[x]"]


def test_a_passage_may_span_lines():
    assert _passages("a [b\nc] d") == ["[b\nc]"]


@pytest.mark.parametrize("text", ["a [b", "a ] b", "a ] [ b", "]["])
def test_an_unmatched_bracket_makes_no_passage_but_keeps_the_text_open(text):
    assert bracketed_passages(text) == []
    assert has_open_brackets(text)


def test_unmatched_brackets_leave_matched_pairs_as_passages():
    assert _passages("a [b [c] d") == ["[c]"]
    assert _passages("[a] b] c") == ["[a]"]
    assert has_open_brackets("a [b [c] d")


@pytest.mark.parametrize("text", ["", "States shall act.", "no brackets\nat all", "(a) {b}"])
def test_text_without_brackets_is_not_open(text):
    assert bracketed_passages(text) == []
    assert not has_open_brackets(text)


@PROPERTY
@given(text=texts)
def test_bracketed_passages_are_balanced_ordered_and_disjoint(text):
    passages = bracketed_passages(text)
    previous_end = 0
    for start, end in passages:
        assert previous_end <= start < end
        passage = text[start:end]
        assert passage.startswith("[")
        assert passage.endswith("]")
        assert passage.count("[") == passage.count("]")
        previous_end = end
    if passages:
        assert has_open_brackets(text)
    if "[" not in text and "]" not in text:
        assert not has_open_brackets(text)


# numbered_lines


def test_numbered_lines_are_numbered_from_one():
    assert numbered_lines("first\nsecond\n\nfourth") == [
        (1, "first"),
        (2, "second"),
        (3, ""),
        (4, "fourth"),
    ]
    assert all(isinstance(line, Markup) for _, line in numbered_lines("a\nb"))


def test_numbered_lines_of_an_empty_text():
    assert numbered_lines("") == []


def test_numbered_lines_normalise_windows_line_breaks():
    assert numbered_lines("first\r\nsecond\r\nthird") == [
        (1, "first"),
        (2, "second"),
        (3, "third"),
    ]
    assert numbered_lines("a\rb") == [(1, "a"), (2, "b")]


def test_numbered_lines_mark_bracketed_passages():
    assert numbered_lines("States shall [urgently] act [now].") == [
        (
            1,
            'States shall <mark class="bracketed">[urgently]</mark> act '
            '<mark class="bracketed">[now]</mark>.',
        )
    ]


def test_numbered_lines_mark_nested_brackets_once():
    assert numbered_lines("a [b [c] d] e") == [(1, 'a <mark class="bracketed">[b [c] d]</mark> e')]


def test_a_mark_spanning_lines_is_closed_and_reopened_on_each_line():
    assert numbered_lines("States [shall\nurgently\r\nact] now") == [
        (1, 'States <mark class="bracketed">[shall</mark>'),
        (2, '<mark class="bracketed">urgently</mark>'),
        (3, '<mark class="bracketed">act]</mark> now'),
    ]


def test_an_empty_line_inside_a_passage_gets_no_empty_mark():
    assert numbered_lines("[a\n\nb]") == [
        (1, '<mark class="bracketed">[a</mark>'),
        (2, ""),
        (3, '<mark class="bracketed">b]</mark>'),
    ]


def test_numbered_lines_leave_unmatched_brackets_unmarked():
    assert numbered_lines("a [b\nc ] d ]") == [
        (1, 'a <mark class="bracketed">[b</mark>'),
        (2, '<mark class="bracketed">c ]</mark> d ]'),
    ]
    assert numbered_lines("a [b") == [(1, "a [b")]


def test_numbered_lines_escape_user_text_inside_and_outside_marks():
    lines = numbered_lines('<script>x</script> & [<b>"bold"</b>]\n<i>')
    assert lines == [
        (
            1,
            "&lt;script&gt;x&lt;/script&gt; &amp; "
            '<mark class="bracketed">[&lt;b&gt;&#34;bold&#34;&lt;/b&gt;]</mark>',
        ),
        (2, "&lt;i&gt;"),
    ]


@PROPERTY
@given(text=texts)
def test_numbered_lines_read_back_as_the_text(text):
    lines = numbered_lines(text)
    assert [number for number, _ in lines] == list(range(1, len(lines) + 1))
    unmarked = [MARK_TAGS.sub("", line) for _, line in lines]
    assert all("<" not in line for line in unmarked)
    assert "\n".join(html.unescape(line) for line in unmarked) == _normalised(text)
