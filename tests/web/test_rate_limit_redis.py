"""With Redis storage, the log-in limit holds across separate server processes."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from pathlib import Path

import pytest

from tests.conftest import IN_CI

REDIS_URL = os.environ.get("QUIZ_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if IN_CI:
            pytest.fail(f"CI expects Redis at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis tests skipped: nothing answers at {REDIS_URL} ({exc})")


def _server_process(instance: str, prefix: str, attempts: int, results) -> None:  # type: ignore[no-untyped-def]
    """One 'server': its own interpreter, its own app, the shared Redis."""
    from quiz import migrate
    from quiz.app import create_app
    from quiz.extensions import get_engine

    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{instance}/q.sqlite3", "INSTANCE_PATH": instance,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL,
                      "RATELIMIT_KEY_PREFIX": prefix})
    migrate.upgrade(get_engine(app))
    client = app.test_client()
    results.put([client.post("/login", data={"email": "x@example.com", "password": "wrong password!"}).status_code
                 for _ in range(attempts)])


def test_the_limit_is_shared_by_two_servers(tmp_path: Path) -> None:
    _redis_or_skip()
    prefix = f"quiz-test-{uuid.uuid4().hex}"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    statuses = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        process = context.Process(target=_server_process, args=(str(tmp_path / name), prefix, 6, results))
        process.start()
        process.join(timeout=60)
        statuses.append(results.get(timeout=5))
    assert statuses[0] == [200] * 6
    assert statuses[1] == [200] * 4 + [429] * 2  # 10 a minute, counted across both servers


def test_behind_a_trusted_proxy_the_limit_counts_each_client(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=1)
    client = app.test_client()

    def attempt(address: str) -> int:
        return client.post("/login", data={"email": f"{address}@example.com", "password": "wrong password!"},
                           headers={"X-Forwarded-For": address}).status_code

    assert [attempt("203.0.113.1") for _ in range(11)][-1] == 429
    assert attempt("203.0.113.2") == 200  # another client behind the same proxy is not locked out
