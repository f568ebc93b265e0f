"""The portal as an IT team installs it: the wheel, built from this clone, installed into a
fresh virtual environment outside it, served by gunicorn with the packaged settings."""

import os
import re
import shutil
import subprocess
import sys
import venv

import pytest
import requests

from tests.mailbox import free_port
from tests.servers import ROOT, wait_until

pytestmark = pytest.mark.wheel


def _run(*command, **kwargs):
    return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)


def test_the_wheel_installs_and_serves_in_english_and_arabic(tmp_path):
    dist = tmp_path / "dist"
    # setuptools builds in the clone's build/: a file left there by an older build (a module
    # since moved) would go into the wheel.
    shutil.rmtree(ROOT / "build", ignore_errors=True)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--quiet", "-w", str(dist), str(ROOT))
    (wheel,) = dist.glob("redtalks_portal-*.whl")

    environment_dir = tmp_path / "venv"
    venv.create(environment_dir, with_pip=True)
    bin_dir = environment_dir / "bin"
    _run(str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel))

    # Nothing from the clone: another folder, no PYTHONPATH, the new environment's own tools.
    site = tmp_path / "site"
    site.mkdir()
    environment = {name: value for name, value in os.environ.items()
                   if name not in {"PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL", "REDIS_URL",
                                   "TEST_DATABASE_URL", "SMTP_HOST"}}
    environment.update(DATABASE_URL=f"sqlite:///{site / 'portal.db'}",
                       SECRET_KEY="a secret for the wheel test only",
                       PATH=f"{bin_dir}:{environment['PATH']}")
    _run(str(bin_dir / "flask"), "--app", "wsgi", "db", "upgrade", cwd=site, env=environment)

    port = free_port()
    log = (site / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "-c", "python:portal.gunicorn_config",
         "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=site, env=environment, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{base}/healthz", timeout=2).ok
        except requests.RequestException:
            return server.poll() is not None

    try:
        wait_until(answers, seconds=60, what="the installed portal")
        english = requests.get(base + "/", headers={"Accept-Language": "en"}, timeout=30)
        arabic = requests.get(base + "/", headers={"Accept-Language": "ar"}, timeout=30)
        missing = requests.get(base + "/no-such-page", timeout=30)
        stylesheet = re.search(r'href="(/static/css/[^"]+\.css)"', english.text).group(1)
        css = requests.get(base + stylesheet, timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    served_log = (site / "gunicorn.log").read_text()

    assert english.status_code == 200, served_log
    assert '<html lang="en"' in english.text and "<title>Consultations" in english.text
    assert arabic.status_code == 200
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert "المشاورات" in arabic.text
    assert missing.status_code == 404 and '<html lang="en"' in missing.text
    assert css.status_code == 200 and css.headers["Content-Type"].startswith("text/css")
    assert "gunicorn.access" in served_log
