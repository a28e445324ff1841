"""Item statistics and calibration of an assessment: database → response matrix → the pure core.

Services: a session and plain values in, flush at most, never commit. The matrix has one row
per graded attempt (submitted or decided, not voided) and one column per question version
shown; a cell is NaN where the version was not on that attempt's form (missing by design) or
still waits for a grader.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz import __version__
from quiz.assessment.exposure import attempts_started, shown_by_question
from quiz.assessment.placement import Placement, estimate, right_or_wrong
from quiz.audit import record
from quiz.bank.blueprint import strata_from_data
from quiz.models import (
    Assessment,
    Attempt,
    AttemptItem,
    Calibration,
    PsychometricSettings,
    QuestionVersion,
    User,
)
from quiz.question_types import get_type
from quiz.scoring.classical import ChoiceData, FormStatistics, ItemReport, ItemTable, MoodleTest, Thresholds
from quiz.scoring.classical import item_table, moodle_report
from quiz.scoring.irt import Ability, ReferenceForm, calibrate_2pl, empirical_reliability, normal_quadrature, theta_cut

#: A calibration must rest on at least this many candidates before θ may decide placements.
MIN_CANDIDATES_FOR_THETA = 200
#: Item types whose grade a person gives (in whole or part): left out of calibration and θ.
MANUAL_TYPES = ("essay", "comparison")
CHOICE_TYPES = ("single_choice", "multiple_choice", "true_false")


class StatisticsError(ValueError):
    """Shown to the admin: what cannot be done and why."""


@dataclass
class ResponseData:
    attempts: list[Attempt]
    versions: list[QuestionVersion]
    scores: np.ndarray  # points earned, NaN where not shown (or not graded yet)
    choices: list[ChoiceData | None]


def graded_attempts(session: Session, assessment: Assessment) -> list[Attempt]:
    return list(session.scalars(
        select(Attempt).where(Attempt.assessment_id == assessment.id, Attempt.status.in_(("submitted", "decided")))
        .order_by(Attempt.id)
        .options(selectinload(Attempt.items).selectinload(AttemptItem.question_version)
                 .selectinload(QuestionVersion.question))))


def _choice_options(version: QuestionVersion) -> tuple[tuple[str, ...], frozenset[str]] | None:
    if version.type not in CHOICE_TYPES:
        return None
    spec = get_type(version.type).parse_definition(version.definition)
    if version.type == "true_false":
        return ("true", "false"), frozenset({"true" if spec.correct else "false"})
    keys = {spec.correct} if version.type == "single_choice" else set(spec.correct)
    return spec.option_ids, frozenset(keys)


def _chosen(answer: Any) -> set[str]:
    if answer is None:
        return set()
    if isinstance(answer, bool):
        return {"true" if answer else "false"}
    if isinstance(answer, list):
        return {str(a) for a in answer}
    return {str(answer)}


def response_data(session: Session, assessment: Assessment) -> ResponseData:
    attempts = graded_attempts(session, assessment)
    versions_by_id: dict[int, QuestionVersion] = {}
    for attempt in attempts:
        for item in attempt.items:
            versions_by_id.setdefault(item.question_version_id, item.question_version)
    versions = sorted(versions_by_id.values(), key=lambda v: (v.topic, v.question.key, v.number))
    column = {v.id: j for j, v in enumerate(versions)}
    scores = np.full((len(attempts), len(versions)), np.nan)
    answers: dict[int, list[Any]] = {j: [] for j in range(len(versions))}
    for row, attempt in enumerate(attempts):
        for item in attempt.items:
            if item.pending or item.points_awarded is None:
                continue
            j = column[item.question_version_id]
            scores[row, j] = float(item.points_awarded)
            answers[j].append(item.answer)
    choices: list[ChoiceData | None] = []
    for j, version in enumerate(versions):
        options = _choice_options(version)
        if options is None:
            choices.append(None)
            continue
        ids, keys = options
        chosen = np.array([[option in _chosen(answer) for option in ids] for answer in answers[j]], dtype=float)
        choices.append(ChoiceData(ids, keys, chosen.reshape(len(answers[j]), len(ids))))
    return ResponseData(attempts, versions, scores, choices)


def settings_for(session: Session, assessment: Assessment) -> PsychometricSettings:
    """The assessment's settings row, created with the defaults when it has none yet (flushed)."""
    settings = session.get(PsychometricSettings, assessment.id)
    if settings is None:
        settings = PsychometricSettings(assessment_id=assessment.id, scoring="percent", min_responses=30)
        session.add(settings)
        session.flush()
    return settings


def calibrations(session: Session, assessment: Assessment) -> list[Calibration]:
    return list(session.scalars(select(Calibration).where(Calibration.assessment_id == assessment.id)
                                .order_by(Calibration.id.desc())))


# --- the statistics page -------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRow:
    version: QuestionVersion
    report: ItemReport
    exposure: float  # share of the assessment's attempts that showed this question
    a: float | None  # from the selected (or latest) calibration
    b: float | None

    @property
    def key(self) -> str:
        return self.version.question.key


@dataclass
class StatisticsReport:
    assessment: Assessment
    rows: list[ItemRow]
    form: FormStatistics
    table: ItemTable
    percents: list[float]  # the graded attempts' percent scores
    attempts_started: int
    settings: PsychometricSettings | None
    calibration: Calibration | None  # the one in use, else the latest
    calibrations: list[Calibration]
    moodle: MoodleTest | None  # when every attempt had the same, complete form
    irt_reliability: float | None


def shown_calibration(session: Session, assessment: Assessment) -> Calibration | None:
    settings = session.get(PsychometricSettings, assessment.id)
    if settings is not None and settings.calibration is not None:
        return settings.calibration
    found = calibrations(session, assessment)
    return found[0] if found else None


def statistics_report(session: Session, assessment: Assessment) -> StatisticsReport:
    settings = session.get(PsychometricSettings, assessment.id)
    thresholds = Thresholds(min_responses=settings.min_responses if settings else Thresholds.min_responses)
    data = response_data(session, assessment)
    maxima = [float(v.points) for v in data.versions]
    table = item_table(data.scores, maxima, data.choices, thresholds)
    started = attempts_started(session, assessment)
    shown = shown_by_question(session, assessment)
    calibration = shown_calibration(session, assessment)
    parameters = calibration.item_parameters() if calibration else {}
    rows = [ItemRow(version, report, shown.get(version.question_id, 0) / started if started else 0.0,
                    *(parameters.get(version.id) or (None, None)))
            for version, report in zip(data.versions, table.items)]
    moodle = None
    if data.attempts and not np.isnan(data.scores).any():
        moodle = moodle_report(data.scores, maxima)
    reliability = None
    if calibration is not None and data.attempts:
        placements = [p for p in estimate(calibration, 0.0, data.attempts, "percent") if p is not None]
        if len(placements) > 1:
            reliability = empirical_reliability_of(placements)
    percents = [float(a.score_percent) for a in data.attempts if a.score_percent is not None]
    return StatisticsReport(assessment, rows, table.test, table, percents, started, settings, calibration,
                            calibrations(session, assessment), moodle, reliability)


def empirical_reliability_of(placements: list[Placement]) -> float:
    return empirical_reliability(Ability(np.array([p.theta for p in placements]),
                                         np.array([p.theta_sd for p in placements])))


# --- calibration ---------------------------------------------------------------------------------

def _data_hash(version_ids: list[int], responses: np.ndarray) -> str:
    digest = hashlib.sha256(np.asarray(version_ids, dtype=np.int64).tobytes())
    digest.update(np.nan_to_num(responses, nan=-1.0).astype(np.int8).tobytes())
    return digest.hexdigest()


def calibrate(session: Session, assessment: Assessment, actor: User | None, now: datetime, *,
              anchor: Calibration | None = None, progress: Callable[[int, float], None] | None = None) -> Calibration:
    """Calibrate the assessment's closed items (2PL, MML-EM) and store the result as a new row.

    Items with fewer responses than the assessment's minimum are left out. With `anchor`, the
    items it holds keep its parameters (fixed-item calibration) and only the others are estimated.
    """
    settings = settings_for(session, assessment)
    data = response_data(session, assessment)
    closed = [v.id for v in data.versions if v.type not in MANUAL_TYPES]
    responses = right_or_wrong(data.attempts, closed)
    counts = (~np.isnan(responses)).sum(axis=0)
    keep = [j for j, n in enumerate(counts) if n >= settings.min_responses]
    version_ids = [closed[j] for j in keep]
    responses = responses[:, keep]
    answered = ~np.isnan(responses).all(axis=1)
    responses = responses[answered]
    if len(version_ids) < 2 or len(responses) < 2:
        raise StatisticsError(f"Not enough data to calibrate: {len(version_ids)} closed item(s) with at least "
                              f"{settings.min_responses} responses, from {len(responses)} attempt(s).")
    anchored = anchor.item_parameters() if anchor is not None else {}
    if anchor is not None and anchor.assessment_id != assessment.id:
        raise StatisticsError("The anchor calibration belongs to another assessment.")
    fixed = {j: anchored[v] for j, v in enumerate(version_ids) if v in anchored}
    grid = normal_quadrature()
    result = calibrate_2pl(responses, quadrature=grid, fixed=fixed, progress=progress)
    by_id = {v.id: v for v in data.versions}
    parameters = [{"question_version_id": v, "question_key": by_id[v].question.key, "a": float(result.a[j]),
                   "b": float(result.b[j]), "responses": int(counts[keep[j]]), "fixed": j in fixed}
                  for j, v in enumerate(version_ids)]
    calibration = Calibration(
        assessment_id=assessment.id, created_at=now, created_by_id=actor.id if actor else None, model="2pl",
        anchor_id=anchor.id if anchor else None, candidates=result.candidates, responses=result.responses,
        log_likelihood=result.log_likelihood, gradient_norm=result.gradient_norm, iterations=result.iterations,
        converged=result.converged, seconds=result.seconds, code_version=__version__,
        data_hash=_data_hash(version_ids, responses),
        quadrature={"nodes": result.quadrature.nodes.tolist(), "weights": result.quadrature.weights.tolist(),
                    "population_mean": result.population_mean, "population_sd": result.population_sd},
        parameters=parameters)
    session.add(calibration)
    session.flush()
    record(session, actor, "calibration.create", "assessment", assessment.id, at=now,
           after={"calibration": calibration.id, "items": len(parameters), "candidates": result.candidates,
                  "converged": result.converged, "anchor": calibration.anchor_id})
    return calibration


def reference_form(assessment: Assessment, calibration: Calibration,
                   versions: dict[int, QuestionVersion]) -> tuple[ReferenceForm, np.ndarray, np.ndarray]:
    """The blueprint's expected form over the calibrated items, with their a and b."""
    parameters = calibration.item_parameters()
    ids = [v for v in parameters if v in versions]
    strata = []
    for stratum in strata_from_data(assessment.blueprint):
        columns = tuple(j for j, v in enumerate(ids) if stratum.admits(versions[v].topic, versions[v].difficulty))
        strata.append((stratum.count, columns))
    if not any(columns for _, columns in strata):
        raise StatisticsError("No calibrated item fits the blueprint: calibrate with more data first.")
    weights = np.array([float(versions[v].points) for v in ids])
    return (ReferenceForm(tuple(strata), weights), np.array([parameters[v][0] for v in ids]),
            np.array([parameters[v][1] for v in ids]))


def cut_for(session: Session, assessment: Assessment, calibration: Calibration) -> float:
    ids = list(calibration.item_parameters())
    versions = {v.id: v for v in session.scalars(select(QuestionVersion).where(QuestionVersion.id.in_(ids)))}
    form, a, b = reference_form(assessment, calibration, versions)
    return theta_cut(form, a, b, float(assessment.pass_mark) / 100)


def load_calibration(session: Session, assessment: Assessment, calibration_id: int) -> Calibration:
    found = session.get(Calibration, calibration_id)
    if found is None or found.assessment_id != assessment.id:
        raise StatisticsError(f"Calibration #{calibration_id} is not one of this assessment's calibrations.")
    return found


# --- the item table as rows (CSV, terminal) --------------------------------------------------------

ITEM_COLUMNS = ("question_key", "version", "type", "topic", "difficulty", "responses", "facility", "sd",
                "discrimination", "point_biserial", "efficiency", "exposure", "a", "b", "state", "flags")


def _rounded(value: float | None, places: int = 3) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), places)


def item_rows(report: StatisticsReport) -> list[tuple[Any, ...]]:
    rows = []
    for row in report.rows:
        s = row.report.statistics
        flags = "; ".join(f"{f.code} ({f.value:.2f} vs {f.threshold:.2f})" for f in row.report.flags)
        rows.append((row.key, row.version.number, row.version.type, row.version.topic, row.version.difficulty,
                     s.responses, _rounded(s.facility), _rounded(s.sd), _rounded(s.discrimination),
                     _rounded(s.point_biserial), _rounded(s.efficiency), _rounded(row.exposure), _rounded(row.a),
                     _rounded(row.b), row.report.state, flags))
    return rows
