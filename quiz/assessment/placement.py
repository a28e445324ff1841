"""Placement by θ: an attempt's ability from its calibrated items, the cut, how sure the placement is.

An assessment scores by θ once an admin switched it (`quiz.admin.statistics.set_scoring`); until
then its decisions are by percent, and θ is still estimated and shown when a calibration is
selected. Only closed, automatically graded items that the calibration holds count for θ, each
as right (full credit) or not; see docs/psychometrics.md. Services: flush at most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from quiz.models import Attempt, AttemptAbility, Calibration, PsychometricSettings
from quiz.scoring import AttemptScore, decide
from quiz.scoring.irt import Quadrature, eap, probability_above


@dataclass(frozen=True)
class Placement:
    calibration_id: int
    theta: float
    theta_sd: float
    theta_cut: float
    p_above_cut: float
    items_used: int
    scoring: str  # "theta": this decides; "percent": shown beside the percent that decides

    @property
    def decision(self) -> str:
        return "pass" if self.theta >= self.theta_cut else "fail"


def quadrature_of(calibration: Calibration) -> Quadrature:
    return Quadrature(np.asarray(calibration.quadrature["nodes"]), np.asarray(calibration.quadrature["weights"]))


def right_or_wrong(attempts: list[Attempt], version_ids: list[int]) -> np.ndarray:
    """(attempts, versions): 1 full credit, 0 less, NaN not shown or not yet graded."""
    column = {version_id: j for j, version_id in enumerate(version_ids)}
    responses = np.full((len(attempts), len(version_ids)), np.nan)
    for row, attempt in enumerate(attempts):
        for item in attempt.items:
            j = column.get(item.question_version_id)
            if j is not None and not item.pending and item.points_awarded is not None:
                responses[row, j] = float(item.points_awarded >= item.question_version.points)
    return responses


def estimate(calibration: Calibration, cut: float, attempts: list[Attempt], scoring: str) -> list[Placement | None]:
    """θ (EAP on the calibration's grid), its posterior SD and P(θ ≥ cut) for each attempt;
    None for an attempt without a single calibrated item."""
    parameters = calibration.item_parameters()
    version_ids = list(parameters)
    responses = right_or_wrong(attempts, version_ids)
    a = np.array([parameters[v][0] for v in version_ids])
    b = np.array([parameters[v][1] for v in version_ids])
    grid = quadrature_of(calibration)
    ability = eap(responses, a, b, grid)
    above = probability_above(ability.posterior, grid.nodes, cut)
    used = (~np.isnan(responses)).sum(axis=1)
    return [Placement(calibration.id, float(t), float(s), cut, float(p), int(n), scoring) if n else None
            for t, s, p, n in zip(ability.theta, ability.sd, above, used)]


def placement_for(session: Session, attempt: Attempt) -> Placement | None:
    settings = session.get(PsychometricSettings, attempt.assessment_id)
    if settings is None or settings.calibration is None or settings.theta_cut is None:
        return None
    return estimate(settings.calibration, settings.theta_cut, [attempt], settings.scoring)[0]


def computed_decision(session: Session, attempt: Attempt, score: AttemptScore) -> str:
    """What the scores say: by θ when the assessment scores by θ (and the attempt has calibrated
    items), otherwise by the percent against the pass mark."""
    placement = placement_for(session, attempt)
    if placement is not None and placement.scoring == "theta":
        decide(score, attempt.pass_mark)  # still refuses an attempt with items waiting for a grader
        return placement.decision
    return decide(score, attempt.pass_mark)


def stored_placement(session: Session, attempt: Attempt) -> AttemptAbility | None:
    return session.get(AttemptAbility, attempt.id)


def record_placement(session: Session, attempt: Attempt) -> AttemptAbility | None:
    """Keep the θ behind the decision on the attempt's record (replacing an earlier estimate)."""
    placement = placement_for(session, attempt)
    stored = session.get(AttemptAbility, attempt.id)
    if placement is None:
        return stored
    if stored is None:
        stored = AttemptAbility(attempt_id=attempt.id)
        session.add(stored)
    stored.calibration_id, stored.theta, stored.theta_sd = placement.calibration_id, placement.theta, placement.theta_sd
    stored.theta_cut, stored.p_above_cut = placement.theta_cut, placement.p_above_cut
    stored.items_used, stored.scoring = placement.items_used, placement.scoring
    session.flush()
    return stored
