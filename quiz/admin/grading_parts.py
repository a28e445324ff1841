"""How the parts of an item with an automatic and a rubric part (a comparison) add up to its points,
for the grading screen: the question types grade in their own units, the attempt counts points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from quiz.question_types.base import rubric_total
from quiz.scoring.attempts import round_points


@dataclass(frozen=True)
class Part:
    label: str
    units: float  # what the part is worth in the type's units
    earned_units: float | None  # None: not graded yet
    points: Decimal  # the part's share of the item's points
    earned_points: Decimal | None


@dataclass(frozen=True)
class PartsBreakdown:
    parts: list[Part]
    units: float
    points: Decimal  # what the item is worth
    automatic_points: Decimal  # what the automatic parts earned, as points

    @property
    def rubric(self) -> Part:
        return self.parts[-1]


def comparison_parts(spec: Any, detail: Mapping[str, Any], points: Any) -> PartsBreakdown:
    """Choice, ratings and the rubric of a comparison, each in units and in points; the item's
    points are `points × units earned / units`, rounded once (docs/scoring.md)."""
    worth = round_points(points)
    rubric_units = rubric_total(spec.rubric)
    total = spec.choice_points + spec.rating_points + rubric_units

    def share(units: float) -> Decimal:
        return round_points(worth * Decimal(str(units)) / Decimal(str(total)))

    def part(label: str, units: float, earned: float | None) -> Part:
        return Part(label, units, earned, share(units), None if earned is None else share(earned))

    parts = [part("Choice of the better response", spec.choice_points, detail.get("choice")),
             part("Ratings of both responses", spec.rating_points, detail.get("ratings")),
             part("Justification (rubric, graded by you)", rubric_units, detail.get("justification"))]
    automatic = (detail.get("choice") or 0.0) + (detail.get("ratings") or 0.0)
    return PartsBreakdown(parts, total, worth, share(automatic))
