"""The hot paths of a start storm issue a bounded number of SQL statements (a count, never a time).

An autosave reads the one question it saves (not the whole attempt) and writes it with one
conditional UPDATE; a start costs the same number of statements whatever the size of the bank.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from flask import Flask
from sqlalchemy import event, select

from quiz.admin.rescoring import set_exposure
from quiz.extensions import get_engine, session_factory
from quiz.models import Assessment, User
from tests.web.support import candidate, item_types, staff, start
from tests.web.conftest import AppFactory

# The question with the log-in session that asks for it, and the UPDATE: each its own transaction,
# so no BEGIN or COMMIT goes to the database (on PostgreSQL 2 round trips, not 4)
AUTOSAVE_STATEMENTS = 2
# BEGIN, the log-in session with its user, the assessment with its track and tier, the application,
# the candidate's attempts that forbid a start (one query), the drawn versions, the attempt, its
# items in one INSERT, the savepoint's two statements, COMMIT
START_STATEMENTS = 11
# The page before the start: the same checks, nothing drawn
INSTRUCTIONS_STATEMENTS = 5


def _in_transaction(dbapi_connection) -> bool:  # type: ignore[no-untyped-def]
    """Whether the driver's connection is inside a transaction the database was told of (BEGIN sent)."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        return dbapi_connection.in_transaction
    from psycopg.pq import TransactionStatus

    return dbapi_connection.info.transaction_status != TransactionStatus.IDLE


@contextmanager
def counting(app: Flask, parameters: list[int] | None = None,
             in_transaction: list[bool] | None = None) -> Iterator[list[str]]:
    """The statements run meanwhile; `parameters` collects how many values each one bound, and
    `in_transaction` whether a transaction was already open on the database when each one ran."""
    statements: list[str] = []

    def record(conn, _cursor, statement, bound, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)
        if parameters is not None:
            parameters.append(len(bound) if isinstance(bound, (list, tuple, dict)) else 0)
        if in_transaction is not None:
            in_transaction.append(_in_transaction(conn.connection.dbapi_connection))

    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_an_autosave_reads_one_question_and_writes_it_once(make_app: AppFactory, db_url: str) -> None:
    app = make_app(DATABASE_URL=db_url)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    assert item_types(app, attempt_id)[1] == "single_choice"
    for seq in (1, 2):  # the first save of a question and a later one cost the same
        in_transaction: list[bool] = []
        with counting(app, in_transaction=in_transaction) as statements:
            response = client.post(f"/attempts/{attempt_id}/answers/1", json={"fields": {"choice": "1"}, "seq": seq})
        assert response.status_code == 200 and response.get_json()["saved"] is True
        assert len(statements) <= AUTOSAVE_STATEMENTS, "\n".join(statements)
        assert not any(in_transaction), "each autosave statement commits by itself (no BEGIN/COMMIT round trips)"
        assert not any("FROM attempt_items" in s and "attempt_items.position =" not in s for s in statements), \
            "an autosave must not load every item of the attempt"


def test_an_older_save_is_still_ignored_on_the_fast_path(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    newer = client.post(f"/attempts/{attempt_id}/answers/1", json={"fields": {"choice": "2"}, "seq": 5})
    assert newer.get_json()["saved"] is True
    late = client.post(f"/attempts/{attempt_id}/answers/1", json={"fields": {"choice": "1"}, "seq": 4}).get_json()
    assert late["saved"] is False and late["seq"] == 5


def _grow_alpha(copies: int):  # type: ignore[no-untyped-def]
    def edit(folder: Path) -> None:
        bank = yaml.safe_load((folder / "alpha.yaml").read_text())
        extra = []
        for n in range(copies):
            for question in bank["questions"]:
                clone = dict(question, key=f"{question['key']}-copy{n}", prompt=f"{question['prompt']} (copy {n})")
                extra.append(clone)
        bank["questions"] += extra
        (folder / "alpha.yaml").write_text(yaml.safe_dump(bank, sort_keys=False))
    return edit


def _cap_exposure(app: Flask) -> None:
    staff(app, "root@example.com", "admin")
    with session_factory(app)() as session:
        alpha = session.scalar(select(Assessment).where(Assessment.key == "alpha-starter"))
        admin = session.scalar(select(User).where(User.email == "root@example.com"))
        set_exposure(session, alpha, admin, Decimal("0.30"), 30, datetime.now(UTC))
        session.commit()


def _start_statements(app: Flask, *, capped: bool = False) -> tuple[int, int]:
    """How many statements a start runs, and how many values they bind in all."""
    if capped:
        _cap_exposure(app)
    client = candidate(app, "ada@example.com")
    page = client.get("/assessments/alpha-starter")
    assert page.status_code == 200
    parameters: list[int] = []
    with counting(app, parameters) as statements:
        response = client.post("/assessments/alpha-starter", data={"understood": "y"})
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"]
    return len(statements), sum(parameters)


@pytest.mark.parametrize("capped", [False, True], ids=["plain", "exposure-capped"])
def test_a_start_costs_the_same_statements_and_values_whatever_the_bank_size(make_app: AppFactory, tmp_path: Path,
                                                                              capped: bool) -> None:
    # An exposure-capped start once sent every version id of the pool to the database: a bank of
    # 100,000 questions made a start take 326 ms instead of 7.
    small = _start_statements(make_app(INSTANCE_PATH=str(tmp_path / "small")), capped=capped)
    large = _start_statements(make_app(edit_bank=_grow_alpha(40), DATABASE_URL=f"sqlite:///{tmp_path / 'big.sqlite3'}",
                                       INSTANCE_PATH=str(tmp_path / "big")), capped=capped)
    assert large == small


def test_a_start_and_the_page_before_it_run_a_bounded_number_of_statements(app: Flask) -> None:
    starting, _ = _start_statements(app)
    assert starting <= START_STATEMENTS
    client = candidate(app, "bob@example.com")
    with counting(app) as statements:
        assert client.get("/assessments/alpha-starter").status_code == 200
    assert len(statements) <= INSTRUCTIONS_STATEMENTS, "\n".join(statements)


def test_a_state_poll_reads_two_columns_of_an_open_attempt(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    with counting(app) as statements:
        assert client.get(f"/attempts/{attempt_id}/state").get_json()["status"] == "in_progress"
    assert len(statements) <= 3, "\n".join(statements)  # BEGIN, the user, the attempt's status and deadline


@contextmanager
def counting_pings(app: Flask) -> Iterator[list[int]]:
    dialect = get_engine(app).dialect
    pings: list[int] = []
    real_ping = dialect.do_ping

    def ping(dbapi_connection):  # type: ignore[no-untyped-def]
        pings.append(1)
        return real_ping(dbapi_connection)

    dialect.do_ping = ping  # type: ignore[method-assign]
    try:
        yield pings
    finally:
        del dialect.do_ping


def test_busy_postgresql_connections_are_not_pinged_before_each_request(make_app: AppFactory,
                                                                         postgres_url: str) -> None:
    """pool_pre_ping cost every request a round trip (18 % of an autosave's CPU): back-to-back
    requests reuse their connection unpinged."""
    app = make_app(DATABASE_URL=postgres_url)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    with counting_pings(app) as pings:
        for seq in range(1, 6):
            response = client.post(f"/attempts/{attempt_id}/answers/1", json={"fields": {"choice": "1"}, "seq": seq})
            assert response.status_code == 200
    assert pings == []


def test_an_idle_postgresql_connection_the_server_dropped_is_replaced_unnoticed(
        make_app: AppFactory, postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A restart or failover while the pool sits idle: the next request pings, finds the connection
    dead, takes a new one, and succeeds (no 503 for the first candidate after a quiet night)."""
    from sqlalchemy import create_engine, text

    from quiz import db

    app = make_app(DATABASE_URL=postgres_url)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    engine = get_engine(app)
    with engine.connect() as connection:  # the pooled connection the next request will get
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert engine.pool.checkedin() == 1
    killer = create_engine(postgres_url)
    with killer.connect() as other:
        assert other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend}).scalar_one()
    killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # every pooled connection counts as idle
    with counting_pings(app) as pings:
        response = client.post(f"/attempts/{attempt_id}/answers/1", json={"fields": {"choice": "1"}, "seq": 1})
    assert response.status_code == 200 and response.get_json()["saved"] is True
    assert pings


def test_a_question_page_loads_the_one_question_it_shows(app: Flask) -> None:
    """The page shows one question and every item's state, read in one query: the other questions'
    texts stay unread."""
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    with counting(app) as statements:
        assert client.get(f"/attempts/{attempt_id}/q/2").status_code == 200
    versions = [s for s in statements if "question_versions" in s]
    assert len(versions) == 1 and " IN " not in versions[0], "\n".join(versions)
    assert "attempt_items.position =" in versions[0].split("question_versions", 1)[1], versions[0]
    # BEGIN, the log-in session with its user, the page
    assert len(statements) <= 3, "\n".join(statements)


def test_a_submit_loads_the_items_of_the_attempt_once(make_app: AppFactory, db_url: str) -> None:
    app = make_app(DATABASE_URL=db_url)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    review = client.get(f"/attempts/{attempt_id}/review")
    assert review.status_code == 200
    with counting(app) as statements:
        response = client.post(f"/attempts/{attempt_id}/submit", data={"confirm": "y"})
    assert response.status_code == 302
    item_loads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM attempt_items" in s]
    assert len(item_loads) == 1, "\n\n".join(item_loads)
