"""The portal served by a real server (gunicorn) in a process of its own, as in production."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from flask_migrate import upgrade

from portal import create_app
from portal.extensions import db
from tests.mailbox import free_port

ROOT = Path(__file__).resolve().parent.parent


def prepare_database(url: str, fill=None) -> None:
    """Bring the database at ``url`` to the latest schema; ``fill(app)`` may add rows."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "preparing", "REDIS_URL": None})
    with app.app_context():
        upgrade()
        if fill is not None:
            fill(app)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


class PortalServer:
    def __init__(self, database_url: str, instance: Path, **environment: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance / f"server-{self.port}.log"
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "a secret for the test servers only",
            **environment,
        }
        self.environment.pop("TEST_DATABASE_URL", None)
        if "REDIS_URL" not in environment:
            self.environment.pop("REDIS_URL", None)
        self.process: subprocess.Popen | None = None

    def start(self) -> "PortalServer":
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "32",
             "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-", "wsgi:app"],
            cwd=ROOT, env=self.environment, stdout=self._log, stderr=subprocess.STDOUT,
        )
        self._wait_until_ready()
        return self

    def _wait_until_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the portal did not start:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"the portal did not answer within {seconds} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if hasattr(self, "_log"):
            self._log.close()
