"""An app with the small two-track bank, one user per role, and attempts in useful states."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from quiz import migrate
from quiz.app import create_app
from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.auth.passwords import hash_password
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.clock import FrozenClock
from quiz.extensions import get_engine, session_factory, set_clock
from quiz.models import Attempt, User
from tests.services.conftest import GRACE, T0, assessment, candidate, write_small_bank

PASSWORD = "correct horse battery staple"


@pytest.fixture
def app(tmp_path: Path, sqlite_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      # The clock jumps by hours between requests here (see tests/web/conftest.py).
                      "SESSION_IDLE_MINUTES": 7 * 24 * 60, "SESSION_LIFETIME_HOURS": 30 * 24})
    migrate.upgrade(get_engine(app))
    with session_factory(app)() as session:
        sync_bank(session, load_bank(write_small_bank(tmp_path / "bank", confirm_beta=True)))
        for email, role in (("admin@example.com", "admin"), ("grader@example.com", "grader"),
                            ("grader2@example.com", "grader")):
            session.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        session.commit()
    set_clock(app, FrozenClock(T0))
    yield app
    get_engine(app).dispose()


@pytest.fixture
def db(app: Flask) -> Iterator[Session]:
    with session_factory(app)() as session:
        yield session


def login(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def admin_client(app: Flask) -> FlaskClient:
    return login(app, "admin@example.com")


@pytest.fixture
def grader_client(app: Flask) -> FlaskClient:
    return login(app, "grader@example.com")


@pytest.fixture
def make_submitted(db: Session) -> Callable[..., Attempt]:
    """A candidate's submitted attempt; `key` beta-* has essays (pending) and needs confirmation."""
    def make(email: str = "cand@example.com", key: str = "beta-starter", essay_text: str = "My essay answer.",
             right: bool = True) -> Attempt:
        user = candidate(db, email)
        user.password_hash = hash_password(PASSWORD)
        attempt = start_attempt(db, user, assessment(db, key), T0)
        for item in attempt.items:
            raw = ("a" if right else "b") if item.question_version.type == "single_choice" else essay_text
            save_answer(db, attempt, item.position, raw, 1, T0, GRACE)
        submit_attempt(db, attempt, T0 + timedelta(minutes=5), GRACE)
        db.commit()
        return attempt
    return make
