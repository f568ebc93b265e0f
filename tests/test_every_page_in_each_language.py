"""Every page of the portal, in each of its languages: the page says which language it is in and
which way it runs, and no message of the interface is left in English."""

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po

from demo import DEMO_PASSWORD
from portal import catalogs
from tests.conftest import sign_in, submit
from tests.test_every_page import demo, page_paths  # noqa: F401  (the demo consultation)

LOCALES = ["en", "fr", "es", "ar", "pt"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


class ReadableText(HTMLParser):
    """What a reader sees or hears of a page in the page's language: its text and its
    labelling attributes, leaving out scripts and whatever is marked as in another language
    (an outcome document in the language it is compiled in, say)."""

    ATTRIBUTES = {"aria-label", "title", "placeholder", "alt", "value"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, whether its text counts)

    def _counts(self) -> bool:
        return not self._open or self._open[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        counts = self._counts() and tag not in {"script", "style"}
        if self._open and "lang" in attributes:
            counts = counts and attributes["lang"] == self._page_language
        if tag == "html":
            self._page_language = attributes.get("lang")
        if counts:
            for name, value in attrs:
                if value and (name in self.ATTRIBUTES or name.startswith("data-text-")) and (
                        name != "value" or tag in {"button", "input"}):
                    self.parts.append(value)
        if tag not in self.VOID:
            self._open.append((tag, counts))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        if self._counts():
            self.parts.append(data)


def readable_text(html: str) -> str:
    parser = ReadableText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def english_sentences(locale: str) -> set[str]:
    """The interface's English messages of a few words that the catalog says differently."""
    with open(catalogs.catalog_path(locale), "rb") as handle:
        catalog = read_po(handle, locale=locale)
    found = set()
    for message in catalog:
        if not message.id or isinstance(message.id, tuple) or message.string == message.id:
            continue
        for piece in PLACEHOLDER.split(message.id):
            piece = piece.strip(" .,:;“”()")
            if len(piece.split()) >= 3:
                found.add(piece)
    return found


@pytest.fixture(scope="module")
def english(request):
    return {locale: english_sentences(locale) for locale in catalogs.TRANSLATED}


def html_pages(client, app, ids):
    for path in page_paths(app, ids):
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            yield path, response.get_data(as_text=True)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("email", ["facilitator@redtalks.example", None])
def test_every_page_is_in_the_readers_language_and_direction(demo, english, locale, email):  # noqa: F811
    app, ids = demo
    client = app.test_client()
    if email:
        assert sign_in(client, email, DEMO_PASSWORD).status_code == 302
    submit(client, "/language", {"locale": locale, "next": "/"}, form_path="/")
    direction = "rtl" if locale == "ar" else "ltr"

    checked, leftovers = [], {}
    try:
        for path, html in html_pages(client, app, ids):
            checked.append(path)
            assert f'<html lang="{locale}" dir="{direction}"' in html, path
            if locale != "en":
                text = readable_text(html)
                left = sorted(sentence for sentence in english[locale] if sentence in text)
                if left:
                    leftovers[path] = left
    finally:
        if email:
            # The demo's facilitator works in English for the other tests of the module.
            submit(client, "/language", {"locale": "en", "next": "/"}, form_path="/")

    assert len(checked) >= (25 if email else 4)
    assert not leftovers, "\n".join(f"{path}: {left}" for path, left in leftovers.items())
