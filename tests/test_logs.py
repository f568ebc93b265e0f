"""The portal's log as an operator reads it: under gunicorn (gunicorn.conf.py), one line per
request and per event, with its level, logger and request id; JSON lines on demand."""

import json

import requests

from tests.servers import PortalServer, prepare_database


def test_under_gunicorn_each_line_is_json_with_the_request_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    prepare_database(url)
    server = PortalServer(url, tmp_path, LOG_FORMAT="json").start()
    try:
        answer = requests.get(f"{server.url}/healthz", timeout=30,
                              headers={"X-Request-ID": "nginx-0123456789abcdef"})
        made_here = requests.get(f"{server.url}/readyz", timeout=30).headers["X-Request-ID"]
    finally:
        server.stop()
    assert answer.headers["X-Request-ID"] == "nginx-0123456789abcdef"

    entries = [json.loads(line) for line in server.log().splitlines() if line.strip()]
    assert {"time", "level", "logger", "request_id", "message"} <= set(entries[0])
    access = {entry["request_id"]: entry for entry in entries
              if entry["logger"] == "gunicorn.access"}
    assert "GET /healthz" in access["nginx-0123456789abcdef"]["message"]
    assert "GET /readyz" in access[made_here]["message"]
    assert any(entry["logger"] == "gunicorn.error" and "Booting worker" in entry["message"]
               for entry in entries)


def test_a_request_id_that_is_not_plain_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>x</script>"})
    assert response.headers["X-Request-ID"] != "<script>x</script>"
    assert len(response.headers["X-Request-ID"]) == 16
