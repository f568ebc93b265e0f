import re

import lxml.html
import pytest
from lxml import etree
from werkzeug.exceptions import InternalServerError

from consultations.models import ConsultationStatus, Role
from tests.conftest import sign_in


def test_home_lists_consultations_by_when_they_happen(client, make_consultation):
    make_consultation(title="Dakar consultation on missing migrants")
    make_consultation(title="Nairobi consultation", status=ConsultationStatus.registration_open)
    make_consultation(title="Rabat consultation", status=ConsultationStatus.archived)
    make_consultation(title="Unpublished draft", status=ConsultationStatus.draft)

    page = client.get("/").get_data(as_text=True)

    live, upcoming, past = (page.index(heading) for heading in ("Live now", "Upcoming", "Past"))
    assert live < page.index("Dakar consultation on missing migrants") < upcoming
    assert upcoming < page.index("Nairobi consultation") < past
    assert past < page.index("Rabat consultation")
    assert "Unpublished draft" not in page


def test_a_draft_is_not_found_by_others_and_shown_to_its_facilitator(
    client, make_consultation, make_user, register
):
    draft = make_consultation(title="Unpublished draft", status=ConsultationStatus.draft)
    facilitator = make_user(email="facilitator@example.org")
    register(facilitator, draft, Role.facilitator)

    assert client.get(f"/c/{draft.slug}").status_code == 404
    sign_in(client, "facilitator@example.org")
    page = client.get(f"/c/{draft.slug}")
    assert page.status_code == 200
    assert "Your role: Facilitator" in page.get_data(as_text=True)


def test_consultation_page_shows_its_objectives_and_local_times(client, make_consultation):
    consultation = make_consultation(gcm_objectives=[7, 8])

    page = client.get(f"/c/{consultation.slug}").get_data(as_text=True)

    assert "Objective 8: Save lives and establish coordinated international efforts" in page
    assert "Objective 7: Address and reduce vulnerabilities in migration" in page
    assert "Africa/Dakar" in page


def test_unknown_page_says_so(client):
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_audit_log_is_forbidden_to_a_participant_and_listed_for_an_admin(client, make_user):
    make_user(email="participant@example.org")
    make_user(email="admin@example.org", is_admin=True)

    assert client.get("/admin/audit/").status_code == 302
    sign_in(client, "participant@example.org")
    forbidden = client.get("/admin/audit/")
    assert forbidden.status_code == 403
    assert "You may not do this" in forbidden.get_data(as_text=True)

    client.post("/account/sign-out", data={"csrf_token": _token(client)})
    sign_in(client, "admin@example.org")
    listing = client.get("/admin/audit/", query_string={"action": "account.signed_in"})
    page = listing.get_data(as_text=True)
    assert listing.status_code == 200
    assert "admin@example.org" in page
    assert "account.signed_up" not in re.sub(r"<option.*?</option>", "", page)


def _token(client):
    from tests.conftest import csrf_token_from

    return csrf_token_from(client.get("/").get_data(as_text=True))


@pytest.fixture
def failing_route(app, monkeypatch):
    def failing():
        raise InternalServerError(original_exception=RuntimeError("broken"))

    monkeypatch.setitem(app.view_functions, "consultations.index", failing)
    return "/"


def test_server_error_page_apologises_without_details(client, failing_route):
    response = client.get(failing_route)

    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "RuntimeError" not in page


def test_a_post_without_the_csrf_token_is_refused(client, make_user, session):
    make_user(email="participant@example.org")

    response = client.post(
        "/account/sign-in", data={"email": "participant@example.org", "password": "x" * 12}
    )

    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_pages_load_nothing_from_another_site(client, make_consultation, make_user):
    consultation = make_consultation()
    make_user(email="participant@example.org")
    sign_in(client, "participant@example.org")

    for path in ["/", f"/c/{consultation.slug}", "/account/profile"]:
        page = client.get(path).get_data(as_text=True)
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources
        assert all(source.startswith(("/", "#")) for source in sources), (path, sources)


def test_layout_has_a_skip_link_landmarks_and_the_page_language(client):
    page = client.get("/").get_data(as_text=True)

    assert '<html lang="en" dir="ltr">' in page
    assert '<a class="skip-link" href="#main">' in page
    assert '<main id="main"' in page
    assert "<header" in page and "<nav" in page and "<footer" in page


def test_the_language_switch_is_kept_in_a_cookie(app, client):
    response = client.post(
        "/language", data={"locale": "fr", "next": "/", "csrf_token": _token(client)}
    )
    assert response.headers["Location"] == "/"
    assert "locale=fr" in response.headers["Set-Cookie"]
    assert '<html lang="fr"' in client.get("/").get_data(as_text=True)


def test_a_refused_cross_site_post_does_not_replace_the_session_cookie(app, make_user):
    # A cross-site POST arrives without the SameSite=Lax session cookie: its answer must not
    # set a new session cookie, which would sign the person out of the portal.
    stranger = app.test_client(use_cookies=False)

    response = stranger.post("/account/profile", data={"name": "Forged"})

    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_an_id_beyond_any_row_is_not_found(client, make_user, make_consultation, register):
    consultation = make_consultation()
    participant = make_user()
    register(participant, consultation)
    sign_in(client, participant.email)

    for path in (f"/c/{consultation.slug}/threads/99999999999999999999999",
                 f"/c/{consultation.slug}/recommendations/2147483648",
                 "/api/v1/rounds/99999999999999999999999"):
        assert client.get(path).status_code == 404, path


def test_every_page_names_the_portals_icon_and_favicon_ico_leads_to_it(client,
                                                                        make_consultation):
    consultation = make_consultation()

    for path in ("/", f"/c/{consultation.slug}", "/account/sign-in", "/no/such/page"):
        page = lxml.html.fromstring(client.get(path).get_data(as_text=True))
        (icon,) = page.xpath("//head/link[@rel='icon']")
        # Under the name that carries its content (portal/static_files.py).
        assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", icon.get("href")), path

    asked = client.get("/favicon.ico")
    assert (asked.status_code, asked.location) == (301, icon.get("href"))
    with client.get(asked.location) as answer:
        assert answer.status_code == 200
        assert answer.mimetype == "image/svg+xml"
        assert etree.fromstring(answer.get_data()).tag == "{http://www.w3.org/2000/svg}svg"
