"""Comment bodies render a small Markdown subset to safe HTML, and excerpts are plain text."""

import re
from html.parser import HTMLParser

import pytest
from markupsafe import Markup

from consultations.markup import (
    ALLOWED_TAGS,
    ELLIPSIS,
    LINK_REL,
    MAX_MARKUP,
    MAX_NESTING,
    URL_SCHEMES,
    comment_excerpt,
    render_comment,
)

REL = f'rel="{LINK_REL}"'


class _Elements(HTMLParser):
    """Collects every element, comment and declaration in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.others: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.others.append(f"comment {data}")

    def handle_decl(self, decl):
        self.others.append(f"declaration {decl}")

    def handle_pi(self, data):
        self.others.append(f"processing instruction {data}")

    def unknown_decl(self, data):
        self.others.append(f"declaration {data}")


def parse_elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


_IGNORED_IN_SCHEMES = re.compile(r"[\x00-\x20\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def url_scheme(href: str) -> str | None:
    """The scheme a browser would see in ``href``: whitespace and controls dropped, lower-cased."""
    match = re.match(r"([a-z][a-z0-9+.\-]*):", _IGNORED_IN_SCHEMES.sub("", href).lower())
    return match.group(1) if match else None


def assert_harmless(html: str) -> None:
    """Nothing in ``html`` can run script, load content or style the page."""
    assert "<script" not in html.lower()
    parsed = parse_elements(html)
    assert parsed.others == []
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAGS
        names = [name for name, _ in attrs]
        assert not [name for name in names if name.startswith("on")]
        assert "style" not in names
        assert "target" not in names
        if tag == "a":
            assert sorted(names) == ["href", "rel"]
            href = dict(attrs)["href"] or ""
            assert url_scheme(href) in URL_SCHEMES
        else:
            assert names == []


# The subset renders.


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("**bold**", "<p><strong>bold</strong></p>"),
        ("__bold__", "<p><strong>bold</strong></p>"),
        ("*italic* and _italic_", "<p><em>italic</em> and <em>italic</em></p>"),
        ("***both***", "<p><em><strong>both</strong></em></p>"),
        ("**a *b* c**", "<p><strong>a <em>b</em> c</strong></p>"),
        ("snake_case_name", "<p>snake_case_name</p>"),
        ("2 * 3 * 4", "<p>2 * 3 * 4</p>"),
        ("`x < y`", "<p><code>x &lt; y</code></p>"),
        ("`` a ` b ``", "<p><code>a ` b</code></p>"),
        ("`**not bold**`", "<p><code>**not bold**</code></p>"),
        ("\\*not italic\\*", "<p>*not italic*</p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("one\r\ntwo", "<p>one<br>\ntwo</p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("* a\n* b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>"),
        ("- a\n\n- b", "<ul>\n<li><p>a</p></li>\n<li><p>b</p></li>\n</ul>"),
        (
            "- a\n  - b\n- c",
            "<ul>\n<li>a\n<ul>\n<li>b</li>\n</ul></li>\n<li>c</li>\n</ul>",
        ),
        ("Steps:\n1. one", "<p>Steps:</p>\n<ol>\n<li>one</li>\n</ol>"),
        ("2024. was a year", "<p>2024. was a year</p>"),
        ("> quoted\n> text", "<blockquote>\n<p>quoted<br>\ntext</p>\n</blockquote>"),
        (
            "> a\n>\n> > b",
            "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>",
        ),
        (
            "[the agenda](https://example.org/agenda)",
            f'<p><a href="https://example.org/agenda" {REL}>the agenda</a></p>',
        ),
        (
            "[**bold** link](https://example.org)",
            f'<p><a href="https://example.org" {REL}><strong>bold</strong> link</a></p>',
        ),
        (
            "[write](mailto:secretariat@example.org)",
            f'<p><a href="mailto:secretariat@example.org" {REL}>write</a></p>',
        ),
        (
            "See https://example.org/a?b=1&c=2.",
            f'<p>See <a href="https://example.org/a?b=1&amp;c=2" {REL}>'
            "https://example.org/a?b=1&amp;c=2</a>.</p>",
        ),
        (
            "(https://en.wikipedia.org/wiki/Red_(colour))",
            f'<p>(<a href="https://en.wikipedia.org/wiki/Red_(colour)" {REL}>'
            "https://en.wikipedia.org/wiki/Red_(colour)</a>)</p>",
        ),
        (
            "<https://example.org>",
            f'<p><a href="https://example.org" {REL}>https://example.org</a></p>',
        ),
        (
            "[https://shown.example](https://target.example)",
            f'<p><a href="https://target.example" {REL}>https://shown.example</a></p>',
        ),
        ("# Not a heading", "<p># Not a heading</p>"),
        ("Title\n===", "<p>Title<br>\n===</p>"),
        ("| a | b |\n|---|---|", "<p>| a | b |<br>\n|---|---|</p>"),
        (
            "![chart](https://example.org/c.png)",
            f'<p>!<a href="https://example.org/c.png" {REL}>chart</a></p>',
        ),
        ("[relative](/consultations/1)", "<p>[relative](/consultations/1)</p>"),
        ("[ftp](ftp://example.org/file)", "<p>[ftp](ftp://example.org/file)</p>"),
        ("", ""),
    ],
)
def test_subset_renders_to_exact_html(text, html):
    assert render_comment(text) == html


def test_render_returns_markup_that_templates_do_not_escape_again():
    rendered = render_comment("**hi** <b>")
    assert isinstance(rendered, Markup)
    assert Markup("<div>{}</div>").format(rendered) == (
        "<div><p><strong>hi</strong> &lt;b&gt;</p></div>"
    )


def test_rendering_is_deterministic():
    text = "**a** [b](https://example.org) https://example.com\n\n> - c\n> - d"
    assert len({render_comment(text) for _ in range(5)}) == 1


# Raw HTML is shown as text.


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<b>hi</b>", "<p>&lt;b&gt;hi&lt;/b&gt;</p>"),
        ("a <i>b</i> c", "<p>a &lt;i&gt;b&lt;/i&gt; c</p>"),
        ("<p>x</p>", "<p>&lt;p&gt;x&lt;/p&gt;</p>"),
        ("&lt;b&gt; &copy;", "<p>&amp;lt;b&amp;gt; &amp;copy;</p>"),
        ("<!-- note -->", "<p>&lt;!-- note --&gt;</p>"),
    ],
)
def test_raw_html_is_shown_as_text(text, html):
    assert render_comment(text) == html


# Hostile input.

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg/onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](  javascript:alert(1))",
    "[x](java\nscript:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](//evil.example)",
    '[x](https://ok.example"onmouseover="alert(1))',
    "[x](https://ok.example/'onmouseover='alert(1))",
    '[x](https://ok.example/ "title" onclick=alert(1))',
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    '<a href="javascript:alert(1)">x</a>',
    "<a href=https://ok.example target=_blank>x</a>",
    "<iframe src=//evil>",
    "<object data=x>",
    "<embed src=x>",
    '<math><mi xlink:href="javascript:alert(1)">',
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<style>@import 'x'</style>",
    '<div style="background:url(javascript:alert(1))">',
    '"><script>alert(1)</script>',
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    '<a href="\x01javascript:alert(1)">',
    "<form action=javascript:alert(1)><input type=submit>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    "<link rel=stylesheet href=x>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<!-- <script>alert(1)</script> -->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "![x](javascript:alert(1))",
    "![x](https://evil.example/x.png)",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    '<mailto:x@example.org"onclick=alert(1)>',
    'https://ok.example/"><script>alert(1)</script>',
    "https://ok.example/<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "`<script>alert(1)</script>`",
    "**<script>alert(1)</script>**",
    "\\<script>alert(1)\\</script>",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<x onclick=alert(1)>click</x>",
    "\x00<script>alert(1)</script>",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_renders_harmless(payload):
    assert_harmless(render_comment(payload))


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_payload_inside_markup_renders_harmless(payload):
    assert_harmless(render_comment(f"> - **{payload}** [{payload}](https://ok.example) {payload}"))


def test_control_characters_are_dropped():
    assert render_comment("a\x00b\x1bc\x7f") == "<p>abc</p>"
    assert comment_excerpt("a\x00b\x1bc") == "abc"


def test_image_syntax_makes_no_img_tag():
    html = render_comment("![x](https://evil.example/x.png)")
    assert [tag for tag, _ in parse_elements(html).elements] == ["p", "a"]


def test_unsafe_link_target_is_left_as_text():
    assert render_comment("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


# Links.


@pytest.mark.parametrize(
    "text",
    [
        "[a](https://example.org)",
        "https://example.org",
        "<https://example.org>",
        "[a](http://example.org)",
        "[a](mailto:a@example.org)",
        "[a](HTTPS://EXAMPLE.ORG)",
    ],
)
def test_links_get_nofollow_noopener_noreferrer_and_no_target(text):
    elements = parse_elements(render_comment(text)).elements
    links = [dict(attrs) for tag, attrs in elements if tag == "a"]
    assert len(links) == 1
    assert links[0]["rel"] == "nofollow noopener noreferrer"
    assert "target" not in links[0]


def test_bare_urls_inside_link_text_and_code_are_not_linked_again():
    html = render_comment("[see https://a.example](https://b.example) `https://c.example`")
    assert html.count("<a ") == 1
    assert "<code>https://c.example</code>" in html


# Hostile sizes.

TWENTY_THOUSAND = 20_000


def _sized(unit: str) -> str:
    return (unit * (TWENTY_THOUSAND // len(unit) + 1))[:TWENTY_THOUSAND]


HOSTILE_BODIES = {
    "prose": _sized("Participants discussed **migration** and *health*, see https://ex.org. "),
    "stars": _sized("*"),
    "star_letter": _sized("*a"),
    "mixed_delimiters": _sized("*_"),
    "underscore_star": _sized("*a_"),
    "open_brackets": _sized("["),
    "link_starts": _sized("[a]("),
    "link_titles": _sized('[a](https://x "'),
    "backticks": _sized("`a``"),
    "angle_brackets": _sized("<a"),
    "escapes": _sized("\\*"),
    "urls": _sized("https://a.example/("),
    "url_closing_parens": "https://a.example/" + _sized(")"),
    "line_breaks": _sized("*a\n"),
    "list_items": _sized("- a\n"),
    "lazy_lines": "- a\n" + _sized("b\n"),
    "quotes": _sized(">"),
    "quote_lines": _sized("> "),
    "list_markers": _sized("- "),
    "quoted_lists": _sized("> 1. "),
    "indented_lists": "".join(" " * (depth % 40) + "- a\n" for depth in range(1000)),
    "blank_lines": "- a\n" + "\n" * TWENTY_THOUSAND + "  b",
}


@pytest.mark.parametrize("body", HOSTILE_BODIES.values(), ids=HOSTILE_BODIES.keys())
def test_hostile_bodies_render_harmlessly(body):
    assert_harmless(render_comment(body))
    assert len(comment_excerpt(body)) <= 140


def test_five_thousand_nested_quotes_render_capped():
    html = render_comment(">" * 5000 + " deep")
    assert html.count("<blockquote>") == MAX_NESTING
    assert html.count("</blockquote>") == MAX_NESTING
    assert html.endswith("&gt; deep</p>" + "\n</blockquote>" * MAX_NESTING)


def test_five_thousand_nested_list_markers_render_capped():
    html = render_comment("- " * 5000 + "deep")
    assert html.count("<ul>") == MAX_NESTING
    assert "- deep</li>" in html


def test_deeply_indented_lists_render_capped():
    body = "".join("  " * depth + "- item\n" for depth in range(140))
    html = render_comment(body)
    assert html.count("<ul>") == MAX_NESTING
    assert html.count("item") == 140


def test_markup_past_the_budget_is_shown_as_typed():
    html = render_comment("**a** " * MAX_MARKUP)
    assert html.startswith("<p><strong>a</strong> <strong>a</strong>")
    assert html.endswith("**a** **a**</p>")


# Excerpts.


def test_excerpt_strips_markup():
    text = (
        "**Hello** *everyone*,\n\nsee [the agenda](https://example.org/a) and `item 3`.\n\n"
        "> quoted <b>text</b>\n\n- one\n- two"
    )
    assert comment_excerpt(text) == (
        "Hello everyone, see the agenda and item 3. quoted <b>text</b> one two"
    )


def test_excerpt_keeps_bare_urls_as_text():
    assert comment_excerpt("Read https://example.org/report.") == "Read https://example.org/report."


def test_short_excerpt_is_unchanged():
    assert comment_excerpt("A short comment.") == "A short comment."


def test_excerpt_cuts_on_a_word_boundary():
    text = "The delegation from the region supported the proposal on data sharing"
    excerpt = comment_excerpt(text, length=30)
    assert excerpt == "The delegation from the" + ELLIPSIS
    assert len(excerpt) <= 30


def test_excerpt_does_not_end_on_punctuation_before_the_ellipsis():
    assert comment_excerpt("First, second, third, fourth", length=16) == "First, second" + ELLIPSIS


def test_excerpt_cuts_a_single_long_word():
    excerpt = comment_excerpt("x" * 500, length=20)
    assert excerpt == "x" * 19 + ELLIPSIS


def test_default_excerpt_is_at_most_140_characters():
    excerpt = comment_excerpt("word " * 200)
    assert len(excerpt) <= 140
    assert excerpt.endswith("word" + ELLIPSIS)


def test_excerpt_rejects_a_length_below_one():
    with pytest.raises(ValueError, match="length"):
        comment_excerpt("text", length=0)
