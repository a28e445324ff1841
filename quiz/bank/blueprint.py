"""Can a blueprint be drawn from a pool of questions, and drawing it. Pure.

Strata of one topic never overlap in difficulty (the loader refuses that), so
each stratum can be checked on its own: no question is wanted by two strata.
"""

from __future__ import annotations

import random
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from quiz.bank.specs import Stratum


def shortfalls(blueprint: Sequence[Stratum], pool: Iterable[tuple[str, int]]) -> list[tuple[Stratum, int]]:
    """The strata the pool of (topic, difficulty) cannot fill, each with how many it has."""
    questions = list(pool)
    missing = []
    for stratum in blueprint:
        available = sum(1 for topic, difficulty in questions if stratum.admits(topic, difficulty))
        if available < stratum.count:
            missing.append((stratum, available))
    return missing


def strata_from_data(blueprint: Iterable[dict]) -> tuple[Stratum, ...]:
    """The stored JSON form of a blueprint (as written by sync) back to strata."""
    strata = []
    for entry in blueprint:
        difficulty = entry["difficulty"]
        low, high = (difficulty, difficulty) if isinstance(difficulty, int) else difficulty
        strata.append(Stratum(entry["topic"], int(low), int(high), int(entry["count"])))
    return tuple(strata)


@dataclass(frozen=True)
class Exposure:
    """How often each pool id was shown before, out of how many attempts, and the cap on that share."""

    counts: Mapping[int, int]
    attempts: int
    cap: float  # e.g. 0.30: no item in more than 30 % of attempts, once the pool allows it

    def over_cap(self, ident: int) -> bool:
        return self.counts.get(ident, 0) + 1 > self.cap * (self.attempts + 1)


def _positions(ordered: Sequence[int], idents: Iterable[int]) -> list[int]:
    """Where each of `idents` that `ordered` (ascending) holds sits in it, in ascending order."""
    found = []
    for ident in idents:
        position = bisect_left(ordered, ident)
        if position < len(ordered) and ordered[position] == ident:
            found.append(position)
    return sorted(found)


def _pick(eligible: Sequence[int], count: int, rng: random.Random, exposure: Exposure | None) -> list[int]:
    """`count` ids of `eligible` (sorted ascending, as `eligible_by_stratum` gives them), in steps
    that grow with how many were ever shown, never with the size of the bank."""
    if exposure is None:
        return rng.sample(eligible, count)
    # Least shown first; items over the cap wait while the stratum can be filled without them.
    # Every never-shown item ranks first, so they are one class: a seeded sample from it, picked by
    # index among the ids not shown (the shown ones are looked up by bisection in the sorted ids).
    shown_at = _positions(eligible, [ident for ident, times in exposure.counts.items() if times > 0])
    unshown = len(eligible) - len(shown_at)
    # the j-th never-shown id sits at j + (shown ids before it): `before` holds, for each shown
    # position, how many never-shown ids precede it
    before = [position - rank for rank, position in enumerate(shown_at)]
    picked = [eligible[j + bisect_right(before, j)] for j in rng.sample(range(unshown), min(count, unshown))]
    if count > unshown:
        shown = [eligible[position] for position in shown_at]
        ties = {ident: rng.random() for ident in shown}
        ranked = sorted(shown, key=lambda i: (exposure.over_cap(i), exposure.counts[i], ties[i]))
        picked.extend(ranked[:count - unshown])
    return picked


def cell_shortfalls(blueprint: Sequence[Stratum], cells: Mapping[tuple[str, int], int]) -> list[tuple[Stratum, int]]:
    """`shortfalls` from the number of questions per (topic, difficulty): as many steps as cells."""
    missing = []
    for stratum in blueprint:
        available = sum(n for (topic, difficulty), n in cells.items() if stratum.admits(topic, difficulty))
        if available < stratum.count:
            missing.append((stratum, available))
    return missing


def eligible_by_stratum(blueprint: Sequence[Stratum], pool: Iterable[tuple[int, str, int]]) -> list[list[int]]:
    """The ids each stratum may draw from, in a stable order (the pool's ids sorted), whatever order
    the database returned. Computed once per bank revision, so a draw costs what it draws."""
    candidates = sorted(pool)
    return [[ident for ident, topic, difficulty in candidates if stratum.admits(topic, difficulty)]
            for stratum in blueprint]


def draw_eligible(blueprint: Sequence[Stratum], eligible: Sequence[Sequence[int]], rng: random.Random,
                  exposure: Exposure | None = None) -> list[int]:
    """`draw_form` from `eligible_by_stratum`: the same form for the same pool, generator state and exposure."""
    drawn: list[int] = []
    for stratum, ids in zip(blueprint, eligible, strict=True):
        if len(ids) < stratum.count:
            raise ValueError(f"{stratum.describe()}: needs {stratum.count}, the bank has {len(ids)}")
        drawn.extend(_pick(ids, stratum.count, rng, exposure))
    rng.shuffle(drawn)
    return drawn


def draw_form(blueprint: Sequence[Stratum], pool: Iterable[tuple[int, str, int]], rng: random.Random,
              exposure: Exposure | None = None) -> list[int]:
    """Draw ids from a pool of (id, topic, difficulty) by the blueprint, in shuffled order.

    Deterministic for a given pool, generator state and exposure: an attempt stores its seed, so
    the same form can be drawn again to explain or audit it. With `exposure`, each stratum prefers
    its least-exposed items within the cap (see `Exposure`). Raises ValueError when a stratum
    cannot be filled (the assessment should not have been offered).
    """
    return draw_eligible(blueprint, eligible_by_stratum(blueprint, pool), rng, exposure)
