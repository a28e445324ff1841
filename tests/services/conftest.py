"""A small bank with two tracks, candidates, and a frozen clock for service tests."""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.clock import FrozenClock
from quiz.models import Assessment, CandidateApplication, User

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
GRACE = 5
WINDOW = 30


def _single(key: str, topic: str, difficulty: int) -> dict:
    return {"key": key, "type": "single_choice", "topic": topic, "difficulty": difficulty, "points": 1,
            "prompt": f"Question {key}: which is right?", "explanation": "a is right.",
            "options": [{"id": "a", "text": "right"}, {"id": "b", "text": "wrong"}, {"id": "c", "text": "also wrong"}],
            "correct": "a"}


def _essay(key: str, topic: str, difficulty: int) -> dict:
    return {"key": key, "type": "essay", "topic": topic, "difficulty": difficulty, "points": 2,
            "prompt": f"Essay {key}: explain.", "explanation": "A good answer explains.",
            "rubric": [{"id": "content", "description": "Correct content", "points": 2}]}


def _assessment(track: str, kind: str, topic: str, *, confirm: bool = False) -> dict:
    return {"key": f"{track}-{kind}", "kind": kind, "title": f"{track.title()} {kind}",
            "time_limit_minutes": 60, "pass_mark": 50, "requires_confirmation": confirm,
            "blueprint": [{"topic": topic, "difficulty": [1, 5], "count": 4}]}


def write_small_bank(folder: Path, *, confirm_beta: bool = False) -> Path:
    """alpha (tier basic, $20): closed items only. beta (tier pro, $50): closed items and essays."""
    tracks = {"format": 1,
              "tiers": [{"key": "basic", "name": "Basic", "hourly_rate": 20, "rank": 1},
                        {"key": "pro", "name": "Pro", "hourly_rate": 50, "rank": 2}],
              "tracks": [
                  {"key": "alpha", "name": "Alpha", "tier": "basic", "bank": "alpha.yaml",
                   "assessments": [_assessment("alpha", "starter", "a"), _assessment("alpha", "specialist", "a")]},
                  {"key": "beta", "name": "Beta", "tier": "pro", "bank": "beta.yaml",
                   "assessments": [_assessment("beta", "starter", "b", confirm=confirm_beta),
                                   _assessment("beta", "specialist", "b", confirm=confirm_beta)]}]}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks, sort_keys=False))
    alpha = [_single(f"a-{n}", "a", 1 + n % 5) for n in range(6)]
    beta = [_single(f"b-{n}", "b", 1 + n % 5) for n in range(3)] + [_essay(f"b-e{n}", "b", 2) for n in range(3)]
    for key, questions in (("alpha", alpha), ("beta", beta)):
        (folder / f"{key}.yaml").write_text(yaml.safe_dump({"format": 1, "track": key, "questions": questions},
                                                           sort_keys=False))
    return folder


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


@pytest.fixture
def bank(session: Session, tmp_path: Path) -> Session:
    loaded = load_bank(write_small_bank(tmp_path / "bank"))
    assert loaded.ok, loaded.errors
    sync_bank(session, loaded)
    session.commit()
    return session


def assessment(session: Session, key: str) -> Assessment:
    return session.scalar(select(Assessment).where(Assessment.key == key))


def candidate(session: Session, email: str = "cand@example.com", *, applied: bool = True,
              factor: str = "1.00", verified: bool = True) -> User:
    user = User(email=email, password_hash="x", role="candidate", accommodation_factor=Decimal(factor),
                email_verified_at=T0 if verified else None)
    if applied:
        user.application = CandidateApplication(
            full_name="Ada Candidate", country="Portugal", time_zone="Europe/Lisbon", education="Master's",
            expertise=["statistics"], languages=[{"language": "English", "proficiency": "fluent"}],
            hours_per_week=20)
    session.add(user)
    session.flush()
    return user
