"""Scores of an attempt from the grades of its items.

One rounding rule everywhere: every item's points and every percentage are
rounded half-up to 2 decimals, and totals are sums of the rounded item points,
so the rows a grader or candidate sees always add up to the total shown.
A candidate passes when the rounded percentage is at least the pass mark:
what they see is what decided.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from quiz.question_types.base import ItemGrade

Number = Decimal | int | float | str
Decision = Literal["pass", "fail"]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


class ScoringPending(ValueError):
    """A decision was asked for while some items still wait for a person."""


def _dec(value: Number) -> Decimal:
    # str() first: Decimal(0.1) would carry the float's binary error into the score.
    return value if isinstance(value, Decimal) else Decimal(str(value))


def round_points(value: Number) -> Decimal:
    return _dec(value).quantize(_CENT, rounding=ROUND_HALF_UP)


def percent(earned: Decimal, possible: Decimal) -> Decimal:
    if possible <= 0:
        return Decimal("0.00")
    return round_points(earned * _HUNDRED / possible)


def item_points(points: Number, grade: ItemGrade) -> Decimal:
    """The question's points scaled by the fraction of the item's own units earned."""
    return round_points(_dec(points) * _dec(grade.earned) / _dec(grade.possible))


@dataclass(frozen=True)
class ScoredItem:
    points: Number
    topic: str
    grade: ItemGrade


@dataclass(frozen=True)
class TopicScore:
    topic: str
    earned: Decimal
    possible: Decimal
    items: int

    @property
    def percent(self) -> Decimal:
        return percent(self.earned, self.possible)


@dataclass(frozen=True)
class AttemptScore:
    """While `pending` > 0, `earned` counts only what is graded so far (a provisional score)."""

    earned: Decimal
    possible: Decimal
    pending: int
    by_topic: dict[str, TopicScore] = field(default_factory=dict)

    @property
    def percent(self) -> Decimal:
        return percent(self.earned, self.possible)

    @property
    def complete(self) -> bool:
        return self.pending == 0


def score_attempt(items: Iterable[ScoredItem]) -> AttemptScore:
    earned = possible = Decimal("0.00")
    pending = 0
    topics: dict[str, list[Decimal]] = {}
    for item in items:
        worth = round_points(item.points)
        got = item_points(worth, item.grade)
        earned += got
        possible += worth
        pending += item.grade.pending
        topic = topics.setdefault(item.topic, [Decimal(0), Decimal(0), Decimal(0)])
        topic[0] += got
        topic[1] += worth
        topic[2] += 1
    by_topic = {
        name: TopicScore(name, got, worth, int(count))
        for name, (got, worth, count) in sorted(topics.items())
    }
    return AttemptScore(earned, possible, pending, by_topic)


def decide(score: AttemptScore, pass_mark: Number) -> Decision:
    """Pass when the rounded percentage reaches the pass mark (a tie passes)."""
    if not score.complete:
        raise ScoringPending(f"{score.pending} item(s) still need a grader")
    try:
        mark = _dec(pass_mark)
        in_range = Decimal(0) <= mark <= _HUNDRED
    except (ArithmeticError, TypeError, ValueError):
        in_range = False
    if isinstance(pass_mark, bool) or not in_range:
        raise ValueError(f"pass mark must be a percentage between 0 and 100, not {pass_mark!r}")
    return "pass" if score.percent >= mark else "fail"
