"""SQLite under concurrent writes: work that writes takes the write lock first and waits its
turn, instead of failing when another connection commits between its read and its write."""

import os
import threading
import time

import pytest
from sqlalchemy import create_engine, exc, text

from portal.database import intending_to_write

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="about SQLite only")


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'writes.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
    yield engine
    engine.dispose()


def count(engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM notes")).scalar()


def test_a_read_then_write_fails_if_someone_wrote_in_between_without_the_intent(engine):
    with engine.connect() as reader:
        transaction = reader.begin()
        reader.execute(text("SELECT count(*) FROM notes")).scalar()
        with engine.begin() as other:
            other.execute(text("INSERT INTO notes (body) VALUES ('other')"))
        with pytest.raises(exc.OperationalError, match="locked"):
            reader.execute(text("INSERT INTO notes (body) VALUES ('mine')"))
        transaction.rollback()


def test_with_the_intent_the_other_writer_waits_and_both_writes_land(engine):
    other_done = threading.Event()

    def other_writer():
        with engine.begin() as other:
            other.execute(text("INSERT INTO notes (body) VALUES ('other')"))
        other_done.set()

    with intending_to_write(), engine.connect() as writer:
        transaction = writer.begin()
        writer.execute(text("SELECT count(*) FROM notes")).scalar()
        thread = threading.Thread(target=other_writer)
        thread.start()
        time.sleep(0.3)
        assert not other_done.is_set()
        writer.execute(text("INSERT INTO notes (body) VALUES ('mine')"))
        transaction.commit()
    thread.join(timeout=15)

    assert other_done.is_set()
    assert count(engine) == 2
