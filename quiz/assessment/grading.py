"""From answers to a decision: grade items through the pure core, score, decide, place the tier.

Services: take a session, flush at most, never commit. Mail is written to the outbox in the same
transaction (see `quiz.notifications`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.assessment.placement import computed_decision, record_placement
from quiz.models import Attempt, AttemptItem, Tier, User
from quiz.assessment.mails import queue_decision
from quiz.question_types import DefinitionError, ItemGrade, get_type
from quiz.scoring import AttemptScore, ScoredItem, TierRef, item_points, place_tier, score_attempt


#: The detail key of an item that could not be graded automatically (its message says why).
GRADING_FAILED = "grading_failed"


def grade_item(item: AttemptItem) -> ItemGrade:
    """The item's grade. A pinned version that no longer passes its type's rules (one stored before a
    rule was tightened, e.g. a regex RE2 cannot run) cannot be graded automatically: the item then
    waits for a person, so the attempt is never decided on a wrong score and no page fails over it."""
    version = item.question_version
    question_type = get_type(version.type)
    try:
        spec = question_type.parse_definition(version.definition)
    except DefinitionError as exc:
        return ItemGrade(0.0, 1.0, pending=True, detail={GRADING_FAILED: str(exc)})
    return question_type.grade(spec, item.answer, item.manual_scores)


def grading_failure(item: AttemptItem) -> str | None:
    """Why the item cannot be graded automatically, or None."""
    return grade_item(item).detail.get(GRADING_FAILED)


def regrade_items(attempt: Attempt) -> None:
    """Auto parts now; parts that wait for a person stay pending with what is known so far."""
    for item in attempt.items:
        grade = grade_item(item)
        item.points_awarded = item_points(item.question_version.points, grade)
        item.pending = grade.pending


def attempt_score(attempt: Attempt) -> AttemptScore:
    return score_attempt(
        ScoredItem(item.question_version.points, item.question_version.topic, grade_item(item))
        for item in attempt.items)


def record_decision(session: Session, attempt: Attempt, decision: str, now: datetime,
                    decided_by: User | None = None, reason: str | None = None) -> None:
    revised = attempt.status == "decided" and attempt.decision is not None  # a re-grade changed it
    attempt.decision = decision
    attempt.decided_at = now
    attempt.decided_by_id = decided_by.id if decided_by else None
    attempt.decision_reason = reason
    # The tier promised when the attempt started (older rows without one: the assessment's).
    attempt.tier = (attempt.offered_tier or attempt.assessment.tier) if decision == "pass" else None
    attempt.status = "decided"
    ability = record_placement(session, attempt)  # θ beside the percent, when the assessment is calibrated
    session.flush()
    against_score = decided_by is not None and computed_decision(session, attempt, attempt_score(attempt)) != decision
    placed = candidate_tier(session, attempt.user) if decision == "fail" else None
    queue_decision(session, attempt, against_score=against_score, revised=revised,
                   current_tier=placed.name if placed else None,
                   by_theta=ability is not None and ability.scoring == "theta")


def settle(session: Session, attempt: Attempt, now: datetime) -> str | None:
    """Store the score; decide at once when nothing waits for a grader or a confirming person.

    Returns the decision made now, or None while the attempt waits.
    """
    score = attempt_score(attempt)
    attempt.score_points, attempt.score_possible = score.earned, score.possible
    attempt.score_percent = score.percent
    if not score.complete or attempt.requires_confirmation:
        return None
    decision = computed_decision(session, attempt, score)
    record_decision(session, attempt, decision, now)
    return decision


def candidate_tier(session: Session, user: User) -> TierRef | None:
    """The highest tier among the candidate's passes, at each tier's current rate."""
    tiers = session.scalars(
        select(Tier).join(Attempt, Attempt.tier_id == Tier.id)
        .where(Attempt.user_id == user.id, Attempt.decision == "pass", Attempt.voided_at.is_(None))).all()
    return place_tier(TierRef(t.key, t.name, t.hourly_rate, t.rank) for t in tiers)
