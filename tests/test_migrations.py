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
        assert indexes["uq_attempts_one_per_assessment"]["column_names"] == ["user_id", "assessment_id"]
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


def _sqlite_fingerprint(connection) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    import re

    rows = connection.exec_driver_sql(
        "SELECT type, tbl_name, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name != 'alembic_version'"
    ).all()
    found: set[tuple[str, ...]] = set()
    for kind, table, name, sql in rows:
        text_ = " ".join(sql.split())
        if kind == "index":
            found.add(("index", table, name, text_.split(" ON ", 1)[1].replace('"', "")))
        else:
            for check in re.findall(r"CONSTRAINT (\w+) CHECK \((.*?)\)(?:,| \)$)", text_):
                found.add(("check", table, *check))
            for fk in connection.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")').all():
                found.add(("fk", table, str(fk[2]), str(fk[3]), str(fk[4]), str(fk[6])))
    return found


def _postgres_fingerprint(connection) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    indexes = connection.exec_driver_sql(
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = 'public' AND tablename != 'alembic_version'").all()
    constraints = connection.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = 'public' AND c.conrelid::regclass::text != 'alembic_version'").all()
    return {("index", *map(str, row)) for row in indexes} | {("constraint", *map(str, row)) for row in constraints}


def test_migrated_schema_has_exactly_the_models_constraints_and_index_predicates(db_url: str) -> None:
    """compare_metadata ignores CHECK constraints and partial-index WHERE clauses, where the
    one-attempt rules live; compare the database's own DDL of both ways of building it."""
    engine = make_engine(db_url)
    fingerprint = _sqlite_fingerprint if engine.dialect.name == "sqlite" else _postgres_fingerprint
    try:
        migrate.upgrade(engine)
        with engine.connect() as connection:
            migrated = fingerprint(connection)
        migrate.downgrade(engine, "base")
        Base.metadata.create_all(engine)
        with engine.connect() as connection:
            modelled = fingerprint(connection)
        assert migrated == modelled
        starter = [f for f in migrated if "uq_attempts_one_starter_per_user" in f]
        assert starter and "'starter'" in str(starter) and "voided_at IS NULL" in str(starter)
    finally:
        Base.metadata.drop_all(engine)
        engine.dispose()


def test_accounts_made_before_0005_are_verified_and_get_their_comparison_keys(db_url: str) -> None:
    from sqlalchemy import text

    engine = make_engine(db_url)
    try:
        migrate.upgrade(engine, "0004_offered_tier")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, email, password_hash, role, is_active, accommodation_factor, created_at) "
                "VALUES (1, 'ada.lovelace+x@gmail.com', 'x', 'candidate', true, 1, '2026-01-02 03:04:05')"))
            connection.execute(text(
                "INSERT INTO candidate_applications (user_id, full_name, country, time_zone, education, expertise, "
                "languages, hours_per_week, created_at, updated_at) VALUES (1, 'Ada  Lovelace', 'UK', 'UTC', 'x', "
                "'[]', '[]', 5, '2026-01-02 03:04:05', '2026-01-02 03:04:05')"))
        migrate.upgrade(engine)
        with engine.connect() as connection:
            verified, canonical = connection.execute(
                text("SELECT email_verified_at, email_canonical FROM users")).one()
            key = connection.execute(text("SELECT name_country_key FROM candidate_applications")).scalar_one()
        assert str(verified).startswith("2026-01-02 03:04:05")  # verified since they were made
        assert canonical == "adalovelace@gmail.com" and key == "ada lovelace|uk"
    finally:
        engine.dispose()
