"""The portal killed (SIGKILL) while N participants keep voting, then started again: how many
acknowledged votes are lost (the answer must be none) and how long the voters' clients take to
reconnect and get the round's state back.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/server_restart.py --voters 300 [--mode gevent|threading]

One gunicorn process on SQLite on a free loopback port with a fresh database (seeded as in
bench/live_vote.py). Every voter signs in over HTTP and connects with python-socketio's
asyncio client, reconnecting as the browser's client does (first retry after 1 s, then
doubling to 5 s, randomised by half); on every connection it joins the round's room, whose
answer carries the round's state. All vote, each changing their vote again as soon as it is
acknowledged; after ``--kill-after`` seconds the server's process group gets SIGKILL, and it is
started again at once on the same port and database. Reported: votes acknowledged before the
kill, acknowledged votes missing from the database, and from the moment the new process answers
HTTP to each client's state back (p50, p95, max), and whether each state shows the voter's
stored vote. The last line is one JSON object.
"""

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_vote import (  # noqa: E402  (bench/ is not a package)
    PASSWORD,
    SECRET,
    free_port,
    gunicorn,
    percentile,
    seed,
    stop,
    wait_for,
)

CHOICES = ("support", "oppose", "abstain")


class Voter:
    def __init__(self, number: int, base: str, round_id: int):
        self.number, self.base, self.round_id = number, base, round_id
        self.joins: list[tuple[float, dict]] = []
        self.last_acknowledged: tuple[str, dict] | None = None
        self.last_sent: str | None = None
        self.votes = self.acknowledged = 0
        self.http: aiohttp.ClientSession | None = None
        self.client: socketio.AsyncClient | None = None

    async def come_in(self) -> None:
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        async with self.http.get(f"{self.base}/account/sign-in") as response:
            page = await response.text()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        async with self.http.post(f"{self.base}/account/sign-in", allow_redirects=False, data={
                "csrf_token": token, "email": f"voter{self.number + 1}@bench.example",
                "password": PASSWORD}) as response:
            if response.status != 302:
                raise RuntimeError(f"sign-in answered {response.status}")
        self.client = socketio.AsyncClient(
            http_session=self.http, reconnection=True, reconnection_delay=1,
            reconnection_delay_max=5, randomization_factor=0.5)
        self.client.on("connect", self.join)
        await self.client.connect(self.base, transports=["websocket"], wait_timeout=60)

    async def join(self) -> None:
        # Not call(): the connect handler runs where the answers are read.
        await self.client.emit("join", {"room": f"round:{self.round_id}"},
                               callback=self.joined)

    async def joined(self, answer) -> None:
        if answer.get("ok"):
            self.joins.append((time.perf_counter(), answer["state"]))

    async def keep_voting(self, until: asyncio.Event) -> None:
        while not until.is_set():
            choice = CHOICES[(self.number + self.votes) % len(CHOICES)]
            self.votes += 1
            self.last_sent = choice
            try:
                answer = await self.client.call("cast_vote", {
                    "round_id": self.round_id, "choice": choice}, timeout=30)
            except Exception:  # noqa: BLE001  (the server is gone: stop voting)
                return
            if not answer.get("ok"):
                return
            self.last_acknowledged = (choice, answer)
            self.acknowledged += 1

    async def leave(self) -> None:
        await self.client.disconnect()
        await self.http.close()


def stored_votes(database_url: str) -> dict[int, tuple[str, int]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, choice, seq FROM votes")).all()
    engine.dispose()
    return {row.id: (row.choice, row.seq) for row in rows}


async def scenario(args, directory: Path) -> dict:
    database_url = f"sqlite:///{directory / 'bench.db'}"
    round_id = seed(database_url, args.voters)
    environment = {"DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                   "SOCKETIO_ASYNC_MODE": args.mode,
                   "SIGN_IN_FAILURES_PER_ADDRESS": "100000"}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    threads = args.voters + 100
    server = gunicorn("wsgi:app", port, args.mode, environment, directory / "before.log", threads)
    crowd = [Voter(number, base, round_id) for number in range(args.voters)]
    try:
        wait_for(f"{base}/account/sign-in")
        for start in range(0, len(crowd), 50):
            await asyncio.gather(*(voter.come_in() for voter in crowd[start:start + 50]))
        deadline = time.perf_counter() + 60
        while not all(voter.joins for voter in crowd) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)

        stop_voting = asyncio.Event()
        voting = [asyncio.create_task(voter.keep_voting(stop_voting)) for voter in crowd]
        await asyncio.sleep(args.kill_after)
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        killed = time.perf_counter()
        stop_voting.set()
        # Started again at once, as systemd's Restart=always does.
        server = gunicorn("wsgi:app", port, args.mode, environment, directory / "after.log",
                          threads)
        wait_for(f"{base}/account/sign-in")
        ready = time.perf_counter()
        # Votes sent to the killed process are never answered: their calls time out.
        await asyncio.gather(*voting)
        stored = stored_votes(database_url)
        acknowledged = [voter for voter in crowd if voter.last_acknowledged]
        lost = 0
        for voter in acknowledged:
            choice, answer = voter.last_acknowledged
            row = stored.get(answer["vote_id"])
            if row is None or row[1] < answer["seq"] or (
                    row[1] == answer["seq"] and row[0] != choice):
                lost += 1

        deadline = ready + 120
        while time.perf_counter() < deadline and not all(
                any(at > killed for at, _state in voter.joins) for voter in crowd):
            await asyncio.sleep(0.05)
        back = [min(at for at, _state in voter.joins if at > killed) - ready for voter in crowd
                if any(at > killed for at, _state in voter.joins)]
        stored = stored_votes(database_url)
        own_vote_shown = 0
        for voter in crowd:
            states = [state for at, state in voter.joins if at > killed]
            if states and voter.last_acknowledged:
                mine = states[-1]["your_vote"]
                row = stored[voter.last_acknowledged[1]["vote_id"]]
                own_vote_shown += mine == {"choice": row[0], "reservation": None, "seq": row[1]}
        return {
            "voters": args.voters, "mode": args.mode,
            "votes_acknowledged_before_kill": sum(voter.acknowledged for voter in crowd),
            "voters_acknowledged": len(acknowledged), "acknowledged_lost": lost,
            "restart_s": round(ready - killed, 2),
            "state_back": len(back),
            "state_back_p50_ms": percentile(back, 0.5),
            "state_back_p95_ms": percentile(back, 0.95),
            "state_back_max_ms": percentile(back, 1.0),
            "own_vote_shown": own_vote_shown,
        }
    finally:
        await asyncio.gather(*(voter.leave() for voter in crowd if voter.client),
                             return_exceptions=True)
        stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--mode", choices=["threading", "gevent"], default="gevent")
    parser.add_argument("--kill-after", type=float, default=3.0,
                        help="seconds of voting before the kill")
    parser.add_argument("--keep-logs", metavar="DIRECTORY",
                        help="copy the servers' logs there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        try:
            result = asyncio.run(scenario(args, Path(name)))
        finally:
            if args.keep_logs:
                for log in Path(name).glob("*.log"):
                    (Path(args.keep_logs) / log.name).write_bytes(log.read_bytes())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
