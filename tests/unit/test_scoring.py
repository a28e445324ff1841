"""The pure scoring core: item points, totals, percent, pass/fail, pending items, tier placement.

Every expected value is an exact Decimal compared by value *and* by its string, so a
result of `Decimal("0.330")` or a float would fail: what is asserted is what is displayed.
The worked example of docs/scoring.md is checked at the end of the attempt section.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
import yaml

from quiz.question_types import get_type
from quiz.question_types.base import ItemGrade
from quiz.scoring import (
    AttemptScore,
    ScoredItem,
    ScoringPending,
    TierRef,
    TopicScore,
    decide,
    item_points,
    place_tier,
    round_points,
    score_attempt,
)
from quiz.scoring.attempts import percent

D = Decimal
REPO_ROOT = Path(__file__).resolve().parents[2]


def exact(value: Decimal, expected: str) -> None:
    """Equal in value and in display: two decimals, no float, no extra digits."""
    assert isinstance(value, Decimal), f"{value!r} is not a Decimal"
    assert value == D(expected)
    assert str(value) == expected


def single(earned, possible, points=None, topic="t", pending=False) -> ScoredItem:
    """One item worth `points` (default: `possible`) with a grade of earned/possible units."""
    return ScoredItem(possible if points is None else points, topic, ItemGrade(earned, possible, pending))


def score_of(earned, possible) -> AttemptScore:
    """An attempt whose earned/possible points are exactly the given values (one item)."""
    return score_attempt([single(earned, possible)])


# --- round_points: the one rounding rule ------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (D("0.005"), "0.01"),      # half-up at the boundary
    (D("0.0049999"), "0.00"),  # just below it
    (D("0.015"), "0.02"),
    (D("0.125"), "0.13"),      # half-even would give 0.12
    (D("0.135"), "0.14"),
    (D("72.875"), "72.88"),
    (D("32.125"), "32.13"),    # half-even would give 32.12
    (D("69.995"), "70.00"),
    (D("99.995"), "100.00"),
    ("1.005", "1.01"),         # text is read exactly
    (1.005, "1.01"),           # a float is read through str(): round(1.005, 2) == 1.0 in floats
    (2.675, "2.68"),           # round(2.675, 2) == 2.67 in floats
    (1, "1.00"),
    (0, "0.00"),
])
def test_round_points_is_half_up_to_two_decimals(value, expected):
    exact(round_points(value), expected)


def test_half_up_differs_from_python_round_and_half_even():
    # the cases above are real boundaries: the usual alternatives round them the other way
    assert round(1.005, 2) == 1.0 and round(2.675, 2) == 2.67
    assert D("0.125").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("0.12")
    assert D("32.125").quantize(D("0.01"), rounding=ROUND_HALF_EVEN) == D("32.12")


# --- item_points: points x earned/possible, rounded ---------------------------------------------

@pytest.mark.parametrize("points, earned, possible, expected", [
    (1, 1, 3, "0.33"),               # 1/3 of 1 point
    (1, 2, 3, "0.67"),               # 2/3 of 1 point
    (1, 1 / 3, 1, "0.33"),           # the same third, as a float fraction of one unit
    (100, 1, 3, "33.33"),
    (4, 1, 3, "1.33"),
    (2, 5, 7, "1.43"),               # 1.428571...
    (2, 2, 7, "0.57"),               # 0.571428...
    (3, 4, 5, "2.40"),
    (5, 0, 1, "0.00"),               # nothing earned
    (5, 3, 3, "5.00"),               # everything earned
    (1, 1, 1, "1.00"),
    # half-up at .005, from exact points and exactly representable fractions (1/2, 1/4)
    (D("0.01"), 1, 2, "0.01"),       # 0.005
    (D("0.02"), 1, 4, "0.01"),       # 0.005
    (D("0.03"), 1, 2, "0.02"),       # 0.015
    (D("0.25"), 1, 2, "0.13"),       # 0.125 (half-even: 0.12)
    (D("1.01"), 1, 2, "0.51"),       # 0.505 (floats: 1.01 * 0.5 rounds to 0.5)
    (D("2.01"), 1, 2, "1.01"),       # 1.005
    ("2.01", 1, 2, "1.01"),          # points given as text
    (D("0.019"), 1, 4, "0.00"),      # 0.00475: below the boundary
    (D("1.05"), 0.1, 1, "0.11"),     # a float grade is read through str(): 0.105 exactly
    (10, 0.1, 1, "1.00"),
])
def test_item_points(points, earned, possible, expected):
    exact(item_points(points, ItemGrade(earned, possible)), expected)


def test_item_points_ignores_the_scale_of_the_grade_units():
    # 1 of 2 units and 50 of 100 units are the same half
    assert item_points(3, ItemGrade(1, 2)) == item_points(3, ItemGrade(50, 100)) == D("1.50")


def test_item_worth_is_rounded_before_scaling():
    # a question worth 0.125 points is worth 0.13: the row shows 0.13 possible, so a full grade earns 0.13
    score = score_attempt([ScoredItem(D("0.125"), "t", ItemGrade(1, 1))])
    exact(score.possible, "0.13")
    exact(score.earned, "0.13")


# --- totals are sums of the displayed item points -----------------------------------------------

@pytest.mark.parametrize("items, earned, possible", [
    # three thirds of 1 point each: rows 0.33 + 0.33 + 0.33 = 0.99, not round(1.00)
    ([(1, 1, 3)] * 3, "0.99", "3.00"),
    # two-thirds three times: rows 0.67 x 3 = 2.01, not round(2.00)
    ([(1, 2, 3)] * 3, "2.01", "3.00"),
    ([(1, 1, 3), (1, 2, 3)], "1.00", "2.00"),
    ([(2, 5, 7), (3, 4, 5), (1, 1, 1)], "4.83", "6.00"),
    ([(D("0.01"), 1, 2)] * 4, "0.04", "0.04"),  # 4 x 0.005 -> 4 x 0.01, though exactly 0.02
    ([(5, 0, 1)], "0.00", "5.00"),
])
def test_totals_are_sums_of_rounded_items(items, earned, possible):
    scored = [ScoredItem(points, "t", ItemGrade(e, p)) for points, e, p in items]
    score = score_attempt(scored)
    exact(score.earned, earned)
    exact(score.possible, possible)
    rows = [item_points(round_points(item.points), item.grade) for item in scored]
    assert score.earned == sum(rows)


def test_half_cents_round_up_in_every_row():
    # four items worth 0.01 each, half earned: each row shows 0.01, so the total is 0.04 of 0.04
    score = score_attempt([ScoredItem(D("0.01"), "t", ItemGrade(1, 2))] * 4)
    exact(score.earned, "0.04")
    exact(score.possible, "0.04")
    exact(score.percent, "100.00")


# --- percent -----------------------------------------------------------------------------------

@pytest.mark.parametrize("earned, possible, expected", [
    ("2.00", "3.00", "66.67"),
    ("1.00", "3.00", "33.33"),
    ("139.99", "200.00", "70.00"),   # 69.995
    ("139.98", "200.00", "69.99"),
    ("199.99", "200.00", "100.00"),  # 99.995
    ("5.83", "8.00", "72.88"),       # 72.875
    ("2.57", "8.00", "32.13"),       # 32.125 (half-even: 32.12)
    ("0.00", "5.00", "0.00"),
    ("5.00", "5.00", "100.00"),
    ("0", "0", "0.00"),              # nothing possible: 0, not a division by zero
])
def test_percent(earned, possible, expected):
    exact(percent(D(earned), D(possible)), expected)


def test_attempt_percent_is_from_rounded_totals():
    # three thirds: the rows sum to 0.99 of 3.00, which is 33.00%, not 33.33%
    score = score_attempt([single(1, 3, points=1)] * 3)
    exact(score.percent, "33.00")


# --- per-topic breakdown -----------------------------------------------------------------------

def test_per_topic_breakdown():
    score = score_attempt([
        single(1, 1, points=1, topic="reasoning"),
        single(1, 3, points=1, topic="reasoning"),
        single(5, 7, points=2, topic="writing"),
        single(2, 3, points=1, topic="reasoning"),
        single(4, 5, points=3, topic="writing"),
        single(0, 1, points=2, topic="accuracy"),
    ])
    assert list(score.by_topic) == ["accuracy", "reasoning", "writing"]  # sorted by name
    assert score.by_topic["reasoning"] == TopicScore("reasoning", D("2.00"), D("3.00"), 3)
    assert score.by_topic["writing"] == TopicScore("writing", D("3.83"), D("5.00"), 2)
    assert score.by_topic["accuracy"] == TopicScore("accuracy", D("0.00"), D("2.00"), 1)
    exact(score.by_topic["reasoning"].percent, "66.67")
    exact(score.by_topic["writing"].percent, "76.60")
    exact(score.by_topic["accuracy"].percent, "0.00")
    # the topics add up to the attempt, row for row
    assert sum(t.earned for t in score.by_topic.values()) == score.earned == D("5.83")
    assert sum(t.possible for t in score.by_topic.values()) == score.possible == D("10.00")
    assert sum(t.items for t in score.by_topic.values()) == 6


# --- pending items and provisional scores ------------------------------------------------------

@pytest.mark.parametrize("grades, pending, earned, possible", [
    # (points, earned units, possible units, pending)
    ([(1, 1, 1, False), (5, 0, 5, True)], 1, "1.00", "6.00"),
    ([(2, 2, 7, True), (3, 0, 5, True), (1, 1, 1, False)], 2, "1.57", "6.00"),  # 2 x 2/7 -> 0.57
    ([(3, 0, 5, True)], 1, "0.00", "3.00"),
    ([(1, 1, 1, False)], 0, "1.00", "1.00"),
])
def test_pending_count_and_provisional_earned(grades, pending, earned, possible):
    score = score_attempt([ScoredItem(pts, "t", ItemGrade(e, u, pend)) for pts, e, u, pend in grades])
    assert score.pending == pending
    assert score.complete is (pending == 0)
    exact(score.earned, earned)      # only what is graded so far: the auto parts
    exact(score.possible, possible)  # pending items count in full


@pytest.mark.parametrize("pass_mark", [0, 50, 70, 100, -1, 101])
def test_decide_refuses_while_items_are_pending(pass_mark):
    score = score_attempt([single(1, 1), single(0, 5, pending=True), single(2, 7, pending=True)])
    with pytest.raises(ScoringPending, match="2 item"):
        decide(score, pass_mark)


def test_scoring_pending_is_a_value_error():
    assert issubclass(ScoringPending, ValueError)


def test_pending_comparison_counts_only_its_auto_part():
    """A real comparison item: choice and ratings graded at once, justification waits for a person."""
    comparison = get_type("comparison")
    rubric = [{"id": "clarity", "description": "Clear", "points": 2},
              {"id": "facts", "description": "Right", "points": 3}]
    spec = comparison.parse_definition({
        "prompt": "Compare.", "explanation": "A is right.", "user_prompt": "Q", "response_a": "RA",
        "response_b": "RB", "better": "a", "ratings": {"a": 6, "b": 3}, "rubric": rubric})
    answer = comparison.normalise_answer(spec, {"better": "a", "rating_a": 6, "rating_b": 3,
                                                "justification": "A follows the instruction."})
    waiting = comparison.grade(spec, answer)
    assert (waiting.earned, waiting.possible, waiting.pending) == (2, 7, True)  # 1 choice + 1 ratings of 7
    provisional = score_attempt([ScoredItem(2, "writing", waiting)])
    assert provisional.pending == 1
    exact(provisional.earned, "0.57")
    with pytest.raises(ScoringPending):
        decide(provisional, 0)

    graded = comparison.grade(spec, answer, {"clarity": 2, "facts": 1})
    final = score_attempt([ScoredItem(2, "writing", graded)])
    assert final.pending == 0
    exact(final.earned, "1.43")  # 2 x 5/7
    assert decide(final, 70) == "pass"  # 71.50%


# --- pass / fail -------------------------------------------------------------------------------

@pytest.mark.parametrize("earned, possible, pass_mark, expected", [
    # ties at the pass mark pass
    ("70", "100", 70, "pass"),                # exactly 70.00%
    ("70", "100", D("70.00"), "pass"),
    ("70", "100", "70", "pass"),
    ("69.99", "100", 70, "fail"),             # 69.99%
    ("139.98", "200", 70, "fail"),            # 69.99%
    # unrounded 69.995% is displayed as 70.00%, and the displayed percent decides
    ("139.99", "200", 70, "pass"),
    ("70", "100", D("70.01"), "fail"),
    ("70", "100", 69.99, "pass"),
    # 2/3 is 66.666...%, displayed 66.67%, which reaches a pass mark of 66.67
    ("2", "3", D("66.67"), "pass"),
    ("2", "3", D("66.68"), "fail"),
    ("2", "3", 70, "fail"),
    # pass mark 0: everything passes, even nothing earned
    ("0", "100", 0, "pass"),
    ("0.01", "100", 0, "pass"),
    # pass mark 100: only a displayed 100.00% passes
    ("100", "100", 100, "pass"),
    ("99.99", "100", 100, "fail"),
    ("199.99", "200", 100, "pass"),           # 99.995% displays as 100.00%: passes by the same rule
    ("199.98", "200", 100, "fail"),           # 99.99%
])
def test_decide(earned, possible, pass_mark, expected):
    assert decide(score_of(float(earned), float(possible)), pass_mark) == expected


def test_the_tie_case_is_really_69_995():
    score = score_of(139.99, 200)
    assert score.earned * 100 / score.possible == D("69.995")  # unrounded
    exact(score.percent, "70.00")                              # displayed, and deciding
    assert decide(score, 70) == "pass"


@pytest.mark.parametrize("pass_mark", [-1, D("-0.01"), D("100.01"), 101, 1000, float("inf")])
def test_out_of_range_pass_mark_raises(pass_mark):
    with pytest.raises(ValueError, match="pass mark must be a percentage between 0 and 100"):
        decide(score_of(70, 100), pass_mark)


@pytest.mark.parametrize("pass_mark", ["abc", "", None, float("nan"), D("NaN"), True])
def test_non_numeric_pass_mark_raises(pass_mark):
    with pytest.raises(ValueError, match="pass mark must be a percentage between 0 and 100"):
        decide(score_of(70, 100), pass_mark)


# --- empty attempt -----------------------------------------------------------------------------

def test_empty_attempt():
    score = score_attempt([])
    assert (str(score.earned), str(score.possible)) == ("0.00", "0.00")
    assert (score.pending, score.by_topic, score.complete) == (0, {}, True)
    exact(score.percent, "0.00")
    assert decide(score, 70) == "fail"
    assert decide(score, 0) == "pass"  # 0.00 >= 0: the same rule, no special case


def test_score_attempt_accepts_any_iterable():
    items = (single(1, 3, points=1) for _ in range(3))
    exact(score_attempt(items).earned, "0.99")


# --- the worked example of docs/scoring.md -----------------------------------------------------

WORKED = [
    # points, topic, earned, possible (units of the item's own type)
    (1, "reasoning", 1, 1),    # single choice, right                 -> 1.00
    (1, "reasoning", 1, 3),    # multiple choice, 1 of 3 units         -> 0.33
    (1, "reasoning", 2, 3),    # ordering, 2 of 3 units                -> 0.67
    (2, "writing", 5, 7),      # comparison, 5 of 7 units              -> 1.43
    (3, "writing", 4, 5),      # essay, 4 of 5 rubric points           -> 2.40
]


def test_worked_example_final():
    items = [ScoredItem(p, t, ItemGrade(e, u)) for p, t, e, u in WORKED]
    rows = [item_points(item.points, item.grade) for item in items]
    assert [str(r) for r in rows] == ["1.00", "0.33", "0.67", "1.43", "2.40"]
    score = score_attempt(items)
    exact(score.earned, "5.83")
    exact(score.possible, "8.00")
    exact(score.percent, "72.88")  # 583 / 8 = 72.875, half-up
    # the unrounded sum would be 5.828571...: 72.86%, a percent no visible row adds up to
    unrounded = sum(D(p) * D(e) / D(u) for p, _, e, u in WORKED)
    assert round_points(unrounded * 100 / 8) == D("72.86")
    exact(score.by_topic["reasoning"].earned, "2.00")
    exact(score.by_topic["reasoning"].percent, "66.67")
    exact(score.by_topic["writing"].earned, "3.83")
    exact(score.by_topic["writing"].percent, "76.60")
    assert decide(score, 70) == "pass"


def test_worked_example_provisional():
    # before a grader has seen them: the comparison has only its auto part (2 of 7), the essay nothing
    pending = {3: ItemGrade(2, 7, pending=True), 4: ItemGrade(0, 5, pending=True)}
    items = [ScoredItem(p, t, pending.get(i, ItemGrade(e, u))) for i, (p, t, e, u) in enumerate(WORKED)]
    score = score_attempt(items)
    assert score.pending == 2
    exact(score.earned, "2.57")    # 1.00 + 0.33 + 0.67 + 0.57 + 0.00
    exact(score.possible, "8.00")  # pending items count in full
    exact(score.percent, "32.13")  # 32.125, half-up
    with pytest.raises(ScoringPending):
        decide(score, 70)


# --- tier placement ----------------------------------------------------------------------------

# PRODUCT.md rates, ranks as in question_bank/tracks.yaml
TIERS = {
    "general": TierRef("general", "General", D("20"), 1),
    "multilingual": TierRef("multilingual", "Multilingual", D("20"), 2),
    "coding": TierRef("coding", "Coding", D("40"), 3),
    "stem": TierRef("stem", "STEM", D("40"), 4),
    "professional": TierRef("professional", "Professional", D("50"), 5),
}


def test_tier_table_matches_the_shipped_bank():
    raw = yaml.safe_load((REPO_ROOT / "question_bank" / "tracks.yaml").read_text(encoding="utf-8"))
    shipped = {t["key"]: (D(str(t["hourly_rate"])), t.get("rank", 0)) for t in raw["tiers"]}
    assert shipped == {k: (t.hourly_rate, t.rank) for k, t in TIERS.items()}


@pytest.mark.parametrize("passed, expected", [
    ([], None),
    (["general"], "general"),
    (["coding"], "coding"),
    (["general", "coding"], "coding"),                # $40 beats $20
    (["coding", "general"], "coding"),
    (["coding", "stem"], "stem"),                     # both $40: higher rank (4 > 3)
    (["stem", "coding"], "stem"),
    (["stem", "professional"], "professional"),       # $50 beats $40
    (["professional", "stem"], "professional"),
    (["multilingual", "general"], "multilingual"),    # both $20: higher rank (2 > 1)
    (["general", "multilingual"], "multilingual"),
    (["general", "multilingual", "coding", "stem", "professional"], "professional"),
    (["general", "general"], "general"),
])
def test_place_tier(passed, expected):
    placed = place_tier(TIERS[k] for k in passed)
    if expected is None:
        assert placed is None
    else:
        assert placed is TIERS[expected]


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_equal_rate_and_rank_falls_back_to_key(order):
    tiers = {k: TierRef(k, k.upper(), D("30"), 1) for k in "ab"}
    assert place_tier(tiers[k] for k in order).key == "b"


def test_rate_breaks_before_rank():
    low_rate_high_rank = TierRef("x", "X", D("20"), 99)
    high_rate_low_rank = TierRef("y", "Y", D("20.01"), 0)
    assert place_tier([low_rate_high_rank, high_rate_low_rank]) is high_rate_low_rank


@pytest.mark.parametrize("changed, passed, expected, rate", [
    # General raised to $45 today: a General + Coding candidate is now placed in General, at $45
    ({"general": D("45")}, ["general", "coding"], "general", "45"),
    # Coding cut to $15: the same candidate falls back to General
    ({"coding": D("15")}, ["general", "coding"], "general", "20"),
    # STEM raised to $55: above Professional
    ({"stem": D("55")}, ["stem", "professional"], "stem", "55"),
    # Coding raised to $40.50: no longer tied with STEM
    ({"coding": D("40.50")}, ["coding", "stem"], "coding", "40.50"),
])
def test_placement_uses_the_rate_passed_in(changed, passed, expected, rate):
    current = {k: TierRef(t.key, t.name, changed.get(k, t.hourly_rate), t.rank) for k, t in TIERS.items()}
    placed = place_tier(current[k] for k in passed)
    assert placed.key == expected
    assert placed.hourly_rate == D(rate)
