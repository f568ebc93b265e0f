"""Redis stopped for a while under two server processes: what keeps working during the outage
and how soon live updates cross processes again once Redis is back.

    .venv/bin/python bench/redis_outage.py [--outage 30] [--voters 20]

Starts a private redis-server and two gunicorn processes (threads) on free loopback ports, on
PostgreSQL when TEST_DATABASE_URL is set and otherwise on one SQLite file in WAL mode, with the
consultation of tests/test_redis_outage.py and ``--voters`` participants per process. Each
participant votes live on their process (and sends the same vote by form POST) once a second
while Redis is stopped for ``--outage`` seconds; reported are the votes acknowledged and refused
during the outage, and then the time from Redis answering again to the first tally of a vote
cast on the first process reaching a follower on the second, and of a comment posted once on the
second process the moment Redis answers reaching a follower on the first (by the live event, or
by the join answer its client gets when the process tells it to resynchronise). The last line is
one JSON object.
"""

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import create_engine, select  # noqa: E402

from consultations.models import Registration, RegistrationStatus, Role  # noqa: E402
from portal.accounts.models import StakeholderGroup  # noqa: E402
from portal.accounts.operations import create_account  # noqa: E402
from portal.extensions import db  # noqa: E402
from tests.databases import scratch_database  # noqa: E402
from tests.servers import PortalServer, RedisServer, prepare_database  # noqa: E402
from tests.test_redis_outage import PASSWORD, Participant, fill, room_ids  # noqa: E402


def fill_with_voters(voters: int):
    def run(app):
        from werkzeug.security import generate_password_hash

        from consultations.models import Consultation

        fill(app)
        db.session.flush()
        consultation = db.session.scalar(select(Consultation))
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
        for number in range(3, 3 + voters):
            user = create_account(email=f"person{number}@example.org", password_hash=cheap,
                                  name=f"Person {number}", organisation="IOM",
                                  stakeholder_group=StakeholderGroup.un_agency, country="SN")
            db.session.add(Registration(consultation=consultation, user=user,
                                        role=Role.participant,
                                        status=RegistrationStatus.approved, organisation="IOM",
                                        stakeholder_group=user.stakeholder_group, country="SN"))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outage", type=float, default=30.0, help="seconds Redis is away")
    parser.add_argument("--voters", type=int, default=20, help="participants per process")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        redis_server = RedisServer(directory).start()
        servers: list[PortalServer] = []
        people: list[Participant] = []
        try:
            with scratch_database(directory, "outage") as url:
                prepare_database(url, fill_with_voters(2 * args.voters))
                engine = create_engine(url)
                ids = room_ids(engine)
                engine.dispose()
                servers = [PortalServer(url, directory, REDIS_URL=redis_server.url).start()
                           for _ in range(2)]
                people = [Participant(3 + n, servers[n % 2], ids)
                          for n in range(2 * args.voters)]
                first_follower = Participant(1, servers[0], ids)
                follower = Participant(2, servers[1], ids)
                people += [first_follower, follower]

                redis_server.stop()
                outage_ends = time.monotonic() + args.outage
                counts = {"live_ok": 0, "live_refused": 0, "form_ok": 0, "form_failed": 0,
                          "form_connection_closed": 0}
                lock = threading.Lock()

                def keep_voting(person: Participant, number: int) -> None:
                    choices = ("support", "oppose", "abstain")
                    turn = 0
                    while time.monotonic() < outage_ends:
                        answer = person.vote_live(choices[(number + turn) % 3])
                        try:
                            status = person.vote_by_form(choices[(number + turn + 1) % 3])
                        except requests.ConnectionError:
                            # A keep-alive connection the server closed as it was reused
                            # (browsers send again by themselves); counted apart.
                            with lock:
                                counts["form_connection_closed"] += 1
                            continue
                        with lock:
                            counts["live_ok" if answer.get("ok") else "live_refused"] += 1
                            counts["form_ok" if status == 302 else "form_failed"] += 1
                        turn += 1
                        time.sleep(1)

                threads = [threading.Thread(target=keep_voting, args=(person, number))
                           for number, person in enumerate(people[:-2])]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()

                redis_server.start()
                back = time.monotonic()
                crossed = comment_crossed = None
                body = "Said the moment Redis was back"
                people[1].comment_by_form(body)  # on the second process
                voter = people[0]
                while time.monotonic() - back < 180:
                    answer = voter.vote_live("support")
                    seen_by = time.monotonic() + 0.2
                    while time.monotonic() < seen_by and not follower.saw_tally(answer["seq"]):
                        time.sleep(0.01)
                    if follower.saw_tally(answer["seq"]):
                        crossed = round(time.monotonic() - back, 2)
                        break
                while time.monotonic() - back < 180 and not first_follower.saw_comment(body):
                    time.sleep(0.01)
                if first_follower.saw_comment(body):
                    comment_crossed = round(time.monotonic() - back, 2)
        finally:
            for person in people:
                person.close()
            for server in servers:
                server.stop()
            redis_server.stop()
    print(json.dumps({"outage_s": args.outage, "participants": 2 * args.voters, **counts,
                      "crossing_again_after_s": crossed,
                      "comment_posted_as_redis_returns_crossed_after_s": comment_crossed}))


if __name__ == "__main__":
    main()
