"""N participants vote at once over Socket.IO: what the portal acknowledges, stores and tallies.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/live_vote.py --voters 500 [--setup single|cluster]
                                        [--mode threading|gevent]

It starts what it measures on free loopback ports with a fresh database, seeds it, and stops
it at the end. Every voter signs in over HTTP, joins the round's room and votes within a few
seconds; about a tenth send their vote twice. Reported: votes acknowledged, votes stored,
duplicates stored, acknowledgement time and the time from each vote to the first tally that
counts it (p50, p95, p99), the servers' CPU seconds and peak memory; then the same load on a
bare python-socketio server doing only the vote-store-tally loop, and the ratio of the two.
The last line is one JSON object.

single: one gunicorn process on SQLite. cluster: two gunicorn processes on PostgreSQL
(TEST_DATABASE_URL's server, default postgresql+psycopg://postgres@127.0.0.1:5432/test) joined
by Redis (REDIS_URL, default redis://127.0.0.1:6379/0) behind nginx with sticky sessions
(ip_hash does not spread one loopback client, so the voters are pinned by a cookie hash).
"""

import argparse
import asyncio
import json
import os
import random
import re
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

PASSWORD = "bench-voter-password-2024"
SECRET = "bench secret " + uuid.uuid4().hex


# Seeding -----------------------------------------------------------------------------------

def seed(database_url: str, voters: int) -> int:
    """A live consultation, `voters` approved participants, one open round. Returns its id."""
    from flask_migrate import upgrade
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

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
    from portal.extensions import db
    from recommendations import drafting, voting

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
        # A cheap hash: sign-in stays real HTTP, without 2,000 scrypt runs on two cores.
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        groups = list(StakeholderGroup)
        rows = [{"email": f"voter{n}@bench.example", "password_hash": cheap,
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
        round_id = round_.id
        db.session.remove()
        db.engine.dispose()
    return round_id


# Servers -----------------------------------------------------------------------------------

def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn(module: str, port: int, mode: str, environment: dict, log: Path, threads: int):
    worker = ["-k", "gevent", "--worker-connections", str(threads)] if mode == "gevent" else [
        "--threads", str(threads)]
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


def nginx(port: int, upstreams: list[int], directory: Path):
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists():
        raise SystemExit("the cluster setup needs nginx: apt-get install nginx-light")
    servers = "\n".join(f"    server 127.0.0.1:{upstream};" for upstream in upstreams)
    config = directory / "nginx.conf"
    config.write_text(f"""
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/nginx-error.log warn;
events {{ worker_connections 8192; }}
http {{
  access_log off;
  map $http_x_voter $sticky {{ default $http_x_voter; "" $remote_addr; }}
  upstream portal {{
    hash $sticky consistent;
{servers}
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://portal;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection "upgrade";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_read_timeout 300s;
    }}
  }}
}}
""")
    return subprocess.Popen([binary, "-c", str(config), "-g", "daemon off;"],  # noqa: S603
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


# Voters ------------------------------------------------------------------------------------

class Voter:
    def __init__(self, number: int, base: str, round_id: int, portal: bool):
        self.number, self.base, self.round_id, self.portal = number, base, round_id, portal
        self.acks: list[tuple[float, float, dict]] = []   # (sent, acknowledged, answer)
        self.tallies: list[tuple[float, int]] = []
        self.error: str | None = None

    async def sign_in(self, http: aiohttp.ClientSession) -> None:
        async with http.get(f"{self.base}/account/sign-in") as response:
            page = await response.text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        async with http.post(f"{self.base}/account/sign-in", allow_redirects=False, data={
                "csrf_token": token, "email": f"voter{self.number + 1}@bench.example",
                "password": PASSWORD}) as response:
            if response.status != 302:
                raise RuntimeError(f"sign-in answered {response.status}")

    async def run(self, room: "Room") -> None:
        headers = {"X-Voter": str(self.number)}
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar, headers=headers) as http:
            client = socketio.AsyncClient(http_session=http, reconnection=False)
            try:
                if self.portal:
                    await self.sign_in(http)

                @client.on("tally")
                async def on_tally(payload):
                    self.tallies.append((time.perf_counter(), payload["seq"]))

                await client.connect(self.base, transports=["websocket"], headers=headers,
                                     wait_timeout=60)
                answer = await client.call("join", {"room": f"round:{self.round_id}"},
                                           timeout=60)
                if not answer.get("ok"):
                    raise RuntimeError(f"join refused: {answer}")
                room.arrived()
                await room.everyone_in.wait()
                await asyncio.sleep(max(0.0, room.voting_starts + random.random()  # noqa: S311
                                        * room.window - time.perf_counter()))
                times = 2 if random.random() < 0.1 else 1  # noqa: S311
                for _ in range(times):
                    choice = random.choice(["support", "oppose", "abstain"])  # noqa: S311
                    sent = time.perf_counter()
                    answer = await client.call("cast_vote", {
                        "round_id": self.round_id, "choice": choice, "reservation": None},
                        timeout=60)
                    self.acks.append((sent, time.perf_counter(), answer))
                await asyncio.sleep(3)
            except Exception as error:  # noqa: BLE001  (counted and reported)
                self.error = repr(error)
            finally:
                await client.disconnect()

    def vote_to_tally(self) -> list[float]:
        latencies = []
        for sent, _acked, answer in self.acks:
            if not answer.get("ok"):
                continue
            seen = [at for at, seq in self.tallies if seq >= answer["seq"] and at >= sent]
            if seen:
                latencies.append(min(seen) - sent)
        return latencies


class Room:
    """Everyone comes in first; then all vote within ``window`` seconds."""

    def __init__(self, expected: int, window: float = 3.0):
        self.expected, self.window = expected, window
        self.count = 0
        self.everyone_in = asyncio.Event()
        self.voting_starts = 0.0

    def arrived(self) -> None:
        self.count += 1
        if self.count == self.expected:
            self.open_the_vote()

    def open_the_vote(self) -> None:
        if not self.everyone_in.is_set():
            self.voting_starts = time.perf_counter() + 0.5
            self.everyone_in.set()
            print(f"{self.count} of {self.expected} voters in the room; voting",
                  file=sys.stderr, flush=True)


async def vote(base: str, round_id: int, voters: int, portal: bool) -> list[Voter]:
    crowd = [Voter(n, base, round_id, portal) for n in range(voters)]
    room = Room(voters)
    tasks = []
    for voter in crowd:
        tasks.append(asyncio.create_task(voter.run(room)))
        await asyncio.sleep(0.004)   # people arrive over a few seconds, as in a room
    # Whoever could not come in within two minutes does not hold the others back.
    try:
        await asyncio.wait_for(room.everyone_in.wait(), timeout=120)
    except TimeoutError:
        room.open_the_vote()
    await asyncio.gather(*tasks)
    return crowd


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] * 1000, 1)


def summarise(crowd: list[Voter]) -> dict:
    acks = [a for voter in crowd for a in voter.acks]
    ack_times = [acked - sent for sent, acked, answer in acks if answer.get("ok")]
    tally_times = [t for voter in crowd for t in voter.vote_to_tally()]
    return {
        "acked": sum(1 for voter in crowd if any(a[2].get("ok") for a in voter.acks)),
        "acked_messages": sum(1 for a in acks if a[2].get("ok")),
        "refused": sum(1 for a in acks if not a[2].get("ok")),
        "errors": sum(1 for voter in crowd if voter.error),
        "first_error": next((voter.error for voter in crowd if voter.error), None),
        "ack_p50_ms": percentile(ack_times, 0.5), "ack_p95_ms": percentile(ack_times, 0.95),
        "p50_ms": percentile(tally_times, 0.5), "p95_ms": percentile(tally_times, 0.95),
        "p99_ms": percentile(tally_times, 0.99),
        "without_tally": sum(1 for voter in crowd for sent, _a, answer in voter.acks
                             if answer.get("ok")) - len(tally_times),
    }


def stored_votes(database_url: str, round_id: int) -> tuple[int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM votes WHERE round_id = :r"),
                                    {"r": round_id}).scalar()
        distinct = connection.execute(text(
            "SELECT count(DISTINCT registration_id) FROM votes WHERE round_id = :r"),
            {"r": round_id}).scalar()
    engine.dispose()
    return stored, stored - distinct


# The run ----------------------------------------------------------------------------------

def run_portal(args, directory: Path) -> dict:
    if args.setup == "single":
        database_url = f"sqlite:///{directory / 'bench.db'}"
        drop = None
    else:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        server = make_url(os.environ.get("TEST_DATABASE_URL")
                          or "postgresql+psycopg://postgres@127.0.0.1:5432/test")
        name = f"bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = server.set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    try:
        round_id = seed(database_url, args.voters)
        environment = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                       "SOCKETIO_ASYNC_MODE": args.mode,
                       "SIGN_IN_FAILURES_PER_ADDRESS": "100000",
                       # Thousands of voters sign in from this one address within seconds.
                       "RATE_LIMITS": "0"}
        if args.setup == "cluster":
            environment["REDIS_URL"] = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
        threads = args.voters + 100
        ports = [free_port() for _ in range(1 if args.setup == "single" else 2)]
        servers = [gunicorn("wsgi:app", port, args.mode, environment,
                            directory / f"portal-{port}.log", threads) for port in ports]
        front = None
        try:
            for port in ports:
                wait_for(f"http://127.0.0.1:{port}/account/sign-in")
            base = f"http://127.0.0.1:{ports[0]}"
            if args.setup == "cluster":
                front_port = free_port()
                front = nginx(front_port, ports, directory)
                base = f"http://127.0.0.1:{front_port}"
                wait_for(f"{base}/account/sign-in")
            before = [usage(server) for server in servers]
            crowd = asyncio.run(vote(base, round_id, args.voters, portal=True))
            time.sleep(1)
            after = [usage(server) for server in servers]
        finally:
            for process in [front, *servers]:
                if process is not None:
                    stop(process)
        result = summarise(crowd)
        result["stored"], result["duplicates"] = stored_votes(database_url, round_id)
        result["cpu_s"] = round(sum(a[0] - b[0] for a, b in zip(after, before, strict=True)), 2)
        result["peak_mb"] = round(sum(a[1] for a in after), 1)
        return result
    finally:
        if drop is not None:
            drop()


def run_bare(args, directory: Path) -> dict:
    port = free_port()
    server = gunicorn("bench.bare_vote_server:app", port, args.mode,
                      {"BARE_ASYNC_MODE": args.mode}, directory / "bare.log", args.voters + 100)
    try:
        wait_for(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling")
        before = usage(server)
        crowd = asyncio.run(vote(f"http://127.0.0.1:{port}", 1, args.voters, portal=False))
        after = usage(server)
    finally:
        stop(server)
    result = summarise(crowd)
    result["cpu_s"] = round(after[0] - before[0], 2)
    result["peak_mb"] = round(after[1], 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=500)
    parser.add_argument("--setup", choices=["single", "cluster"], default="single")
    parser.add_argument("--mode", choices=["threading", "gevent"], default="threading")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        portal = run_portal(args, directory)
        print(f"portal ({args.setup}, {args.mode}): " + json.dumps(portal))
        bare = None if args.no_bare else run_bare(args, directory)
        if bare:
            print(f"bare python-socketio ({args.mode}): " + json.dumps(bare))
    summary = {"voters": args.voters, "setup": args.setup, "mode": args.mode,
               "acked": portal["acked"], "stored": portal["stored"],
               "duplicates": portal["duplicates"], "p50_ms": portal["p50_ms"],
               "p95_ms": portal["p95_ms"], "p99_ms": portal["p99_ms"],
               "ack_p95_ms": portal["ack_p95_ms"], "errors": portal["errors"],
               "cpu_s": portal["cpu_s"], "peak_mb": portal["peak_mb"]}
    if bare:
        summary["bare_p95_ms"] = bare["p95_ms"]
        summary["p95_ratio"] = (round(portal["p95_ms"] / bare["p95_ms"], 2)
                                if portal["p95_ms"] and bare["p95_ms"] else None)
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
