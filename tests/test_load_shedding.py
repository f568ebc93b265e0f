"""When every database connection of a process stays in use (a crowd arriving at once), the
portal answers "busy, try again" in the person's language with Retry-After, never a server
error: pages load again by themselves, forms are sent again, live joins are retried."""

from datetime import UTC, datetime, timedelta

import pytest

from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account, hash_password
from portal.extensions import db, socketio
from tests.conftest import (
    PASSWORD,
    FreshContextClient,
    FreshContextSocketClient,
    sign_in,
    suite_settings,
)
from tests.databases import scratch_database
from tests.servers import prepare_database

#: Seconds a request waits for a connection here before it is answered busy.
WAIT = 1


def fill(app):
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    consultation = Consultation(slug="dakar", title="Dakar", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live)
    user = create_account(email="delegate@example.org", password_hash=hash_password(PASSWORD),
                          name="Aminata Diallo", organisation="Senegalese Red Cross Society",
                          stakeholder_group=StakeholderGroup.red_cross, country="SN",
                          preferred_locale="fr")
    db.session.add_all([consultation, Registration(
        consultation=consultation, user=user, role=Role.participant,
        status=RegistrationStatus.approved, organisation=user.organisation,
        stakeholder_group=user.stakeholder_group, country="SN")])


@pytest.fixture
def crowded(tmp_path, monkeypatch):
    """A portal with one database connection, and a way to keep it in use."""
    monkeypatch.setattr(socketio, "server", socketio.server)
    with scratch_database(tmp_path, "crowded") as url:
        prepare_database(url, fill=fill)
        app = create_app(suite_settings(url, DATABASE_POOL_SIZE=1, DATABASE_MAX_OVERFLOW=0,
                                        DATABASE_POOL_TIMEOUT=WAIT))
        app.test_client_class = FreshContextClient
        with app.app_context():
            yield app
            db.engine.dispose()


def every_connection_in_use(app):
    with app.app_context():
        return db.engine.connect()


def test_a_page_asked_for_while_no_connection_is_free_says_busy_and_loads_again(crowded):
    client = crowded.test_client()
    held = every_connection_in_use(crowded)
    try:
        response = client.get("/", headers={"Accept-Language": "fr"})
    finally:
        held.close()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Beaucoup de personnes arrivent en ce moment" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert client.get("/", headers={"Accept-Language": "fr"}).status_code == 200


def test_a_signed_in_person_is_told_busy_too_not_a_server_error(crowded):
    client = crowded.test_client()
    assert sign_in(client, "delegate@example.org").status_code == 302
    held = every_connection_in_use(crowded)
    try:
        response = client.get("/c/dakar", headers={"Accept-Language": "fr"})
    finally:
        held.close()

    assert response.status_code == 503
    assert "Beaucoup de personnes arrivent en ce moment" in response.get_data(as_text=True)
    assert client.get("/c/dakar").status_code == 200


def test_a_form_sent_while_no_connection_is_free_is_to_be_sent_again(crowded):
    client = crowded.test_client()
    page = client.get("/account/sign-in").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    held = every_connection_in_use(crowded)
    try:
        response = client.post("/account/sign-in", headers={"Accept-Language": "fr"}, data={
            "csrf_token": csrf_token_from(page), "email": "delegate@example.org",
            "password": PASSWORD})
    finally:
        held.close()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    text = response.get_data(as_text=True)
    assert "n’a pas été enregistré" in text or "n'a pas été enregistré" in text
    assert "refresh" not in text


def test_a_live_join_while_no_connection_is_free_is_answered_busy_with_a_wait(crowded):
    client = crowded.test_client()
    assert sign_in(client, "delegate@example.org").status_code == 302
    live = FreshContextSocketClient(crowded, socketio, flask_test_client=client)
    assert live.is_connected()
    with crowded.app_context():
        consultation_id = db.session.scalar(db.select(Consultation.id))

    held = every_connection_in_use(crowded)
    try:
        answer = live.emit("join", {"room": f"consultation:{consultation_id}"}, callback=True)
    finally:
        held.close()

    assert answer["ok"] is False
    assert answer["code"] == "busy"
    assert answer["retry_after"] == 5
    assert answer["error"].startswith("Beaucoup de personnes arrivent en ce moment")
    again = live.emit("join", {"room": f"consultation:{consultation_id}"}, callback=True)
    assert again["ok"] is True
    live.disconnect()


def test_a_vote_or_a_malformed_message_while_no_connection_is_free_is_still_answered(crowded):
    client = crowded.test_client()
    assert sign_in(client, "delegate@example.org").status_code == 302
    live = FreshContextSocketClient(crowded, socketio, flask_test_client=client)

    held = every_connection_in_use(crowded)
    try:
        vote = live.emit("cast_vote", {"round_id": 1, "choice": "support"}, callback=True)
        malformed = live.emit("cast_vote", "support", callback=True)
    finally:
        held.close()

    assert (vote["code"], vote["retry_after"]) == ("busy", 5)
    assert malformed["code"] == "invalid_payload"
    # In the person's language, which was known when the connection opened.
    assert malformed["error"] == "Le vote n'a pas pu être lu."
    live.disconnect()
