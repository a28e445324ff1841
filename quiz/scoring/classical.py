"""Classical item statistics on a response matrix with items missing by design. Pure (numpy).

A random form shows each candidate a few items of a larger pool, so most cells of the
matrix are *not administered*: NaN here, never "wrong". Every statistic of an item is
computed over the candidates who were shown it; the rest score of a candidate is their
total over the other items of their own form.

Divisors: every variance and covariance uses n − 1 (the sample estimate), the same
divisor throughout, so alpha from variances and alpha from covariances agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

Matrix = np.ndarray


@dataclass(frozen=True)
class Thresholds:
    """When an item is flagged. An item with fewer than `min_responses` is "too few", never flagged."""

    facility_low: float = 0.2
    facility_high: float = 0.95
    discrimination_min: float = 0.15
    distractor_share_min: float = 0.05
    min_responses: int = 30


@dataclass(frozen=True)
class Flag:
    code: str  # facility_low, facility_high, discrimination_low, distractor_rare, distractor_positive, key_suspect
    message: str
    value: float
    threshold: float


@dataclass(frozen=True)
class ItemStatistics:
    responses: int
    facility: float  # mean score / max score
    sd: float  # standard deviation of the score / max score
    discrimination: float  # item–rest correlation (total minus the item)
    point_biserial: float  # item–total correlation (the item included)
    efficiency: float  # Moodle's discriminative efficiency: cov(item, rest) / the largest cov possible


@dataclass(frozen=True)
class OptionStatistics:
    option: str
    key: bool
    share: float  # of the candidates shown the item, the share who chose this option
    rest_correlation: float  # point-biserial of "chose this option" with the rest score


@dataclass(frozen=True)
class FormStatistics:
    candidates: int
    items: int
    form_length: float  # items per candidate (the mean, for random forms)
    alpha: float  # Cronbach's alpha (KR-20 for 0/1 items) at the form length
    sd_percent: float  # SD of the candidates' percent scores
    sem_percent: float  # standard error of measurement, in percent points: sd × √(1 − alpha)


@dataclass(frozen=True)
class ItemReport:
    statistics: ItemStatistics
    state: str  # "ok", "flagged" or "too_few"
    flags: tuple[Flag, ...] = ()
    options: tuple[OptionStatistics, ...] = ()


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    if len(x) < 2:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    denominator = np.sqrt(np.dot(dx, dx) * np.dot(dy, dy))
    return float(np.dot(dx, dy) / denominator) if denominator > 0 else float("nan")


def _covariance(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.dot(x - x.mean(), y - y.mean()) / (len(x) - 1))


def totals(scores: Matrix) -> np.ndarray:
    """Each candidate's total over the items of their form."""
    scores = np.asarray(scores, dtype=float)
    total = scores.sum(axis=1)
    return np.nansum(scores, axis=1) if np.isnan(total).any() else total


def _complete_item_statistics(scores: Matrix, max_points: Sequence[float]) -> list[ItemStatistics]:
    """The same statistics for a fixed form (nothing missing), all items at once, one item per row."""
    items = np.ascontiguousarray(scores.T)
    n = items.shape[1]
    maxima = np.asarray(max_points, dtype=float)
    total = items.sum(axis=0)
    rest = total[None, :] - items
    centred = items - items.mean(axis=1, keepdims=True)
    rest_centred = rest - rest.mean(axis=1, keepdims=True)
    total_centred = total - total.mean()
    sxx, srr = np.einsum("ij,ij->i", centred, centred), np.einsum("ij,ij->i", rest_centred, rest_centred)
    sxr, sxt, stt = np.einsum("ij,ij->i", centred, rest_centred), centred @ total_centred, total_centred @ total_centred
    items.sort(axis=1)
    rest.sort(axis=1)
    best = np.einsum("ij,ij->i", items - items.mean(axis=1, keepdims=True), rest - rest.mean(axis=1, keepdims=True))
    with np.errstate(invalid="ignore", divide="ignore"):
        discrimination = np.where(sxx * srr > 0, sxr / np.sqrt(sxx * srr), np.nan)
        biserial = np.where(sxx * stt > 0, sxt / np.sqrt(sxx * stt), np.nan)
        efficiency = np.where(best > 0, sxr / best, np.nan)
        sd = np.sqrt(sxx / (n - 1)) / maxima if n > 1 else np.full(len(maxima), np.nan)
    facility = items.mean(axis=1) / maxima  # sorting kept each row's values
    return [ItemStatistics(n, float(facility[j]), float(sd[j]), float(discrimination[j]), float(biserial[j]),
                           float(efficiency[j]) if n > 1 else float("nan")) for j in range(len(maxima))]


def item_statistics(scores: Matrix, max_points: Sequence[float]) -> list[ItemStatistics]:
    """One row per item (column). `scores` holds points earned, NaN where the item was not shown."""
    scores = np.asarray(scores, dtype=float)
    if len(scores) and not np.isnan(scores).any():
        return _complete_item_statistics(scores, max_points)
    scores = np.asfortranarray(scores)  # each item's column contiguous for the loop below
    total = totals(scores)
    rows = []
    for column, maximum in enumerate(max_points):
        shown = ~np.isnan(scores[:, column])
        x = scores[shown, column]
        n = len(x)
        if n == 0:
            rows.append(ItemStatistics(0, *(float("nan"),) * 5))
            continue
        rest = total[shown] - x
        sd = float(np.std(x, ddof=1)) / maximum if n > 1 else float("nan")
        efficiency = float("nan")
        if n > 1:
            best = _covariance(np.sort(x), np.sort(rest))
            if best > 0:
                efficiency = _covariance(x, rest) / best
        rows.append(ItemStatistics(n, float(x.mean()) / maximum, sd, _pearson(x, rest), _pearson(x, total[shown]),
                                   efficiency))
    return rows


def pairwise_covariance(scores: Matrix) -> Matrix:
    """Item covariances, each over the candidates shown both items (pairwise complete, n − 1)."""
    scores = np.asarray(scores, dtype=float)
    shown = ~np.isnan(scores)
    if shown.all():
        return np.atleast_2d(np.cov(scores, rowvar=False, ddof=1))
    # Centring first keeps the sums small, so the products below lose no precision.
    centred = np.where(shown, scores - np.nanmean(scores, axis=0), 0.0)
    mask = shown.astype(float)
    pairs = mask.T @ mask
    sums = centred.T @ mask  # [i, j]: sum of item i over the candidates shown both i and j
    products = centred.T @ centred
    with np.errstate(invalid="ignore", divide="ignore"):
        return (products - sums * sums.T / pairs) / (pairs - 1)


def cronbach_alpha(scores: Matrix, form_length: float | None = None) -> float:
    """Cronbach's alpha (KR-20 on 0/1 scores) from pairwise covariances.

    α = L·c̄ / (v̄ + (L − 1)·c̄), with v̄ the mean item variance and c̄ the mean covariance of
    two different items. With complete data and L = the number of items this is exactly
    k/(k − 1)·(1 − Σ var / var(total)); for random forms L is the form length, so alpha
    describes the test a candidate actually took.
    """
    cov = pairwise_covariance(scores)
    k = cov.shape[0]
    length = k if form_length is None else form_length
    off_diagonal = cov[~np.eye(k, dtype=bool)]
    off_diagonal = off_diagonal[np.isfinite(off_diagonal)]
    if k < 2 or off_diagonal.size == 0:
        return float("nan")
    variance, covariance = float(np.nanmean(np.diag(cov))), float(off_diagonal.mean())
    denominator = variance + (length - 1) * covariance
    return length * covariance / denominator if denominator else float("nan")


def percent_scores(scores: Matrix, max_points: Sequence[float]) -> np.ndarray:
    scores = np.asarray(scores, dtype=float)
    maxima = np.asarray(max_points, dtype=float)
    missing = np.isnan(scores)
    possible = maxima.sum() - (missing @ maxima if missing.any() else 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100 * totals(scores) / possible


def form_statistics(scores: Matrix, max_points: Sequence[float]) -> FormStatistics:
    scores = np.asarray(scores, dtype=float)
    length = float(scores.shape[1] - np.isnan(scores).sum(axis=1).mean()) if len(scores) else 0.0
    alpha = cronbach_alpha(scores, length) if len(scores) > 1 else float("nan")
    percents = percent_scores(scores, max_points)
    sd = float(np.std(percents, ddof=1)) if len(percents) > 1 else float("nan")
    sem = sd * float(np.sqrt(1 - alpha)) if 0 <= alpha <= 1 else float("nan")
    return FormStatistics(len(scores), scores.shape[1], length, alpha, sd, sem)


# ------------------------------------------------------------------------------------------------
# Moodle's quiz statistics report, for an admin comparing with Moodle (a fixed form: every candidate
# answered every item). The formulas of Moodle's "Quiz statistics calculations", in its units.

@dataclass(frozen=True)
class MoodleItem:
    facility_index: float  # percent
    standard_deviation: float  # percent of the item's range
    discrimination_index: float  # 100 × r(item, rest of test)
    discriminative_efficiency: float  # percent


@dataclass(frozen=True)
class MoodleTest:
    items: tuple[MoodleItem, ...]
    mean_percent: float
    sd_percent: float
    coefficient_of_internal_consistency: float  # 100 × alpha
    error_ratio: float  # 100 × √(1 − CIC/100)
    standard_error: float  # error ratio × SD, in percent of the maximum grade


def moodle_report(scores: Matrix, max_points: Sequence[float]) -> MoodleTest:
    scores = np.asarray(scores, dtype=float)
    if np.isnan(scores).any():
        raise ValueError("Moodle's report is for a fixed form: every candidate must have every item")
    items = tuple(
        MoodleItem(100 * s.facility, 100 * s.sd, 100 * s.discrimination, 100 * s.efficiency)
        for s in item_statistics(scores, max_points))
    percents = 100 * totals(scores) / float(np.sum(max_points))
    sd = float(np.std(percents, ddof=1))
    cic = 100 * cronbach_alpha(scores)
    error_ratio = 100 * float(np.sqrt(1 - cic / 100))
    return MoodleTest(items, float(percents.mean()), sd, cic, error_ratio, error_ratio / 100 * sd)


# ------------------------------------------------------------------------------------------------
# Distractors and flags

def option_statistics(chosen: Matrix, rest: np.ndarray, options: Sequence[str],
                      keys: set[str]) -> tuple[OptionStatistics, ...]:
    """`chosen[p, j]`: candidate p (of those shown the item) chose option j; `rest` their rest score."""
    chosen = np.asarray(chosen, dtype=float)
    return tuple(OptionStatistics(option, option in keys, float(chosen[:, j].mean()) if len(chosen) else float("nan"),
                                  _pearson(chosen[:, j], rest))
                 for j, option in enumerate(options))


def flags_for(statistics: ItemStatistics, options: Sequence[OptionStatistics],
              thresholds: Thresholds) -> tuple[Flag, ...]:
    found: list[Flag] = []
    facility, discrimination = statistics.facility, statistics.discrimination
    if facility < thresholds.facility_low:
        found.append(Flag("facility_low", "too hard", facility, thresholds.facility_low))
    if facility > thresholds.facility_high:
        found.append(Flag("facility_high", "too easy", facility,
                          thresholds.facility_high))
    if not np.isnan(discrimination) and discrimination < thresholds.discrimination_min:
        found.append(Flag("discrimination_low", "low discrimination",
                          discrimination, thresholds.discrimination_min))
    key_correlations = [o.rest_correlation for o in options if o.key and not np.isnan(o.rest_correlation)]
    for option in options:
        if option.key:
            continue
        if option.share < thresholds.distractor_share_min:
            found.append(Flag("distractor_rare", f"option {option.option} rarely chosen", option.share,
                              thresholds.distractor_share_min))
        if option.rest_correlation > 0:
            found.append(Flag("distractor_positive", f"option {option.option} attracts stronger candidates",
                              option.rest_correlation, 0.0))
        if key_correlations and option.rest_correlation > min(key_correlations):
            found.append(Flag("key_suspect", f"key suspect: option {option.option} correlates better", option.rest_correlation, min(key_correlations)))
    return tuple(found)


@dataclass(frozen=True)
class ChoiceData:
    """What the candidates shown a choice item chose, row for row with their scores."""

    options: tuple[str, ...]
    keys: frozenset[str]
    chosen: Matrix  # (candidates shown the item, options) of 0/1


@dataclass
class ItemTable:
    items: list[ItemReport]
    test: FormStatistics
    thresholds: Thresholds = field(default_factory=Thresholds)


def item_table(scores: Matrix, max_points: Sequence[float], choices: Sequence[ChoiceData | None] | None = None,
               thresholds: Thresholds = Thresholds()) -> ItemTable:
    """The whole classical report: every item with its state and flags, and the test's statistics."""
    scores = np.asarray(scores, dtype=float)
    total = totals(scores)
    reports = []
    for column, statistics in enumerate(item_statistics(scores, max_points)):
        choice = choices[column] if choices else None
        options: tuple[OptionStatistics, ...] = ()
        if choice is not None:
            shown = ~np.isnan(scores[:, column])
            options = option_statistics(choice.chosen, total[shown] - scores[shown, column], choice.options,
                                        set(choice.keys))
        if statistics.responses < thresholds.min_responses:
            reports.append(ItemReport(statistics, "too_few", (), options))
            continue
        flags = flags_for(statistics, options, thresholds)
        reports.append(ItemReport(statistics, "flagged" if flags else "ok", flags, options))
    return ItemTable(reports, form_statistics(scores, max_points), thresholds)
