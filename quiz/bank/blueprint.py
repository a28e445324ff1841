"""Can a blueprint be drawn from a pool of questions? Pure.

Strata of one topic never overlap in difficulty (the loader refuses that), so
each stratum can be checked on its own: no question is wanted by two strata.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence

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


def draw_eligible(blueprint: Sequence[Stratum], eligible: Sequence[Sequence[int]], rng: random.Random) -> list[int]:
    """`draw_form` from `eligible_by_stratum`: the same form for the same pool and generator state."""
    drawn: list[int] = []
    for stratum, ids in zip(blueprint, eligible, strict=True):
        if len(ids) < stratum.count:
            raise ValueError(f"{stratum.describe()}: needs {stratum.count}, the bank has {len(ids)}")
        drawn.extend(rng.sample(ids, stratum.count))
    rng.shuffle(drawn)
    return drawn


def draw_form(blueprint: Sequence[Stratum], pool: Iterable[tuple[int, str, int]], rng: random.Random) -> list[int]:
    """Draw ids from a pool of (id, topic, difficulty) by the blueprint, in shuffled order.

    Deterministic for a given pool and generator state: an attempt stores its seed, so the
    same form can be drawn again to explain or audit it. Raises ValueError when a stratum
    cannot be filled (the assessment should not have been offered).
    """
    return draw_eligible(blueprint, eligible_by_stratum(blueprint, pool), rng)
