"""The portal's CSS and JavaScript: hashed names, a year in the browser's cache, compressed on
the way, and a vote page a phone opens with at most 40 KB."""

import gzip
import hashlib
import re
import shutil
from pathlib import Path

import brotli
import pytest
from sqlalchemy import select

from portal import create_app
from portal.extensions import db
from portal.static_files import IMMUTABLE
from recommendations.models import VoteRound
from tests.conftest import FreshContextClient, sign_in, suite_settings
from tests.databases import scratch_database

STATIC = Path(__file__).resolve().parent.parent / "portal" / "static"
HASHED = re.compile(r"/static/(?P<stem>[^\"']+)\.(?P<digest>[0-9a-f]{12})(?P<extension>\.\w+)")
#: The stylesheets and scripts a page loads (the icon is asked for apart, once per site).
STATIC_LINK = re.compile(r"""(?:<script src|<link rel="stylesheet" href)="(/static/[^"]+)\"""")
DEMO_PASSWORD = "dakar-demo-2024"
PARTICIPANT = "participant02@redtalks.example"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The Dakar demo, and the path of its recommendation whose vote is open."""
    directory = tmp_path_factory.mktemp("static-demo")
    with scratch_database(directory, "static") as url:
        application = create_app(suite_settings(url))
        application.test_client_class = FreshContextClient
        result = application.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        with application.app_context():
            recommendation = db.session.scalar(
                select(VoteRound.recommendation_id).where(VoteRound.closed_at.is_(None)))
        yield application, f"/c/red-talks-dakar-2024/recommendations/{recommendation}"
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def participant(application):
    client = application.test_client()
    assert sign_in(client, PARTICIPANT, DEMO_PASSWORD).status_code == 302
    return client


def static_links(page: str) -> list[str]:
    return STATIC_LINK.findall(page)


def stylesheet(page: str) -> str:
    (link,) = [link for link in static_links(page) if link.endswith(".css")]
    return link


def original(link: str) -> bytes:
    """The file on disk a hashed link names."""
    match = HASHED.fullmatch(link)
    return (STATIC / (match["stem"] + match["extension"])).read_bytes()


def wire_size(response) -> int:
    """The bytes of a response on the network: status line, headers and body as sent."""
    head = len(f"HTTP/1.1 {response.status}\r\n") + 2
    head += sum(len(name) + len(value) + 4 for name, value in response.headers.items())
    return head + len(response.get_data())


def test_the_vote_page_links_its_css_and_scripts_by_names_that_carry_their_content(demo):
    application, path = demo
    client = participant(application)

    page = client.get(path).get_data(as_text=True)

    links = static_links(page)
    assert {HASHED.fullmatch(link)["stem"] for link in links} == {
        "css/portal", "vendor/socket.io.min", "js/live", "js/voting", "js/forms", "js/vote_banner"}
    for link in links:
        digest = hashlib.sha256(original(link)).hexdigest()[:12]
        assert HASHED.fullmatch(link)["digest"] == digest
        response = client.get(link)
        assert response.status_code == 200
        assert response.get_data() == original(link)


def test_hashed_files_are_kept_a_year_without_asking_again_even_for_a_signed_in_person(demo):
    application, path = demo
    client = participant(application)
    links = static_links(client.get(path).get_data(as_text=True))

    for link in links:
        response = client.get(link, headers={"Accept-Encoding": "gzip, br"})
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # Nothing that depends on the person: a changed session cookie does not make the
        # browser ask again, and no cookie is set by a file.
        assert "Cookie" not in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
        # The page's Content-Security-Policy still comes with every response.
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    types = {HASHED.fullmatch(link)["extension"]: client.get(link).headers["Content-Type"]
             for link in links}
    assert types == {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


def test_files_are_sent_compressed_when_the_browser_accepts_it_and_decode_to_the_file(demo):
    application, path = demo
    client = participant(application)
    links = static_links(client.get(path).get_data(as_text=True))

    for link in links:
        content = original(link)
        zipped = client.get(link, headers={"Accept-Encoding": "gzip, deflate"})
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["Vary"]
        assert gzip.decompress(zipped.get_data()) == content
        assert int(zipped.headers["Content-Length"]) < len(content) / 2

        # The brotli copies built by `make setup` (scripts/build-assets.mjs).
        squeezed = client.get(link, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert squeezed.headers["Content-Encoding"] == "br"
        assert brotli.decompress(squeezed.get_data()) == content
        assert len(squeezed.get_data()) <= len(zipped.get_data())

        plain = client.get(link, headers={"Accept-Encoding": "identity"})
        assert "Content-Encoding" not in plain.headers
        assert plain.get_data() == content


def test_plain_file_urls_still_work_and_are_checked_again_before_each_use(demo):
    application, _path = demo
    client = application.test_client()

    response = client.get("/static/css/portal.css", headers={"Accept-Encoding": "gzip"})

    assert response.status_code == 200
    assert gzip.decompress(response.get_data()) == (STATIC / "css/portal.css").read_bytes()
    assert response.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/static/css/portal.css", headers={
        "Accept-Encoding": "gzip", "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/static/css/nothing.css").status_code == 404
    assert client.get("/static/../config.py").status_code == 404


def test_a_changed_file_gets_a_new_url_and_the_old_url_is_no_longer_kept(tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    with scratch_database(tmp_path, "changed") as url:
        application = create_app(suite_settings(url, STATIC_FOLDER=str(folder)))
        application.test_client_class = FreshContextClient
        client = application.test_client()
        before = stylesheet(client.get("/account/sign-in").get_data(as_text=True))

        on_disk = folder / "css" / "portal.css"
        changed = on_disk.read_bytes() + b"\n.banner { color: #b00; }\n"
        on_disk.write_bytes(changed)
        after = stylesheet(client.get("/account/sign-in").get_data(as_text=True))

        assert before != after
        assert HASHED.fullmatch(after)["stem"] == "css/portal"
        new = client.get(after, headers={"Accept-Encoding": "gzip"})
        assert gzip.decompress(new.get_data()) == changed
        assert new.headers["Cache-Control"] == IMMUTABLE
        # A page made before the change still gets a stylesheet, never kept as the old one.
        old = client.get(before, headers={"Accept-Encoding": "gzip"})
        assert gzip.decompress(old.get_data()) == changed
        assert old.headers["Cache-Control"] == "public, no-cache"
        with application.app_context():
            db.engine.dispose()


def test_a_phone_opens_the_vote_page_with_at_most_40_kb(demo):
    """A size budget: the page and every file it loads, as sent to a browser that accepts
    gzip only (Chromium over plain HTTP; brotli, over HTTPS, is smaller)."""
    application, path = demo
    client = participant(application)
    gzip_only = {"Accept-Encoding": "gzip, deflate"}

    page = client.get(path, headers=gzip_only)
    files = [client.get(link, headers=gzip_only) for link in static_links(page.get_data(True))]

    assert len(files) == 6
    assert wire_size(page) + sum(wire_size(file) for file in files) <= 40 * 1000


def test_a_damaged_compressed_copy_is_never_sent(tmp_path):
    built = tmp_path / "static-build"
    digest = hashlib.sha256((STATIC / "css/portal.css").read_bytes()).hexdigest()[:12]
    (built / "css").mkdir(parents=True)
    (built / f"css/portal.{digest}.css.br").write_bytes(b"half a brotli stream")
    (built / f"css/portal.{digest}.css.gz").write_bytes(gzip.compress(b"another file")[:-4])
    with scratch_database(tmp_path, "damaged") as url:
        application = create_app(suite_settings(url, STATIC_BUILD_FOLDER=str(built)))
        application.test_client_class = FreshContextClient
        client = application.test_client()
        link = stylesheet(client.get("/account/sign-in").get_data(as_text=True))

        response = client.get(link, headers={"Accept-Encoding": "gzip, br"})

        # The portal compresses the file itself instead.
        assert link == f"/static/css/portal.{digest}.css"
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.get_data()) == original(link)
        with application.app_context():
            db.engine.dispose()
