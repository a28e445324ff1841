"""Rate-limit counters in a SQLite file, so every gunicorn worker of one machine counts together.

The `limits` library (under Flask-Limiter) ships memory, Redis, Memcached, MongoDB and etcd storages.
Memory counts per worker process (with 2 workers a "10 per minute" limit let 20 log-ins through);
the others need a server this app does not otherwise need. A SQLite file in the instance folder is
already how one machine shares the database and the job queue, so the embedded default does the
same: `quiz+sqlite:///ABSOLUTE/PATH`. Several machines share Redis instead
(`RATELIMIT_STORAGE_URI=redis://HOST:6379/N`).

Only the fixed-window strategy (Flask-Limiter's default, the one the app uses) is supported.
Counters use wall-clock time, as `limits`' own storages do: a rate window is not assessment time.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from limits.storage import Storage

SCHEME = "quiz+sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS rate_counters (key TEXT PRIMARY KEY, count INTEGER NOT NULL, "
           "expires_at REAL NOT NULL)",
           "CREATE INDEX IF NOT EXISTS ix_rate_counters_expires_at ON rate_counters (expires_at)")


def default_storage_uri(instance_path: Path) -> str:
    return f"{SCHEME}://{(instance_path / 'ratelimits.sqlite3').resolve()}"


class SQLiteStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if not uri or not uri.startswith(f"{SCHEME}://") or not uri[len(SCHEME) + 3:]:
            raise ValueError(f"expected {SCHEME}:///absolute/path/to/file.sqlite3, got {uri!r}")
        self.path = Path(uri[len(SCHEME) + 3:])
        self.busy_timeout_ms = int(options.get("busy_timeout_ms", 5000))
        self._local = threading.local()

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread and process: gunicorn forks workers after the app is built.
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=self.busy_timeout_ms / 1000, isolation_level=None)
            try:
                # WAL persists in the file: whichever worker comes first sets it. Changing the mode does
                # not wait for a lock, so a worker that meets another's transaction just goes on; the
                # counting (BEGIN IMMEDIATE) waits its turn in either mode.
                if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    connection.execute("PRAGMA journal_mode=WAL")
            except sqlite3.OperationalError:
                pass
            # A counter lost in a power cut costs nothing; an fsync per count made every log-in of a
            # start storm wait for the disk twice, holding this file's lock.
            connection.execute("PRAGMA synchronous=NORMAL")
            for statement in _SCHEMA:
                connection.execute(statement)
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")  # one writer at a time: no two workers read the same count
        try:
            connection.execute("DELETE FROM rate_counters WHERE expires_at <= ?", (now,))
            (count,) = connection.execute(
                "INSERT INTO rate_counters (key, count, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + excluded.count RETURNING count",
                (key, amount, now + expiry)).fetchone()
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        return int(count)

    def _live(self, key: str) -> tuple[int, float] | None:
        row = self._connection().execute(
            "SELECT count, expires_at FROM rate_counters WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return (int(row[0]), float(row[1])) if row else None

    def get(self, key: str) -> int:
        live = self._live(key)
        return live[0] if live else 0

    def get_expiry(self, key: str) -> float:
        live = self._live(key)
        return live[1] if live else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM rate_counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM rate_counters WHERE key = ?", (key,))
