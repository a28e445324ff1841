"""Tier placement: the highest tier among the tracks a candidate passed, at its current rate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class TierRef:
    key: str
    name: str
    hourly_rate: Decimal
    rank: int = 0


def place_tier(passed: Iterable[TierRef]) -> TierRef | None:
    """Highest hourly rate wins; equal rates are broken by rank, then by key for determinism.

    Pass the tiers as they are now (not as they were at each pass): a rate
    change applies to everyone already placed in that tier.
    """
    best: TierRef | None = None
    for tier in passed:
        if best is None or (tier.hourly_rate, tier.rank, tier.key) > (best.hourly_rate, best.rank, best.key):
            best = tier
    return best
