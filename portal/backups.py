"""Backups of an SQLite database while the portal serves it (SQLite's online backup API).

PostgreSQL is backed up with its own tools, pg_dump and pg_restore: docs/deployment.md.
"""

import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from portal.database import BUSY_TIMEOUT_MS
from portal.refusals import Refused


class BackupRefused(Refused):
    """The backup cannot be made; the message says why."""


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupRefused("This command backs up an SQLite database file; back up PostgreSQL "
                            "with pg_dump -Fc (docs/deployment.md).")
    return Path(url.database)


def back_up_sqlite(database_url: str, target: Path) -> int:
    """Copy the database to ``target`` and return its size in bytes.

    One backup step copies every page inside one read transaction: in WAL mode the portal's
    writers go on meanwhile, and the copy is the database as of one commit. The copy is
    written beside ``target`` and renamed into place once SQLite finds it sound, so a failed
    backup never leaves half a file under the target's name.
    """
    source_path = sqlite_path(database_url)
    if not source_path.exists():
        raise BackupRefused(f"There is no database at {source_path}.")
    target = target.resolve()
    if target == source_path.resolve():
        raise BackupRefused("The backup cannot overwrite the database itself.")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(source_path, timeout=BUSY_TIMEOUT_MS / 1000)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
        # The copy stands alone: no -wal file beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
        verdict = copy.execute("PRAGMA integrity_check").fetchall()
    finally:
        copy.close()
        source.close()
    if verdict != [("ok",)]:
        partial.unlink(missing_ok=True)
        raise BackupRefused(f"The copy failed SQLite's integrity check: {verdict}")
    os.replace(partial, target)
    return target.stat().st_size
