"""A thread page with many comments: SQL queries per render and median render time.

    .venv/bin/python bench/thread_render.py

Builds a new SQLite database with a live consultation whose plenary thread holds 10, 100 and
then 1,000 comments (a third of them replies) by 200 participants, and renders the thread
page for a signed-in participant with Flask's test client.
"""

import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import event, insert  # noqa: E402

from consultations import discussion  # noqa: E402
from consultations.models import (  # noqa: E402
    Comment,
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app  # noqa: E402
from portal.accounts.models import StakeholderGroup, User  # noqa: E402
from portal.accounts.operations import hash_password  # noqa: E402
from portal.extensions import db  # noqa: E402

PASSWORD = "harmattan-baobab-river-42"
AUTHORS = 200


def build(app) -> tuple[str, int, list[int]]:
    now = datetime.now(UTC)
    consultation = Consultation(
        slug="bench", title="Bench", region=Region.africa, starts_at=now,
        ends_at=now + timedelta(days=1), status=ConsultationStatus.live)
    db.session.add(consultation)
    db.session.flush()
    password_hash = hash_password(PASSWORD)
    groups = list(StakeholderGroup)
    db.session.execute(insert(User), [
        {"email": f"author{n}@example.org", "password_hash": password_hash,
         "name": f"Author {n}", "organisation": "Organisation", "stakeholder_group": groups[n % 8],
         "country": "SN", "preferred_locale": "en", "is_admin": False, "created_at": now}
        for n in range(AUTHORS)])
    users = db.session.scalars(db.select(User).order_by(User.id)).all()
    db.session.execute(insert(Registration), [
        {"consultation_id": consultation.id, "user_id": user.id, "role": Role.participant,
         "status": RegistrationStatus.approved, "organisation": user.organisation,
         "stakeholder_group": user.stakeholder_group, "country": "SN", "attendance": "in_person",
         "languages": ["en"], "accessibility_needs": "", "notes": "", "created_at": now,
         "status_changed_at": now}
        for user in users])
    thread = discussion.plenary_thread(consultation)
    db.session.commit()
    registration_ids = dict(db.session.execute(
        db.select(Registration.user_id, Registration.id)).all())
    return consultation.slug, thread.id, [(user.id, registration_ids[user.id]) for user in users]


def add_comments(thread_id: int, authors: list, start: int, stop: int) -> None:
    now = datetime.now(UTC)
    rows = []
    for number in range(start, stop):
        user_id, registration_id = authors[number % len(authors)]
        rows.append({"thread_id": thread_id, "author_id": user_id,
                     "author_registration_id": registration_id, "created_at": now,
                     "body": f"Comment {number}: **shared** records and [a link]"
                             f"(https://example.org/{number})\n\n- one\n- two"})
    db.session.execute(insert(Comment), rows)
    db.session.commit()
    # A third of the comments answer an earlier one.
    top = db.session.scalars(db.select(Comment.id).where(
        Comment.thread_id == thread_id, Comment.parent_id.is_(None)).order_by(Comment.id)).all()
    for index, comment_id in enumerate(top[start:stop]):
        if index % 3 == 2:
            db.session.get(Comment, comment_id).parent_id = top[index // 3]
    db.session.commit()


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/bench.db",
                          "SECRET_KEY": "bench", "REDIS_URL": None, "SERVER_NAME": "bench"})
        with app.app_context():
            upgrade()
            slug, thread_id, authors = build(app)
            statements = []
            event.listen(db.engine, "before_cursor_execute",
                         lambda *args, **kwargs: statements.append(1))
        client = app.test_client()
        page = client.get("/account/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/account/sign-in", data={"csrf_token": token, "password": PASSWORD,
                                              "email": "author0@example.org"})
        done = 0
        for size in (10, 100, 1000):
            with app.app_context():
                add_comments(thread_id, authors, done, size)
            done = size
            path = f"/c/{slug}/threads/{thread_id}"
            statements.clear()
            response = client.get(path)
            assert response.status_code == 200, response.status_code
            queries = len(statements)
            timings = []
            for _ in range(15):
                started = time.perf_counter()
                client.get(path)
                timings.append(time.perf_counter() - started)
            print(f"{size:>5} comments: {queries} SQL statements per render, "
                  f"median render {statistics.median(timings) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
