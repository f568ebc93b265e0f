"""The health checks that nginx, systemd and monitors ask (docs/deployment.md)."""

from portal import create_app
from tests.conftest import suite_settings
from tests.mailbox import free_port


def test_healthz_answers_that_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_reports_the_database_and_redis_without_requiring_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "checks": {"database": "ok", "redis": "not configured"}}


def test_readyz_stays_ready_when_redis_does_not_answer(app, client, monkeypatch):
    # Nothing listens on this port: Redis is down, the portal still serves.
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}


def test_readyz_is_unavailable_when_the_database_does_not_answer(database_url):
    unreachable = f"postgresql+psycopg://portal@127.0.0.1:{free_port()}/portal"
    app = create_app(suite_settings(unreachable))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable", "checks": {"database": "unavailable", "redis": "not configured"}}
