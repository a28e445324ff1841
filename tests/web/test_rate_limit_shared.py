"""On the default storage (no Redis), the log-in limit holds across the processes of one machine."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from quiz.ratelimit_storage import SQLiteStorage, default_storage_uri


def _server_process(instance: str, attempts: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    """One server process (as a gunicorn worker is): its own interpreter and app, the shared instance folder."""
    from quiz.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{instance}/quiz.sqlite3", "INSTANCE_PATH": instance,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True})
    client = app.test_client()
    barrier.wait(timeout=60)  # both fire at once
    results.put([client.post("/login", data={"email": f"x{n}@example.com", "password": "wrong password!"}).status_code
                 for n in range(attempts)])


def test_two_server_processes_on_the_default_store_share_one_limit(tmp_path: Path) -> None:
    from quiz import migrate
    from quiz.db import make_engine

    instance = tmp_path / "instance"
    instance.mkdir()
    engine = make_engine(f"sqlite:///{instance}/quiz.sqlite3")
    migrate.upgrade(engine)
    engine.dispose()

    context = multiprocessing.get_context("spawn")
    results, barrier = context.Queue(), context.Barrier(2)
    processes = [context.Process(target=_server_process, args=(str(instance), 8, barrier, results)) for _ in range(2)]
    for process in processes:
        process.start()
    statuses = [results.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    every = statuses[0] + statuses[1]
    # "10 per minute" from one address: 16 tries from two processes, exactly 10 get through.
    assert every.count(200) == 10 and every.count(429) == 6, statuses
    assert (instance / "ratelimits.sqlite3").is_file()


def test_a_counter_expires_with_its_window(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import quiz.ratelimit_storage as storage_module

    now = [1_000_000.0]
    monkeypatch.setattr(storage_module.time, "time", lambda: now[0])
    storage = SQLiteStorage(default_storage_uri(tmp_path))
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == 1_000_060.0
    now[0] += 60
    assert storage.get("k") == 0
    assert storage.incr("k", 60) == 1  # a new window
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


def test_a_worker_starting_while_another_counts_waits_instead_of_failing(tmp_path: Path) -> None:
    """Two workers' first log-ins at once: switching a fresh file to WAL does not wait for a lock, so
    it used to fail with "database is locked" (a 503 on a log-in) instead of waiting its turn."""
    import sqlite3
    import threading

    from quiz.ratelimit_storage import SCHEME, SQLiteStorage

    path = tmp_path / "ratelimits.sqlite3"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another worker, mid-count, on a file still in rollback mode
    other.execute("CREATE TABLE busy (x)")
    threading.Timer(0.5, other.execute, args=("COMMIT",)).start()
    storage = SQLiteStorage(f"{SCHEME}://{path}")
    assert storage.incr("login/1.2.3.4", 60) == 1
    assert storage.get("login/1.2.3.4") == 1


def test_counting_does_not_wait_for_the_disk(tmp_path: Path) -> None:
    """Counters need not survive a power cut: the file is in WAL mode and commits without an fsync."""
    storage = SQLiteStorage(default_storage_uri(tmp_path))
    assert storage.incr("login:10.0.0.1", 60) == 1
    connection = storage._connection()
    assert connection.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    assert connection.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
