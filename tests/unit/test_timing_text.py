"""The time a candidate is told they have: real minutes and seconds, singular and plural right
(issue 10, point 6: "1 minutes × 1.50 extra time = 2 minutes" while the clock gave 1:30)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from quiz.assessment.timing import allowed_seconds, format_duration


@pytest.mark.parametrize(("minutes", "factor", "seconds"), [
    (1, "1.50", 90), (1, "1.25", 75), (60, "1.50", 5400), (1, "1.33", 80), (45, "1", 2700)])
def test_allowed_seconds_round_up(minutes: int, factor: str, seconds: int) -> None:
    assert allowed_seconds(minutes, Decimal(factor)) == seconds


@pytest.mark.parametrize(("seconds", "text"), [
    (90, "1 minute 30 seconds"), (60, "1 minute"), (61, "1 minute 1 second"), (120, "2 minutes"),
    (45, "45 seconds"), (1, "1 second"), (3600, "1 hour"), (5400, "1 hour 30 minutes"),
    (7261, "2 hours 1 minute 1 second"), (0, "0 seconds")])
def test_durations_are_said_as_people_say_them(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
