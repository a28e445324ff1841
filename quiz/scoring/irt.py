"""Two-parameter logistic IRT: calibration by marginal maximum likelihood, ability, placement. Pure (numpy, scipy).

P(correct | θ) = 1 / (1 + exp(−a·(θ − b))), written internally as the logit a·θ + c with
c = −a·b, in which each item's expected complete-data log-likelihood is concave.

Calibration is Bock & Aitkin's EM on a fixed quadrature grid: the E-step gives every candidate
a posterior over the grid from only the items they were shown (NaN = not administered), the
M-step is one vectorised Newton step per item on the expected counts. By Fisher's identity the
M-step gradient at the current parameters is the gradient of the marginal log-likelihood,
which is what `gradient_norm` reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.special import expit, log_expit

Matrix = np.ndarray
SLOPE_BOUNDS = (-4.0, 6.0)
INTERCEPT_BOUNDS = (-25.0, 25.0)


@dataclass(frozen=True)
class Quadrature:
    nodes: np.ndarray
    weights: np.ndarray  # the ability prior on the nodes, summing to 1

    @property
    def log_weights(self) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self.weights)


def normal_quadrature(points: int = 41, bound: float = 4.5, mean: float = 0.0, sd: float = 1.0) -> Quadrature:
    nodes = np.linspace(-bound, bound, points)
    weights = np.exp(-0.5 * ((nodes - mean) / sd) ** 2)
    return Quadrature(nodes, weights / weights.sum())


@dataclass(frozen=True)
class Calibration:
    a: np.ndarray  # discrimination
    b: np.ndarray  # difficulty
    quadrature: Quadrature  # the prior the last E-step used (updated in fixed-item calibration)
    log_likelihood: float  # marginal, at the returned parameters
    gradient_norm: float  # of the marginal log-likelihood in (a, c), divided by the candidates
    iterations: int
    converged: bool
    seconds: float
    candidates: int
    responses: int
    population_mean: float = 0.0
    population_sd: float = 1.0


def _split(responses: Matrix) -> tuple[Matrix, Matrix]:
    responses = np.asarray(responses, dtype=float)
    correct = (responses == 1).astype(float)
    wrong = (responses == 0).astype(float)
    if np.any(~np.isnan(responses) & (correct + wrong == 0)):
        raise ValueError("responses must be 1 (right), 0 (wrong) or NaN (not administered)")
    return correct, wrong


def _log_likelihood_grid(correct: Matrix, wrong: Matrix, a: np.ndarray, c: np.ndarray, nodes: np.ndarray,
                         complete: bool = False) -> Matrix:
    """log P(responses of candidate p | θ = node q), shape (candidates, nodes).

    Σ y·log P + (1 − y)·log(1 − P) = Σ y·z + Σ shown·log(1 − P), with z = a·θ + c the logit: the
    first sum is rank two (no product over the grid), and with complete data the second is one
    row for everyone. This is most of the speed of the E-step.
    """
    log_wrong = log_expit(-(a[:, None] * nodes[None, :] + c[:, None]))  # (items, nodes)
    grid = np.multiply.outer(correct @ a, nodes)
    grid += (correct @ c)[:, None]
    grid += log_wrong.sum(axis=0)[None, :] if complete else (correct + wrong) @ log_wrong
    return grid


def _posterior(log_likelihood: Matrix, log_prior: np.ndarray) -> tuple[Matrix, float]:
    """Each candidate's posterior over the grid, and the marginal log-likelihood. Overwrites its input
    (in place: on 100,000 candidates the allocations cost more than the arithmetic)."""
    joint = log_likelihood
    joint += log_prior[None, :]
    peak = joint.max(axis=1, keepdims=True)
    joint -= peak
    np.exp(joint, out=joint)
    norm = joint.sum(axis=1, keepdims=True)
    joint /= norm
    return joint, float(np.sum(peak) + np.sum(np.log(norm)))


def calibrate_2pl(responses: Matrix, *, quadrature: Quadrature | None = None,
                  fixed: dict[int, tuple[float, float]] | None = None, max_iterations: int = 1000,
                  tolerance: float = 1e-5, gradient_tolerance: float = 1e-8,
                  progress: Callable[[int, float], None] | None = None) -> Calibration:
    """Marginal maximum likelihood 2PL by EM.

    `fixed`: {column: (a, b)} items whose parameters stay as given (fixed-item calibration: new
    items join an existing scale). With anchors, the population's mean and SD are estimated
    too (the new candidates need not be N(0, 1) on the old scale); without, the scale is N(0, 1).
    Stops when no free parameter moves more than `tolerance` in an iteration, or when the
    gradient norm per candidate is below `gradient_tolerance`: an item everyone (or no one) gets
    right has no finite maximum, its intercept only drifts along a flat likelihood, and such an
    item must not keep the others iterating (its b ends far out, which is what it is).
    """
    started = time.perf_counter()
    correct, wrong = _split(responses)
    quadrature = quadrature or normal_quadrature()
    nodes, log_prior = quadrature.nodes, quadrature.log_weights
    n, k = correct.shape
    shown = correct + wrong
    fixed = fixed or {}
    free = np.ones(k, dtype=bool)
    facility = (correct.sum(0) + 0.5) / (shown.sum(0) + 1.0)
    a = np.ones(k)
    c = np.log(facility / (1 - facility)) * 1.7
    for column, (slope, difficulty) in fixed.items():
        free[column] = False
        a[column], c[column] = slope, -slope * difficulty
    mean, sd = 0.0, 1.0
    converged = False
    gradient_norm = float("inf")
    iteration = 0
    complete = bool(shown.all())
    for iteration in range(1, max_iterations + 1):
        posterior, _ = _posterior(_log_likelihood_grid(correct, wrong, a, c, nodes, complete), log_prior)
        if complete:
            expected_shown = np.broadcast_to(posterior.sum(axis=0), (k, len(nodes)))
        else:
            expected_shown = shown.T @ posterior  # (items, nodes)
        expected_right = correct.T @ posterior
        p = expit(a[:, None] * nodes + c[:, None])
        residual = expected_right - expected_shown * p
        gradient_a, gradient_c = residual @ nodes, residual.sum(axis=1)
        info = expected_shown * p * (1 - p)
        info_aa, info_ac, info_cc = info @ nodes**2, info @ nodes, info.sum(axis=1)
        determinant = info_aa * info_cc - info_ac**2 + 1e-12
        step_a = (info_cc * gradient_a - info_ac * gradient_c) / determinant
        step_c = (info_aa * gradient_c - info_ac * gradient_a) / determinant
        # A Newton step on a sparse item can overshoot; the EM fixed point is unchanged by the cap.
        scale = np.minimum(1.0, 1.0 / np.maximum(np.abs(step_a), np.abs(step_c) / 4))
        step_a, step_c = np.where(free, step_a * scale, 0.0), np.where(free, step_c * scale, 0.0)
        gradient_norm = float(np.sqrt(np.sum(np.where(free, gradient_a**2 + gradient_c**2, 0.0)))) / n
        moved_a, moved_c = np.clip(a + step_a, *SLOPE_BOUNDS), np.clip(c + step_c, *INTERCEPT_BOUNDS)
        # what actually moved: a parameter held at its bound has stopped, whatever its gradient says
        change = float(max(np.abs(moved_a - a).max(initial=0.0), np.abs(moved_c - c).max(initial=0.0)))
        a, c = moved_a, moved_c
        if fixed:
            mean = float(posterior.sum(axis=0) @ nodes) / n
            sd = float(np.sqrt(posterior.sum(axis=0) @ (nodes - mean) ** 2 / n))
            log_prior = normal_quadrature(len(nodes), float(nodes[-1]), mean, sd).log_weights
        if progress is not None:
            progress(iteration, change)
        if change < tolerance or gradient_norm < gradient_tolerance:
            converged = True
            break
    _, log_likelihood = _posterior(_log_likelihood_grid(correct, wrong, a, c, nodes, complete), log_prior)
    prior = np.exp(log_prior - log_prior.max())
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(a != 0, -c / a, np.nan)
    return Calibration(a, b, Quadrature(nodes, prior / prior.sum()), log_likelihood, gradient_norm, iteration,
                       converged, time.perf_counter() - started, n, int(shown.sum()), mean, sd)


def marginal_log_likelihood(responses: Matrix, a: np.ndarray, b: np.ndarray,
                            quadrature: Quadrature | None = None) -> float:
    """log L(a, b) with ability integrated out on the grid: to compare any two sets of estimates."""
    correct, wrong = _split(responses)
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    quadrature = quadrature or normal_quadrature()
    grid = _log_likelihood_grid(correct, wrong, a, -a * b, quadrature.nodes)
    return _posterior(grid, quadrature.log_weights)[1]


# ------------------------------------------------------------------------------------------------
# Ability

@dataclass(frozen=True)
class Ability:
    theta: np.ndarray
    sd: np.ndarray  # posterior SD (EAP) or standard error (MLE)
    posterior: Matrix | None = None  # (candidates, nodes), EAP only


def probability(a: np.ndarray, b: np.ndarray, theta: np.ndarray) -> Matrix:
    """P(correct), shape (len(theta), items)."""
    return expit(np.asarray(a)[None, :] * (np.asarray(theta)[:, None] - np.asarray(b)[None, :]))


def eap(responses: Matrix, a: np.ndarray, b: np.ndarray, quadrature: Quadrature | None = None) -> Ability:
    """Expected a posteriori ability and posterior SD, from only the items each candidate saw."""
    quadrature = quadrature or normal_quadrature()
    correct, wrong = _split(np.atleast_2d(responses))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    posterior, _ = _posterior(_log_likelihood_grid(correct, wrong, a, -a * b, quadrature.nodes),
                              quadrature.log_weights)
    theta = posterior @ quadrature.nodes
    variance = posterior @ quadrature.nodes**2 - theta**2
    return Ability(theta, np.sqrt(np.maximum(variance, 0.0)), posterior)


def mle(responses: Matrix, a: np.ndarray, b: np.ndarray, bound: float = 6.0, iterations: int = 100) -> Ability:
    """Maximum likelihood ability by Fisher scoring; all right (or all wrong) lands on ±bound."""
    correct, wrong = _split(np.atleast_2d(responses))
    shown = correct + wrong
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    theta = np.zeros(len(correct))
    info = np.ones(len(correct))
    for _ in range(iterations):
        p = probability(a, b, theta)
        score = ((correct - shown * p) * a).sum(axis=1)
        info = (shown * p * (1 - p) * a**2).sum(axis=1)
        step = np.clip(score / np.maximum(info, 1e-12), -1.0, 1.0)
        theta = np.clip(theta + step, -bound, bound)
        if np.abs(step).max(initial=0.0) < 1e-10:
            break
    with np.errstate(divide="ignore"):
        return Ability(theta, 1 / np.sqrt(info))


def empirical_reliability(ability: Ability) -> float:
    """var(EAP) / (var(EAP) + mean posterior variance)."""
    variance = float(np.var(ability.theta))
    return variance / (variance + float(np.mean(ability.sd**2)))


def probability_above(posterior: np.ndarray, nodes: np.ndarray, cut: float) -> np.ndarray:
    """Posterior probability that θ ≥ cut; each node's mass spread evenly over its cell of the grid."""
    posterior = np.atleast_2d(posterior)
    spacing = float(nodes[1] - nodes[0])
    share = np.clip((nodes + spacing / 2 - cut) / spacing, 0.0, 1.0)
    return posterior @ share


# ------------------------------------------------------------------------------------------------
# The blueprint's reference form: the cut and the information of the test a candidate takes

@dataclass(frozen=True)
class ReferenceForm:
    """The expected random form of a blueprint: each stratum draws `count` items from its calibrated
    `columns`, so its expected score is `count` × the mean of their (weighted) curves."""

    strata: tuple[tuple[int, tuple[int, ...]], ...]  # (count, columns of the calibrated items)
    weights: np.ndarray  # each item's points

    def _mean_over_strata(self, per_item: Matrix) -> np.ndarray:
        total = np.zeros(per_item.shape[0])
        for count, columns in self.strata:
            if columns:
                total += count * per_item[:, list(columns)].mean(axis=1)
        return total

    def expected_fraction(self, a: np.ndarray, b: np.ndarray, theta: np.ndarray) -> np.ndarray:
        theta = np.atleast_1d(np.asarray(theta, dtype=float))
        earned = self._mean_over_strata(probability(a, b, theta) * self.weights)
        possible = self._mean_over_strata(np.broadcast_to(self.weights, (1, len(self.weights))))
        return earned / possible

    def information(self, a: np.ndarray, b: np.ndarray, theta: np.ndarray) -> np.ndarray:
        p = probability(a, b, np.atleast_1d(theta))
        return self._mean_over_strata(np.asarray(a) ** 2 * p * (1 - p))


def theta_cut(form: ReferenceForm, a: np.ndarray, b: np.ndarray, pass_fraction: float, bound: float = 6.0) -> float:
    """The θ whose expected score on the reference form equals the pass mark (clamped to ±bound)."""
    def gap(theta: float) -> float:
        return float(form.expected_fraction(a, b, np.array([theta]))[0]) - pass_fraction

    low, high = gap(-bound), gap(bound)
    if low >= 0:
        return -bound
    if high <= 0:
        return bound
    return float(brentq(gap, -bound, bound, xtol=1e-10))


def item_curves(a: Sequence[float], b: Sequence[float], theta: np.ndarray) -> tuple[Matrix, Matrix]:
    """Characteristic (P) and information curves, each (len(theta), items)."""
    p = probability(np.asarray(a), np.asarray(b), theta)
    return p, np.asarray(a) ** 2 * p * (1 - p)
