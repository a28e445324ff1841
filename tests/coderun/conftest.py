"""Code runs through the real sandbox (the `sandbox` fixture of tests/conftest.py) and the job queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from quiz import jobs
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.clock import FrozenClock
from quiz.config import DEFAULTS
from quiz.coderun import tasks
from quiz.db import make_session_factory
from quiz.models import Assessment
from tests.services.conftest import T0

# --- a one-track bank with a code item, and a worker draining the in-memory queue ---------------------

ADD_ITEM = {
    "key": "g-add", "type": "code", "topic": "code", "difficulty": 1, "points": 2,
    "prompt": "Write `add(a, b)`.", "explanation": "a + b.", "language": "python", "function": "add",
    "starter": "def add(a, b):\n    pass\n",
    "examples": [{"input": [1, 2], "expected": 3}, {"input": [0, 0], "expected": 0}],
    "tests": [{"input": [2, 2], "expected": 4}, {"input": [-1, 1], "expected": 0}, {"input": [10, 5], "expected": 15},
              {"input": [1, 0], "expected": 1}],
    "reference": "def add(a, b):\n    return a + b\n",
}
CHOICE_ITEM = {"key": "g-one", "type": "single_choice", "topic": "choice", "difficulty": 1, "points": 1,
               "prompt": "Pick a.", "explanation": "a.", "correct": "a",
               "options": [{"id": "a", "text": "a"}, {"id": "b", "text": "b"}]}


def write_code_bank(folder: Path, *, confirm: bool = False) -> Path:
    blueprint = [{"topic": "code", "difficulty": 1, "count": 1}, {"topic": "choice", "difficulty": 1, "count": 1}]
    assessments = [{"key": f"gamma-{kind}", "kind": kind, "title": f"Gamma {kind}", "time_limit_minutes": 60,
                    "pass_mark": 50, "requires_confirmation": confirm, "blueprint": blueprint}
                   for kind in ("starter", "specialist")]
    tracks = {"format": 1, "tiers": [{"key": "basic", "name": "Basic", "hourly_rate": 20, "rank": 1}],
              "tracks": [{"key": "gamma", "name": "Gamma", "tier": "basic", "bank": "gamma.yaml",
                          "assessments": assessments}]}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks, sort_keys=False))
    (folder / "gamma.yaml").write_text(yaml.safe_dump(
        {"format": 1, "track": "gamma", "questions": [ADD_ITEM, CHOICE_ITEM]}, sort_keys=False))
    return folder


@pytest.fixture
def code_bank(session: Session, tmp_path: Path, sandbox: None) -> Session:
    loaded = load_bank(write_code_bank(tmp_path / "bank"))
    assert loaded.ok, loaded.errors
    sync_bank(session, loaded)
    session.commit()
    return session


def gamma_starter(session: Session) -> Assessment:
    return session.scalar(select(Assessment).where(Assessment.key == "gamma-starter"))


class Worker:
    """What `quiz worker` does, in this process and on demand: take every task off the queue and run it."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock

    def drain(self) -> int:
        done = 0
        while (task := jobs.huey.dequeue()) is not None:
            jobs.huey.execute(task)
            done += 1
        return done


@pytest.fixture
def worker(engine: Engine, tmp_path: Path) -> Iterator[Worker]:
    clock = FrozenClock(T0)
    config = {**DEFAULTS, "QUEUE_URL": "memory://", "CODE_RUN_MAX_TRIES": 3, "CODE_RUN_STUCK_SECONDS": 300}
    jobs.configure_worker(config,
                          tmp_path / "instance", engine, make_session_factory(engine))
    previous, tasks.CLOCK = tasks.CLOCK, clock
    yield Worker(clock)
    tasks.CLOCK = previous
    jobs.huey.storage = jobs.MemoryStorage(jobs.QUEUE_NAME)
    jobs._context = None
