"""Migrations are the only way the schema is made: they must build it, match the models, and undo."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from quiz import migrate
from quiz.db import make_engine
from quiz.models import Base


def test_upgrade_to_head_matches_models_and_downgrades_to_base(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.current_revision(engine) is None

        migrate.upgrade(engine)
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert migrate.is_up_to_date(engine)
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables

        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = compare_metadata(context, Base.metadata)
        assert drift == [], f"models and migrations differ; write a migration: {drift}"

        migrate.downgrade(engine, "base")
        assert migrate.current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}

        migrate.upgrade(engine)  # and up again: the downgrade left nothing behind
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()


def test_partial_unique_indexes_exist_after_migration(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine)
        indexes = {ix["name"]: ix for ix in inspect(engine).get_indexes("attempts")}
        assert indexes["uq_attempts_one_starter_per_user"]["unique"]
        assert indexes["uq_attempts_one_per_assessment"]["unique"]
    finally:
        engine.dispose()


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, busy_timeout_ms=7000)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 7000
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()
