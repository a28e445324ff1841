"""On SQLite a log-in checks the password without holding the database's write lock: during a start
storm every autosave needs that lock, and Argon2 takes about 20 ms of CPU a log-in."""

from __future__ import annotations

import sqlite3

import pytest
from flask import Flask
from sqlalchemy import select

from quiz.auth import services
from quiz.extensions import get_engine, session_factory
from quiz.models import LoginSession, User
from tests.web.support import login, signup


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
