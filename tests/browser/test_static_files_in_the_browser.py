import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.accounts.models import User
from recommendations import voting
from recommendations.models import Recommendation
from tests.browser.test_consultation_day import sign_in
from tests.browser.test_live_vote import plenary  # noqa: F401  (a fixture)

STATIC_REQUEST = re.compile(r'"GET /static/')


@pytest.fixture
def open_vote(portal_data, plenary):  # noqa: F811
    db = portal_data
    facilitator = db.session.scalar(select(User).where(User.email == plenary["facilitator"]))
    voting.open_round(db.session.get(Recommendation, plenary["recommendation"]), facilitator)
    db.session.commit()
    db.session.remove()
    return plenary


def test_the_vote_page_loads_its_compressed_css_and_scripts_once_then_from_the_cache(
    page, open_vote, portal_server
):
    sign_in(page, open_vote["first"])
    path = f"/c/{open_vote['slug']}/recommendations/{open_vote['recommendation']}"
    files = []
    page.on("response", lambda response: files.append(response)
            if "/static/" in response.url else None)

    page.goto(path)

    # The stylesheet applies and the live script runs (the Content-Security-Policy lets both
    # in: the page fixture fails on any violation).
    expect(page.locator("html")).to_have_attribute("data-live", "connected")
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    expect(page.get_by_role("button", name="Send my vote")).to_be_visible()
    # The stylesheet, five scripts and the icon (some perhaps from the sign-in page's cache).
    assert len({response.url for response in files}) == 7
    for response in files:
        assert response.status == 200
        assert re.search(r"\.[0-9a-f]{12}\.(css|js|svg)$", response.url)
        assert response.header_value("content-encoding") in ("gzip", "br")
        assert "immutable" in response.header_value("cache-control")
    served = len(STATIC_REQUEST.findall(portal_server.log()))

    page.goto(f"/c/{open_vote['slug']}")
    page.goto(path)

    expect(page.locator("html")).to_have_attribute("data-live", "connected")
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position") == "absolute"
    # Nothing reached the server for the CSS and scripts: the browser had them.
    assert len(STATIC_REQUEST.findall(portal_server.log())) == served
