"""The exposure-controlled draw: least-exposed items first within each stratum, a cap, reproducible."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from quiz.bank.blueprint import Exposure, draw_eligible, draw_form
from quiz.bank.specs import Stratum

BLUEPRINT = (Stratum("facts", 1, 3, 2), Stratum("logic", 1, 5, 3))
POOL = [(i, "facts", 1 + i % 3) for i in range(10)] + [(100 + i, "logic", 1 + i % 5) for i in range(6)]


def _run(forms: int, cap: float, seed: int = 0) -> Counter[int]:
    counts: Counter[int] = Counter()
    for n in range(forms):
        drawn = draw_form(BLUEPRINT, POOL, random.Random(seed * 1000 + n), Exposure(dict(counts), n, cap))
        assert len(drawn) == len(set(drawn)) == 5
        counts.update(drawn)
    return counts


def test_least_exposed_items_first_keeps_exposure_even_and_under_the_cap() -> None:
    counts = _run(300, cap=0.6)
    facts = [counts[i] for i in range(10)]
    logic = [counts[100 + i] for i in range(6)]
    # 2 of 10 and 3 of 6 per form: 20 % and 50 % of 300 attempts, each item within one of that
    assert max(facts) - min(facts) <= 1 and sum(facts) == 600
    assert max(logic) - min(logic) <= 1 and max(logic) <= 0.6 * 300


def test_a_plain_random_draw_is_uneven() -> None:
    counts: Counter[int] = Counter()
    for n in range(300):
        counts.update(draw_form(BLUEPRINT, POOL, random.Random(n)))
    facts = [counts[i] for i in range(10)]
    assert max(facts) - min(facts) > 5  # what exposure control is for


def test_the_cap_sets_items_aside_while_the_pool_allows_it() -> None:
    # item 0 is far over a 20 % cap, item 1 would pass it with one more showing: neither is drawn while others remain
    exposure = Exposure({0: 50, 1: 20, 2: 19, 3: 19}, attempts=100, cap=0.2)
    pool = [(i, "facts", 1) for i in range(6)]
    for seed in range(20):
        drawn = draw_form((Stratum("facts", 1, 1, 3),), pool, random.Random(seed), exposure)
        assert 0 not in drawn and 1 not in drawn
    # when the stratum cannot be filled without them, the least exposed of them is taken
    drawn = draw_form((Stratum("facts", 1, 1, 5),), pool, random.Random(1), exposure)
    assert sorted(drawn) == [1, 2, 3, 4, 5]


def test_the_same_seed_and_exposure_draw_the_same_form() -> None:
    exposure = Exposure({0: 3, 1: 3, 2: 1}, attempts=5, cap=0.5)
    forms = {tuple(draw_form(BLUEPRINT, list(reversed(POOL)) if n % 2 else POOL, random.Random(42), exposure))
             for n in range(4)}
    assert len(forms) == 1


def _least_shown_keys(eligible: list[int], count: int, exposure: Exposure) -> list[tuple[bool, int]]:
    """What any correct draw must take: the `count` best (over the cap, times shown) ranks."""
    return sorted((exposure.over_cap(i), exposure.counts.get(i, 0)) for i in eligible)[:count]


def test_each_draw_takes_the_least_shown_ranks_whatever_the_history() -> None:
    rng = random.Random(7)
    for case in range(300):
        eligible = sorted(rng.sample(range(1000), rng.randint(3, 60)))
        history = {ident: rng.choice([0, 1, 1, 2, 5, 9]) for ident in rng.sample(range(1000), rng.randint(0, 400))}
        exposure = Exposure(history, attempts=rng.randint(0, 30), cap=rng.choice([0.1, 0.3, 1.0]))
        count = rng.randint(1, len(eligible))
        drawn = draw_form((Stratum("facts", 1, 1, count),), [(i, "facts", 1) for i in eligible],
                          random.Random(case), exposure)
        assert len(set(drawn)) == count and set(drawn) <= set(eligible)
        assert sorted((exposure.over_cap(i), history.get(i, 0)) for i in drawn) == \
            _least_shown_keys(eligible, count, exposure), case


def test_the_never_shown_are_drawn_evenly() -> None:
    exposure = Exposure({0: 3, 5: 1}, attempts=4, cap=1.0)
    counts: Counter[int] = Counter()
    for seed in range(4000):
        counts.update(draw_form((Stratum("facts", 1, 1, 2),), [(i, "facts", 1) for i in range(10)],
                                random.Random(seed), exposure))
    assert counts[0] == counts[5] == 0
    assert all(900 <= counts[i] <= 1100 for i in (1, 2, 3, 4, 6, 7, 8, 9)), counts  # 1,000 expected each


class _CountingIds(list):  # type: ignore[type-arg]
    """A sorted id list that counts how many of its entries were read."""

    reads = 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        _CountingIds.reads += 1
        return super().__getitem__(index)

    def __iter__(self):  # type: ignore[no-untyped-def]
        _CountingIds.reads += len(self)
        return super().__iter__()


@pytest.mark.parametrize("capped", [False, True], ids=["plain", "exposure-capped"])
def test_a_draw_reads_what_it_draws_and_what_was_shown_not_the_whole_bank(capped: bool) -> None:
    stratum = _CountingIds(range(0, 200_000, 2))  # a cell of 100,000 questions
    exposure = Exposure({ident: 1 for ident in range(0, 2_000, 2)}, attempts=25, cap=0.3) if capped else None
    _CountingIds.reads = 0
    drawn = draw_eligible((Stratum("facts", 1, 1, 10),), [stratum], random.Random(1), exposure)
    assert len(set(drawn)) == 10 and not (exposure and set(drawn) & set(exposure.counts))
    # bisection per shown id (about 17 reads each) and one read per drawn id
    assert _CountingIds.reads <= 10 + 1_000 * 18
