"""A real OpenID Connect provider for the tests: tests/openid_provider.mjs (the npm package
oidc-provider, installed by ``make setup``) run by Node on loopback, and a person signing in on
its login form, over real HTTP."""

import contextlib
import json
import shutil
import subprocess  # nosec B404
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

SCRIPT = Path(__file__).with_name("openid_provider.mjs")
PORTAL_CLIENT = {"client_id": "red-talks-portal",
                 "client_secret": "portal-client-secret-for-the-tests"}
OTHER_CLIENT = {"client_id": "another-application",
                "client_secret": "another-client-secret-for-the-tests",
                "redirect_uri": "http://another-application.test/callback"}
#: The provider's test accounts (tests/openid_provider.mjs), by login (their subject).
VERIFIED, UNVERIFIED, NAMED_IN_PARTS = "amina-7f3a", "kwame-91c2", "fatou-2b8e"
VERIFIED_EMAIL = "amina.diallo@unhcr.example"


@contextlib.contextmanager
def running_provider(portal_redirect_uri: str):
    """Start the provider; yields its issuer URL."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is not installed: the OpenID provider of the tests needs it")
    process = subprocess.Popen(  # noqa: S603  # nosec B603
        [node, str(SCRIPT), json.dumps({"portal_redirect_uri": portal_redirect_uri})],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        if not line.startswith("listening "):
            pytest.fail(f"the OpenID provider did not start: {line!r}")
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


class _LoginForm(HTMLParser):
    def __init__(self):
        super().__init__()
        self.action = None

    def handle_starttag(self, tag, attrs):
        if tag == "form" and self.action is None:
            self.action = dict(attrs).get("action")


def sign_in_at_provider(authorisation_url: str, login: str, *, answer_to: str) -> str:
    """Follow the provider's pages from the authorisation request as a browser does, signing
    in on its login form as ``login``; returns the address the provider sends the browser
    back to (the first one starting with ``answer_to``)."""
    with requests.Session() as browser:
        return _walk(browser, authorisation_url, login, answer_to)


def _walk(browser, url: str, login: str, answer_to: str) -> str:
    for _step in range(12):
        response = browser.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
        elif response.status_code == 200 and 'name="login"' in response.text:
            form = _LoginForm()
            form.feed(response.text)
            posted = browser.post(urljoin(url, form.action),
                                  data={"prompt": "login", "login": login, "password": "x"},
                                  allow_redirects=False, timeout=10)
            assert posted.is_redirect, posted.text
            url = urljoin(url, posted.headers["Location"])
        else:
            raise AssertionError(f"the provider answered {response.status_code}: "
                                 f"{response.text[:500]}")
        if url.startswith(answer_to):
            return url
    raise AssertionError("the provider never sent the browser back")
