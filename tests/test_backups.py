"""Backups and restores (SQLite's online backup, pg_dump and pg_restore for PostgreSQL), and the
integrity check a restored database must pass, which finds a corrupted tally."""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from consultations import discussion
from consultations.models import (
    Consultation,
    ConsultationStatus,
    Region,
    Registration,
    RegistrationStatus,
    Role,
)
from portal import create_app
from portal.accounts.models import StakeholderGroup
from portal.accounts.operations import create_account
from portal.extensions import db
from recommendations import drafting, voting
from recommendations.models import Vote
from recommendations.outcome.operations import compile_outcome
from tests.conftest import suite_settings
from tests.databases import scratch_database
from tests.servers import ROOT, prepare_database

CHEAP_HASH = "pbkdf2:sha256:1$salt$0"
ON_POSTGRESQL = bool(os.environ.get("TEST_DATABASE_URL"))


def fill(app):
    """A plenary: one recommendation adopted by vote, one rejected, one still being voted on,
    a discussion with a reply, and the outcome document compiled."""
    starts = datetime(2024, 4, 24, 9, 0, tzinfo=UTC)
    consultation = Consultation(slug="plenary", title="Plenary", region=Region.africa,
                                starts_at=starts, ends_at=starts + timedelta(days=1),
                                status=ConsultationStatus.live)
    db.session.add(consultation)
    people = []
    for number in range(7):
        user = create_account(email=f"person{number}@example.org", password_hash=CHEAP_HASH,
                              name=f"Person {number}", organisation="IFRC",
                              stakeholder_group=list(StakeholderGroup)[number % 3],
                              country="SN")
        db.session.add(Registration(
            consultation=consultation, user=user,
            role=Role.facilitator if number == 0 else Role.participant,
            status=RegistrationStatus.approved, organisation="IFRC",
            stakeholder_group=user.stakeholder_group, country="SN"))
        people.append(user)
    db.session.flush()
    facilitator, voters = people[0], people[1:]
    for title, choices in (("Adopted", ("support",) * 5 + ("oppose",)),
                           ("Rejected", ("oppose",) * 4 + ("support", "abstain")),
                           ("Open", ("support", "abstain"))):
        recommendation = drafting.create_recommendation(
            consultation, facilitator, title=title, text=f"{title} text.")
        drafting.revise(recommendation, facilitator, f"{title} text, revised.")
        round_ = voting.open_round(recommendation, facilitator)
        for voter, choice in zip(voters, choices, strict=False):
            voting.cast_vote(round_, voter, choice)
        if title != "Open":
            voting.close_round(round_, facilitator, confirmed=True)
    thread = discussion.add_thread(consultation, facilitator, "Plenary")
    first = discussion.post_comment(thread, voters[0], "A first point.")
    discussion.post_comment(thread, voters[1], "A reply.", first)
    compile_outcome(consultation, "en", None)


def check(url: str):
    app = create_app(suite_settings(url))
    result = app.test_cli_runner().invoke(args=["check-integrity"])
    with app.app_context():
        db.engine.dispose()
    return result


def execute(url: str, *statements: str) -> None:
    """Change the database behind the portal's back, statement by statement."""
    if not ON_POSTGRESQL:
        # Outside a transaction: SQLite ignores PRAGMA foreign_keys inside one.
        connection = sqlite3.connect(make_url(url).database, isolation_level=None)
        for statement in statements:
            connection.execute(statement)
        connection.close()
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def votes_in(url: str) -> list[tuple]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(Vote.round_id, Vote.registration_id, Vote.choice,
                                         Vote.seq).order_by(Vote.id)).all()
    engine.dispose()
    return [tuple(row) for row in rows]


@pytest.fixture
def plenary_database(tmp_path):
    with scratch_database(tmp_path, "plenary") as url:
        prepare_database(url, fill)
        yield url


def test_a_database_after_a_plenary_passes_the_integrity_check(plenary_database):
    result = check(plenary_database)
    assert result.exit_code == 0, result.output
    assert "passed" in result.output


def test_a_vote_changed_behind_the_portal_is_found_as_a_corrupted_tally(plenary_database):
    # One supporter of the adopted recommendation turned into an opponent: still adopted by
    # simple majority, so only the counts recorded at closing give it away.
    execute(plenary_database, "UPDATE votes SET choice = 'oppose' WHERE id = "
            "(SELECT min(id) FROM votes WHERE choice = 'support')")
    result = check(plenary_database)
    assert result.exit_code == 1
    assert re.search(r"Round 1 of recommendation R\d+: the votes count .*'oppose': 2.* "
                     r"'oppose': 1.* were recorded when it closed", result.output), result.output
    # The outcome document compiled before states the counts as they were.
    assert re.search(r"Outcome document 1 in en .* the document states .*'oppose': \(1, 0\).* "
                     r"the votes give .*'oppose': \(2, 0\)", result.output), result.output


def test_a_result_the_votes_do_not_give_is_found(plenary_database):
    execute(plenary_database, "UPDATE vote_rounds SET adopted = true, result_reason = 'adopted' "
            "WHERE result_reason = 'opposed'")
    result = check(plenary_database)
    assert result.exit_code == 1
    assert "the votes give opposed, the round records adopted" in result.output


def test_an_outcome_file_changed_behind_the_portal_is_found(plenary_database):
    execute(plenary_database, "UPDATE outcome_documents SET pdf = content, "
            "pdf_sha256 = sha256, pdf_size = size")
    assert check(plenary_database).exit_code == 0
    execute(plenary_database, "UPDATE outcome_documents SET pdf_sha256 = sha256 || ''",
            "UPDATE outcome_documents SET sha256 = lower(substr(sha256, 2)) || '0'")
    result = check(plenary_database)
    assert result.exit_code == 1
    assert "Outcome document 1 in en" in result.output
    assert "its Word file is not the one recorded" in result.output
    assert "its PDF is not the one recorded" not in result.output
    execute(plenary_database, "UPDATE outcome_documents SET pdf = substr(content, 2)")
    assert "its PDF is not the one recorded" in check(plenary_database).output


def test_a_gap_in_the_versions_and_a_vote_of_a_missing_registration_are_found(
    plenary_database,
):
    without_foreign_keys = ("PRAGMA foreign_keys = OFF" if not ON_POSTGRESQL
                            else "SET session_replication_role = replica")
    execute(plenary_database, "UPDATE recommendation_versions SET number = 3 WHERE number = 2")
    execute(plenary_database, without_foreign_keys,
            "UPDATE votes SET registration_id = 9999 WHERE id = (SELECT min(id) FROM votes)")
    result = check(plenary_database)
    assert result.exit_code == 1
    assert "are not numbered 1 to 2 without gaps" in result.output
    assert "row(s) of votes refer to a missing registrations (registration_id)" in result.output


@pytest.mark.skipif(ON_POSTGRESQL, reason="about SQLite's online backup")
def test_the_sqlite_backup_is_taken_while_a_writer_holds_the_database_and_restores_whole(
    plenary_database, tmp_path
):
    database_file = make_url(plenary_database).database
    writer = sqlite3.connect(database_file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("DELETE FROM votes")
    try:
        # The real command, as cron or an operator runs it, while the write is under way.
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "backup",
             str(tmp_path / "backup.db")],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": plenary_database,
                           "SECRET_KEY": "backups"},
            capture_output=True, text=True, timeout=120)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert done.returncode == 0, done.stderr
    assert "Backed up to" in done.stdout

    restored = tmp_path / "restored.db"
    shutil.copy(tmp_path / "backup.db", restored)
    restored_url = f"sqlite:///{restored}"
    assert votes_in(restored_url) == votes_in(plenary_database) != []
    result = check(restored_url)
    assert result.exit_code == 0, result.output


def test_the_backup_command_points_postgresql_to_pg_dump(tmp_path):
    app = create_app(suite_settings("postgresql+psycopg://postgres@127.0.0.1:5432/none"))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert "pg_dump -Fc" in result.output
    assert not Path(tmp_path / "copy.db").exists()


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def major_version(command: list[str]) -> int:
    return int(re.search(r"(\d+)\.", subprocess.run(
        command, capture_output=True, text=True, check=True).stdout).group(1))


@pytest.mark.skipif(not ON_POSTGRESQL, reason="TEST_DATABASE_URL (PostgreSQL) is not set")
def test_pg_dump_and_pg_restore_give_back_the_same_votes_and_the_restore_passes(
    plenary_database, tmp_path
):
    pg_dump, pg_restore = shutil.which("pg_dump"), shutil.which("pg_restore")
    assert pg_dump and pg_restore, "pg_dump is missing: apt-get install postgresql-client"
    engine = create_engine(plenary_database)
    with engine.connect() as connection:
        server = int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000
    engine.dispose()
    # pg_dump refuses a server newer than itself.
    assert major_version([pg_dump, "--version"]) >= server

    dump = tmp_path / "portal.dump"
    # The commands docs/deployment.md gives.
    subprocess.run([pg_dump, "-Fc", "--no-owner", "-d", libpq(plenary_database),
                    "-f", str(dump)], check=True, timeout=120)
    with scratch_database(tmp_path, "restored") as restored:
        subprocess.run([pg_restore, "--no-owner", "--exit-on-error", "-d", libpq(restored),
                        str(dump)], check=True, timeout=120)
        assert votes_in(restored) == votes_in(plenary_database) != []
        engine = create_engine(restored)
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(Vote)).scalar() == 14
        engine.dispose()
        result = check(restored)
    assert result.exit_code == 0, result.output
