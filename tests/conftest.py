"""Shared fixtures: databases on SQLite and PostgreSQL, the app, factories.

PostgreSQL tests use QUIZ_TEST_DATABASE_URL (a server where we may create databases).
Without it they are skipped with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os

# One BLAS thread, set before anything loads numpy: the psychometrics tests multiply small matrices,
# and on a shared 2-core machine extra BLAS threads only spin and wait (up to 10× slower under load).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from quiz import migrate
from quiz.config import normalise_database_url
from quiz.db import make_engine, make_session_factory

pytest_plugins = ["tests.smtp", "tests.browser"]  # smtp_server, slow_smtp_server; the one Chromium (browser)

POSTGRES_URL = os.environ.get("QUIZ_TEST_DATABASE_URL")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REPO_ROOT = Path(__file__).resolve().parent.parent
BANK_DIR = REPO_ROOT / "question_bank"


def _postgres_unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI runs every test on PostgreSQL too: {reason}")
    pytest.skip(f"PostgreSQL tests skipped: {reason}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not POSTGRES_URL:
        _postgres_unavailable("set QUIZ_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test")
    server_url = make_url(normalise_database_url(POSTGRES_URL))
    name = f"quiz_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means the same here
        admin.dispose()
        _postgres_unavailable(f"cannot create a database on {server_url.render_as_string()}: {exc}")
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'quiz.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs the test once per engine."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")


def _migrated(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database, on each engine in turn."""
    yield from _migrated(db_url)


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite database, for tests whose subject does not depend on the engine."""
    yield from _migrated(sqlite_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with make_session_factory(engine)() as session:
        yield session


@pytest.fixture
def sqlite_session(sqlite_engine: Engine) -> Iterator[Session]:
    with make_session_factory(sqlite_engine)() as session:
        yield session


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 at its production cost takes ~0.1 s a hash; hundreds of test log-ins do not need that.
    Hashes made here still verify the same way (the parameters travel inside each hash)."""
    from argon2 import PasswordHasher

    from quiz.auth import passwords

    production = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    passwords._hasher = production


@pytest.fixture(scope="session")
def sandbox() -> None:
    """Code runs go through the real bubblewrap sandbox: without it a test using this skips with the
    reason, except in CI, where it fails (`.ci/run` installs bubblewrap and nodejs)."""
    from quiz.coderun.sandbox import unavailable_reason

    reason = unavailable_reason()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"CI runs code in the real sandbox: {reason}")
    pytest.skip(f"sandbox tests skipped: {reason}")
