"""The portal killed (SIGKILL) while N participants keep voting, then started again: how many
acknowledged votes are lost (the answer must be none) and how long the voters' clients take to
reconnect and get the round's state back.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/server_restart.py --voters 300 [--mode gevent|threading]
        [--setup single|cluster]

One gunicorn process on SQLite on a free loopback port with a fresh database (``--setup
cluster``: docs/deployment.md's two processes behind nginx, on a fresh PostgreSQL database of
TEST_DATABASE_URL's server and Redis, both processes killed at once), seeded as in
bench/live_vote.py (argon2id password hashes, as the portal stores them). Every voter signs in
through the sign-in form and connects with the client of bench/live_vote.py, which behaves as
the portal's live.js and the browser's socket.io-client: a sign-in answered 503, a join or a
vote answered ``busy`` and a connection refused ``busy`` are sent again after the wait the
server asks for and up to as long again; a lost connection is made again after 1 s, then
doubling to 5 s, randomised by half; on every connection it joins the round's room, whose
answer carries the round's state. All vote, each changing their vote again as soon as it is
acknowledged; after ``--kill-after`` seconds the server's process group gets SIGKILL, and it is
started again at once on the same port and database. Reported: votes acknowledged before the
kill, acknowledged votes missing from the database, and from the moment the new process answers
HTTP to each client's state back (p50, p95, max; and p95 from the kill, the process's start
included), and whether each state shows the voter's stored vote. The last line is one JSON
object.
"""

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_vote import (  # noqa: E402  (bench/ is not a package)
    HttpAnswers,
    LiveClient,
    bench_database,
    busy_wait,
    client_cpu,
    front_of,
    keep_logs,
    percentile,
    phones_collect_their_own_garbage,
    portal_environment,
    portal_ports,
    seed,
    server_tracebacks,
    start_portal,
    stop,
    wait_for,
)

CHOICES = ("support", "oppose", "abstain")


class Voter(LiveClient):
    def __init__(self, number: int, base: str, round_id: int, answers: HttpAnswers):
        super().__init__(number, base, f"round:{round_id}", answers)
        self.round_id = round_id
        self.last_acknowledged: tuple[str, dict] | None = None
        self.last_sent: str | None = None
        self.votes = self.acknowledged = 0

    async def come_in(self, deadline: float) -> None:
        """Sign in through the form, then connect and join, and keep doing so after every
        lost connection (as live.js does)."""
        await self.open()
        await self.sign_in(deadline)
        self.keep_connected()

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
            if answer and answer.get("code") == "busy":
                await asyncio.sleep(busy_wait(answer.get("retry_after")))
                continue
            if not answer or not answer.get("ok"):
                return
            self.last_acknowledged = (choice, answer)
            self.acknowledged += 1


def stored_votes(database_url: str) -> dict[int, tuple[str, int]]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT id, choice, seq FROM votes")).all()
    engine.dispose()
    return {row.id: (row.choice, row.seq) for row in rows}


async def scenario(args, directory: Path) -> dict:
    with bench_database(args.setup, directory) as database_url:
        return await restart(args, directory, database_url)


async def restart(args, directory: Path, database_url: str) -> dict:
    round_id, _recommendation_id = seed(database_url, args.voters, args.distinct_hashes)
    environment = portal_environment(args.setup, database_url, args.mode)
    ports = portal_ports(args.setup)
    servers = start_portal(args, directory, environment, ports, "before")
    front = None
    phones_collect_their_own_garbage()
    answers = HttpAnswers()
    crowd: list[Voter] = []
    try:
        base, front = front_of(args.setup, ports, directory, args.voters)
        crowd = [Voter(number, base, round_id, answers) for number in range(args.voters)]
        arriving = time.perf_counter()
        deadline = arriving + args.arrival_timeout
        for start in range(0, len(crowd), 50):
            await asyncio.gather(*(voter.come_in(deadline) for voter in crowd[start:start + 50]))
        while not all(voter.joins for voter in crowd) and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
        all_in = time.perf_counter() - arriving
        joined_before = sum(1 for voter in crowd if voter.joins)
        print(f"{joined_before} of {args.voters} voters in the room after {all_in:.1f} s; "
              "voting", file=sys.stderr, flush=True)

        stop_voting = asyncio.Event()
        voting = [asyncio.create_task(voter.keep_voting(stop_voting)) for voter in crowd]
        await asyncio.sleep(args.kill_after)
        for server in servers:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        killed = time.perf_counter()
        cpu_at_kill = client_cpu()
        stop_voting.set()
        # Started again at once, as systemd's Restart=always does (nginx stays).
        servers = start_portal(args, directory, environment, ports, "after")
        # The browsers keep running meanwhile: they notice the lost connections and try again.
        for port in ports:
            await asyncio.to_thread(wait_for, f"http://127.0.0.1:{port}/healthz")
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
                any(at > killed for at, _answer in voter.joins) for voter in crowd):
            await asyncio.sleep(0.05)
        back_after_kill = [min(at for at, _answer in voter.joins if at > killed) - killed
                           for voter in crowd if any(at > killed for at, _answer in voter.joins)]
        back = [seconds - (ready - killed) for seconds in back_after_kill]
        stored = stored_votes(database_url)
        own_vote_shown = 0
        for voter in crowd:
            states = [answer["state"] for at, answer in voter.joins if at > killed]
            if states and voter.last_acknowledged:
                mine = states[-1]["your_vote"]
                row = stored[voter.last_acknowledged[1]["vote_id"]]
                own_vote_shown += mine == {"choice": row[0], "reservation": None, "seq": row[1]}
        return {
            "voters": args.voters, "setup": args.setup, "mode": args.mode,
            "joined_before_kill": joined_before, "all_in_s": round(all_in, 2),
            "votes_acknowledged_before_kill": sum(voter.acknowledged for voter in crowd),
            "voters_acknowledged": len(acknowledged), "acknowledged_lost": lost,
            "restart_s": round(ready - killed, 2),
            "state_back": len(back),
            "state_back_p50_ms": percentile(back, 0.5),
            "state_back_p95_ms": percentile(back, 0.95),
            "state_back_max_ms": percentile(back, 1.0),
            "state_back_after_kill_p95_ms": percentile(back_after_kill, 0.95),
            "own_vote_shown": own_vote_shown,
            "dropped": sum(voter.dropped for voter in crowd),
            "reconnects": sum(max(0, voter.connections - 1) for voter in crowd),
            "connect_busy": sum(voter.connect_busy for voter in crowd),
            "join_busy": sum(voter.join_busy for voter in crowd),
            "http_5xx": {str(status): count
                         for status, count in sorted(answers.by_status.items())},
            "client_cpu_after_kill_s": round(client_cpu() - cpu_at_kill, 2),
        }
    finally:
        await asyncio.gather(*(voter.close() for voter in crowd if voter.client),
                             return_exceptions=True)
        for process in [front, *servers]:
            if process is not None:
                stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--setup", choices=["single", "cluster"], default="single",
                        help="one process on SQLite, or docs/deployment.md's two behind nginx "
                             "with PostgreSQL and Redis (both killed and started again)")
    parser.add_argument("--mode", choices=["threading", "gevent"], default="gevent")
    parser.add_argument("--kill-after", type=float, default=3.0,
                        help="seconds of voting before the kill")
    parser.add_argument("--arrival-timeout", type=float, default=300,
                        help="seconds for everyone to sign in and join before the voting")
    parser.add_argument("--distinct-hashes", type=int, default=16,
                        help="argon2id hashes made and dealt out in turn to the participants")
    parser.add_argument("--keep-logs", metavar="DIRECTORY",
                        help="copy the servers' logs there")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        try:
            result = asyncio.run(scenario(args, Path(name)))
            result["server_errors"], first = server_tracebacks(Path(name))
            if first:
                print("first error in the servers' logs:\n" + first, file=sys.stderr)
        finally:
            keep_logs(Path(name), args.keep_logs)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
