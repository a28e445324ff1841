"""Small builders of rows for tests (users, a track with an assessment, attempts)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from itertools import count

from sqlalchemy.orm import Session

from quiz.models import Assessment, Attempt, Tier, Track, User

_serial = count(1)
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


def make_user(session: Session, role: str = "candidate", *, verified: bool = True) -> User:
    user = User(email=f"user{next(_serial)}@example.com", password_hash="x", role=role,
                email_verified_at=T0 if verified else None)
    session.add(user)
    session.flush()
    return user


def make_track(session: Session, key: str | None = None) -> Track:
    key = key or f"track{next(_serial)}"
    tier = Tier(key=f"{key}-tier", name=key.title(), hourly_rate=Decimal("20"), rank=1)
    track = Track(key=key, name=key.title(), tier=tier, bank_file=f"{key}.yaml")
    for kind in ("starter", "specialist"):
        track.assessments.append(Assessment(
            key=f"{key}-{kind}", kind=kind, title=f"{key} {kind}", time_limit_minutes=60,
            questions_drawn=1, blueprint=[{"topic": "t", "difficulty": 1, "count": 1}],
            pass_mark=Decimal("70"), tier=tier))
    session.add(track)
    session.flush()
    return track


def make_attempt(session: Session, user: User, assessment: Assessment, **values: object) -> Attempt:
    attempt = Attempt(user=user, assessment=assessment, seed=42,
                      started_at=T0, deadline_at=T0 + timedelta(minutes=assessment.time_limit_minutes),
                      pass_mark=assessment.pass_mark, requires_confirmation=assessment.requires_confirmation,
                      review_policy=dict(assessment.review_policy), accommodation_factor=user.accommodation_factor,
                      offered_tier=assessment.tier,
                      **values)
    session.add(attempt)
    session.flush()
    return attempt
