"""Switching an assessment between percent and θ scoring, the dry-run rescoring, exposure settings.

Switching applies to decisions made from then on; a decision already made changes only when an
admin confirms that one attempt (`apply_rescore`). Every change is audited. Services: flush only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from quiz.admin.statistics import (
    MIN_CANDIDATES_FOR_THETA,
    StatisticsError,
    cut_for,
    graded_attempts,
    load_calibration,
    settings_for,
    shown_calibration,
)
from quiz.assessment.grading import attempt_score, record_decision
from quiz.assessment.placement import Placement, estimate
from quiz.audit import record
from quiz.models import Assessment, Attempt, Calibration, PsychometricSettings, User


def _state(settings: PsychometricSettings) -> dict[str, object]:
    return {"scoring": settings.scoring, "calibration": settings.calibration_id, "theta_cut": settings.theta_cut,
            "exposure_cap": None if settings.exposure_cap is None else str(settings.exposure_cap),
            "min_responses": settings.min_responses}


def check_usable(calibration: Calibration) -> None:
    if not calibration.converged:
        raise StatisticsError(f"Calibration #{calibration.id} did not converge; calibrate again with more data.")
    if calibration.candidates < MIN_CANDIDATES_FOR_THETA:
        raise StatisticsError(f"Calibration #{calibration.id} rests on {calibration.candidates} candidates; θ scoring "
                              f"needs at least {MIN_CANDIDATES_FOR_THETA}.")


def set_scoring(session: Session, assessment: Assessment, actor: User, method: str, now: datetime,
                calibration_id: int | None = None) -> PsychometricSettings:
    """Score by "percent", or by "theta" with a calibration (the given one, or the latest)."""
    if method not in ("percent", "theta"):
        raise StatisticsError(f"Scoring must be percent or theta, not {method!r}.")
    settings = settings_for(session, assessment)
    before = _state(settings)
    if method == "theta" or calibration_id is not None:
        calibration = (load_calibration(session, assessment, calibration_id) if calibration_id is not None
                       else shown_calibration(session, assessment))
        if calibration is None:
            raise StatisticsError("Calibrate the assessment first: θ scoring needs a calibration.")
        if method == "theta":
            check_usable(calibration)
        settings.calibration, settings.theta_cut = calibration, cut_for(session, assessment, calibration)
    settings.scoring, settings.changed_at, settings.changed_by_id = method, now, actor.id
    session.flush()
    record(session, actor, "assessment.scoring", "assessment", assessment.id, before=before, after=_state(settings),
           at=now)
    return settings


def set_exposure(session: Session, assessment: Assessment, actor: User, cap: Decimal | None, min_responses: int,
                 now: datetime) -> PsychometricSettings:
    if cap is not None and not Decimal(0) < cap <= Decimal(1):
        raise StatisticsError("The exposure cap is a share of attempts above 0 and at most 1 (e.g. 0.30).")
    if min_responses < 1:
        raise StatisticsError("The minimum number of responses must be at least 1.")
    settings = settings_for(session, assessment)
    before = _state(settings)
    settings.exposure_cap, settings.min_responses = cap, min_responses
    settings.changed_at, settings.changed_by_id = now, actor.id
    session.flush()
    record(session, actor, "assessment.psychometrics", "assessment", assessment.id, before=before,
           after=_state(settings), at=now)
    return settings


@dataclass(frozen=True)
class RescoreRow:
    attempt: Attempt
    placement: Placement | None

    @property
    def by_theta(self) -> str | None:
        return self.placement.decision if self.placement else None

    @property
    def changes(self) -> bool:
        decided = self.attempt.decision
        return self.by_theta is not None and decided is not None and self.by_theta != decided


@dataclass(frozen=True)
class Rescoring:
    calibration: Calibration
    cut: float
    rows: list[RescoreRow]

    @property
    def changed(self) -> list[RescoreRow]:
        return [row for row in self.rows if row.changes]


def rescore(session: Session, assessment: Assessment, calibration_id: int | None = None) -> Rescoring:
    """What θ scoring would decide for every decided attempt (writes nothing)."""
    calibration = (load_calibration(session, assessment, calibration_id) if calibration_id is not None
                   else shown_calibration(session, assessment))
    if calibration is None:
        raise StatisticsError("Calibrate the assessment first: rescoring by θ needs a calibration.")
    cut = cut_for(session, assessment, calibration)
    decided = [a for a in graded_attempts(session, assessment) if a.status == "decided"]
    placements = estimate(calibration, cut, decided, "theta")
    return Rescoring(calibration, cut, [RescoreRow(a, p) for a, p in zip(decided, placements)])


def apply_rescore(session: Session, assessment: Assessment, attempt: Attempt, admin: User, now: datetime) -> str:
    """An admin confirms that this one past decision becomes what θ scoring says (the candidate is emailed)."""
    settings = session.get(PsychometricSettings, assessment.id)
    if settings is None or settings.scoring != "theta":
        raise StatisticsError("Switch the assessment to θ scoring before changing past decisions.")
    if attempt.assessment_id != assessment.id or attempt.status != "decided":
        raise StatisticsError(f"Attempt #{attempt.id} is not a decided attempt of this assessment.")
    placement = estimate(settings.calibration, settings.theta_cut, [attempt], "theta")[0]
    if placement is None:
        raise StatisticsError(f"Attempt #{attempt.id} has no calibrated item: θ cannot decide it.")
    before = attempt.decision
    if placement.decision == before:
        raise StatisticsError(f"Attempt #{attempt.id}: θ scoring decides {before} too; nothing to change.")
    attempt_score(attempt)  # an attempt with items still pending is never decided
    record_decision(session, attempt, placement.decision, now, decided_by=admin,
                    reason=f"rescored by θ (θ = {placement.theta:.2f}, cut {placement.theta_cut:.2f}), "
                           f"confirmed by {admin.email}")
    record(session, admin, "decision.rescore", "attempt", attempt.id, at=now,
           before={"decision": before},
           after={"decision": placement.decision, "theta": placement.theta, "theta_cut": placement.theta_cut,
                  "calibration": placement.calibration_id})
    return placement.decision
