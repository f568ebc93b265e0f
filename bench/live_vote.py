"""N participants arrive, sign in and vote over Socket.IO: who gets into the room, who is
dropped, and what the portal acknowledges, stores and tallies.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/live_vote.py --voters 500 [--setup single|cluster]
                                        [--mode gevent|threading] [--arrival-seconds S]
                                        [--client-processes K]

It starts what it measures on free loopback ports with a fresh database, seeds it, and stops
it at the end. Every participant's password is stored as the portal stores it (argon2id,
``portal.accounts.passwords.hash_password``), and every voter signs in through the sign-in
form (its page, its CSRF token, the POST), then connects, joins the round's room and, once
everyone is in, votes within ``--vote-window`` seconds; about a tenth send the same vote
twice and a tenth change their vote. Voters arrive over ``--arrival-seconds`` (at random
or evenly spaced); by default within a few seconds, 4 ms apart.

The voters' client runs in one process, or in K (``--client-processes``), the voters dealt out
in turn: phones are as many devices, and one Python process reading every tally pushed to
thousands of connections falls behind the server (it lagged up to 0.6 s at 2,000 voters), which
then shows as the server's latency. The client behaves as the portal's own
(portal/static/js/live.js, the browser's socket.io-client): a sign-in answered 503 is sent again
after its Retry-After and up to as long again at random; a join or a vote answered ``busy`` is
sent again after its ``retry_after``, the same way; a connection refused ``busy`` is made again
after that wait; a connection lost is made again after socket.io-client's back-off (1 s doubling
to 5 s, randomised by half). Each connection names the room as it opens (its ``auth``) and the
server's ``join_answer`` brings the room's state; a room not answered so is joined with a
``join`` event (docs/live-protocol.md).

Reported: who joined and how long arrival took, connections dropped after joining,
reconnections, HTTP answers of 500 and more by status, votes acknowledged, stored and stored
twice, acknowledgement time and the time from each vote to the first tally that counts it
(p50, p95, p99), the servers' and the client's CPU seconds, the servers' peak memory; then the
same load on a bare python-socketio server doing only the vote-store-tally loop, and the ratio
of the two. The last line is one JSON object.

single: one gunicorn process on SQLite. cluster: the production setup of docs/deployment.md,
two gunicorn processes on PostgreSQL (TEST_DATABASE_URL's server, default
postgresql+psycopg://postgres@127.0.0.1:5432/test) joined by Redis (REDIS_URL, default
redis://127.0.0.1:6379/0) behind nginx, which pins each visitor to a process by the
``portal_route`` cookie it sets on the first response.
"""

import argparse
import asyncio
import collections
import contextlib
import json
import multiprocessing
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import socketio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.gunicorn_config import collect_garbage_for_many_connections  # noqa: E402
from tests.databases import scratch_database  # noqa: E402
from tests.servers import nginx_configuration  # noqa: E402

PASSWORD = "bench-voter-password-2024"
SECRET = "bench secret " + uuid.uuid4().hex
CHOICES = ("support", "oppose", "abstain")


# Seeding -----------------------------------------------------------------------------------

def seed(database_url: str, voters: int, distinct_hashes: int = 16) -> tuple[int, int]:
    """A live consultation, `voters` approved participants, one open round. Returns the
    round's id and its recommendation's.

    The passwords are hashed as the portal hashes them (argon2id, 19 MiB, 2 passes). Making
    3,000 hashes would cost over a minute of CPU before the run; ``distinct_hashes`` hashes
    (each with its own salt) are made and dealt out in turn instead. Signing in costs the same
    either way: every check computes the whole argon2id hash again from the password and the
    stored salt, and nothing is cached between checks.
    """
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from consultations.models import (
        Consultation,
        ConsultationStatus,
        Region,
        Registration,
        RegistrationStatus,
        Role,
    )
    from portal import create_app
    from portal.accounts.models import StakeholderGroup, User
    from portal.accounts.passwords import hash_password
    from portal.extensions import db
    from recommendations import drafting, voting

    hashes = [hash_password(PASSWORD) for _ in range(max(1, distinct_hashes))]
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET,
                      "REDIS_URL": None, "TALLY_PUBLISHER": False})
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        consultation = Consultation(slug="bench", title="Bench", region=Region.africa,
                                    starts_at=now, ends_at=now + timedelta(days=1),
                                    status=ConsultationStatus.live)
        db.session.add(consultation)
        db.session.flush()
        groups = list(StakeholderGroup)
        rows = [{"email": f"voter{n}@bench.example", "password_hash": hashes[n % len(hashes)],
                 "name": f"Voter {n}", "organisation": "Bench", "country": "SN",
                 "stakeholder_group": groups[n % len(groups)], "preferred_locale": "en",
                 "is_admin": False, "created_at": now}
                for n in range(voters + 1)]
        db.session.execute(insert(User), rows)
        users = db.session.scalars(db.select(User).order_by(User.id)).all()
        db.session.execute(insert(Registration), [
            {"consultation_id": consultation.id, "user_id": user.id,
             "role": Role.facilitator if index == 0 else Role.participant,
             "status": RegistrationStatus.approved, "organisation": "Bench",
             "stakeholder_group": user.stakeholder_group, "country": "SN",
             "attendance": "in_person", "languages": ["en"], "accessibility_needs": "",
             "notes": "", "created_at": now, "status_changed_at": now}
            for index, user in enumerate(users)])
        db.session.flush()
        recommendation = drafting.create_recommendation(
            consultation, users[0], title="Bench", text="A text without brackets.")
        round_ = voting.open_round(recommendation, users[0])
        db.session.commit()
        round_id, recommendation_id = round_.id, recommendation.id
        db.session.remove()
        db.engine.dispose()
    return round_id, recommendation_id


# Servers -----------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: gunicorn.conf.py's connections per gevent worker, as in production.
GEVENT_CONNECTIONS = 4000


def gunicorn(module: str, port: int, mode: str, environment: dict, log: Path, threads: int):
    """One gunicorn process with gunicorn.conf.py (production's settings). gevent keeps its
    4,000 connections unless ``threads`` asks for more; threading gets ``threads`` threads,
    one per websocket."""
    if mode == "gevent":
        worker = ["-k", "gevent"]
        if threads > GEVENT_CONNECTIONS:
            worker += ["--worker-connections", str(threads)]
    else:
        worker = ["--threads", str(threads)]
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), *worker, "--bind",
         f"127.0.0.1:{port}", "--timeout", "120", module],
        cwd=ROOT, env={**os.environ, **environment}, stdout=log.open("wb"),
        stderr=subprocess.STDOUT, start_new_session=True)


def wait_for(url: str, seconds: float = 60) -> None:
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310
                return
        except Exception:  # noqa: BLE001
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def nginx(port: int, upstreams: list[int], directory: Path, connections: int):
    """nginx as docs/deployment.md configures it (``tests.servers.nginx_configuration``),
    with room for every voter's connection and no access log."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("the cluster setup needs nginx: apt-get install nginx-light")
    config = directory / "nginx.conf"
    # Each proxied connection holds two: the client's and the upstream's.
    config.write_text(nginx_configuration(directory, port, upstreams, access_log=False,
                                          worker_connections=max(8192, 2 * connections + 1000)))
    options = ["-p", str(directory), "-e", str(directory / "nginx-error.log"), "-c", str(config)]
    return subprocess.Popen([binary, *options, "-g", "daemon off;"],  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                            start_new_session=True)


def usage(process) -> tuple[float, float]:
    """CPU seconds and peak resident memory (MB) of a server and its children."""
    pids = [process.pid]
    try:
        children = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True,  # noqa: S603, S607
                                  text=True).stdout.split()
        pids += [int(pid) for pid in children]
    except OSError:
        pass
    cpu = peak = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak += int(line.split()[1]) / 1024
        except OSError:
            continue
    return cpu, peak


def stop(process) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def client_cpu() -> float:
    """CPU seconds of this process (the voters' client), every thread."""
    usage_now = resource.getrusage(resource.RUSAGE_SELF)
    return usage_now.ru_utime + usage_now.ru_stime


# The client: as the portal's live.js and the browser's socket.io-client ----------------------

class HttpAnswers:
    """Every HTTP answer of 500 or more the client sees (pages, websocket handshakes), by
    status, with the first body of each status for the report."""

    def __init__(self):
        self.by_status: collections.Counter[int] = collections.Counter()
        self.samples: dict[int, str] = {}

    def trace(self) -> aiohttp.TraceConfig:
        config = aiohttp.TraceConfig()

        async def on_request_end(_session, _context, params):
            if params.response.status >= 500:
                self.by_status[params.response.status] += 1

        config.on_request_end.append(on_request_end)
        return config

    def sample(self, status: int, body: str) -> None:
        if status not in self.samples:
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()
            self.samples[status] = text[:300]


def back_off(attempt: int) -> float:
    """socket.io-client's reconnection delay: 1 s doubling to 5 s, randomised by half."""
    delay = 1.0 * 2 ** min(attempt, 10)
    deviation = random.random() * 0.5 * delay  # noqa: S311
    delay = delay - deviation if random.random() < 0.5 else delay + deviation  # noqa: S311
    return min(delay, 5.0)


def busy_wait(retry_after, spread: float = 1.0) -> float:
    """What live.js waits when asked to: retry_after, and up to as long again at random
    (``spread`` 1). A person told by the sign-in page to try again in N seconds does so after
    N seconds, some a little later (``spread`` 0.25)."""
    try:
        seconds = float(retry_after)
    except (TypeError, ValueError):
        seconds = 5.0
    return seconds * (1 + spread * random.random())  # noqa: S311


CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class LiveClient:
    """One person's browser: signs in through the form, keeps a Socket.IO connection to the
    portal and follows one room on every connection."""

    def __init__(self, number: int, base: str, room: str, answers: HttpAnswers,
                 next_page: str | None = None):
        self.number, self.base, self.room, self.answers = number, base, room, answers
        self.email = f"voter{number + 1}@bench.example"
        self.next_page = next_page
        self.http: aiohttp.ClientSession | None = None
        self.client: socketio.AsyncClient | None = None
        self.closing = False
        self.in_room = False
        self.connections = 0
        self.dropped = 0
        self.drop_reasons: collections.Counter[str] = collections.Counter()
        self.lost_before_join = 0
        self.connect_busy = self.connect_failures = 0
        self.join_busy = self.join_failures = 0
        self.sign_in_busy = self.sign_in_failures = 0
        self.last_failure: str | None = None
        self.failures: collections.Counter[str] = collections.Counter()
        self.joins: list[tuple[float, dict]] = []   # (when, the join's answer)
        self.tallies: list[tuple[float, int]] = []
        self.since: str | None = None
        self._lost = asyncio.Event()
        self._in_room = asyncio.Event()
        self._connect_error = None
        self._keeping: asyncio.Task | None = None
        self._joining: asyncio.Task | None = None
        self._answer_on_connecting: dict | None = None
        self.on_first_join = None

    @property
    def first_joined(self) -> float | None:
        return self.joins[0][0] if self.joins else None

    async def open(self) -> None:
        self.http = aiohttp.ClientSession(
            cookie_jar=aiohttp.CookieJar(unsafe=True), trace_configs=[self.answers.trace()],
            timeout=aiohttp.ClientTimeout(total=None, sock_connect=60, sock_read=120))
        # The browser's client answers pings and keeps waiting for a connection up to 20 s
        # (socket.io-client's `timeout`); reconnecting is ours, as live.js adds to it.
        self.client = socketio.AsyncClient(http_session=self.http, reconnection=False,
                                           request_timeout=20)
        self.client.on("connect_error", self._refused)
        self.client.on("disconnect", self._disconnected)
        self.client.on("tally", self._tally)
        self.client.on("resync", self._resync)
        self.client.on("join_answer", self._join_answer)

    # Signing in -------------------------------------------------------------------------

    async def sign_in(self, deadline: float) -> None:
        """The sign-in page, then its form posted; after a 503 the form is sent again once
        Retry-After has passed, as a person reading "try again in N seconds" would; after
        another 5xx or a connection lost, with a growing wait."""
        page_url = f"{self.base}/account/sign-in"
        post_url = page_url + (f"?next={self.next_page}" if self.next_page else "")
        token = None
        attempt = 0
        while True:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"not signed in: {self.last_failure}")
            wait = None
            try:
                if token is None:
                    async with self.http.get(page_url) as response:
                        page = await response.text()
                        status, retry_after = response.status, response.headers.get("Retry-After")
                    if status >= 500:
                        self.answers.sample(status, page)
                        raise _Busy(status, retry_after)
                    token = CSRF.search(page).group(1)
                async with self.http.post(post_url, allow_redirects=False, data={
                        "csrf_token": token, "email": self.email,
                        "password": PASSWORD}) as response:
                    body = await response.text()
                    status, retry_after = response.status, response.headers.get("Retry-After")
                    location = response.headers.get("Location")
                if status == 302:
                    break
                if status >= 500:
                    self.answers.sample(status, body)
                    # The page that says "busy" holds the form again: the person sends it.
                    found = CSRF.search(body)
                    token = found.group(1) if found else None
                    raise _Busy(status, retry_after)
                raise RuntimeError(f"sign-in answered {status}")
            except _Busy as busy:
                self.last_failure = f"sign-in answered {busy.status}"
                if busy.status == 503 and busy.retry_after is not None:
                    self.sign_in_busy += 1
                    wait = busy_wait(busy.retry_after, spread=0.25)
                else:
                    self.sign_in_failures += 1
                    self.failures[self.last_failure] += 1
                    wait = back_off(attempt)
            except (TimeoutError, aiohttp.ClientError) as error:
                self.sign_in_failures += 1
                self.last_failure = f"sign-in: {type(error).__name__}"
                self.failures[self.last_failure] += 1
                token = None
                wait = back_off(attempt)
            attempt += 1
            await asyncio.sleep(wait)
        if self.next_page and location:
            # The browser opens the page it was sent to; its scripts connect from there.
            await self._open_page(location, deadline)

    async def _open_page(self, location: str, deadline: float) -> None:
        url = location if location.startswith("http") else self.base + location
        attempt = 0
        while time.perf_counter() < deadline:
            try:
                async with self.http.get(url) as response:
                    body = await response.text()
                    if response.status < 500:
                        return
                    self.answers.sample(response.status, body)
                    wait = (busy_wait(response.headers["Retry-After"])
                            if "Retry-After" in response.headers else back_off(attempt))
            except (TimeoutError, aiohttp.ClientError):
                wait = back_off(attempt)
            attempt += 1
            await asyncio.sleep(wait)

    # The connection ---------------------------------------------------------------------

    def keep_connected(self) -> None:
        self._keeping = asyncio.create_task(self._keep_connected())

    async def _keep_connected(self) -> None:
        attempt = 0
        while not self.closing:
            self._lost.clear()
            self._connect_error = None
            self._answer_on_connecting = None
            try:
                await self.client.connect(self.base, transports=["websocket"],
                                          headers={"Origin": self.base}, wait_timeout=20,
                                          auth={"rooms": [{"room": self.room,
                                                           "since": self.since}]})
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001  (counted; the browser tries again)
                if self.closing:
                    return
                refusal = self._connect_error
                if isinstance(refusal, dict) and isinstance(refusal.get("data"), dict):
                    refusal = refusal["data"]
                if isinstance(refusal, dict) and refusal.get("code") == "busy":
                    self.connect_busy += 1
                    await asyncio.sleep(busy_wait(refusal.get("retry_after")))
                else:
                    self.connect_failures += 1
                    self.last_failure = f"connect: {refusal or error!r}"
                    self.failures[f"connect: {refusal or type(error).__name__}"] += 1
                    await asyncio.sleep(back_off(attempt))
                    attempt += 1
                continue
            attempt = 0
            self.connections += 1
            self._answered_as_connected()
            await self._lost.wait()
            if self.closing:
                return
            await asyncio.sleep(back_off(0))
            attempt = 1

    async def _refused(self, data=None, *_rest) -> None:
        self._connect_error = data

    async def _disconnected(self, reason=None) -> None:
        if not self.closing:
            if self.in_room:
                self.dropped += 1
                self.drop_reasons[str(reason)] += 1
            else:
                self.lost_before_join += 1
        self.in_room = False
        self._in_room.clear()
        self._lost.set()

    async def _tally(self, payload) -> None:
        self.tallies.append((time.perf_counter(), payload["seq"]))

    async def _resync(self, *_payload) -> None:
        self._joining = asyncio.create_task(self.join())

    async def _join_answer(self, answer) -> None:
        """The room's answer as the connection opened: it arrives before ``connect`` returns,
        and is taken as live.js takes it, once connected."""
        if isinstance(answer, dict) and answer.get("room") == self.room:
            self._answer_on_connecting = answer.get("reply") or {}

    def _answered_as_connected(self) -> None:
        reply, self._answer_on_connecting = self._answer_on_connecting, None
        if reply is None:
            self._joining = asyncio.create_task(self.join())
        elif reply.get("code") == "busy":
            self.join_busy += 1
            self._joining = asyncio.create_task(
                self.join(wait=busy_wait(reply.get("retry_after"))))
        elif not reply.get("ok"):
            self.last_failure = f"join refused: {reply}"
        else:
            self._in_the_room(reply)

    async def join(self, wait: float = 0) -> None:
        """Join the room on this connection; a ``busy`` answer is sent again after the wait."""
        connection = self.connections
        if wait:
            await asyncio.sleep(wait)
        while not self.closing and self.client.connected and connection == self.connections:
            payload = {"room": self.room}
            if self.since:
                payload["since"] = self.since
            try:
                answer = await self.client.call("join", payload, timeout=60)
            except Exception as error:  # noqa: BLE001  (timed out or the connection went)
                self.join_failures += 1
                self.last_failure = f"join: {error!r}"
                self.failures[f"join: {type(error).__name__}"] += 1
                continue
            if answer and answer.get("code") == "busy":
                self.join_busy += 1
                await asyncio.sleep(busy_wait(answer.get("retry_after")))
                continue
            if not answer or not answer.get("ok"):
                self.last_failure = f"join refused: {answer}"
                return
            self._in_the_room(answer)
            return

    def _in_the_room(self, answer: dict) -> None:
        now = time.perf_counter()
        self.since = answer.get("now") or self.since
        tally = (answer.get("state") or {}).get("tally") or {}
        if "seq" in tally:
            self.tallies.append((now, tally["seq"]))
        first = not self.joins
        self.joins.append((now, answer))
        self.in_room = True
        self._in_room.set()
        if first and self.on_first_join:
            self.on_first_join()

    async def wait_in_room(self, deadline: float) -> None:
        remaining = deadline - time.perf_counter()
        if remaining <= 0 and not self.in_room:
            raise TimeoutError
        await asyncio.wait_for(self._in_room.wait(), timeout=max(remaining, 0.001))

    async def call(self, event: str, payload: dict, deadline: float) -> tuple[dict, int]:
        """Send an event in the room until it is answered other than ``busy`` (as voting.js
        and live.js do): the answer, and how many times it was answered busy."""
        busy = 0
        while True:
            await self.wait_in_room(deadline)
            try:
                answer = await self.client.call(event, payload, timeout=60)
            except Exception as error:  # noqa: BLE001  (the connection went: send again)
                self.last_failure = f"{event}: {error!r}"
                self.failures[f"{event}: {type(error).__name__}"] += 1
                if self.in_room and self.client.connected:
                    await asyncio.sleep(1)
                continue
            if answer and answer.get("code") == "busy":
                busy += 1
                await asyncio.sleep(busy_wait(answer.get("retry_after")))
                continue
            return answer or {}, busy

    async def close(self) -> None:
        self.closing = True
        self._lost.set()
        for task in (self._joining, self._keeping):
            if task is not None and not task.done():
                task.cancel()
        with contextlib.suppress(Exception):   # already gone
            await self.client.disconnect()
        if self.http is not None:
            await self.http.close()


class _Busy(Exception):
    def __init__(self, status: int, retry_after: str | None):
        super().__init__(status)
        self.status, self.retry_after = status, retry_after


# Voters ------------------------------------------------------------------------------------

class Voter(LiveClient):
    def __init__(self, number: int, base: str, round_id: int, portal: bool,
                 answers: HttpAnswers, next_page: str | None = None):
        super().__init__(number, base, f"round:{round_id}", answers, next_page)
        self.round_id, self.portal = round_id, portal
        # (pressed, acknowledged, answer, choice sent)
        self.acks: list[tuple[float, float, dict, str]] = []
        self.vote_busy = 0
        self.arrived_at: float | None = None
        self.error: str | None = None

    async def run(self, room: "Room", arrives_at: float) -> None:
        await asyncio.sleep(max(0.0, arrives_at - time.perf_counter()))
        self.arrived_at = time.perf_counter()
        self.on_first_join = room.arrived
        await self.open()
        try:
            if self.portal:
                await self.sign_in(room.give_up_at)
            self.keep_connected()
            await room.voting_open.wait()
            await asyncio.sleep(max(0.0, room.voting_starts + random.random()  # noqa: S311
                                    * room.window - time.perf_counter()))
            choice = random.choice(CHOICES)  # noqa: S311
            plan = [choice]
            draw = random.random()  # noqa: S311
            if draw < 0.1:
                plan.append(choice)                     # the same vote sent twice
            elif draw < 0.2:
                plan.append(random.choice([c for c in CHOICES if c != choice]))  # noqa: S311
            for choice in plan:
                pressed = time.perf_counter()
                answer, busy = await self.call("cast_vote", {
                    "round_id": self.round_id, "choice": choice, "reservation": None},
                    room.give_up_at)
                self.vote_busy += busy
                self.acks.append((pressed, time.perf_counter(), answer, choice))
            # Still in the room while the others vote: tallies arrive, drops are counted.
            await asyncio.sleep(max(3.0, room.voting_starts + room.window + 3
                                    - time.perf_counter()))
        except Exception as error:  # noqa: BLE001  (counted and reported)
            self.error = repr(error) if not isinstance(error, TimeoutError) else (
                f"not in the room in time ({self.last_failure})")
        finally:
            await self.close()

    def vote_to_tally(self) -> list[float]:
        latencies = []
        for pressed, _acked, answer, _choice in self.acks:
            if not answer.get("ok"):
                continue
            seen = [at for at, seq in self.tallies if seq >= answer["seq"] and at >= pressed]
            if seen:
                latencies.append(min(seen) - pressed)
        return latencies


class Room:
    """Everyone comes in first (or until ``join_timeout`` after the last arrival); then all
    vote within ``window`` seconds. Whoever is not in by ``give_up_at`` gives up.

    The count of those in and the moment the vote opens are shared by the client's processes
    (``--client-processes``); each process learns that the vote opened from one task of its own."""

    def __init__(self, expected: int, window: float, started: float, last_arrival: float,
                 join_timeout: float, shared: "SharedRoom"):
        self.expected, self.window = expected, window
        self.started = started
        self.join_deadline = last_arrival + join_timeout
        self.give_up_at = self.join_deadline + window + 60
        self.shared = shared
        self.voting_open = asyncio.Event()

    @property
    def voting_starts(self) -> float:
        return self.shared.opens_at.value

    def arrived(self) -> None:
        with self.shared.count.get_lock():
            self.shared.count.value += 1
            everyone = self.shared.count.value == self.expected
        if everyone:
            self.open_the_vote()

    def open_the_vote(self) -> None:
        with self.shared.opens_at.get_lock():
            if self.shared.opens_at.value:
                return
            count = self.shared.count.value
            self.shared.in_at_vote.value = count
            self.shared.opens_at.value = time.perf_counter() + 0.5
        print(f"{count} of {self.expected} voters in the room after "
              f"{time.perf_counter() - self.started:.1f} s; voting", file=sys.stderr, flush=True)

    async def watch(self) -> None:
        """Open the vote here once it opened in any process, or at the join deadline."""
        while not self.shared.opens_at.value:
            if time.perf_counter() > self.join_deadline:
                self.open_the_vote()
            await asyncio.sleep(0.05)
        self.voting_open.set()


class SharedRoom:
    """What the client's processes share: how many are in, when the vote opens, how many were
    in then (perf_counter is the machine's monotonic clock, the same in every process)."""

    def __init__(self):
        context = multiprocessing.get_context("fork")
        self.count = context.Value("i", 0)
        self.opens_at = context.Value("d", 0.0)
        self.in_at_vote = context.Value("i", 0)


def arrival_times(voters: int, seconds: float | None, spread: str) -> list[float]:
    """Each voter's arrival, in seconds from the first: over ``seconds`` at random or evenly
    spaced; without ``seconds``, 4 ms apart (a room arriving within a few seconds)."""
    if seconds is None:
        return [0.004 * n for n in range(voters)]
    if spread == "even":
        return [seconds * n / max(1, voters - 1) for n in range(voters)]
    return sorted(random.uniform(0, seconds) for _ in range(voters))  # noqa: S311


def phones_collect_their_own_garbage() -> None:
    """Each phone has a memory of its own: a thousand phones' connections in one Python heap
    would make the client stop for the garbage collector's full passes over all of them
    (half a second at 2,000 connections) and count those pauses as the portal's. The client
    collects as the portal's server does (portal/gunicorn_config.py): what exists before the
    voters is frozen, and the youngest generation is collected less often."""
    collect_garbage_for_many_connections()


async def loop_lag(samples: list[float], stop: asyncio.Event) -> None:
    """How late the client's event loop wakes up: a saturated client makes every figure
    worse, not only the server's."""
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.1)
        samples.append(time.perf_counter() - before - 0.1)


#: What is kept of a voter once its process is done (the rest is its connections).
VOTER_RECORD_LEAVES = ("http", "client", "answers", "on_first_join", "_lost", "_in_room",
                       "_keeping", "_joining")


async def vote_in_this_process(base: str, round_id: int, plan: list[tuple[int, float]],
                               portal: bool, args, room: Room, next_page: str | None
                               ) -> tuple[list[dict], dict, HttpAnswers]:
    """The voters numbered in ``plan`` (number, arrival), in this process's event loop."""
    phones_collect_their_own_garbage()
    answers = HttpAnswers()
    crowd = [Voter(number, base, round_id, portal, answers, next_page) for number, _at in plan]
    lag: list[float] = []
    stop_lag = asyncio.Event()
    lag_task = asyncio.create_task(loop_lag(lag, stop_lag))
    watching = asyncio.create_task(room.watch())
    cpu_before = client_cpu()
    await asyncio.gather(*(voter.run(room, room.started + at)
                           for voter, (_number, at) in zip(crowd, plan, strict=True)))
    stop_lag.set()
    await lag_task
    await watching
    records = [{key: value for key, value in vars(voter).items()
                if key not in VOTER_RECORD_LEAVES} for voter in crowd]
    facts = {"client_cpu_s": client_cpu() - cpu_before, "lag": lag}
    return records, facts, answers


def _vote_in_a_child(queue, *arguments) -> None:
    records, facts, answers = asyncio.run(vote_in_this_process(*arguments))
    queue.put((records, facts, dict(answers.by_status), answers.samples))


def vote(base: str, round_id: int, voters: int, portal: bool, args, answers: HttpAnswers,
         next_page: str | None = None) -> tuple[list["Voter"], dict]:
    """Everyone arrives, comes in and votes, in ``--client-processes`` processes (voters
    dealt out in turn); returns each voter's record and what the run showed."""
    offsets = arrival_times(voters, args.arrival_seconds, args.arrival)
    processes = max(1, min(args.client_processes, voters))
    started = time.perf_counter() + 0.2 + 0.3 * (processes > 1)
    room = Room(voters, args.vote_window, started, started + offsets[-1], args.join_timeout,
                SharedRoom())
    plans = [list(enumerate(offsets))[part::processes] for part in range(processes)]
    if processes == 1:
        records, facts, answers_here = asyncio.run(
            vote_in_this_process(base, round_id, plans[0], portal, args, room, next_page))
        parts = [(records, facts, dict(answers_here.by_status), answers_here.samples)]
    else:
        context = multiprocessing.get_context("fork")
        queue = context.Queue()
        children = [context.Process(target=_vote_in_a_child, args=(
            queue, base, round_id, plan, portal, args, room, next_page)) for plan in plans]
        for child in children:
            child.start()
        parts = [queue.get() for _child in children]
        for child in children:
            child.join()
    crowd, lag, client_cpu_s = [], [], 0.0
    for records, facts, by_status, samples in parts:
        for record in records:
            voter = Voter.__new__(Voter)
            voter.__dict__.update(record)
            crowd.append(voter)
        lag += facts["lag"]
        client_cpu_s += facts["client_cpu_s"]
        answers.by_status.update(by_status)
        for status, body in samples.items():
            answers.samples.setdefault(status, body)
    crowd.sort(key=lambda voter: voter.number)
    joined = [voter.first_joined for voter in crowd if voter.first_joined is not None]
    voting_starts = room.voting_starts
    return crowd, {
        "in_at_vote": room.shared.in_at_vote.value,
        "missing_at_vote": [voter.number for voter in crowd
                            if voter.first_joined is None
                            or voter.first_joined > voting_starts - 0.5][:20],
        "all_in_s": (round(max(joined) - started, 2) if len(joined) == voters else None),
        "client_processes": processes,
        "client_cpu_s": round(client_cpu_s, 2),
        "client_lag_p99_ms": percentile(lag, 0.99), "client_lag_max_ms": percentile(lag, 1.0),
        "run_s": round(time.perf_counter() - started, 1),
    }


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000, 1)


def seconds_percentile(values: list[float], share: float) -> float | None:
    value = percentile(values, share)
    return None if value is None else round(value / 1000, 2)


def summarise(crowd: list[Voter], answers: HttpAnswers) -> dict:
    acks = [a for voter in crowd for a in voter.acks]
    ack_times = [acked - pressed for pressed, acked, answer, _c in acks if answer.get("ok")]
    tally_times = [t for voter in crowd for t in voter.vote_to_tally()]
    arrival_to_join = [voter.first_joined - voter.arrived_at for voter in crowd
                       if voter.first_joined is not None]
    drop_reasons, failures = collections.Counter(), collections.Counter()
    for voter in crowd:
        drop_reasons.update(voter.drop_reasons)
        failures.update(voter.failures)
    errors = collections.Counter(voter.error for voter in crowd if voter.error)
    return {
        "joined": sum(1 for voter in crowd if voter.joins),
        "dropped": sum(voter.dropped for voter in crowd),
        "drop_reasons": dict(drop_reasons),
        "lost_before_join": sum(voter.lost_before_join for voter in crowd),
        "reconnects": sum(max(0, voter.connections - 1) for voter in crowd),
        "http_5xx": {str(status): count for status, count in sorted(answers.by_status.items())},
        "http_5xx_bodies": {str(status): body for status, body in answers.samples.items()},
        "sign_in_busy": sum(voter.sign_in_busy for voter in crowd),
        "sign_in_failures": sum(voter.sign_in_failures for voter in crowd),
        "connect_busy": sum(voter.connect_busy for voter in crowd),
        "connect_failures": sum(voter.connect_failures for voter in crowd),
        "join_busy": sum(voter.join_busy for voter in crowd),
        "join_failures": sum(voter.join_failures for voter in crowd),
        "vote_busy": sum(voter.vote_busy for voter in crowd),
        "failure_kinds": dict(failures.most_common(8)),
        "join_p50_s": seconds_percentile(arrival_to_join, 0.5),
        "join_p95_s": seconds_percentile(arrival_to_join, 0.95),
        "acked": sum(1 for voter in crowd if any(a[2].get("ok") for a in voter.acks)),
        "acked_messages": sum(1 for a in acks if a[2].get("ok")),
        "refused": sum(1 for a in acks if not a[2].get("ok")),
        "errors": sum(errors.values()),
        "error_kinds": dict(errors.most_common(5)),
        "ack_p50_ms": percentile(ack_times, 0.5), "ack_p95_ms": percentile(ack_times, 0.95),
        "p50_ms": percentile(tally_times, 0.5), "p95_ms": percentile(tally_times, 0.95),
        "p99_ms": percentile(tally_times, 0.99),
        "without_tally": sum(1 for voter in crowd for _p, _a, answer, _c in voter.acks
                             if answer.get("ok")) - len(tally_times),
    }


def stored_votes(database_url: str, round_id: int, crowd: list[Voter]) -> dict:
    """Votes stored, stored twice, and acknowledged voters whose stored choice is not the last
    one the portal acknowledged to them."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT users.email, votes.choice FROM votes "
            "JOIN registrations ON registrations.id = votes.registration_id "
            "JOIN users ON users.id = registrations.user_id WHERE votes.round_id = :r"),
            {"r": round_id}).all()
    engine.dispose()
    stored = collections.Counter(email for email, _choice in rows)
    choices = {email: str(choice) for email, choice in rows}
    wrong = 0
    for voter in crowd:
        acknowledged = [(answer["seq"], choice) for _p, _a, answer, choice in voter.acks
                        if answer.get("ok")]
        if acknowledged and choices.get(voter.email) != max(acknowledged)[1]:
            wrong += 1
    return {"stored": len(rows), "duplicates": len(rows) - len(stored), "stored_not_last": wrong}


def server_tracebacks(directory: Path) -> tuple[int, str | None]:
    """Tracebacks and errors in the servers' logs, and the first of them."""
    count, first = 0, None
    for log in sorted(directory.glob("*.log")):
        lines = log.read_text(errors="replace").splitlines()
        for index, line in enumerate(lines):
            if line.startswith("Traceback") or " ERROR " in line or '"level": "ERROR"' in line:
                count += 1
                if first is None:
                    first = f"{log.name}: " + "\n".join(lines[max(0, index - 2):index + 30])
    return count, first


# The run ----------------------------------------------------------------------------------

@contextlib.contextmanager
def bench_database(setup: str, directory: Path):
    """The database's URL: SQLite in ``directory`` for the single setup; for the cluster, a
    database of its own on the PostgreSQL server of TEST_DATABASE_URL (dropped afterwards)."""
    if setup == "single":
        yield f"sqlite:///{directory / 'bench.db'}"
        return
    os.environ.setdefault("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    with scratch_database(directory, "bench") as url:
        yield url


def portal_ports(setup: str) -> list[int]:
    """A free port for each of the portal's processes: one, or the cluster's two."""
    return [free_port() for _ in range(1 if setup == "single" else 2)]


def start_portal(args, directory: Path, environment: dict, ports: list[int], log: str) -> list:
    """The portal's processes on ``ports``, started at once (as systemd starts them), each
    with room for every voter's connection; their logs are ``<log>-<port>.log``."""
    return [gunicorn("wsgi:app", port, args.mode, environment,
                     directory / f"{log}-{port}.log", args.voters + 100) for port in ports]


def front_of(setup: str, ports: list[int], directory: Path, voters: int):
    """Once the portal's processes answer: the address the voters use and, for the cluster,
    nginx started in front of them (None for one process)."""
    for port in ports:
        wait_for(f"http://127.0.0.1:{port}/healthz")
    if setup == "single":
        return f"http://127.0.0.1:{ports[0]}", None
    front_port = free_port()
    front = nginx(front_port, ports, directory, voters)
    base = f"http://127.0.0.1:{front_port}"
    wait_for(f"{base}/healthz")
    return base, front


def portal_environment(setup: str, database_url: str, mode: str) -> dict:
    """The portal's settings for a bench: thousands sign in from this one address."""
    environment = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                   "SOCKETIO_ASYNC_MODE": mode,
                   "SIGN_IN_FAILURES_PER_ADDRESS": "100000",
                   "RATE_LIMITS": "0"}
    if setup == "cluster":
        environment["REDIS_URL"] = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        environment["TRUSTED_PROXIES"] = "1"
    return environment


def run_portal(args, directory: Path) -> dict:
    with bench_database(args.setup, directory) as database_url:
        round_id, recommendation_id = seed(database_url, args.voters, args.distinct_hashes)
        environment = portal_environment(args.setup, database_url, args.mode)
        ports = portal_ports(args.setup)
        servers = start_portal(args, directory, environment, ports, "portal")
        front = None
        answers = HttpAnswers()
        try:
            base, front = front_of(args.setup, ports, directory, args.voters)
            before = [usage(server) for server in servers]
            next_page = (f"/c/bench/recommendations/{recommendation_id}"
                         if args.open_page else None)
            crowd, facts = vote(base, round_id, args.voters, True, args, answers, next_page)
            time.sleep(1)
            after = [usage(server) for server in servers]
        finally:
            for process in [front, *servers]:
                if process is not None:
                    stop(process)
        result = {**summarise(crowd, answers), **facts}
        result.update(stored_votes(database_url, round_id, crowd))
        result["cpu_s"] = round(sum(a[0] - b[0] for a, b in zip(after, before, strict=True)), 2)
        result["peak_mb"] = round(sum(a[1] for a in after), 1)
        result["server_errors"], first = server_tracebacks(directory)
        if first:
            print("first error in the servers' logs:\n" + first, file=sys.stderr)
        return result


def run_bare(args, directory: Path) -> dict:
    port = free_port()
    server = gunicorn("bench.bare_vote_server:app", port, args.mode,
                      {"BARE_ASYNC_MODE": args.mode}, directory / "bare.log", args.voters + 100)
    answers = HttpAnswers()
    try:
        wait_for(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling")
        before = usage(server)
        crowd, facts = vote(f"http://127.0.0.1:{port}", 1, args.voters, False, args, answers)
        after = usage(server)
    finally:
        stop(server)
    result = {**summarise(crowd, answers), **facts}
    result["cpu_s"] = round(after[0] - before[0], 2)
    result["peak_mb"] = round(after[1], 1)
    return result


def keep_logs(directory: Path, destination: str | None) -> None:
    if not destination:
        return
    target = Path(destination)
    target.mkdir(parents=True, exist_ok=True)
    for log in directory.glob("*.log"):
        shutil.copyfile(log, target / log.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--setup", choices=["single", "cluster"], default="single")
    parser.add_argument("--mode", choices=["threading", "gevent"], default="gevent",
                        help="gunicorn's worker (production: gevent)")
    parser.add_argument("--arrival-seconds", type=float, metavar="S",
                        help="voters arrive over S seconds (default: 4 ms apart)")
    parser.add_argument("--arrival", choices=["random", "even"], default="random",
                        help="arrivals uniformly at random over S, or evenly spaced")
    parser.add_argument("--join-timeout", type=float, default=120,
                        help="seconds after the last arrival before voting starts anyway")
    parser.add_argument("--vote-window", type=float, default=10,
                        help="seconds over which the votes are spread")
    parser.add_argument("--distinct-hashes", type=int, default=16,
                        help="argon2id hashes made and dealt out in turn to the participants")
    parser.add_argument("--open-page", action="store_true",
                        help="after signing in, open the vote page as a browser does")
    parser.add_argument("--client-processes", type=int, default=1, metavar="K",
                        help="the voters' client in K processes (phones are many devices: one "
                             "Python process reading every tally pushed to thousands of "
                             "connections lags behind the server)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare server")
    parser.add_argument("--keep-logs", metavar="DIRECTORY",
                        help="copy the servers' logs (and nginx's) there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        try:
            portal = run_portal(args, directory)
            print(f"portal ({args.setup}, {args.mode}): " + json.dumps(portal))
            bare = None if args.no_bare else run_bare(args, directory)
            if bare:
                print(f"bare python-socketio ({args.mode}): " + json.dumps(bare))
        finally:
            keep_logs(directory, args.keep_logs)
    summary = {"voters": args.voters, "setup": args.setup, "mode": args.mode,
               "arrival_s": args.arrival_seconds,
               **{key: portal[key] for key in (
                   "joined", "all_in_s", "in_at_vote", "dropped", "reconnects", "http_5xx",
                   "acked", "stored", "duplicates", "stored_not_last", "p50_ms", "p95_ms",
                   "p99_ms", "ack_p95_ms", "join_p95_s", "errors", "server_errors", "cpu_s",
                   "client_processes", "client_cpu_s", "client_lag_max_ms", "peak_mb")}}
    if bare:
        summary["bare_p95_ms"] = bare["p95_ms"]
        summary["p95_ratio"] = (round(portal["p95_ms"] / bare["p95_ms"], 2)
                                if portal["p95_ms"] and bare["p95_ms"] else None)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
