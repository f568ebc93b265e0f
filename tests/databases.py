"""Throw-away databases for the suite: SQLite files, or databases on the PostgreSQL server."""

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def scratch_database(directory: Path, purpose: str):
    """Yield the URL of an empty database that is dropped afterwards.

    With ``TEST_DATABASE_URL`` set, a database named after it and ``purpose`` is created on
    that PostgreSQL server; otherwise an SQLite file in ``directory`` is used.
    """
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        yield f"sqlite:///{directory / f'{purpose}.db'}"
        return
    server = make_url(server_url)
    name = f"{server.database}_{purpose}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
