"""The app on a migrated SQLite file with the small two-track bank, and a frozen clock at T0."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from quiz import migrate
from quiz.app import create_app
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.clock import FrozenClock
from quiz.extensions import get_engine, session_factory, set_clock
from tests.services.conftest import GRACE, T0, WINDOW, write_small_bank

AppFactory = Callable[..., Flask]


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def make_app(tmp_path: Path, sqlite_url: str, clock: FrozenClock) -> Iterator[AppFactory]:
    """Build the app; `edit_bank(folder)` may change the bank files before they are loaded."""
    apps: list[Flask] = []

    def factory(*, edit_bank: Callable[[Path], None] | None = None, **config: Any) -> Flask:
        settings = {"TESTING": True, "DATABASE_URL": sqlite_url, "INSTANCE_PATH": str(tmp_path / "instance"),
                    "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "ANSWER_GRACE_SECONDS": GRACE,
                    "REVIEW_WINDOW_MINUTES": WINDOW,
                    # These tests jump the frozen clock by hours between two requests, where a real page
                    # would have polled every 30 s; tests/web/test_sessions.py tests the real limits.
                    "SESSION_IDLE_MINUTES": 7 * 24 * 60, "SESSION_LIFETIME_HOURS": 30 * 24, **config}
        app = create_app(settings)
        apps.append(app)
        migrate.upgrade(get_engine(app))
        folder = write_small_bank(tmp_path / "bank")
        if edit_bank is not None:
            edit_bank(folder)
        bank = load_bank(folder)
        assert bank.ok, bank.errors
        with session_factory(app)() as session:
            sync_bank(session, bank)
            session.commit()
        set_clock(app, clock)
        return app

    yield factory
    for app in apps:
        get_engine(app).dispose()


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


__all__ = ["GRACE", "T0", "WINDOW"]
