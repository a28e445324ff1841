"""The candidate's side: the application, and where they stand (the dashboard)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz.assessment.errors import AssessmentError
from quiz.assessment.grading import candidate_tier
from quiz.assessment.review import ReviewState, review_state
from quiz.assessment.services import check_can_start, finalise_if_expired, passed_starter
from quiz.assessment.timing import seconds_left
from quiz.auth import duplicates
from quiz.bank.blueprint import strata_from_data
from quiz.bank.pools import track_pool
from quiz.main.services import catalogue
from quiz.models import Assessment, Attempt, CandidateApplication, User
from quiz.question_types import TYPE_NAMES
from quiz.scoring import TierRef

APPLICATION_FIELDS = ("full_name", "country", "time_zone", "education", "expertise", "languages", "hours_per_week")


def assessment_question_types(session: Session, assessment: Assessment) -> list[str]:
    """The question types an attempt of this assessment can draw, as the bank is now (what the
    instructions list, and the practice questions offered)."""
    strata = strata_from_data(assessment.blueprint)
    pool = track_pool(session, assessment.track)
    drawn = {type_name for (topic, difficulty), names in pool.types_by_cell.items()
             if any(stratum.admits(topic, difficulty) for stratum in strata) for type_name in names}
    return [name for name in TYPE_NAMES if name in drawn]


class ApplicationLocked(Exception):
    """The application is part of the record once an attempt has started."""


def has_started_an_attempt(session: Session, user: User) -> bool:
    return session.scalar(select(Attempt.id).where(Attempt.user_id == user.id).limit(1)) is not None


def save_application(session: Session, user: User, values: dict[str, Any], now: datetime) -> CandidateApplication:
    if has_started_an_attempt(session, user):
        raise ApplicationLocked("Your application can no longer change: you have started an assessment.")
    application = user.application
    if application is None:
        application = CandidateApplication(user=user, created_at=now)
        session.add(application)
    for name in APPLICATION_FIELDS:
        setattr(application, name, values[name])
    application.updated_at = now
    session.flush()
    duplicates.refresh_signals(session, user, now, ["name_country"])
    return application


@dataclass(frozen=True)
class AttemptSummary:
    attempt: Attempt
    seconds_left: int
    review: ReviewState


@dataclass(frozen=True)
class Offer:
    assessment: Assessment
    can_start: bool
    reason: str = ""


@dataclass
class Dashboard:
    """Where the candidate stands and what comes next: the dashboard renders `stage` first."""

    stage: str  # apply | choose_starter | in_progress | awaiting_decision | decided
    in_progress: AttemptSummary | None = None
    attempts: list[AttemptSummary] = field(default_factory=list)
    tier: TierRef | None = None
    starters: list[Offer] = field(default_factory=list)
    voided: list[Attempt] = field(default_factory=list)
    specialists: list[Offer] = field(default_factory=list)


def _offers(session: Session, user: User, kind: str) -> list[Offer]:
    offers = []
    for _track, entries in catalogue(session):
        for entry in entries:
            if entry.assessment.kind != kind or not entry.offered:
                continue
            try:
                check_can_start(session, user, entry.assessment, offered=entry.offered)
            except AssessmentError as exc:
                offers.append(Offer(entry.assessment, False, str(exc)))
            else:
                offers.append(Offer(entry.assessment, True))
    return offers


def dashboard(session: Session, user: User, now: datetime, grace_seconds: float, window_minutes: float) -> Dashboard:
    attempts = session.scalars(
        select(Attempt).where(Attempt.user_id == user.id).order_by(Attempt.started_at)
        .options(selectinload(Attempt.assessment), selectinload(Attempt.items))).all()
    for attempt in attempts:
        finalise_if_expired(session, attempt, now, grace_seconds)
    summaries = [AttemptSummary(a, seconds_left(a.deadline_at, now), review_state(a, now, window_minutes))
                 for a in attempts if a.status != "voided"]
    taken = {s.attempt.assessment_id for s in summaries}  # listed with their state, never as open
    # a voided attempt's "you may start once more" holds only until the new attempt starts
    board = Dashboard(stage="apply", attempts=summaries, tier=candidate_tier(session, user),
                      voided=[a for a in attempts if a.status == "voided" and a.assessment_id not in taken])
    if user.application is None:
        return board
    board.in_progress = next((s for s in summaries if s.attempt.status == "in_progress"), None)
    has_starter = any(s.attempt.assessment_kind == "starter" for s in summaries)
    if board.in_progress is not None:
        board.stage = "in_progress"
    elif not has_starter:
        board.stage = "choose_starter"
        board.starters = _offers(session, user, "starter")
    elif any(s.attempt.status == "submitted" for s in summaries):
        board.stage = "awaiting_decision"
    else:
        board.stage = "decided"
    starter = passed_starter(session, user)
    if starter is not None:
        board.specialists = [o for o in _offers(session, user, "specialist")
                             if o.assessment.track_id != starter.assessment.track_id and o.assessment.id not in taken]
    return board
