"""The database goes away under a running app: 503 with Retry-After (JSON for the page's scripts, an
HTML page that needs no database), nothing half written, and the same app recovers once it is back.

SQLite: the file locked past the busy timeout, and the file unreadable. PostgreSQL (through a TCP
forwarder, so the shared server stays up): connections refused, and a connection dropped mid-request.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.test import TestResponse

from quiz.db import CONNECT_TIMEOUT_SECONDS
from quiz.extensions import get_engine
from quiz.outage import RETRY_AFTER_SECONDS
from tests.tcp_proxy import TcpProxy
from tests.web.support import candidate, page, post_json, start, stored

def assert_json_503(response: TestResponse) -> None:
    assert response.status_code == 503, page(response)
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    body = response.get_json()
    assert body["unavailable"] is True and "Not saved" in body["error"]


def assert_html_503(response: TestResponse) -> None:
    assert response.status_code == 503, page(response)
    assert response.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.mimetype == "text/html"
    assert "Briefly unavailable" in page(response) and "Answers you saw as saved" in page(response)
    assert "Log out" not in page(response)  # the account navigation would have needed the database


def _save(client: FlaskClient, attempt_id: int, seq: int) -> TestResponse:
    """Question 1's first option, as the page sends it (the option's token, worked out before any outage)."""
    return post_json(client, f"/attempts/{attempt_id}/answers/1", {"fields": {"choice": "1"}, "seq": seq})


def assert_everything_answers_503(client: FlaskClient, attempt_id: int) -> None:
    assert_json_503(_save(client, attempt_id, 2))
    assert_json_503(client.get(f"/attempts/{attempt_id}/state", headers={"Accept": "application/json"}))
    assert_json_503(post_json(client, f"/attempts/{attempt_id}/signals", {"kind": "tab_hidden", "position": 1}))
    assert_json_503(post_json(client, f"/attempts/{attempt_id}/flags/1", {"flagged": True}))
    assert_html_503(client.get("/dashboard"))
    assert_html_503(client.get(f"/attempts/{attempt_id}/q/1"))


@pytest.fixture
def taking(make_app: Callable[..., Flask]) -> Callable[..., tuple[Flask, FlaskClient, int]]:
    """An app (with `config`), a candidate in it and their started attempt whose question 1 is saved once."""
    def build(**config: Any) -> tuple[Flask, FlaskClient, int]:
        app = make_app(**config)
        client = candidate(app, "ada@example.com")
        attempt_id = start(client, "alpha-starter")
        response = _save(client, attempt_id, 1)
        assert response.status_code == 200, page(response)
        return app, client, attempt_id
    return build


def assert_recovered(app: Flask, client: FlaskClient, attempt_id: int) -> None:
    """Nothing of the refused requests was written, and the same app serves again."""
    assert stored(app, attempt_id)["items"][1][1:] == (False, 1)  # not flagged, still the first save
    response = _save(client, attempt_id, 2)
    assert response.status_code == 200 and response.get_json()["saved"], page(response)
    assert client.get("/dashboard").status_code == 200
    assert stored(app, attempt_id)["items"][1][2] == 2


# --- SQLite ------------------------------------------------------------------------------------


def _database_file(app: Flask) -> Path:
    return Path(make_url(app.config["DATABASE_URL"]).database)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Another process holds SQLite's write lock for longer than the app's busy timeout."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_sqlite_locked_past_the_busy_timeout_is_503_then_recovers(taking, caplog) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id = taking(SQLITE_BUSY_TIMEOUT_MS=100)
    with _locked(_database_file(app)):
        assert_json_503(_save(client, attempt_id, 2))
        assert_json_503(post_json(client, f"/attempts/{attempt_id}/signals", {"kind": "tab_hidden", "position": 1}))
        assert_json_503(post_json(client, f"/attempts/{attempt_id}/flags/1", {"flagged": True}))
        assert_html_503(client.get("/dashboard"))
        # The clock and the question page read first (READ_FIRST_ENDPOINTS): another writer's lock
        # does not stop them (WAL readers never wait for the writer).
        assert client.get(f"/attempts/{attempt_id}/state", headers={"Accept": "application/json"}).status_code == 200
        assert client.get(f"/attempts/{attempt_id}/q/1").status_code == 200
    logged = [r.getMessage() for r in caplog.records if "database unavailable" in r.getMessage()]
    assert logged and "database is locked" in logged[0]
    assert not any("[SQL:" in line or "[parameters:" in line for line in logged)  # no answers in the log
    assert_recovered(app, client, attempt_id)


@contextmanager
def _unreadable(app: Flask) -> Iterator[None]:
    """The database file cannot be opened (moved away, a directory in its place)."""
    path = _database_file(app)
    get_engine(app).dispose()  # the last connection closes: SQLite folds the WAL into the file
    aside = path.with_name("aside.sqlite3")
    os.rename(path, aside)
    path.mkdir()
    try:
        yield
    finally:
        path.rmdir()
        os.rename(aside, path)


def test_sqlite_file_unreadable_is_503_then_recovers(taking) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id = taking()
    with _unreadable(app):
        assert_everything_answers_503(client, attempt_id)
        assert_html_503(client.get("/no-such-page"))  # the 404 page's navigation needs the user too
    assert_recovered(app, client, attempt_id)


def test_an_outage_after_the_view_still_gets_the_outage_page(make_app: Callable[..., Flask]) -> None:
    """An outage raised where no error handler of its own applies (after the view, as Flask's 500)."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    armed = {"on": False}

    @app.after_request
    def _database_gone(response):  # type: ignore[no-untyped-def]
        if armed["on"]:
            raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))
        return response

    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    armed["on"] = True
    assert_html_503(client.get("/dashboard"))
    assert_json_503(client.get(f"/attempts/{attempt_id}/state", headers={"Accept": "application/json"}))


# --- PostgreSQL, through a forwarder --------------------------------------------------------------


@pytest.fixture
def proxied_postgres(postgres_url: str) -> Iterator[tuple[str, TcpProxy]]:
    url = make_url(postgres_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.start()
    try:
        yield url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), proxy
    finally:
        proxy.stop()


def test_postgres_refusing_connections_is_503_then_recovers(taking, proxied_postgres) -> None:  # type: ignore[no-untyped-def]
    url, proxy = proxied_postgres
    app, client, attempt_id = taking(DATABASE_URL=url)
    with proxy.down():
        assert_everything_answers_503(client, attempt_id)
        assert_html_503(client.get("/no-such-page"))
    assert_recovered(app, client, attempt_id)


def test_postgres_connection_dropped_mid_request_is_503_then_recovers(taking, proxied_postgres) -> None:  # type: ignore[no-untyped-def]
    url, proxy = proxied_postgres
    app, client, attempt_id = taking(DATABASE_URL=url)
    statements = {"left": -1}

    @event.listens_for(get_engine(app), "before_cursor_execute")
    def _drop_before_the_write(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if statements["left"] > 0 and statement.lstrip().upper().startswith("UPDATE"):
            statements["left"] -= 1
            proxy.drop_connections()  # the user and the attempt are loaded; the answer never arrives

    statements["left"] = 1
    assert_json_503(_save(client, attempt_id, 2))
    assert statements["left"] == 0
    assert_recovered(app, client, attempt_id)


def test_postgres_host_that_never_answers_is_503_within_the_connect_timeout(taking, proxied_postgres) -> None:  # type: ignore[no-untyped-def]
    """Without a connect timeout the request would wait minutes for TCP to give up, past gunicorn's
    worker timeout (30 s), and the candidate would get a dropped connection instead of a 503."""
    url, proxy = proxied_postgres
    app, client, attempt_id = taking(DATABASE_URL=url)
    answers: list[TestResponse] = []
    with proxy.silent_host():
        # No pooled connection to fail fast on (a dropped one is answered 503 at once): this request
        # must open a connection, to a host that never answers.
        get_engine(app).dispose()
        asking = threading.Thread(target=lambda: answers.append(_save(client, attempt_id, 2)), daemon=True)
        started = time.monotonic()
        asking.start()
        asking.join(timeout=CONNECT_TIMEOUT_SECONDS + 10)
        waited = time.monotonic() - started
        assert answers, f"no answer after {waited:.0f} s"
    assert_json_503(answers[0])
    assert CONNECT_TIMEOUT_SECONDS - 1 <= waited < CONNECT_TIMEOUT_SECONDS + 5
    assert_recovered(app, client, attempt_id)
