"""On SQLite the busiest requests of a start storm that mostly read do not hold the database's write
lock while they work: every autosave needs that lock. A log-in checks its password (about 20 ms of
Argon2) before it takes the lock; the review page renders without it."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from quiz.assessment import views as assessment_views
from quiz.auth import services
from quiz.clock import FrozenClock
from quiz.extensions import get_engine, session_factory
from quiz.models import Attempt, LoginSession, User
from tests.web.conftest import GRACE
from tests.web.support import candidate, flashes, login, signup, start


def _write_lock_is_free(app: Flask) -> bool:
    """Whether another connection could take the write lock at this moment (without waiting)."""
    other = sqlite3.connect(get_engine(app).url.database, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return False
    finally:
        other.close()


def test_the_password_check_holds_no_write_lock(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    signup(client, "ada@example.com")
    client.post("/logout")
    seen: list[bool] = []
    check = services.verify_password

    def verify_and_look(password_hash: str, password: str) -> bool:
        seen.append(_write_lock_is_free(app))
        return check(password_hash, password)

    monkeypatch.setattr(services, "verify_password", verify_and_look)
    assert login(client, "ada@example.com").status_code == 302
    assert seen == [True], "the log-in held SQLite's write lock while it checked the password"
    with session_factory(app)() as session:
        user = session.scalar(select(User).where(User.email == "ada@example.com"))
        assert session.scalar(select(LoginSession).where(LoginSession.user_id == user.id)) is not None


def test_an_account_disabled_during_the_check_is_not_logged_in(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = app.test_client()
    signup(client, "ada@example.com")
    client.post("/logout")
    check = services.verify_password

    def verify_then_disable(password_hash: str, password: str) -> bool:
        with session_factory(app)() as session:  # an admin, in another request, meanwhile
            session.scalar(select(User).where(User.email == "ada@example.com")).is_active = False
            session.commit()
        return check(password_hash, password)

    monkeypatch.setattr(services, "verify_password", verify_then_disable)
    response = login(client, "ada@example.com")
    assert response.status_code == 200 and "The email or the password is wrong." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_the_review_page_renders_without_the_write_lock(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    seen: list[bool] = []
    render = assessment_views.render_template

    def render_and_look(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(_write_lock_is_free(app))
        return render(*args, **kwargs)

    monkeypatch.setattr(assessment_views, "render_template", render_and_look)
    response = client.get(f"/attempts/{attempt_id}/review")
    assert response.status_code == 200
    assert seen == [True], "the review page held SQLite's write lock while it rendered"


def test_a_review_page_past_the_deadline_submits_the_attempt_and_says_so(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    with session_factory(app)() as session:
        deadline = session.get(Attempt, attempt_id).deadline_at
    clock.set(deadline + timedelta(seconds=GRACE, milliseconds=1))
    response = client.get(f"/attempts/{attempt_id}/review")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert any("Time is up" in message for message in flashes(client.get("/dashboard")))
    with session_factory(app)() as session:
        attempt = session.get(Attempt, attempt_id)
        assert attempt.status != "in_progress" and attempt.submit_reason == "deadline"
