"""Forms sent too often are refused with a page that says how long to wait and keeps what was
written; limits count per signed-in person, and per network address for visitors."""

import html
import shutil
import subprocess
import time

import lxml.html
import pytest
import redis
import requests
from limits import parse_many
from markupsafe import escape

from portal.rate_limits import limiter
from tests.conftest import csrf_token_from, sign_in, submit
from tests.databases import scratch_database
from tests.mailbox import free_port
from tests.servers import PortalServer, prepare_database
from tests.test_discussion import breakout, post  # noqa: F401  (a live breakout and its thread)
from tests.test_languages import say


@pytest.fixture
def rate_limits(app, monkeypatch):
    """Limits on, from a clean count; each test sets the limits it exercises."""
    monkeypatch.setitem(app.config, "RATE_LIMITS", True)
    with app.app_context():
        limiter.reset()
    yield lambda setting, value: monkeypatch.setitem(app.config, setting, value)
    with app.app_context():
        limiter.reset()


def failed_sign_in(client, email="nobody@example.org", **kwargs):
    return sign_in(client, email, "not the password", **kwargs)


def test_sign_ins_over_the_limit_are_refused_with_the_time_to_wait(client, rate_limits):
    rate_limits("RATE_LIMIT_SIGN_IN", "3 per minute")

    answers = [failed_sign_in(client) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    refused = answers[3]
    # Within the minute: the limiter rounds the wait up to whole seconds, so 61 at most.
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    page = refused.get_data(as_text=True)
    assert "Too many requests" in page and "send it again" in page
    # A form that held a password is not offered again as it was.
    assert "not the password" not in page and "Send it again" not in page
    assert refused.headers["Content-Security-Policy"]


def test_the_refusal_is_in_the_visitors_language(client, rate_limits, app):
    rate_limits("RATE_LIMIT_SIGN_IN", "1 per minute")
    headers = {"Accept-Language": "fr"}
    failed_sign_in(client, headers=headers)

    refused = failed_sign_in(client, headers=headers)

    assert refused.status_code == 429
    heading = say(app, "fr", "Too many requests")
    assert heading != "Too many requests"
    assert str(escape(heading)) in refused.get_data(as_text=True)


def test_pages_are_never_limited(client, rate_limits):
    rate_limits("RATE_LIMIT_SIGN_IN", "1 per minute")
    rate_limits("RATE_LIMIT_WRITES", "1 per minute")

    assert {client.get("/account/sign-in").status_code for _ in range(5)} == {200}


def test_a_room_behind_one_address_can_sign_in_at_once(app, client, rate_limits, make_user):
    # The default allows a venue's whole room (up to 200 people) within minutes...
    per_minute = [limit for limit in parse_many(app.config["RATE_LIMIT_SIGN_IN"])
                  if limit.GRANULARITY.name == "minute"]
    assert per_minute and per_minute[0].amount >= 100
    # ...and 40 people signing in from one address in a row are all let in.
    people = [make_user() for _ in range(40)]
    for person in people:
        browser = app.test_client()
        assert sign_in(browser, person.email).status_code == 302


def test_signed_in_people_are_counted_each_on_their_own(app, breakout,  # noqa: F811
                                                        rate_limits):
    rate_limits("RATE_LIMIT_COMMENTS", "2 per minute")
    consultation, _group_a, _group_b, thread = breakout()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "p1@example.org")
    sign_in(second, "p2@example.org")

    answers = [post(first, consultation, thread, f"Point {n}").status_code for n in range(3)]

    assert answers == [302, 302, 429]
    assert post(second, consultation, thread, "From the same Wi-Fi").status_code == 302


def test_a_refused_comment_keeps_its_text_and_can_be_sent_again(app, client,
                                                                breakout,  # noqa: F811
                                                                rate_limits):
    rate_limits("RATE_LIMIT_COMMENTS", "1 per minute")
    consultation, _group_a, _group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "A first point.")
    text = "Families need one contact point\nin every country along the route <and> beyond."

    refused = post(client, consultation, thread, text)

    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert f">{html.escape(text, quote=False)}</textarea>" in page
    assert 'name="body"' in page and "Send it again" in page
    assert f'action="/c/{consultation.slug}/threads/{thread.id}/comments"' in page
    # Sent again once the limit allows it, the same form is stored.
    limiter.reset()
    resent = client.post(f"/c/{consultation.slug}/threads/{thread.id}/comments",
                         data={"body": text, "csrf_token": csrf_token_from(page)})
    assert resent.status_code == 302


def test_a_refused_short_comment_can_be_edited_and_sent_again_and_leads_back_to_its_page(
        app, client, breakout, rate_limits):  # noqa: F811
    rate_limits("RATE_LIMIT_COMMENTS", "1 per minute")
    consultation, _group_a, _group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    thread_page = f"/c/{consultation.slug}/threads/{thread.id}"
    post(client, consultation, thread, "A first point.")

    refused = submit(client, f"{thread_page}/comments", {"body": "I agree."},
                     form_path=thread_page,
                     headers={"Referer": f"http://{app.config['SERVER_NAME']}{thread_page}?sort=new"})

    assert refused.status_code == 429
    page = lxml.html.fromstring(refused.get_data(as_text=True))
    (form,) = page.xpath("//form[.//button[@type='submit' and text()='Send it again']]")
    (box,) = form.xpath(".//textarea")
    assert (box.get("name"), box.text, box.get("readonly")) == ("body", "I agree.", None)
    assert form.xpath(".//input[@name='body']") == []
    (back,) = page.xpath("//a[text()='Go back to the page you were on']")
    assert back.get("href") == f"{thread_page}?sort=new"
    # The language switch leads there too, not to the address that only takes forms.
    (language_next,) = page.xpath("//form[@class='language-switch']/input[@name='next']")
    assert language_next.get("value") == f"{thread_page}?sort=new"


@pytest.mark.parametrize("referrer", [None, "https://elsewhere.example.org/c/x/threads/1"])
def test_a_refused_comment_without_a_page_of_the_portal_to_go_back_to_leads_to_the_consultation(
        app, client, breakout, rate_limits, referrer):  # noqa: F811
    rate_limits("RATE_LIMIT_COMMENTS", "1 per minute")
    consultation, _group_a, _group_b, thread = breakout()
    sign_in(client, "p1@example.org")
    post(client, consultation, thread, "A first point.")

    thread_page = f"/c/{consultation.slug}/threads/{thread.id}"
    refused = submit(client, f"{thread_page}/comments", {"body": "A second point."},
                     form_path=thread_page, headers={"Referer": referrer} if referrer else {})

    assert refused.status_code == 429
    page = lxml.html.fromstring(refused.get_data(as_text=True))
    (back,) = page.xpath("//a[text()='Go to the consultation']")
    assert back.get("href") == f"/c/{consultation.slug}"
    assert "elsewhere" not in refused.get_data(as_text=True)


def test_password_reset_requests_are_limited_per_address_named(client, rate_limits):
    rate_limits("RATE_LIMIT_PASSWORD_RESET_PER_EMAIL", "2 per hour")

    def ask(email):
        return submit(client, "/account/password/reset", {"email": email}).status_code

    assert [ask("delegate@example.org") for _ in range(3)] == [302, 302, 429]
    assert ask("DELEGATE@example.org ") == 429
    assert ask("someone.else@example.org") == 302


def test_sign_ups_are_limited(client, rate_limits):
    rate_limits("RATE_LIMIT_SIGN_UP", "1 per minute")
    fields = {"email": "new@example.org", "password": "x", "name": "N"}

    assert submit(client, "/account/sign-up", fields).status_code == 200
    assert submit(client, "/account/sign-up", fields).status_code == 429


def test_sign_in_link_requests_are_limited_per_address_named(client, rate_limits, make_user):
    make_user(email="delegate@example.org")
    rate_limits("RATE_LIMIT_SIGN_IN_LINK_PER_EMAIL", "2 per hour")

    def ask(email):
        return submit(client, "/account/sign-in/link", {"email": email}).status_code

    assert [ask("delegate@example.org") for _ in range(3)] == [302, 302, 429]
    assert ask("DELEGATE@example.org ") == 429
    # An unknown address is counted the same way: the limit tells nothing either.
    assert [ask("nobody@example.org") for _ in range(3)] == [302, 302, 429]


def test_sign_ups_naming_one_address_are_limited(client, rate_limits):
    rate_limits("RATE_LIMIT_SIGN_UP_PER_EMAIL", "1 per hour")
    fields = {"email": "new@example.org", "password": "x", "name": "N"}

    assert submit(client, "/account/sign-up", fields).status_code == 200
    assert submit(client, "/account/sign-up", fields).status_code == 429
    assert submit(client, "/account/sign-up", {**fields, "email": "other@example.org"}
                  ).status_code == 200


def test_other_forms_count_against_the_writes_limit(client, rate_limits):
    rate_limits("RATE_LIMIT_WRITES", "2 per minute")

    answers = [submit(client, "/language", {"locale": "fr"}, form_path="/").status_code
               for _ in range(3)]

    assert answers == [302, 302, 429]


def test_limits_are_off_when_turned_off(app, client, rate_limits, monkeypatch):
    rate_limits("RATE_LIMIT_SIGN_IN", "1 per minute")
    monkeypatch.setitem(app.config, "RATE_LIMITS", False)

    assert {failed_sign_in(client).status_code for _ in range(3)} == {200}


@pytest.fixture(scope="module")
def private_redis():
    """A Redis server of this module's own, which a test may stop."""
    executable = shutil.which("redis-server")
    if not executable:
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    store = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            store.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield process, url
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory, private_redis):
    """Two server processes sharing one database and the private Redis."""
    _process, url = private_redis
    directory = tmp_path_factory.mktemp("limits")
    with scratch_database(directory, "limits") as database_url:
        prepare_database(database_url)
        servers = [PortalServer(database_url, directory, REDIS_URL=url, RATE_LIMITS="1",
                                RATE_LIMIT_PASSWORD_RESET_PER_EMAIL="2 per hour")
                   for _ in range(2)]
        try:
            yield [server.start() for server in servers]
        finally:
            for server in servers:
                server.stop()


def ask_for_reset(server: PortalServer, email: str) -> requests.Response:
    with requests.Session() as http:
        page = http.get(f"{server.url}/account/password/reset", timeout=10).text
        return http.post(f"{server.url}/account/password/reset", timeout=10,
                         allow_redirects=False,
                         data={"email": email, "csrf_token": csrf_token_from(page)})


def test_every_process_counts_in_redis(two_processes):
    first, second = two_processes

    answers = [ask_for_reset(first, "delegate@example.org"),
               ask_for_reset(first, "delegate@example.org"),
               ask_for_reset(second, "delegate@example.org")]

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert int(answers[2].headers["Retry-After"]) > 60


def test_forms_still_work_while_redis_is_down(two_processes, private_redis):
    process, _url = private_redis
    process.terminate()
    process.wait(timeout=10)

    for server in two_processes:
        assert ask_for_reset(server, "someone.else@example.org").status_code == 302
