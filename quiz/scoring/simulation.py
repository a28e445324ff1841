"""Simulated candidates on random forms from known 2PL parameters. Pure (numpy).

Used by the tests (parameter recovery, fairness), the benchmark and `quiz simulate`, so
all of them draw from the same model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quiz.scoring.irt import probability


@dataclass(frozen=True)
class Simulated:
    theta: np.ndarray  # true ability of each candidate
    a: np.ndarray
    b: np.ndarray
    responses: np.ndarray  # 1, 0, NaN where the item was not on the candidate's form


def item_parameters(items: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Plausible items: a log-normal around 1.2 (0.6 to 2.4), b normal, within ±2.5."""
    a = np.clip(np.exp(rng.normal(np.log(1.2), 0.3, items)), 0.6, 2.4)
    b = np.clip(rng.normal(0.0, 1.0, items), -2.5, 2.5)
    return a, b


def random_forms(candidates: int, items: int, form_length: int, rng: np.random.Generator) -> np.ndarray:
    """A (candidates, items) mask: each row shows `form_length` items drawn without replacement."""
    if form_length >= items:
        return np.ones((candidates, items), dtype=bool)
    order = np.argsort(rng.random((candidates, items)), axis=1)[:, :form_length]
    mask = np.zeros((candidates, items), dtype=bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask


def simulate(theta: np.ndarray, a: np.ndarray, b: np.ndarray, rng: np.random.Generator,
             shown: np.ndarray | None = None) -> Simulated:
    p = probability(a, b, theta)
    responses = (rng.random(p.shape) < p).astype(float)
    if shown is not None:
        responses[~shown] = np.nan
    return Simulated(np.asarray(theta), np.asarray(a), np.asarray(b), responses)


def simulate_random_forms(candidates: int, items: int, form_length: int, seed: int) -> Simulated:
    rng = np.random.default_rng(seed)
    a, b = item_parameters(items, rng)
    theta = rng.normal(0.0, 1.0, candidates)
    return simulate(theta, a, b, rng, random_forms(candidates, items, form_length, rng))
