"""Grading open items, confirming decisions, re-grading. Services: a session in, flush, no commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, object_session, selectinload

from quiz.assessment.grading import attempt_score, grade_item, grading_failure, record_decision, regrade_items, settle
from quiz.assessment.placement import computed_decision
from quiz.admin.grading_parts import PartsBreakdown, comparison_parts
from quiz.admin.people import load_attempt_for_admin
from quiz.audit import record
from quiz.models import Attempt, AttemptItem, QuestionVersion, User
from quiz.question_types import REGISTRY, DefinitionError, ManualGradeError, RubricCriterion, get_type
from quiz.question_types.base import count_words
from quiz.scoring import AttemptScore


RUNNER_TYPES = tuple(name for name, question_type in REGISTRY.items() if question_type.runs_code)


class GradingError(ValueError):
    """Shown to the grader next to the form; `field` names the form field it belongs to, if one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _visible_to(grader: User):  # type: ignore[no-untyped-def]
    """Admins see every attempt; a grader sees unassigned ones and those assigned to them."""
    if grader.role == "admin":
        return True
    return or_(Attempt.grader_id.is_(None), Attempt.grader_id == grader.id)


def grading_queue(session: Session, grader: User, limit: int = 200) -> list[AttemptItem]:
    """Open items waiting for a person, oldest submitted attempt first."""
    return list(session.scalars(
        select(AttemptItem).join(Attempt).join(QuestionVersion)
        .where(AttemptItem.pending, Attempt.status == "submitted", _visible_to(grader),
               QuestionVersion.type.not_in(RUNNER_TYPES))  # code items wait for the runner, not a person
        .order_by(Attempt.submitted_at, Attempt.id, AttemptItem.position)
        .options(selectinload(AttemptItem.question_version), selectinload(AttemptItem.attempt))
        .limit(limit)))


def load_item_for_grading(session: Session, grader: User, item_id: int, *, for_update: bool = False) -> AttemptItem:
    """An item this person may open. Graders: only open items of submitted attempts that are not
    another grader's (never a running attempt, never an auto-graded item or its key). Admins: any
    item. `for_update` locks the attempt row, so two graders finishing its last two items at once
    are serialised and one of them decides."""
    query = select(AttemptItem).join(Attempt).where(AttemptItem.id == item_id, _visible_to(grader))
    if grader.role != "admin":
        query = query.where(Attempt.status == "submitted", AttemptItem.pending)
    item = session.scalar(query)
    if item is None:
        raise LookupError(item_id)
    if for_update:
        session.scalar(select(Attempt.id).where(Attempt.id == item.attempt_id).with_for_update())
        session.refresh(item.attempt)
    return item


def _rubric(item: AttemptItem) -> tuple[RubricCriterion, ...]:
    question_type = get_type(item.question_version.type)
    try:
        return question_type.rubric(question_type.parse_definition(item.question_version.definition))
    except DefinitionError:
        return ()  # see grading_refusal


def grading_refusal(item: AttemptItem, grader: User) -> str | None:
    """Why `grader` cannot grade `item` now, or None when they can (the rules of `grade_open_item`)."""
    failure = grading_failure(item)
    if failure is not None:
        return (f"This item cannot be graded: its stored question no longer passes validation ({failure}). "
                "The attempt cannot be decided; void it as a technical failure so the candidate may start again.")
    if not _rubric(item):
        return "This question is graded automatically."
    return attempt_refusal(item.attempt, grader)


def attempt_refusal(attempt: Attempt, grader: User) -> str | None:
    """Why `grader` cannot grade (or re-grade) this attempt's open items now, or None."""
    if attempt.status == "voided":
        return "This attempt is void."
    regrading = attempt.status == "decided"
    if regrading and grader.role != "admin":
        return "Only an admin can change a grade after the decision."
    if regrading and attempt.review_opened_at is not None:
        return "The candidate has opened their review: grades can no longer change."
    if attempt.status not in ("submitted", "decided"):
        return "This attempt is still in progress."
    if attempt.grader_id not in (None, grader.id) and grader.role != "admin":
        return "This attempt is assigned to another grader."
    return None


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
    refusal = grading_refusal(item, grader)
    if refusal is not None:
        raise GradingError(refusal)
    regrading = attempt.status == "decided"
    computed_before = computed_decision(session, attempt, attempt_score(attempt)) if regrading else None
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
        decision = _recompute(session, attempt, grader, computed_before, now)
    elif not any(i.pending for i in attempt.items):
        decision = settle(session, attempt, now)
    record(session, grader, "item.regrade" if regrading else "item.grade", "attempt_item", item.id, before=before,
           after={"manual_scores": item.manual_scores, "points": str(item.points_awarded),
                  "comment": item.grader_comment, "decision": attempt.decision}, at=now)
    session.flush()
    awaiting = attempt.status == "submitted" and not any(i.pending for i in attempt.items)
    return GradeResult(item, decision, awaiting)


def _recompute(session: Session, attempt: Attempt, admin: User, computed_before: str | None,
               now: datetime) -> str | None:
    """After a re-grade: only a change in what the *score* says changes anything. A decision a
    person made (an override, or a confirmation) is never flipped by the machine: such an attempt
    goes back to the confirmation queue instead."""
    score = attempt_score(attempt)
    attempt.score_points, attempt.score_possible, attempt.score_percent = score.earned, score.possible, score.percent
    computed = computed_decision(session, attempt, score)
    if computed == computed_before:
        return None
    if attempt.requires_confirmation or attempt.decided_by_id is not None:
        attempt.status, attempt.decision, attempt.decided_at, attempt.tier = "submitted", None, None, None
        attempt.decision_reason = f"re-graded by {admin.email}: the score now says {computed}; awaiting confirmation"
        return None
    record_decision(session, attempt, computed, now, decided_by=admin,
                    reason=f"re-graded by {admin.email}: score now {score.percent}%")
    return computed


def decisions_awaiting_confirmation(session: Session) -> list[Attempt]:
    attempts = session.scalars(
        select(Attempt).where(Attempt.status == "submitted", Attempt.requires_confirmation)
        .order_by(Attempt.submitted_at).options(selectinload(Attempt.items))).all()
    return [a for a in attempts if not any(i.pending for i in a.items)]


def confirm_decision(session: Session, attempt: Attempt, admin: User, decision: str, reason: str,
                     now: datetime) -> None:
    """A person confirms pass/fail; overriding what the score says needs a reason."""
    session.scalar(select(Attempt.id).where(Attempt.id == attempt.id).with_for_update())  # one confirmation wins
    session.refresh(attempt)
    if attempt.status != "submitted" or any(i.pending for i in attempt.items):
        raise GradingError("Only a fully graded, undecided attempt can be confirmed.")
    if decision not in ("pass", "fail"):
        raise GradingError("Choose pass or fail.", field="decision")
    score = attempt_score(attempt)
    computed = computed_decision(session, attempt, score)
    reason = (reason or "").strip()
    if decision != computed and not reason:
        raise GradingError(f"The score says {computed}: give a reason to decide {decision}.", field="reason")
    attempt.score_points, attempt.score_possible, attempt.score_percent = score.earned, score.possible, score.percent
    record_decision(session, attempt, decision, now, decided_by=admin, reason=reason or None)
    record(session, admin, "decision.confirm", "attempt", attempt.id, before={"computed": computed},
           after={"decision": decision, "reason": reason or None}, at=now)
    session.flush()


# --- what the grading pages show: read only, blind (nothing here names the candidate) ----------------


def _emails(session: Session, user_ids: set[int | None]) -> dict[int, str]:
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all())


def _type_label(item: AttemptItem) -> str:
    return get_type(item.question_version.type).label


@dataclass(frozen=True)
class QueueRow:
    item: AttemptItem
    type_label: str
    assignee: str | None  # email of the grader the attempt is assigned to, None when unassigned


def queue_rows(session: Session, grader: User, limit: int = 200) -> list[QueueRow]:
    items = grading_queue(session, grader, limit)
    emails = _emails(session, {i.attempt.grader_id for i in items})
    return [QueueRow(i, _type_label(i), emails.get(i.attempt.grader_id)) for i in items]  # type: ignore[arg-type]


def next_open_item(session: Session, grader: User) -> AttemptItem | None:
    """The item to grade next: the head of the queue."""
    queue = grading_queue(session, grader, limit=1)
    return queue[0] if queue else None


@dataclass(frozen=True)
class WrittenAnswer:
    """The candidate's text (an essay, a justification) with its word count and limits."""

    text: str | None
    words: int
    min_words: int
    max_words: int | None

    @property
    def blank(self) -> bool:
        return not (self.text or "").strip()

    @property
    def under_min_words(self) -> bool:
        return not self.blank and self.words < self.min_words

    @property
    def over_max_words(self) -> bool:
        return self.max_words is not None and self.words > self.max_words


@dataclass(frozen=True)
class ItemForGrading:
    item: AttemptItem
    type_label: str
    spec: Any
    rubric: tuple[RubricCriterion, ...]
    written: WrittenAnswer | None
    detail: dict[str, Any]  # the type's grade detail (for a comparison: points of the choice and ratings)
    possible: Any  # the question's points
    refusal: str | None  # why this person cannot grade it now
    regrading: bool  # the attempt is decided: saving changes a decided attempt
    parts: PartsBreakdown | None = None  # a comparison: how its automatic part and rubric add up

    @property
    def attempt(self) -> Attempt:
        return self.item.attempt

    @property
    def signals(self) -> list[Any]:
        return list(self.item.attempt.signals)


def item_for_grading(item: AttemptItem, grader: User) -> ItemForGrading:
    version = item.question_version
    question_type = get_type(version.type)
    try:
        spec: Any = question_type.parse_definition(version.definition)
        rubric = question_type.rubric(spec)
    except DefinitionError:
        spec, rubric = version.definition, ()  # shown as stored, with the refusal of grading_refusal
    written = None
    if rubric:
        answer = item.answer
        text = answer if isinstance(answer, str) else (answer or {}).get("justification")
        written = WrittenAnswer(text, count_words(text or ""), getattr(spec, "min_words", 0),
                                getattr(spec, "max_words", None))
    detail = dict(grade_item(item).detail)
    parts = comparison_parts(spec, detail, version.points) if version.type == "comparison" else None
    return ItemForGrading(item, question_type.label, spec, rubric, written, detail,
                          version.points, grading_refusal(item, grader), item.attempt.status == "decided", parts)


@dataclass(frozen=True)
class DecisionSummary:
    attempt: Attempt
    score: AttemptScore
    computed: str  # what the score says: pass or fail


def decision_summary(attempt: Attempt) -> DecisionSummary:
    score = attempt_score(attempt)
    return DecisionSummary(attempt, score, computed_decision(object_session(attempt), attempt, score))


def awaiting_decision_summaries(session: Session) -> list[DecisionSummary]:
    return [decision_summary(a) for a in decisions_awaiting_confirmation(session)]


@dataclass(frozen=True)
class GradeRow:
    item: AttemptItem
    type_label: str
    manual: bool  # has a rubric (a person grades part of it)
    graded_by: str | None  # email of the grader, for manual grades
    can_change: bool


@dataclass(frozen=True)
class AttemptGrades:
    attempt: Attempt
    rows: list[GradeRow]
    score: AttemptScore
    refusal: str | None  # why grades of this attempt cannot change now, or None


def attempt_grades(session: Session, admin: User, attempt_id: int) -> AttemptGrades:
    attempt = load_attempt_for_admin(session, attempt_id)
    refusal = attempt_refusal(attempt, admin)
    emails = _emails(session, {i.grader_id for i in attempt.items})
    rows = []
    for item in attempt.items:
        manual = bool(_rubric(item))
        rows.append(GradeRow(item, _type_label(item), manual, emails.get(item.grader_id),  # type: ignore[arg-type]
                             manual and refusal is None))
    return AttemptGrades(attempt, rows, attempt_score(attempt), refusal)
