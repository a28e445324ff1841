"""Calibrations, each assessment's scoring settings, and the ability behind an attempt's decision."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, utcnow
from quiz.models.tracks import Assessment

SCORING_METHODS = ("percent", "theta")


class Calibration(Base):
    """One 2PL calibration with everything needed to trust or reproduce it. Never updated: a new
    calibration is a new row."""

    __tablename__ = "calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    model: Mapped[str] = mapped_column(String(8), default="2pl")
    # The calibration whose items were held fixed (fixed-item calibration), if any.
    anchor_id: Mapped[int | None] = mapped_column(ForeignKey("calibrations.id"))
    candidates: Mapped[int]
    responses: Mapped[int]
    log_likelihood: Mapped[float] = mapped_column(Float)
    gradient_norm: Mapped[float] = mapped_column(Float)
    iterations: Mapped[int]
    converged: Mapped[bool]
    seconds: Mapped[float] = mapped_column(Float)
    code_version: Mapped[str] = mapped_column(String(32))
    # sha256 of the response matrix and its item ids: equal hash, equal data, equal result.
    data_hash: Mapped[str] = mapped_column(String(64))
    # {"nodes": [...], "weights": [...], "population_mean": m, "population_sd": s}
    quadrature: Mapped[dict[str, Any]] = mapped_column(JSON)
    # [{"question_version_id", "question_key", "a", "b", "responses", "fixed"}, ...]
    parameters: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    assessment: Mapped[Assessment] = relationship()

    def item_parameters(self) -> dict[int, tuple[float, float]]:
        return {p["question_version_id"]: (p["a"], p["b"]) for p in self.parameters}


class PsychometricSettings(Base):
    """How an assessment scores and draws, beyond its bank settings. No row: percent scoring, a plain draw."""

    __tablename__ = "assessment_psychometrics"
    __table_args__ = (
        CheckConstraint(f"scoring IN {SCORING_METHODS!r}", name="scoring"),
        CheckConstraint("exposure_cap IS NULL OR (exposure_cap > 0 AND exposure_cap <= 1)", name="exposure_cap"),
        CheckConstraint("min_responses >= 1", name="min_responses"),
        CheckConstraint("scoring = 'percent' OR (calibration_id IS NOT NULL AND theta_cut IS NOT NULL)",
                        name="theta_needs_calibration"),
    )

    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id"), primary_key=True)
    scoring: Mapped[str] = mapped_column(String(8), default="percent")
    calibration_id: Mapped[int | None] = mapped_column(ForeignKey("calibrations.id"))
    theta_cut: Mapped[float | None] = mapped_column(Float)
    # Largest share of attempts one item may appear in; None: the plain random draw.
    exposure_cap: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    min_responses: Mapped[int] = mapped_column(default=30)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    calibration: Mapped[Calibration | None] = relationship()


class AttemptAbility(Base):
    """The θ estimate an attempt was placed by (or would be), beside its percent."""

    __tablename__ = "attempt_abilities"

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), primary_key=True)
    calibration_id: Mapped[int] = mapped_column(ForeignKey("calibrations.id"), index=True)
    theta: Mapped[float] = mapped_column(Float)
    theta_sd: Mapped[float] = mapped_column(Float)
    theta_cut: Mapped[float] = mapped_column(Float)
    # Posterior probability that the candidate's θ is at or above the cut.
    p_above_cut: Mapped[float] = mapped_column(Float)
    items_used: Mapped[int]
    scoring: Mapped[str] = mapped_column(String(8))  # the method that decided the attempt
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    calibration: Mapped[Calibration] = relationship()
