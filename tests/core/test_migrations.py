"""The schema comes only from migrations, and they match the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.core.db import render_migration_item
from lms.extensions import db


def test_models_and_migrations_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "render_item": render_migration_item},
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models differ from migrations: {differences}"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "sqlite":
            return
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
