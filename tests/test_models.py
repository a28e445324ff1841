"""Model behaviours the services will rely on."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.models import AuditEntry
from tests.factories import make_attempt, make_track, make_user


def test_missing_json_values_are_sql_null_so_is_null_finds_them(session: Session) -> None:
    session.add(AuditEntry(action="x", target_type="t", before=None, after={"a": 1}))
    session.flush()
    assert session.scalar(select(AuditEntry.id).where(AuditEntry.before.is_(None))) is not None


def test_datetimes_come_back_as_aware_utc_and_naive_ones_are_refused(session: Session) -> None:
    entry = AuditEntry(action="x", target_type="t", at=datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc))
    session.add(entry)
    session.commit()
    session.expire_all()
    loaded = session.get(AuditEntry, entry.id)
    assert loaded.at == datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    assert loaded.at.tzinfo is not None
    session.add(AuditEntry(action="y", target_type="t", at=datetime(2026, 3, 1, 12, 0)))
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_attempt_pins_the_assessment_settings_it_started_with(session: Session) -> None:
    track = make_track(session)
    assessment = track.assessments[0]
    attempt = make_attempt(session, make_user(session), assessment)
    assessment.pass_mark = 90
    session.flush()
    assert attempt.pass_mark == 70
