"""The portal served by a real server (gunicorn) in a process of its own, as in production,
and what stands around it in production: a private Redis and nginx in front."""

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import requests
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
    """A gunicorn master and its worker in a process group of their own: ``kill`` ends both
    at once, as a crash would, and ``start`` again serves on the same port. Rate limits are
    off unless a test turns them on (``RATE_LIMITS="1"``): the suite's servers take many
    sign-ins and posts from one address. With ``mail_worker`` (by default when given an
    ``SMTP_HOST``), the mail worker runs beside it (``flask send-mail``, as ``make serve`` runs
    it), writing to the same log."""

    def __init__(self, database_url: str, instance: Path, mail_worker: bool | None = None,
                 worker: tuple[str, ...] = ("--threads", "32"), **environment: str):
        #: gunicorn's worker flags: threads by default, ``("-k", "gevent")`` as in production.
        self.worker_flags = list(worker)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = instance / f"server-{self.port}.log"
        self.environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "a secret for the test servers only",
            "RATE_LIMITS": "0",
            **environment,
        }
        self.environment.pop("TEST_DATABASE_URL", None)
        if "REDIS_URL" not in environment:
            self.environment.pop("REDIS_URL", None)
        self.process: subprocess.Popen | None = None
        if mail_worker is None:
            mail_worker = bool(environment.get("SMTP_HOST"))
        self.mail_worker = mail_worker
        self.worker: subprocess.Popen | None = None

    def start(self) -> "PortalServer":
        self._close_log()
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             *self.worker_flags, "--bind", f"127.0.0.1:{self.port}", "wsgi:app"],
            cwd=ROOT, env=self.environment, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self.mail_worker:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "wsgi", "send-mail"], cwd=ROOT,
                env={"MAIL_POLL_SECONDS": "0.2", **self.environment}, stdout=self._log,
                stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_until_ready()
        return self

    def kill(self) -> None:
        """End the master and its worker with SIGKILL: nothing is flushed or closed."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._stop_mail_worker()
        self._close_log()

    def _stop_mail_worker(self) -> None:
        if self.worker and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()

    def _close_log(self) -> None:
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

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
                self.kill()
        if self.process:
            # A worker left behind by a master that died holds the port: end the group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self._stop_mail_worker()
        self._close_log()


class RedisServer:
    """A private redis-server on a free loopback port (not the shared one), to stop and
    start again on the same port."""

    def __init__(self, directory: Path):
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: apt-get install redis-server")
        self.binary, self.directory = binary, directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        import redis

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_timeout=1).ping():
                    return self
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def nginx_configuration(directory: Path, port: int, upstreams: list[int], *,
                        worker_connections: int = 1024, access_log: bool = True) -> str:
    """nginx as docs/deployment.md configures it, without TLS: sticky sessions by the
    ``portal_route`` cookie nginx sets, websockets upgraded, X-Forwarded-* headers, upstream
    keep-alive; ``X-Upstream`` tells which process answered. Everything it writes stays in
    ``directory``. The suite's cluster tests and bench/live_vote.py's cluster use it."""
    servers = "\n".join(f"        server 127.0.0.1:{upstream} max_fails=0;"
                        for upstream in upstreams)
    log = f"{directory}/nginx-access.log" if access_log else "off"
    return f"""
worker_processes 1;
worker_rlimit_nofile {worker_connections + 1000};
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log {log};
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    map $cookie_portal_route $portal_route {{
        "" $request_id;
        default $cookie_portal_route;
    }}
    map $cookie_portal_route $portal_route_cookie {{
        "" "portal_route=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        "" "";
    }}
    upstream portal {{
        hash $portal_route consistent;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://portal;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $http_host;
            proxy_set_header X-Request-ID $request_id;
            proxy_read_timeout 300s;
            proxy_send_timeout 300s;
            add_header Set-Cookie $portal_route_cookie always;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


class Nginx:
    """nginx on a free loopback port in front of ``upstreams``, configured as
    docs/deployment.md says (sticky sessions by a cookie nginx sets, websocket upgrade,
    X-Forwarded-* headers), and telling in ``X-Upstream`` which process answered."""

    def __init__(self, directory: Path, upstreams: list[int]):
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed: apt-get install nginx-light")
        self.binary, self.directory = binary, directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config = directory / "nginx.conf"
        self.config.write_text(nginx_configuration(directory, self.port, upstreams))
        self.process: subprocess.Popen | None = None

    def start(self) -> "Nginx":
        # -p and -e: nothing read or written outside the test's directory.
        options = ["-p", str(self.directory), "-e", str(self.directory / "nginx-error.log"),
                   "-c", str(self.config)]
        test = subprocess.run([self.binary, "-t", *options], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx refused its configuration:\n{test.stderr}")
        self.process = subprocess.Popen(
            [self.binary, *options, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError("nginx did not answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def signed_in_session(base_url: str, email: str, password: str,
                      http: requests.Session | None = None) -> requests.Session:
    """A requests session signed in to the portal at ``base_url`` over HTTP."""
    http = http or requests.Session()
    page = http.get(f"{base_url}/account/sign-in", timeout=30).text
    response = http.post(f"{base_url}/account/sign-in", timeout=30, allow_redirects=False, data={
        "csrf_token": csrf_token(page), "email": email, "password": password})
    if response.status_code != 302:
        raise RuntimeError(f"signing in {email} answered {response.status_code}")
    return http


def wait_until(check, seconds: float = 60, interval: float = 0.1, what: str = "the state"):
    """Return ``check()`` once it is true, or fail after ``seconds`` (a generous deadline, not
    a timed assertion)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not come within {seconds} s")
        time.sleep(interval)
