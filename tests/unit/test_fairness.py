"""The scoring service's promise: the tier must not depend on which random form a candidate drew.

Pool of 200 items, 50 drawn per candidate (the issue's simulation). At equal true ability the
raw percent depends on the drawn form's difficulty; θ (EAP) does not.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import pearsonr

from quiz.scoring.irt import ReferenceForm, eap, theta_cut
from quiz.scoring.simulation import item_parameters, random_forms, simulate

POOL, FORM, PASS_MARK = 200, 50, 0.6


def _forms(candidates: int, theta: np.ndarray, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    a, b = item_parameters(POOL, rng)
    shown = random_forms(candidates, POOL, FORM, rng)
    return simulate(theta, a, b, rng, shown), shown


def test_at_equal_ability_theta_does_not_depend_on_the_form_but_percent_does() -> None:
    # 40,000 candidates: the sampling error of r (about 0.005) stays well inside the 0.02 allowed
    data, shown = _forms(40_000, np.zeros(40_000), seed=21)
    form_difficulty = np.where(shown, data.b, 0).sum(axis=1) / FORM
    percent = np.nansum(data.responses, axis=1) / FORM
    theta = eap(data.responses, data.a, data.b).theta
    assert abs(pearsonr(theta, form_difficulty).statistic) <= 0.02
    assert pearsonr(percent, form_difficulty).statistic < -0.3


def test_theta_misclassifies_tiers_no_more_than_raw_percent() -> None:
    rng = np.random.default_rng(5)
    true_theta = rng.normal(size=20_000)
    data, _ = _forms(20_000, true_theta, seed=22)
    reference = ReferenceForm(((FORM, tuple(range(POOL))),), np.ones(POOL))
    cut = theta_cut(reference, data.a, data.b, PASS_MARK)
    truly_passes = true_theta >= cut
    by_percent = np.nansum(data.responses, axis=1) / FORM >= PASS_MARK
    by_theta = eap(data.responses, data.a, data.b).theta >= cut
    wrong_by_percent, wrong_by_theta = np.mean(by_percent != truly_passes), np.mean(by_theta != truly_passes)
    assert wrong_by_theta <= wrong_by_percent
    assert wrong_by_theta < 0.1  # and it is a real classifier, not a coin
