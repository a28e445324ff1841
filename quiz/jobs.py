"""Background jobs (outgoing mail, code runs) on huey, never in a web request.

One Huey object holds every task, because huey registers tasks when their module is imported. Its
storage is chosen once the configuration is known (`configure_queue`):

- by default a SQLite file, `instance/queue.sqlite3`: one machine, no extra server; the web workers
  enqueue into it and `quiz worker` (which `quiz serve` starts beside gunicorn) consumes it;
- `QUEUE_URL=redis://host:6379/0`: several app machines and several worker machines share one queue.

Tasks that need the database open their own session through `worker_sessions()`: a consumer has no
Flask app and no request.

No Flask import: the CLI's worker and the web app configure the queue the same way.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

QUEUE_NAME = "quiz"

#: Modules that define tasks: imported by the worker so every task is registered before it consumes.
TASK_MODULES: list[str] = [
    "quiz.mail_jobs",  # the outbox
    "quiz.coderun.tasks",  # candidates' code, in the sandbox
]


class QueueConfigError(ValueError):
    pass


huey = Huey(QUEUE_NAME, results=False, utc=True, storage_class=MemoryStorage)


@dataclass
class WorkerContext:
    config: Mapping[str, Any]
    instance_path: Path
    engine: Engine
    sessions: sessionmaker[Session]


_context: WorkerContext | None = None


def queue_storage(config: Mapping[str, Any], instance_path: Path) -> Any:
    url = config.get("QUEUE_URL") or ""
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return SqliteStorage(QUEUE_NAME, filename=str(instance_path / "queue.sqlite3"), timeout=15)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(QUEUE_NAME, url=url)
    if url == "memory://":
        return MemoryStorage(QUEUE_NAME)
    raise QueueConfigError(f"QUEUE_URL={url!r}: expected empty (a SQLite file in the instance folder), "
                           "redis://HOST:PORT/DB, or memory:// (tests only)")


def configure_queue(config: Mapping[str, Any], instance_path: Path) -> None:
    """Point the one Huey object at the configured storage (called by create_app and `quiz worker`)."""
    huey.storage = queue_storage(config, instance_path)


def configure_worker(config: Mapping[str, Any], instance_path: Path, engine: Engine,
                     sessions: sessionmaker[Session]) -> None:
    """What tasks running in this process use to reach the database and the configuration."""
    global _context
    configure_queue(config, instance_path)
    _context = WorkerContext(config, instance_path, engine, sessions)
    for module in TASK_MODULES:
        importlib.import_module(module)


def worker_context() -> WorkerContext:
    if _context is None:
        raise RuntimeError("no worker context: tasks run under `quiz worker` (or a test that configured one)")
    return _context


def pending_count() -> int:
    return huey.pending_count()


def describe_queue(config: Mapping[str, Any], instance_path: Path) -> str:
    url = config.get("QUEUE_URL") or ""
    return url.split("@")[-1] if url else str(instance_path / "queue.sqlite3")
