"""Browser tests: the real app served on loopback, driven by Playwright with Debian's Chromium.

Rules (DEVELOPERS guide): launch /usr/bin/chromium with the flags below, never `playwright install`.
Without /usr/bin/chromium (or the playwright package) the tests are skipped with the reason,
except in CI (CI=1/true/yes), where they fail.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
PASSWORD = "correct horse battery"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


# --- the bank: closed items only, so the decision is made at submit ---------------------------

# alpha: a 10-minute starter of six questions, one per topic (the draw shuffles their order).
ALPHA_QUESTIONS = [
    {"key": "e2e-single", "type": "single_choice", "topic": "single", "difficulty": 1, "points": 1,
     "prompt": "Which planet is closest to the Sun?", "explanation": "Mercury.",
     "options": [{"id": "a", "text": "Venus"}, {"id": "b", "text": "Mercury"}, {"id": "c", "text": "Mars"}],
     "correct": "b"},
    {"key": "e2e-multiple", "type": "multiple_choice", "topic": "multiple", "difficulty": 1, "points": 1,
     "prompt": "Which of these numbers are prime? Choose every one that applies.", "explanation": "7 and 11.",
     "options": [{"id": "a", "text": "Seven"}, {"id": "b", "text": "Nine"}, {"id": "c", "text": "Eleven"},
                 {"id": "d", "text": "Fifteen"}],
     "correct": ["a", "c"]},
    {"key": "e2e-truefalse", "type": "true_false", "topic": "truefalse", "difficulty": 1, "points": 1,
     "prompt": "True or false: water boils at 100 °C at sea-level pressure.", "explanation": "At 1 atm.",
     "correct": True},
    {"key": "e2e-numeric", "type": "numeric", "topic": "numeric", "difficulty": 1, "points": 1,
     "prompt": "A train covers 150 km in 1.5 hours. What is its average speed?", "explanation": "100 km/h.",
     "correct": 100, "tolerance": {"absolute": 0.5}, "unit": "km/h"},
    {"key": "e2e-short", "type": "short_text", "topic": "short", "difficulty": 1, "points": 1,
     "prompt": 'Write the word "level" backwards, in lower case.', "explanation": "A palindrome.",
     "accepted": ["level"], "case_sensitive": True},
    {"key": "e2e-ordering", "type": "ordering", "topic": "ordering", "difficulty": 1, "points": 1,
     "prompt": "Put the meals of a day in order, earliest first.", "explanation": "Breakfast, lunch, dinner.",
     "items": [{"id": "breakfast", "text": "Breakfast"}, {"id": "lunch", "text": "Lunch"},
               {"id": "dinner", "text": "Dinner"}]},
]
# beta: the 1-minute starter of the deadline test.
BETA_QUESTIONS = [
    {"key": "e2e-sky", "type": "single_choice", "topic": "sky", "difficulty": 1, "points": 1,
     "prompt": "Which colour is the sky on a clear day?", "explanation": "Blue.",
     "options": [{"id": "a", "text": "Green"}, {"id": "b", "text": "Blue"}, {"id": "c", "text": "Red"}],
     "correct": "b"},
    {"key": "e2e-sum", "type": "true_false", "topic": "sum", "difficulty": 1, "points": 1,
     "prompt": "True or false: two plus two is four.", "explanation": "It is.", "correct": True},
]
# gamma: the issue-10 checks (list-like options, a longer ordering, a decimal answer).
GAMMA_QUESTIONS = [
    {"key": "e2e-lists", "type": "single_choice", "topic": "lists", "difficulty": 1, "points": 1,
     "prompt": "Which option is a numbered list?", "explanation": "The second.",
     "options": [{"id": "bulleted", "text": "- apples\n- pears"}, {"id": "numbered", "text": "1. apples\n2. pears"},
                 {"id": "neither", "text": "Neither of them"}],
     "correct": "numbered"},
    {"key": "e2e-day", "type": "ordering", "topic": "day", "difficulty": 1, "points": 1,
     "prompt": "Put the moments of a day in order, earliest first.", "explanation": "As the sun goes.",
     "items": [{"id": "sunrise", "text": "Sunrise"}, {"id": "noon", "text": "Noon, when the sun is at its highest"},
               {"id": "sunset", "text": "Sunset"}, {"id": "midnight", "text": "Midnight"}]},
    {"key": "e2e-decimal", "type": "numeric", "topic": "decimal", "difficulty": 1, "points": 1,
     "prompt": "A rope of 10 m loses 1.7 m. How long is it now?", "explanation": "8.3 m.",
     "correct": 8.3, "tolerance": {"absolute": 0.01}, "unit": "m"},
]
ALPHA_TITLE = "Alpha starter assessment"
BETA_TITLE = "Beta starter assessment"
GAMMA_TITLE = "Gamma starter assessment"


def _starter(track: str, title: str, minutes: int, questions: list[dict]) -> dict:
    return {"key": f"{track}-starter", "kind": "starter", "title": title, "time_limit_minutes": minutes,
            "pass_mark": 50, "requires_confirmation": False,
            "blueprint": [{"topic": q["topic"], "difficulty": [1, 5], "count": 1} for q in questions]}


def write_e2e_bank(folder: Path) -> Path:
    tracks = {"format": 1,
              "tiers": [{"key": "basic", "name": "Basic", "hourly_rate": 20, "rank": 1},
                        {"key": "quick", "name": "Quick", "hourly_rate": 25, "rank": 2}],
              "tracks": [
                  {"key": "alpha", "name": "Alpha", "tier": "basic", "bank": "alpha.yaml",
                   "assessments": [_starter("alpha", ALPHA_TITLE, 10, ALPHA_QUESTIONS)]},
                  {"key": "beta", "name": "Beta", "tier": "quick", "bank": "beta.yaml",
                   "assessments": [_starter("beta", BETA_TITLE, 1, BETA_QUESTIONS)]},
                  {"key": "gamma", "name": "Gamma", "tier": "basic", "bank": "gamma.yaml",
                   "assessments": [_starter("gamma", GAMMA_TITLE, 10, GAMMA_QUESTIONS)]}]}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks, sort_keys=False, allow_unicode=True))
    for key, questions in (("alpha", ALPHA_QUESTIONS), ("beta", BETA_QUESTIONS), ("gamma", GAMMA_QUESTIONS)):
        (folder / f"{key}.yaml").write_text(yaml.safe_dump(
            {"format": 1, "track": key, "questions": questions}, sort_keys=False, allow_unicode=True))
    return folder


# --- the live server ----------------------------------------------------------------------------

@dataclass
class LiveServer:
    app: Any
    url: str

    def db(self):  # type: ignore[no-untyped-def]
        from quiz.extensions import session_factory

        return session_factory(self.app)()

    def attempt(self, attempt_id: int):  # type: ignore[no-untyped-def]
        """A fresh snapshot of an attempt with its items (detached: read it, don't change it)."""
        from sqlalchemy.orm import selectinload

        from quiz.models import Attempt, AttemptItem

        with self.db() as session:
            attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id).options(
                selectinload(Attempt.items).selectinload(AttemptItem.question_version)))
            session.expunge_all()
            return attempt

    def attempt_signals(self, attempt_id: int):  # type: ignore[no-untyped-def]
        """The integrity signals recorded for an attempt, oldest first (detached)."""
        from quiz.models import AttemptSignal

        with self.db() as session:
            signals = session.scalars(select(AttemptSignal).where(AttemptSignal.attempt_id == attempt_id)
                                      .order_by(AttemptSignal.id)).all()
            session.expunge_all()
            return signals

    def positions_by_type(self, attempt_id: int) -> dict[str, int]:
        return {item.question_version.type: item.position for item in self.attempt(attempt_id).items}

    def make_candidate(self, email: str) -> None:
        """A candidate with a complete application, made directly (the sign-up form has its own test)."""
        from quiz.auth.services import create_candidate
        from quiz.models import CandidateApplication

        with self.db() as session:
            user = create_candidate(session, email, PASSWORD, verified_at=datetime.now(timezone.utc))
            user.application = CandidateApplication(
                full_name="Browser Candidate", country="Portugal", time_zone="Europe/Lisbon",
                education="Master's degree", expertise=["testing"],
                languages=[{"language": "English", "proficiency": "fluent"}], hours_per_week=20,
                created_at=datetime.now(timezone.utc))
            session.commit()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from quiz import migrate
    from quiz.app import create_app
    from quiz.bank.load import load_bank
    from quiz.bank.sync import sync_bank
    from quiz.extensions import get_engine, session_factory

    tmp = tmp_path_factory.mktemp("e2e")
    app = create_app({"TESTING": False, "SECRET_KEY": "e2e-" + "x" * 32,
                      "DATABASE_URL": f"sqlite:///{tmp}/e2e.sqlite3", "INSTANCE_PATH": str(tmp / "instance"),
                      "RATELIMIT_ENABLED": False})
    migrate.upgrade(get_engine(app))
    bank = load_bank(write_e2e_bank(tmp / "bank"))
    assert bank.ok, bank.errors
    with session_factory(app)() as session:
        sync_bank(session, bank)
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        get_engine(app).dispose()


# --- the browser --------------------------------------------------------------------------------

# The `browser` fixture (one Chromium for every browser test of the run) is in tests/browser.py,
# registered by tests/conftest.py: a second sync Playwright in the same run cannot start.


@pytest.fixture
def context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    # loopback only: anything else is refused
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.abort())
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()
