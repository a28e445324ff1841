"""The web tests' app (SQLite), and for the security suites a populated app on each engine with CSRF on.

`world` holds one user per role, the objects a route may name (an attempt in progress, a decided
attempt with its review open, an essay waiting for a grader), and a logged-in client for each role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quiz import migrate
from quiz.app import create_app
from quiz.assessment.review import open_review
from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.auth.passwords import hash_password
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.clock import FrozenClock
from quiz.extensions import get_engine, session_factory, set_clock
from quiz.models import User
from tests.services.conftest import GRACE, T0, WINDOW, assessment, candidate, write_small_bank
from tests.web.conftest import app, client, clock, make_app  # noqa: F401 - fixtures shared with tests/web

PASSWORD = "correct horse battery"
ROLES = ("anonymous", "candidate", "other_candidate", "grader", "admin")
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass
class World:
    app: Flask
    ids: dict[str, Any]  # the objects routes name: attempt ids, the review token, keys
    emails: dict[str, str] = field(default_factory=dict)

    def login(self, role: str) -> FlaskClient:
        """A new browser; logged in as the role's user (anonymous: not logged in)."""
        client = self.app.test_client()
        if role != "anonymous":
            response = client.post("/login", data={"email": self.emails[role], "password": PASSWORD,
                                                   "csrf_token": token_of(client)})
            assert response.status_code == 302, (role, response.get_data(as_text=True)[:500])
        return client


def token_of(client: FlaskClient) -> str:
    """The CSRF token the pages of this browser's session carry."""
    found = _META_TOKEN.search(client.get("/").get_data(as_text=True))
    assert found, "no CSRF token in the page"
    return found.group(1)


def _populate(app: Flask) -> dict[str, Any]:
    with session_factory(app)() as session:
        sync_bank(session, load_bank(write_small_bank(Path(app.instance_path) / "bank", confirm_beta=True)))
        for email, role in (("admin@example.com", "admin"), ("grader@example.com", "grader")):
            session.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        owner, other, writer = (candidate(session, email) for email in
                                ("owner@example.com", "other@example.com", "writer@example.com"))
        for user in (owner, other, writer):
            user.password_hash = hash_password(PASSWORD)
        # the owner: a decided (passed) starter whose one review is open, and a specialist in progress
        decided = start_attempt(session, owner, assessment(session, "alpha-starter"), T0)
        for item in decided.items:
            save_answer(session, decided, item.position, "a", 1, T0, GRACE)
        submit_attempt(session, decided, T0 + timedelta(minutes=5), GRACE)
        session.flush()
        assert decided.status == "decided", decided.status
        token = open_review(session, decided, T0 + timedelta(minutes=6), WINDOW)
        running = start_attempt(session, owner, assessment(session, "beta-specialist"), T0 + timedelta(minutes=7))
        # another candidate's submitted starter with essays: items for the grading queue
        graded = start_attempt(session, writer, assessment(session, "beta-starter"), T0)
        for item in graded.items:
            raw = "a" if item.question_version.type == "single_choice" else "An essay answer."
            save_answer(session, graded, item.position, raw, 1, T0, GRACE)
        submit_attempt(session, graded, T0 + timedelta(minutes=5), GRACE)
        session.commit()
        essay = next(i for i in graded.items if i.question_version.type == "essay")
        return {"running": running.id, "decided": decided.id, "token": token, "graded": graded.id,
                "essay_item": essay.id, "owner": owner.id, "writer": writer.id}


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[World]:
    """On SQLite and on PostgreSQL, with CSRF protection on (as in production)."""
    app = create_app({"TESTING": True, "DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "ANSWER_GRACE_SECONDS": GRACE,
                      "REVIEW_WINDOW_MINUTES": WINDOW})
    migrate.upgrade(get_engine(app))
    ids = _populate(app)
    set_clock(app, FrozenClock(T0 + timedelta(minutes=10)))
    yield World(app, ids, {"candidate": "owner@example.com", "other_candidate": "other@example.com",
                           "grader": "grader@example.com", "admin": "admin@example.com"})
    get_engine(app).dispose()


@dataclass
class HostileApp:
    app: Flask
    admin: FlaskClient
    grader: FlaskClient


def _hostile_app(url: str, tmp_path: Path) -> Iterator[HostileApp]:
    from tests.security.hostile_bank import write_hostile_bank

    app = create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance"),
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "ANSWER_GRACE_SECONDS": GRACE,
                      "REVIEW_WINDOW_MINUTES": WINDOW})
    migrate.upgrade(get_engine(app))
    with session_factory(app)() as session:
        sync_bank(session, load_bank(write_hostile_bank(tmp_path / "bank")))
        for email, role in (("admin@example.com", "admin"), ("grader@example.com", "grader")):
            session.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        session.commit()
    set_clock(app, FrozenClock(T0))
    clients = []
    for email in ("admin@example.com", "grader@example.com"):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        clients.append(client)
    yield HostileApp(app, *clients)
    get_engine(app).dispose()


@pytest.fixture
def hostile_app(db_url: str, tmp_path: Path) -> Iterator[HostileApp]:
    """The hostile-strings bank (one question of each type), an admin and a grader logged in; each engine."""
    yield from _hostile_app(db_url, tmp_path)


@pytest.fixture
def hostile_sqlite_app(sqlite_url: str, tmp_path: Path) -> Iterator[HostileApp]:
    """The same on SQLite only: the browser check looks at pages, which do not depend on the engine."""
    yield from _hostile_app(sqlite_url, tmp_path)
