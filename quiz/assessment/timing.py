"""Deadlines and time left. Pure: the clock's `now` is always passed in."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal


def deadline_for(started_at: datetime, time_limit_minutes: int, accommodation_factor: Decimal) -> datetime:
    """Start + time limit × factor, rounded up to a whole second (extra time is never cut short)."""
    seconds = Decimal(time_limit_minutes) * 60 * Decimal(accommodation_factor)
    return started_at + timedelta(seconds=math.ceil(seconds))


def seconds_left(deadline_at: datetime, now: datetime) -> int:
    """Whole seconds until the deadline, never negative (what the countdown shows)."""
    return max(0, math.floor((deadline_at - now).total_seconds()))


def accepts_answers(deadline_at: datetime, now: datetime, grace_seconds: float) -> bool:
    """Answers count until the deadline plus a short grace for network latency; not after."""
    return now <= deadline_at + timedelta(seconds=grace_seconds)
