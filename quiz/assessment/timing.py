"""Deadlines and time left. Pure: the clock's `now` is always passed in."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from decimal import Decimal


def allowed_seconds(time_limit_minutes: int, accommodation_factor: Decimal) -> int:
    """Time limit × factor in whole seconds, rounded up (extra time is never cut short)."""
    return math.ceil(Decimal(time_limit_minutes) * 60 * Decimal(accommodation_factor))


def deadline_for(started_at: datetime, time_limit_minutes: int, accommodation_factor: Decimal) -> datetime:
    """Start + time limit × factor, rounded up to a whole second."""
    return started_at + timedelta(seconds=allowed_seconds(time_limit_minutes, accommodation_factor))


def format_duration(seconds: int) -> str:
    """Seconds as people say them: "1 hour 5 minutes", "1 minute 30 seconds", "45 seconds"."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}{'' if n == 1 else 's'}"
             for n, unit in ((hours, "hour"), (minutes, "minute"), (secs, "second")) if n]
    return " ".join(parts) or "0 seconds"


def seconds_left(deadline_at: datetime, now: datetime) -> int:
    """Whole seconds until the deadline, never negative (what the countdown shows)."""
    return max(0, math.floor((deadline_at - now).total_seconds()))


def accepts_answers(deadline_at: datetime, now: datetime, grace_seconds: float) -> bool:
    """Answers count until the deadline plus a short grace for network latency; not after."""
    return now <= deadline_at + timedelta(seconds=grace_seconds)
