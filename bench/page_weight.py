"""What a phone downloads to open the vote page, the first time and the next.

    .venv/bin/python bench/page_weight.py [--accept-encoding "gzip, br"]

Serves the Dakar demo (`flask seed-demo` on a new SQLite database in a temporary folder) with
gunicorn on a free port, signs in as a demo participant through the sign-in form, and opens the
recommendation whose vote is open (`/c/red-talks-dakar-2024/recommendations/<id>`) as a
browser would: the HTML, then every stylesheet, script and image it references, all sent with
``Accept-Encoding: gzip, br`` (Chromium sends ``br`` over HTTPS only: ``--accept-encoding
gzip`` measures a page served over plain HTTP). Counts the bytes of each response as they
cross the network (status line, headers and body as sent, compressed or not; not decoded),
then opens the page again with a browser cache that keeps each static response for as long as
its Cache-Control allows (``max-age``; ``no-cache`` or no max-age: asked again with
``If-None-Match`` / ``If-Modified-Since``) and counts the static requests that second view
still makes. The live connection the page opens (Socket.IO) is not counted: it is not a file.
The last line is one JSON object.
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SLUG = "red-talks-dakar-2024"
PASSWORD = "dakar-demo-2024"


class References(HTMLParser):
    """The files a browser fetches to show a page: stylesheets, scripts, images, icons."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "link" and attributes.get("href") and set(
                (attributes.get("rel") or "").split()) & {"stylesheet", "icon", "preload",
                                                          "modulepreload"}:
            self.urls.append(attributes["href"])
        elif tag in ("script", "img") and attributes.get("src"):
            self.urls.append(attributes["src"])


def wire_bytes(response: requests.Response, body: bytes) -> tuple[int, int]:
    """The response's header bytes (status line and headers as gunicorn writes them) and its
    body bytes as sent."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason}\r\n") + 2
    head += sum(len(name) + 2 + len(value) + 2 for name, value in response.raw.headers.items())
    return head, len(body)


def fetch(session: requests.Session, url: str, **headers) -> tuple[requests.Response, bytes]:
    response = session.get(url, headers=headers,
                           stream=True, allow_redirects=False)
    body = response.raw.read(decode_content=False)
    return response, body


class BrowserCache:
    """Kept responses of static files, fresh for their max-age (HTTP caching, RFC 9111)."""

    def __init__(self):
        self.kept: dict[str, tuple[float, int | None, str | None, str | None]] = {}

    def keep(self, url: str, response: requests.Response) -> None:
        control = response.headers.get("Cache-Control", "")
        if "no-store" in control:
            return
        found = re.search(r"max-age=(\d+)", control)
        max_age = None if "no-cache" in control or not found else int(found.group(1))
        self.kept[url] = (time.monotonic(), max_age, response.headers.get("ETag"),
                          response.headers.get("Last-Modified"))

    def fresh(self, url: str) -> bool:
        if url not in self.kept:
            return False
        stored, max_age, _etag, _modified = self.kept[url]
        return max_age is not None and time.monotonic() - stored < max_age

    def validators(self, url: str) -> dict:
        if url not in self.kept:
            return {}
        _stored, _max_age, etag, modified = self.kept[url]
        return {name: value for name, value in (("If-None-Match", etag),
                                                ("If-Modified-Since", modified)) if value}


def open_page(session, base, path, cache: BrowserCache) -> dict:
    response, body = fetch(session, base + path)
    assert response.status_code == 200, response.status_code
    head, size = wire_bytes(response, body)
    view = {"html": {"bytes": head + size, "body": size,
                     "encoding": response.headers.get("Content-Encoding", "identity")},
            "static": [], "static_requests": 0, "bytes": head + size}
    references = References()
    references.feed(body.decode() if "Content-Encoding" not in response.headers
                    else response.content.decode())
    for reference in dict.fromkeys(references.urls):
        url = urllib.parse.urljoin(base + path, reference)
        if cache.fresh(url):
            view["static"].append({"url": reference, "from": "cache", "bytes": 0})
            continue
        response, body = fetch(session, url, **cache.validators(url))
        assert response.status_code in (200, 304), (url, response.status_code)
        head, size = wire_bytes(response, body)
        cache.keep(url, response)
        view["static_requests"] += 1
        view["bytes"] += head + size
        view["static"].append({
            "url": reference, "status": response.status_code, "bytes": head + size,
            "body": size, "encoding": response.headers.get("Content-Encoding", "identity"),
            "cache_control": response.headers.get("Cache-Control")})
    return view


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accept-encoding", default="gzip, br",
                        help="the browser's Accept-Encoding (default: %(default)s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="page-weight-") as folder:
        environment = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo.db",
                       "SECRET_KEY": "page weight bench", "RATE_LIMITS": "0"}
        for name in ("REDIS_URL", "TEST_DATABASE_URL"):
            environment.pop(name, None)
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=environment, check=True,
                       capture_output=True)
        seeded = subprocess.run([*flask, "seed-demo"], cwd=ROOT, env=environment, check=True,
                                capture_output=True, text=True).stdout
        participant = re.search(r"participant\s+(\S+@\S+)", seeded).group(1)

        import sqlite3

        with sqlite3.connect(f"{folder}/demo.db") as connection:
            (recommendation,) = connection.execute(
                "SELECT recommendation_id FROM vote_rounds WHERE closed_at IS NULL").fetchone()

        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--threads",
             "8", "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=environment,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(base + "/", timeout=5)
                    break
                except requests.RequestException:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)

            session = requests.Session()
            session.headers["Accept-Encoding"] = args.accept_encoding
            page = session.get(base + "/account/sign-in").text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            signed_in = session.post(base + "/account/sign-in", allow_redirects=False, data={
                "csrf_token": token, "email": participant, "password": PASSWORD})
            assert signed_in.status_code == 302, signed_in.status_code

            path = f"/c/{SLUG}/recommendations/{recommendation}"
            cache = BrowserCache()
            first = open_page(session, base, path, cache)
            repeat = open_page(session, base, path, cache)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)

    print(f"Vote page {path}, signed in as {participant}, "
          f"Accept-Encoding: {args.accept_encoding}")
    for name, view in (("First load", first), ("Repeat view", repeat)):
        print(f"\n{name}: {view['bytes']:,} bytes transferred, "
              f"{view['static_requests']} static requests")
        html = view["html"]
        print(f"  {'HTML':<48} {html['bytes']:>7,} ({html['encoding']}, body {html['body']:,})")
        for item in view["static"]:
            if item.get("from") == "cache":
                print(f"  {item['url']:<48} {'cache':>7}")
            else:
                print(f"  {item['url']:<48} {item['bytes']:>7,} ({item['status']}, "
                      f"{item['encoding']}, body {item['body']:,}; {item['cache_control']})")
    print(json.dumps({"accept_encoding": args.accept_encoding,
                      "first_load_bytes": first["bytes"],
                      "first_load_static_requests": first["static_requests"],
                      "repeat_view_bytes": repeat["bytes"],
                      "repeat_view_static_requests": repeat["static_requests"]}))


if __name__ == "__main__":
    main()
