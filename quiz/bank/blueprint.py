"""Can a blueprint be drawn from a pool of questions? Pure.

Strata of one topic never overlap in difficulty (the loader refuses that), so
each stratum can be checked on its own: no question is wanted by two strata.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

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


def draw_form(blueprint: Sequence[Stratum], pool: Iterable[tuple[int, str, int]], rng: random.Random) -> list[int]:
    """Draw ids from a pool of (id, topic, difficulty) by the blueprint, in shuffled order.

    Deterministic for a given pool and generator state: an attempt stores its seed, so the
    same form can be drawn again to explain or audit it. Raises ValueError when a stratum
    cannot be filled (the assessment should not have been offered).
    """
    candidates = sorted(pool)  # a stable order, whatever order the database returned
    drawn: list[int] = []
    for stratum in blueprint:
        eligible = [ident for ident, topic, difficulty in candidates if stratum.admits(topic, difficulty)]
        if len(eligible) < stratum.count:
            raise ValueError(f"{stratum.describe()}: needs {stratum.count}, the bank has {len(eligible)}")
        drawn.extend(rng.sample(eligible, stratum.count))
    rng.shuffle(drawn)
    return drawn
