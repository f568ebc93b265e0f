"""The portal's log as an operator reads it: under gunicorn (gunicorn.conf.py), one line per
request and per event, with its level, logger and request id; JSON lines on demand."""

import json
import re

import requests

from tests.conftest import PASSWORD
from tests.servers import PortalServer, csrf_token, prepare_database, wait_until


def test_under_gunicorn_each_line_is_json_with_the_request_id(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    prepare_database(url)
    server = PortalServer(url, tmp_path, LOG_FORMAT="json").start()
    try:
        answer = requests.get(f"{server.url}/healthz", timeout=30,
                              headers={"X-Request-ID": "nginx-0123456789abcdef"})
        made_here = requests.get(f"{server.url}/readyz", timeout=30).headers["X-Request-ID"]
        # A static file's response carries no id (every byte counts on a phone); its line
        # has the proxy's.
        stylesheet = requests.get(f"{server.url}/static/css/portal.css", timeout=30,
                                  headers={"X-Request-ID": "nginx-fedcba9876543210"})
    finally:
        server.stop()
    assert answer.headers["X-Request-ID"] == "nginx-0123456789abcdef"

    entries = [json.loads(line) for line in server.log().splitlines() if line.strip()]
    assert {"time", "level", "logger", "request_id", "message"} <= set(entries[0])
    access = {entry["request_id"]: entry for entry in entries
              if entry["logger"] == "gunicorn.access"}
    assert "GET /healthz" in access["nginx-0123456789abcdef"]["message"]
    assert "GET /readyz" in access[made_here]["message"]
    assert "X-Request-ID" not in stylesheet.headers
    assert "GET /static/css/portal.css" in access["nginx-fedcba9876543210"]["message"]
    assert any(entry["logger"] == "gunicorn.error" and "Booting worker" in entry["message"]
               for entry in entries)


def test_a_request_id_that_is_not_plain_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>x</script>"})
    assert response.headers["X-Request-ID"] != "<script>x</script>"
    assert len(response.headers["X-Request-ID"]) == 16


def _seed_participant(app):
    from portal.accounts.models import StakeholderGroup
    from portal.accounts.operations import create_account, hash_password

    create_account(email="participant@example.org", password_hash=hash_password(PASSWORD),
                   name="Participant", organisation="Kenya Red Cross Society",
                   stakeholder_group=StakeholderGroup.red_cross, country="KE")


def test_the_served_portal_logs_its_requests_and_without_smtp_the_mailed_link(tmp_path):
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    prepare_database(url, _seed_participant)
    server = PortalServer(url, tmp_path, mail_worker=True, SMTP_HOST="").start()
    try:
        http = requests.Session()
        page = http.get(f"{server.url}/account/password/reset", timeout=30)
        answer = http.post(f"{server.url}/account/password/reset", timeout=30,
                           allow_redirects=False,
                           data={"csrf_token": csrf_token(page.text),
                                 "email": "participant@example.org"})
        assert answer.status_code == 302
        log = wait_until(lambda: "/account/password/reset/" in server.log() and server.log(),
                         what="the mailed link in the log")
        # The link as logged works: it opens the form for the new password.
        link = re.search(rf"{re.escape(server.url)}/account/password/reset/\S+", log).group(0)
        new_password_form = http.get(link, timeout=30)
    finally:
        server.stop()
    request_id = answer.headers["X-Request-ID"]
    assert re.search(rf"INFO gunicorn\.access \[{request_id}\] .*\"POST /account/password/"
                     rf"reset HTTP/1\.1\" 302", log)
    assert "INFO portal.mail.sending [-] E-mail not sent (no SMTP_HOST configured)" in log
    assert "To: participant@example.org" in log
    assert new_password_form.status_code == 200
    assert 'name="new_password"' in new_password_form.text


def test_the_secret_address_of_a_calendar_feed_never_reaches_the_log():
    import logging

    from portal.logs import ACCESS_LOG_FORMAT, SecretAddressFilter, TextFormatter, logging_config

    assert "secret_addresses" in logging_config()["handlers"]["stderr"]["filters"]
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, ACCESS_LOG_FORMAT,
                               None, None)
    record.args = {"h": "127.0.0.1", "r": "GET /calendar/Se-cr3t_token.ics HTTP/1.1",
                   "U": "/calendar/Se-cr3t_token.ics", "s": "200", "B": "812", "M": "4",
                   "a": "Thunderbird"}

    assert SecretAddressFilter().filter(record)
    line = TextFormatter().format(record)

    assert "Se-cr3t_token" not in line
    assert '"GET /calendar/….ics HTTP/1.1" 200 812 4ms "Thunderbird"' in line
    other = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, ACCESS_LOG_FORMAT,
                              None, None)
    other.args = {**record.args, "r": "GET /c/red-talks-dakar-2024/agenda.ics HTTP/1.1"}
    SecretAddressFilter().filter(other)
    assert "/c/red-talks-dakar-2024/agenda.ics" in TextFormatter().format(other)
