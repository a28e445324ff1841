"""Grading open items, confirming decisions, re-grading. Services: a session in, flush, no commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from quiz.assessment.grading import attempt_score, grade_item, record_decision, regrade_items, settle
from quiz.audit import record
from quiz.models import Attempt, AttemptItem, User
from quiz.question_types import ManualGradeError, get_type
from quiz.scoring import decide


class GradingError(ValueError):
    """Shown to the grader next to the form."""


def _visible_to(grader: User):  # type: ignore[no-untyped-def]
    """Admins see every attempt; a grader sees unassigned ones and those assigned to them."""
    if grader.role == "admin":
        return True
    return or_(Attempt.grader_id.is_(None), Attempt.grader_id == grader.id)


def grading_queue(session: Session, grader: User, limit: int = 200) -> list[AttemptItem]:
    """Open items waiting for a person, oldest submitted attempt first."""
    return list(session.scalars(
        select(AttemptItem).join(Attempt)
        .where(AttemptItem.pending, Attempt.status == "submitted", _visible_to(grader))
        .order_by(Attempt.submitted_at, Attempt.id, AttemptItem.position)
        .options(selectinload(AttemptItem.question_version), selectinload(AttemptItem.attempt))
        .limit(limit)))


def load_item_for_grading(session: Session, grader: User, item_id: int) -> AttemptItem:
    item = session.scalar(select(AttemptItem).join(Attempt)
                          .where(AttemptItem.id == item_id, _visible_to(grader)))
    if item is None:
        raise LookupError(item_id)
    return item


@dataclass(frozen=True)
class GradeResult:
    item: AttemptItem
    decision: str | None  # made now, if any
    awaiting_confirmation: bool


def grade_open_item(session: Session, item: AttemptItem, grader: User, scores: dict[str, Any], comment: str,
                    now: datetime) -> GradeResult:
    """Points per rubric criterion and a comment. Re-grading a decided attempt is for admins, and
    only until the candidate has opened their review (the decision is then recomputed)."""
    attempt = item.attempt
    rubric = get_type(item.question_version.type).rubric(
        get_type(item.question_version.type).parse_definition(item.question_version.definition))
    if not rubric:
        raise GradingError("This question is graded automatically.")
    if attempt.status == "voided":
        raise GradingError("This attempt is void.")
    regrading = attempt.status == "decided"
    if regrading and grader.role != "admin":
        raise GradingError("Only an admin can change a grade after the decision.")
    if regrading and attempt.review_opened_at is not None:
        raise GradingError("The candidate has opened their review: grades can no longer change.")
    if attempt.status not in ("submitted", "decided"):
        raise GradingError("This attempt is still in progress.")
    if attempt.grader_id not in (None, grader.id) and grader.role != "admin":
        raise GradingError("This attempt is assigned to another grader.")
    before = {"manual_scores": item.manual_scores, "points": str(item.points_awarded), "comment": item.grader_comment,
              "decision": attempt.decision}
    item.manual_scores = dict(scores)
    try:
        grade_item(item)  # validates the scores against the rubric
    except ManualGradeError as exc:
        item.manual_scores = before["manual_scores"]
        raise GradingError(str(exc)) from None
    item.grader_id, item.graded_at, item.grader_comment = grader.id, now, (comment or "").strip() or None
    if attempt.grader_id is None and grader.role == "grader":
        attempt.grader_id = grader.id
    regrade_items(attempt)
    decision = None
    if regrading:
        decision = _recompute(session, attempt, grader, now)
    elif not any(i.pending for i in attempt.items):
        decision = settle(session, attempt, now)
    record(session, grader, "item.regrade" if regrading else "item.grade", "attempt_item", item.id, before=before,
           after={"manual_scores": item.manual_scores, "points": str(item.points_awarded),
                  "comment": item.grader_comment, "decision": attempt.decision}, at=now)
    session.flush()
    awaiting = attempt.status == "submitted" and not any(i.pending for i in attempt.items)
    return GradeResult(item, decision, awaiting)


def _recompute(session: Session, attempt: Attempt, admin: User, now: datetime) -> str | None:
    score = attempt_score(attempt)
    attempt.score_points, attempt.score_possible, attempt.score_percent = score.earned, score.possible, score.percent
    decision = decide(score, attempt.pass_mark)
    if decision != attempt.decision:
        record_decision(session, attempt, decision, now, decided_by=admin,
                        reason=f"re-graded by {admin.email}: score now {score.percent}%")
        return decision
    return None


def decisions_awaiting_confirmation(session: Session) -> list[Attempt]:
    attempts = session.scalars(
        select(Attempt).where(Attempt.status == "submitted", Attempt.requires_confirmation)
        .order_by(Attempt.submitted_at).options(selectinload(Attempt.items))).all()
    return [a for a in attempts if not any(i.pending for i in a.items)]


def confirm_decision(session: Session, attempt: Attempt, admin: User, decision: str, reason: str,
                     now: datetime) -> None:
    """A person confirms pass/fail; overriding what the score says needs a reason."""
    if attempt.status != "submitted" or any(i.pending for i in attempt.items):
        raise GradingError("Only a fully graded, undecided attempt can be confirmed.")
    if decision not in ("pass", "fail"):
        raise GradingError("Choose pass or fail.")
    score = attempt_score(attempt)
    computed = decide(score, attempt.pass_mark)
    reason = (reason or "").strip()
    if decision != computed and not reason:
        raise GradingError(f"The score says {computed}: give a reason to decide {decision}.")
    attempt.score_points, attempt.score_possible, attempt.score_percent = score.earned, score.possible, score.percent
    record_decision(session, attempt, decision, now, decided_by=admin, reason=reason or None)
    record(session, admin, "decision.confirm", "attempt", attempt.id, before={"computed": computed},
           after={"decision": decision, "reason": reason or None}, at=now)
    session.flush()
