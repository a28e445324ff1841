"""The job queue: a SQLite file in the instance folder by default, Redis when configured."""

from __future__ import annotations

from pathlib import Path

import pytest
from huey.storage import RedisStorage, SqliteStorage

from quiz import jobs

_done: list[str] = []


@jobs.huey.task()
def _record(value: str) -> None:
    _done.append(value)


def test_default_queue_is_a_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    storage = jobs.queue_storage({"QUEUE_URL": ""}, tmp_path / "instance")
    assert isinstance(storage, SqliteStorage)
    assert Path(storage.filename) == tmp_path / "instance" / "queue.sqlite3"


def test_redis_url_gives_a_shared_queue(tmp_path: Path) -> None:
    assert isinstance(jobs.queue_storage({"QUEUE_URL": "redis://127.0.0.1:6379/0"}, tmp_path), RedisStorage)


def test_an_unusable_queue_url_is_refused_with_what_to_write(tmp_path: Path) -> None:
    with pytest.raises(jobs.QueueConfigError, match="redis://HOST:PORT/DB"):
        jobs.queue_storage({"QUEUE_URL": "amqp://localhost"}, tmp_path)


def test_a_job_enqueued_by_one_process_is_stored_until_a_worker_takes_it(tmp_path: Path) -> None:
    config = {"QUEUE_URL": ""}
    jobs.configure_queue(config, tmp_path)
    try:
        _record("hello")
        assert _done == [] and jobs.pending_count() == 1  # enqueued, not run in this process
        # What another process (the worker) sees in the same file:
        consumer_side = jobs.queue_storage(config, tmp_path)
        assert consumer_side.queue_size() == 1
        task = jobs.huey.dequeue()
        jobs.huey.execute(task)
        assert _done == ["hello"] and jobs.pending_count() == 0
    finally:
        jobs.huey.storage = jobs.MemoryStorage(jobs.QUEUE_NAME)
        _done.clear()
