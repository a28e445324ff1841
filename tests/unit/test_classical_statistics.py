"""Classical item statistics against a hand-worked example and independent implementations."""

from __future__ import annotations

import statistics

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

from quiz.scoring.classical import (
    ChoiceData,
    Thresholds,
    cronbach_alpha,
    item_statistics,
    item_table,
    moodle_report,
    form_statistics as summarise_test,
)

TIGHT = 1e-12

# Four candidates, three 1-point items, a perfect Guttman pattern: worked by hand below.
GUTTMAN = np.array([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], dtype=float)


def test_hand_worked_fixed_form() -> None:
    first, second, third = item_statistics(GUTTMAN, [1, 1, 1])
    # item 1: scores 1,1,1,0 → facility 3/4; deviations ¼,¼,¼,−¾ → variance (3/16 + 9/16)/3 = ¼, SD ½
    assert first.facility == 0.75 and first.sd == pytest.approx(0.5, abs=TIGHT)
    # totals 3,2,1,0, so item 1's rest scores are 2,1,0,0: r = 0.75 / √(0.75 · 2.75) = √(3/11)
    assert first.discrimination == pytest.approx(np.sqrt(3 / 11), abs=TIGHT)
    # with the total (item included): r = 1.5 / √(0.75 · 5) = √0.6
    assert first.point_biserial == pytest.approx(np.sqrt(0.6), abs=TIGHT)
    # a Guttman pattern is already sorted as well as it can be: efficiency 1
    assert first.efficiency == pytest.approx(1.0, abs=TIGHT)
    assert second.facility == 0.5 and second.sd == pytest.approx(np.sqrt(1 / 3), abs=TIGHT)
    assert third.facility == 0.25
    # variances ¼ + ⅓ + ¼ = 5/6, var(total) = 5/3: alpha = 3/2 · (1 − ½) = 0.75
    assert cronbach_alpha(GUTTMAN) == pytest.approx(0.75, abs=TIGHT)
    moodle = moodle_report(GUTTMAN, [1, 1, 1])
    assert moodle.coefficient_of_internal_consistency == pytest.approx(75, abs=1e-10)
    assert moodle.error_ratio == pytest.approx(50, abs=1e-10)  # 100 · √(1 − 0.75)
    # percent scores 100, 66.7, 33.3, 0: SD = 100/3 · √(5/3); standard error = ½ of it
    assert moodle.sd_percent == pytest.approx(100 / 3 * np.sqrt(5 / 3), abs=1e-10)
    assert moodle.standard_error == pytest.approx(50 / 3 * np.sqrt(5 / 3), abs=1e-10)
    assert moodle.items[0].facility_index == 75 and moodle.items[0].discriminative_efficiency == pytest.approx(100)


def test_moodle_mode_refuses_random_forms() -> None:
    with pytest.raises(ValueError, match="fixed form"):
        moodle_report(np.array([[1, np.nan], [0, 1]]), [1, 1])


def _generated(candidates: int, items: int, seed: int, form_length: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=(candidates, 1))
    difficulty = rng.normal(size=(1, items))
    scores = (rng.random((candidates, items)) < 1 / (1 + np.exp(-(ability - difficulty)))).astype(float)
    scores[:, ::3] *= 2  # a few 2-point items
    scores[:, 1] = np.round(scores[:, 1] * rng.random(candidates), 2)  # and one with partial credit
    if form_length is not None:
        for row in scores:
            row[rng.permutation(items)[form_length:]] = np.nan
    return scores


@pytest.mark.parametrize("form_length", [None, 7])
def test_item_statistics_match_scipy(form_length: int | None) -> None:
    scores = _generated(400, 10, seed=3, form_length=form_length)
    maxima = [2 if i % 3 == 0 else 1 for i in range(10)]
    for column, row in enumerate(item_statistics(scores, maxima)):
        shown = ~np.isnan(scores[:, column])
        x = scores[shown, column]
        total = np.nansum(scores[shown], axis=1)
        assert row.responses == shown.sum()
        assert row.facility == pytest.approx(statistics.fmean(x) / maxima[column], abs=TIGHT)
        assert row.sd == pytest.approx(statistics.stdev(x) / maxima[column], abs=TIGHT)
        assert row.discrimination == pytest.approx(stats.pearsonr(x, total - x).statistic, abs=TIGHT)
        assert row.point_biserial == pytest.approx(stats.pearsonr(x, total).statistic, abs=TIGHT)
        if set(np.unique(x)) <= {0.0, maxima[column]}:
            assert row.point_biserial == pytest.approx(stats.pointbiserialr(x > 0, total).statistic, abs=TIGHT)
        best = np.cov(np.sort(x), np.sort(total - x))[0, 1]
        assert row.efficiency == pytest.approx(np.cov(x, total - x)[0, 1] / best, abs=TIGHT)


def test_alpha_matches_pingouin_on_a_fixed_form() -> None:
    scores = _generated(500, 12, seed=5)
    expected, _ = pingouin.cronbach_alpha(pd.DataFrame(scores))
    assert cronbach_alpha(scores) == pytest.approx(expected, abs=TIGHT)


def test_kr20_on_right_wrong_items_matches_pingouin() -> None:
    scores = (_generated(300, 8, seed=11) > 0).astype(float)
    expected, _ = pingouin.cronbach_alpha(pd.DataFrame(scores))
    p = scores.mean(axis=0)
    kr20 = 8 / 7 * (1 - np.sum(p * (1 - p)) * 300 / 299 / np.var(scores.sum(axis=1), ddof=1))
    assert cronbach_alpha(scores) == pytest.approx(expected, abs=TIGHT)
    assert cronbach_alpha(scores) == pytest.approx(kr20, abs=TIGHT)


def test_sparse_alpha_is_pingouins_pairwise_alpha_and_scales_to_the_form_length() -> None:
    scores = _generated(600, 9, seed=8, form_length=6)
    expected, _ = pingouin.cronbach_alpha(pd.DataFrame(scores), nan_policy="pairwise")
    assert cronbach_alpha(scores) == pytest.approx(expected, abs=TIGHT)
    # at the form length, alpha is the Spearman–Brown step down of the full-pool alpha
    full = cronbach_alpha(scores)
    ratio = 6 / 9
    assert cronbach_alpha(scores, 6) == pytest.approx(ratio * full / (1 + (ratio - 1) * full), abs=TIGHT)


def test_test_statistics_use_the_form_length_and_percent_scores() -> None:
    scores = _generated(600, 9, seed=8, form_length=6)
    maxima = [2 if i % 3 == 0 else 1 for i in range(9)]
    summary = summarise_test(scores, maxima)
    percents = 100 * np.nansum(scores, axis=1) / (~np.isnan(scores) @ np.array(maxima, dtype=float))
    assert summary.form_length == 6 and summary.candidates == 600
    assert summary.sd_percent == pytest.approx(statistics.stdev(percents), abs=1e-10)
    assert summary.sem_percent == pytest.approx(summary.sd_percent * np.sqrt(1 - summary.alpha), abs=1e-10)


def _choice_item(chosen_ids: list[str], options=("a", "b", "c", "d")) -> ChoiceData:
    chosen = np.array([[option == picked for option in options] for picked in chosen_ids], dtype=float)
    return ChoiceData(tuple(options), frozenset({"a"}), chosen)


def test_distractor_table_and_flags() -> None:
    rng = np.random.default_rng(2)
    ability = rng.normal(size=200)
    others = (rng.random((200, 5)) < 1 / (1 + np.exp(-ability[:, None]))).astype(float)
    # a miskeyed item: the strong pick "b" (the real answer), the key "a" goes to the weak
    picked = np.where(ability > 0.3, "b", np.where(rng.random(200) < 0.5, "a", "c"))
    scores = np.column_stack([(picked == "a").astype(float), others])
    choices = [_choice_item(list(picked))] + [None] * 5
    report = item_table(scores, [1] * 6, choices).items[0]
    options = {o.option: o for o in report.options}
    rest = scores[:, 1:].sum(axis=1)
    assert options["b"].share == pytest.approx(np.mean(picked == "b"), abs=TIGHT)
    assert options["b"].rest_correlation == pytest.approx(stats.pearsonr(picked == "b", rest).statistic, abs=TIGHT)
    assert options["d"].share == 0
    codes = {flag.code for flag in report.flags}
    assert {"discrimination_low", "distractor_rare", "distractor_positive", "key_suspect"} <= codes
    assert report.state == "flagged"
    rare = next(f for f in report.flags if f.code == "distractor_rare")
    assert rare.threshold == 0.05 and "option d" in rare.message


def test_too_few_responses_is_a_state_without_flags() -> None:
    scores = np.array([[1, 0], [1, 1], [1, 0]], dtype=float)  # item 1 would be "too easy"
    table = item_table(scores, [1, 1], thresholds=Thresholds(min_responses=5))
    assert [r.state for r in table.items] == ["too_few", "too_few"] and all(not r.flags for r in table.items)
    table = item_table(scores, [1, 1], thresholds=Thresholds(min_responses=3))
    assert table.items[0].state == "flagged" and table.items[0].flags[0].code == "facility_high"
