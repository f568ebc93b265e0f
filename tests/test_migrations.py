"""The schema comes from the migrations alone, and they run both ways on both databases."""

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from tests.conftest import suite_settings
from tests.databases import scratch_database

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path, monkeypatch):
    if request.param == "sqlite":
        monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    with scratch_database(tmp_path, "migrations") as url:
        application = create_app(suite_settings(url))
        with application.app_context():
            yield application
            db.session.remove()
            db.engine.dispose()


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_builds_every_table_of_the_models_and_downgrade_removes_them(empty_app):
    assert tables() == set()

    upgrade()
    assert tables() == set(db.metadata.tables)

    downgrade(revision="-1")
    upgrade()
    assert tables() == set(db.metadata.tables)


def test_the_migrations_match_the_models_exactly(empty_app):
    upgrade()

    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        differences = compare_metadata(context, db.metadata)

    assert differences == [], "the models changed without a migration: flask db migrate"


def test_sqlite_runs_with_foreign_keys_and_write_ahead_logging(tmp_path, monkeypatch):
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    application = create_app(suite_settings(f"sqlite:///{tmp_path / 'portal.db'}"))
    with application.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        db.engine.dispose()
