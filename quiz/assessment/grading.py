"""From answers to a decision: grade items through the pure core, score, decide, place the tier.

Services: take a session, flush at most, never commit. Mail to send after the commit is
queued on the session (see `quiz.notifications`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.assessment.placement import computed_decision, record_placement
from quiz.models import Attempt, AttemptItem, Tier, User
from quiz.notifications import Mail, queue_mail
from quiz.question_types import ItemGrade, get_type
from quiz.scoring import AttemptScore, ScoredItem, TierRef, item_points, place_tier, score_attempt


def grade_item(item: AttemptItem) -> ItemGrade:
    version = item.question_version
    question_type = get_type(version.type)
    spec = question_type.parse_definition(version.definition)
    return question_type.grade(spec, item.answer, item.manual_scores)


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


def decision_mail(attempt: Attempt, decided_by_theta: bool = False) -> Mail:
    title = attempt.assessment.title
    if attempt.decision != "pass" and decided_by_theta:
        # the percent may be above the pass mark: say what decided instead
        body = (f"Thank you for taking the {title}. Your score was {attempt.score_percent}%. This track places "
                "candidates by an ability estimate that accounts for the difficulty of the questions each "
                "candidate drew; yours was below the level of the pass mark, so we cannot place you in this "
                "track.\n\nYou can review your results once from your dashboard.\n")
    elif attempt.decision == "pass":
        tier = attempt.tier
        body = (f"Congratulations: you passed the {title} with {attempt.score_percent}%.\n\n"
                f"You are placed in the {tier.name} tier, starting at ${tier.hourly_rate:.2f} per hour. "
                "Specialist assessments of other tracks are now open to you.\n\n"
                "Log in to your dashboard to see your placement and to review your results once.\n")
    else:
        body = (f"Thank you for taking the {title}. Your score was {attempt.score_percent}%, below the pass "
                f"mark of {attempt.pass_mark}%, so we cannot place you in this track.\n\n"
                "You can review your results once from your dashboard.\n")
    return Mail(to=attempt.user.email, subject=f"Your result: {title}", body=body)


def record_decision(session: Session, attempt: Attempt, decision: str, now: datetime,
                    decided_by: User | None = None, reason: str | None = None) -> None:
    attempt.decision = decision
    attempt.decided_at = now
    attempt.decided_by_id = decided_by.id if decided_by else None
    attempt.decision_reason = reason
    # The tier promised when the attempt started (older rows without one: the assessment's).
    attempt.tier = (attempt.offered_tier or attempt.assessment.tier) if decision == "pass" else None
    attempt.status = "decided"
    ability = record_placement(session, attempt)  # θ beside the percent, when the assessment is calibrated
    session.flush()
    queue_mail(session, decision_mail(attempt, ability is not None and ability.scoring == "theta"))


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
