"""Engines and sessions, without Flask.

SQLite is tuned so several server worker processes can share one file: WAL
journal (readers never block the writer), a busy timeout (a writer waits for
the lock instead of failing at once), and foreign keys enforced.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


#: PostgreSQL: how long opening a connection may take before it counts as an outage (answered 503).
#: Without it, a server host that drops packets keeps a request waiting for minutes, past the web
#: server's worker timeout. `?connect_timeout=N` in DATABASE_URL overrides it.
CONNECT_TIMEOUT_SECONDS = 5


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


#: PostgreSQL: a pooled connection idle at least this long is pinged before use (see `_ping_when_idle`).
PING_AFTER_IDLE_SECONDS = 2.0


def make_engine(url: str, *, busy_timeout_ms: int = 15000, **kwargs: Any) -> Engine:
    if not is_sqlite(url):
        if "connect_timeout" not in make_url(url).query:
            kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_SECONDS, **kwargs.get("connect_args", {})}
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _ping_when_idle(engine)
        return engine

    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            # The file holds password hashes: private from its creation (SQLite gives its
            # -wal and -shm files the same permissions).
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    engine = create_engine(url, connect_args={"timeout": busy_timeout_ms / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when a transaction begins (see `_begin`).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a committed answer survives a power cut too ("no answer is lost").
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # pysqlite would only BEGIN at the first write, leaving earlier reads outside the
        # transaction and breaking SAVEPOINTs; SQLAlchemy's documented recipe fixes both.
        if not _autocommit.get():
            connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")

    return engine


def _ping_when_idle(engine: Engine) -> None:
    """A pooled connection the server dropped (restart, failover) is replaced before use, so the app
    recovers by itself once the server is back. SQLAlchemy's pool_pre_ping does it on every checkout,
    a round trip that cost an autosave 18 % of its CPU; only a connection that sat idle in the pool can
    have been dropped unnoticed, so only such a one is pinged. One dropped while in use fails its
    request (answered 503, see quiz.outage), and SQLAlchemy then replaces every pooled connection."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["quiz_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("quiz_idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                # The pool discards this connection and checks out a fresh one (SQLAlchemy's
                # documented recipe for pessimistic disconnect handling).
                raise exc.DisconnectionError(str(error)) from error
            raise


#: On SQLite, a transaction that reads and then writes fails at once ("database is locked")
#: if another writer committed in between; one that takes the write lock when it begins
#: (BEGIN IMMEDIATE) waits its turn instead. Requests that may write set this first.
_immediate: ContextVar[bool] = ContextVar("quiz_sqlite_immediate", default=False)


def set_immediate_transactions(value: bool) -> None:
    """For the rest of this context (request, thread, CLI command), SQLite transactions take the write lock."""
    _immediate.set(value)


def takes_write_lock() -> bool:
    """Whether transactions begun now take SQLite's write lock at once (see `set_immediate_transactions`)."""
    return _immediate.get()


@contextmanager
def immediate_transactions() -> Iterator[None]:
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


_autocommit: ContextVar[bool] = ContextVar("quiz_sqlite_autocommit", default=False)


def begin_autocommit(session: Session) -> None:
    """Until `end_autocommit`, each statement of `session` is a transaction of its own, committed as it
    runs: no BEGIN and COMMIT around it. For a request whose every write is one self-checking
    statement (the autosave); on SQLite the write lock is then held for that statement only.
    Must come before the session's first statement."""
    if session.in_transaction():
        raise RuntimeError("begin_autocommit must come before the session's first statement")
    if session.get_bind().dialect.name == "sqlite":
        # The connection is already in the driver's autocommit mode (see make_engine): no BEGIN is enough.
        token = _autocommit.set(True)
        try:
            session.connection()
        finally:
            _autocommit.reset(token)
    else:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def end_autocommit(session: Session) -> None:
    """Back to transactions: what ran stays committed; the next statement begins a transaction as
    usual (BEGIN IMMEDIATE on SQLite in a request that writes). The connection's own mode is reset
    when it goes back to the pool."""
    session.rollback()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    # expire_on_commit=False: a view may still read what it committed when it renders.
    return sessionmaker(bind=engine, expire_on_commit=False)
