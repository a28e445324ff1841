"""2PL calibration (recovery, convergence, reproducibility, fixed items), EAP, MLE and the θ cut."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.stats import norm

from quiz.scoring.irt import (
    ReferenceForm,
    calibrate_2pl,
    eap,
    empirical_reliability,
    marginal_log_likelihood,
    mle,
    normal_quadrature,
    probability_above,
    theta_cut,
)
from quiz.scoring.simulation import simulate, simulate_random_forms


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((estimate - truth) ** 2)))


def test_calibration_recovers_parameters_at_10000_by_50() -> None:
    data = simulate_random_forms(10_000, 50, 50, seed=1)
    result = calibrate_2pl(data.responses)
    assert result.converged and result.gradient_norm < 1e-4
    assert rmse(result.a, data.a) <= 0.05 and rmse(result.b, data.b) <= 0.05
    assert result.candidates == 10_000 and result.responses == 500_000


def test_calibration_on_random_forms_recovers_parameters() -> None:
    data = simulate_random_forms(6_000, 60, 20, seed=4)  # each item seen by about 2,000 candidates
    result = calibrate_2pl(data.responses)
    assert result.converged
    assert rmse(result.a, data.a) <= 0.1 and rmse(result.b, data.b) <= 0.1
    assert result.responses == 6_000 * 20


def test_the_same_data_gives_the_same_calibration() -> None:
    data = simulate_random_forms(1_000, 15, 10, seed=9)
    first, second = calibrate_2pl(data.responses), calibrate_2pl(data.responses.copy())
    assert np.array_equal(first.a, second.a) and np.array_equal(first.b, second.b)
    assert first.log_likelihood == second.log_likelihood


def test_the_calibration_is_at_the_maximum_of_the_marginal_likelihood() -> None:
    data = simulate_random_forms(3_000, 12, 12, seed=2)
    result = calibrate_2pl(data.responses, tolerance=1e-9)
    best = marginal_log_likelihood(data.responses, result.a, result.b, result.quadrature)
    assert best == pytest.approx(result.log_likelihood, abs=1e-9)
    for item in (0, 5, 11):
        for da, db in ((0.03, 0), (-0.03, 0), (0, 0.03), (0, -0.03)):
            a, b = result.a.copy(), result.b.copy()
            a[item] += da
            b[item] += db
            assert marginal_log_likelihood(data.responses, a, b, result.quadrature) < best


def test_fixed_item_calibration_keeps_the_anchors_and_finds_the_new_population() -> None:
    rng = np.random.default_rng(12)
    whole = simulate_random_forms(1, 40, 40, seed=12)  # only for its item parameters
    theta = rng.normal(0.5, 1.0, 8_000)  # a new, abler population
    data = simulate(theta, whole.a, whole.b, rng)
    anchors = {i: (float(whole.a[i]), float(whole.b[i])) for i in range(25)}
    result = calibrate_2pl(data.responses, fixed=anchors)
    assert all(result.a[i] == a and result.b[i] == pytest.approx(b, abs=1e-12) for i, (a, b) in anchors.items())
    assert rmse(result.a[25:], whole.a[25:]) <= 0.08 and rmse(result.b[25:], whole.b[25:]) <= 0.08
    assert result.population_mean == pytest.approx(0.5, abs=0.05)
    assert result.population_sd == pytest.approx(1.0, abs=0.05)


def test_eap_equals_direct_numerical_integration_on_the_same_grid() -> None:
    data = simulate_random_forms(25, 30, 12, seed=6)
    grid = normal_quadrature(61, 6.0)
    ability = eap(data.responses, data.a, data.b, grid)
    for row, theta, sd in zip(data.responses, ability.theta, ability.sd):
        likelihood = np.ones_like(grid.nodes)
        for answer, a, b in zip(row, data.a, data.b):
            if np.isnan(answer):
                continue
            p = 1 / (1 + np.exp(-a * (grid.nodes - b)))
            likelihood *= p if answer == 1 else 1 - p
        density = likelihood * grid.weights
        mean = np.sum(grid.nodes * density) / np.sum(density)
        assert theta == pytest.approx(mean, abs=1e-12)
        assert sd == pytest.approx(np.sqrt(np.sum((grid.nodes - mean) ** 2 * density) / np.sum(density)), abs=1e-12)


def test_mle_is_the_maximum_of_the_likelihood() -> None:
    data = simulate_random_forms(5, 40, 25, seed=3)
    found = mle(data.responses, data.a, data.b)
    for row, theta in zip(data.responses, found.theta):
        shown = ~np.isnan(row)

        def negative_log_likelihood(t: float, row=row, shown=shown) -> float:
            p = 1 / (1 + np.exp(-data.a[shown] * (t - data.b[shown])))
            return -float(np.sum(row[shown] * np.log(p) + (1 - row[shown]) * np.log(1 - p)))

        best = minimize_scalar(negative_log_likelihood, bounds=(-6, 6), method="bounded", options={"xatol": 1e-10})
        assert theta == pytest.approx(best.x, abs=1e-6)


def test_mle_of_a_perfect_score_is_the_bound() -> None:
    found = mle(np.array([[1.0, 1.0, np.nan]]), np.array([1.0, 1.2, 1.0]), np.array([0.0, 0.5, 0.0]))
    assert found.theta[0] == 6.0


def test_probability_above_the_cut_follows_the_posterior() -> None:
    grid = normal_quadrature(241, 6.0)
    prior = grid.weights[None, :]  # with no responses the posterior is the prior, N(0, 1)
    for cut in (-1.0, 0.0, 0.37, 1.5):
        assert probability_above(prior, grid.nodes, cut)[0] == pytest.approx(norm.sf(cut), abs=2e-3)
    assert probability_above(prior, grid.nodes, -7)[0] == pytest.approx(1.0)
    assert probability_above(prior, grid.nodes, 7)[0] == 0.0


def test_theta_cut_gives_the_pass_mark_as_expected_score_on_the_reference_form() -> None:
    a, b = np.array([1.0, 1.5, 0.8, 1.2]), np.array([-1.0, 0.0, 0.5, 1.0])
    form = ReferenceForm(((1, (0, 1)), (2, (2, 3))), weights=np.array([1.0, 1.0, 2.0, 2.0]))
    cut = theta_cut(form, a, b, 0.7)
    assert form.expected_fraction(a, b, np.array([cut]))[0] == pytest.approx(0.7, abs=1e-9)
    # worked out: one item of the first stratum (mean of its two curves) and two of the second, weighted 2
    p = 1 / (1 + np.exp(-a * (cut - b)))
    assert (np.mean(p[:2]) + 2 * 2 * np.mean(p[2:])) / (1 + 4) == pytest.approx(0.7, abs=1e-9)
    assert theta_cut(form, a, b, 0.0) == -6.0 and theta_cut(form, a, b, 1.0) == 6.0


def test_empirical_reliability_grows_with_test_length() -> None:
    short, long = simulate_random_forms(2_000, 60, 10, seed=5), simulate_random_forms(2_000, 60, 50, seed=5)
    assert empirical_reliability(eap(short.responses, short.a, short.b)) < \
        empirical_reliability(eap(long.responses, long.a, long.b))
