"""Every response tells the browser to run the portal's own files only, never to frame it and
never to guess a download's type; cookies are Secure when the portal is served over HTTPS."""

from html.parser import HTMLParser

import pytest

from portal import create_app
from portal.extensions import db
from portal.security import content_security_policy, own_origin, parse_origins
from tests.conftest import FreshContextClient, csrf_token_from, sign_in, submit, suite_settings
from tests.test_every_page import demo, page_paths  # noqa: F401  (the demo consultation)

DEMO_PEOPLE = ["facilitator@redtalks.example", "participant02@redtalks.example",
               "secretariat@redtalks.example", "admin@redtalks.example", None]


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {name: value for name, _space, value in
            (part.strip().partition(" ") for part in policy.split(";"))}


def assert_protected(path: str, response) -> None:
    policy = directives(response)
    assert policy["script-src"] == "'self'", path
    assert policy["style-src"] == "'self'", path
    assert policy["object-src"] == "'none'", path
    assert policy["frame-ancestors"] == "'none'", path
    assert policy["base-uri"] == "'self'", path
    assert policy["form-action"] == "'self'", path
    assert "unsafe" not in response.headers["Content-Security-Policy"], path
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["X-Frame-Options"] == "DENY", path
    assert response.headers["Referrer-Policy"] == "same-origin", path
    # The check-in page scans badges with the camera; no other page may use it.
    camera = "camera=(self)" if path.endswith("/check-in") and response.status_code == 200 \
        else "camera=()"
    assert camera in response.headers["Permissions-Policy"], path
    assert "microphone=()" in response.headers["Permissions-Policy"], path
    # Served over plain HTTP here: HSTS would be ignored, and is only sent over HTTPS.
    assert "Strict-Transport-Security" not in response.headers, path


class InlineCode(HTMLParser):
    """What a Content-Security-Policy without 'unsafe-inline' would refuse to run or apply."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name.lower() for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style> element")
        self.found += [f"{name}= on <{tag}>" for name in names
                       if name.startswith("on") or name == "style"]
        href = dict(attrs).get("href") or ""
        if href.strip().lower().startswith("javascript:"):
            self.found.append(f"javascript: link on <{tag}>")


def inline_code_in(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("email", DEMO_PEOPLE)
def test_every_page_carries_the_security_headers_and_no_inline_code(demo, email):  # noqa: F811
    app, ids = demo
    client = app.test_client()
    if email:
        assert sign_in(client, email, "dakar-demo-2024").status_code == 302

    inline = {}
    for path in [*page_paths(app, ids), "/static/js/voting.js", "/no-such-page"]:
        response = client.get(path)
        assert_protected(path, response)
        if response.mimetype == "text/html":
            found = inline_code_in(response.get_data(as_text=True))
            if found:
                inline[path] = found
        response.close()

    assert inline == {}


def test_downloads_keep_their_name_and_declared_type(demo):  # noqa: F811
    app, ids = demo
    client = app.test_client()
    sign_in(client, "secretariat@redtalks.example", "dakar-demo-2024")
    downloads = [path for path in page_paths(app, ids)
                 if path.endswith((".csv", ".docx")) or path.endswith("outcome.json")]
    assert len(downloads) >= 4

    for path in downloads:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Disposition"].startswith("attachment;"), path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert_protected(path, response)


def test_the_error_pages_carry_the_headers_too(client):
    for response in (client.get("/c/no-such-consultation"), client.post("/account/sign-in")):
        assert response.status_code in (400, 404)
        assert response.headers["X-Frame-Options"] == "DENY"
        assert directives(response)["frame-ancestors"] == "'none'"


def test_the_policy_lets_the_live_connection_reach_the_same_host(client):
    connect = directives(client.get("/"))["connect-src"].split()
    assert connect == ["'self'", "ws://portal.test", "wss://portal.test"]


def test_the_policy_names_the_public_origins_when_they_are_set():
    policy = content_security_policy(["consultations.example.org"])
    assert "connect-src 'self' ws://consultations.example.org wss://consultations.example.org" \
        in policy


def test_https_is_declared_strict_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://portal.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.fixture
def proxied_app(database_url):
    """The portal behind one reverse proxy that terminates HTTPS."""
    application = create_app(suite_settings(database_url, TRUSTED_PROXIES=1))
    application.test_client_class = FreshContextClient
    yield application
    with application.app_context():
        db.engine.dispose()


def test_https_behind_a_trusted_proxy_is_recognised(proxied_app):
    client = proxied_app.test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https",
                                        "X-Forwarded-For": "203.0.113.9"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_forwarded_scheme_is_ignored_without_a_trusted_proxy(client):
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def cookie_attributes(response) -> dict[str, set[str]]:
    cookies = {}
    for header in response.headers.getlist("Set-Cookie"):
        name = header.split("=", 1)[0]
        cookies[name] = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
        cookies[name] |= {part.strip().lower() for part in header.split(";")[1:]
                          if part.strip().lower().startswith("samesite")}
    return cookies


def test_every_cookie_is_secure_http_only_and_same_site_when_configured(
        app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    monkeypatch.setitem(app.config, "REMEMBER_COOKIE_SECURE", True)
    user = make_user()
    base = "https://portal.test"
    page = client.get("/account/sign-in", base_url=base)
    # Over HTTPS, Flask-WTF checks the Referer (Referrer-Policy same-origin still sends it).
    referer = {"Referer": f"{base}/account/sign-in"}
    signed_in = client.post("/account/sign-in", base_url=base, headers=referer, data={
        "email": user.email, "password": "harmattan-baobab-river-42", "remember": "y",
        "csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert signed_in.status_code == 302
    profile = client.get("/account/profile", base_url=base)
    language = client.post("/language", base_url=base, headers=referer, data={
        "locale": "fr", "csrf_token": csrf_token_from(profile.get_data(as_text=True))})
    assert language.status_code == 302

    cookies = {**cookie_attributes(page), **cookie_attributes(signed_in),
               **cookie_attributes(language)}
    assert {"session", "remember_token", "locale"} <= set(cookies)
    for name, attributes in cookies.items():
        assert {"secure", "httponly", "samesite=lax"} <= attributes, name


def test_cookies_are_not_marked_secure_by_default(client, make_user):
    user = make_user()
    response = sign_in(client, user.email)
    for name, attributes in cookie_attributes(response).items():
        assert "secure" not in attributes, name
        assert "samesite=lax" in attributes, name


def test_the_language_cookie_follows_the_secure_setting(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    response = submit(client, "/language", {"locale": "ar"}, form_path="/")
    assert {"secure", "httponly", "samesite=lax"} <= cookie_attributes(response)["locale"]


def test_the_own_origin_follows_trusted_proxies_only():
    environ = {"wsgi.url_scheme": "http", "HTTP_HOST": "10.0.0.5:8000",
               "HTTP_X_FORWARDED_PROTO": "https",
               "HTTP_X_FORWARDED_HOST": "evil.example, consultations.example.org"}
    assert own_origin(environ, 0) == "http://10.0.0.5:8000"
    assert own_origin(environ, 1) == "https://consultations.example.org"


def test_public_origins_must_be_origins():
    assert parse_origins("https://a.example, http://b.example:8080/") == [
        "https://a.example", "http://b.example:8080"]
    for wrong in ("*", "https://*", "a.example", "ftp://a.example", "https://a.example/path"):
        with pytest.raises(ValueError):
            parse_origins(wrong)


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")
            if part.strip()}


@pytest.mark.parametrize("email", DEMO_PEOPLE[:-1])
def test_no_cache_keeps_a_page_or_file_meant_for_a_signed_in_person(demo, email):  # noqa: F811
    app, ids = demo
    client = app.test_client()
    assert sign_in(client, email, "dakar-demo-2024").status_code == 302

    storable, downloads = {}, 0
    for path in page_paths(app, ids):
        response = client.get(path)
        directives = cache_directives(response)
        if response.headers.get("Content-Disposition", "").startswith("attachment"):
            downloads += response.status_code == 200
            if not ({"private", "no-cache"} <= directives or "no-store" in directives):
                storable[path] = response.headers.get("Cache-Control")
        elif "no-store" not in directives:
            storable[path] = response.headers.get("Cache-Control")
        response.close()
    static = client.get("/static/js/voting.js")

    assert storable == {}
    assert downloads >= (4 if email != "participant02@redtalks.example" else 1)
    assert "no-store" not in cache_directives(static) and static.status_code == 200
    static.close()


def test_a_visitors_form_holding_their_own_token_is_not_stored(client):
    for path in ("/account/sign-in", "/account/sign-up"):
        response = client.get(path)

        assert response.status_code == 200, path
        assert 'name="csrf_token"' in response.get_data(as_text=True), path
        assert "no-store" in cache_directives(response), path

