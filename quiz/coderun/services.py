"""Code runs in the database: created by the web process (examples) or at submit (graded), run by the
job queue's worker, never by the web process.

Services: a session and plain values in, flush, never commit. A run created here is put on the job
queue only after its transaction commits (an `after_commit` hook), so the worker always finds its row;
a run whose enqueue was lost, or whose worker died, is put back by `requeue_stuck`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, selectinload

from quiz.assessment.grading import regrade_items, settle
from quiz.models import Attempt, AttemptItem, CodeRun, User
from quiz.question_types import get_type
from quiz.question_types.code import CodeSpec, CodeTest

_TO_ENQUEUE = "quiz.code_runs_to_enqueue"


class RunRefused(ValueError):
    """The candidate cannot run the examples now (closed attempt, not a code item, nothing to run)."""


class RunRateLimited(RunRefused):
    """Examples already running for this question, or too many runs this minute."""


def is_code_item(item: AttemptItem) -> bool:
    return get_type(item.question_version.type).runs_code


def code_spec(item: AttemptItem) -> CodeSpec:
    version = item.question_version
    return get_type(version.type).parse_definition(version.definition)


def tests_of(run: CodeRun) -> tuple[CodeTest, ...]:
    spec = code_spec(run.attempt_item)
    return spec.examples if run.kind == "examples" else spec.tests


def _enqueue_after_commit(session: Session, run: CodeRun) -> None:
    session.flush()
    session.info.setdefault(_TO_ENQUEUE, []).append(run.id)


@event.listens_for(Session, "after_commit")
def _enqueue_committed_runs(session: Session) -> None:
    run_ids = session.info.pop(_TO_ENQUEUE, [])
    if not run_ids:
        return
    from quiz.coderun.tasks import enqueue  # the task module imports this one

    for run_id in run_ids:
        enqueue(run_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_runs(session: Session) -> None:
    session.info.pop(_TO_ENQUEUE, None)


# --- created by the web process or at submit ---------------------------------------------------------


def queue_graded_runs(session: Session, attempt: Attempt, now: datetime) -> list[CodeRun]:
    """After submit: one graded run per answered code item (an unanswered one is worth 0 at once)."""
    runs = []
    for item in attempt.items:
        if is_code_item(item) and item.answer is not None:
            run = CodeRun(attempt_item=item, attempt_id=attempt.id, kind="graded", status="queued",
                          source=item.answer, queued_at=now)
            session.add(run)
            _enqueue_after_commit(session, run)
            runs.append(run)
    return runs


def request_example_run(session: Session, attempt: Attempt, item: AttemptItem, source: str, now: datetime,
                        per_minute: int) -> CodeRun:
    """Run the visible tests on `source` (the editor's text, also saved by autosave). Never graded."""
    if attempt.status != "in_progress":
        raise RunRefused("This attempt is submitted: examples can no longer run.")
    if not is_code_item(item):
        raise RunRefused("This question has no code to run.")
    question_type = get_type(item.question_version.type)
    answer = question_type.normalise_answer(code_spec(item), source)  # AnswerError when too long
    if answer is None:
        raise RunRefused("Write some code first: the starter code alone has nothing to run.")
    busy = session.scalar(select(func.count()).select_from(CodeRun).where(
        CodeRun.attempt_item_id == item.id, CodeRun.kind == "examples", CodeRun.status.in_(("queued", "running"))))
    if busy:
        raise RunRateLimited("The examples are already running for this question: wait for their results.")
    recent = session.scalar(select(func.count()).select_from(CodeRun).where(
        CodeRun.attempt_id == attempt.id, CodeRun.kind == "examples", CodeRun.queued_at > now - timedelta(minutes=1)))
    if recent >= per_minute:
        raise RunRateLimited(f"At most {per_minute} example runs a minute per attempt: try again in a moment.")
    run = CodeRun(attempt_item=item, attempt_id=attempt.id, kind="examples", status="queued", source=answer,
                  queued_at=now)
    session.add(run)
    _enqueue_after_commit(session, run)
    return run


def candidate_run(session: Session, user: User, attempt_id: int, run_id: int) -> CodeRun:
    """An example run of the candidate's own attempt (LookupError otherwise: views answer 404)."""
    run = session.scalar(select(CodeRun).join(Attempt, Attempt.id == CodeRun.attempt_id).where(
        CodeRun.id == run_id, CodeRun.attempt_id == attempt_id, CodeRun.kind == "examples",
        Attempt.user_id == user.id))
    if run is None:
        raise LookupError(run_id)
    return run


# --- the worker's side ---------------------------------------------------------------------------------


def claim(session: Session, run_id: int, now: datetime) -> CodeRun | None:
    """Mark a queued run running (one conditional UPDATE: of two workers given the same run, one runs it)."""
    claimed = session.execute(
        update(CodeRun).where(CodeRun.id == run_id, CodeRun.status == "queued")
        .values(status="running", started_at=now, tries=CodeRun.tries + 1)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None
    return session.get(CodeRun, run_id, populate_existing=True)


def finish(session: Session, run_id: int, results: list[dict[str, Any]], now: datetime) -> str | None:
    """Store the results; a graded run grades its item and, when nothing else waits, decides the attempt.

    Returns the decision made now, if any."""
    run = session.get(CodeRun, run_id, populate_existing=True)
    if run is None or run.status != "running":
        return None  # re-queued meanwhile (stuck), or re-run by an admin: that run's results count
    run.status, run.results, run.finished_at, run.error = "done", results, now, None
    if run.kind != "graded":
        session.flush()
        return None
    attempt = session.scalar(select(Attempt).where(Attempt.id == run.attempt_id).with_for_update()
                             .options(selectinload(Attempt.items).selectinload(AttemptItem.question_version)))
    assert attempt is not None
    session.refresh(attempt)
    if attempt.status != "submitted":
        session.flush()  # voided meanwhile, or decided already: the run is kept, the grade stays as it is
        return None
    run.attempt_item.manual_scores = {"results": results}
    regrade_items(attempt)
    session.flush()
    if any(i.pending for i in attempt.items):
        return None
    return settle(session, attempt, now)


def fail_or_retry(session: Session, run_id: int, error: str, max_tries: int) -> bool:
    """After an error: back to the queue while tries remain (True), else failed for an admin to see."""
    run = session.get(CodeRun, run_id, populate_existing=True)
    if run is None or run.status != "running":
        return False
    retry = run.tries < max_tries
    run.status = "queued" if retry else "failed"
    run.error = error[-2000:]
    session.flush()
    return retry


def requeue_stuck(session: Session, now: datetime, stuck_after_seconds: float, max_tries: int) -> list[int]:
    """Runs whose worker died ("running" too long) or whose enqueue was lost ("queued" too long) go back
    on the queue, or fail once they have had their tries."""
    cutoff = now - timedelta(seconds=stuck_after_seconds)
    stuck = session.scalars(select(CodeRun).where(
        ((CodeRun.status == "running") & (CodeRun.started_at < cutoff))
        | ((CodeRun.status == "queued") & (CodeRun.queued_at < cutoff)))).all()
    requeued = []
    for run in stuck:
        if run.status == "running" and run.tries >= max_tries:
            run.status, run.error = "failed", f"no result after {run.tries} tries (the worker stopped or hung)"
            continue
        run.status, run.queued_at = "queued", now
        _enqueue_after_commit(session, run)
        requeued.append(run.id)
    session.flush()
    return requeued


# --- the admin's side -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    run: CodeRun
    attempt_id: int
    position: int
    question_key: str


def runs_needing_attention(session: Session, limit: int = 200) -> list[RunRow]:
    runs = session.scalars(select(CodeRun).where(CodeRun.status.in_(("queued", "running", "failed")))
                           .order_by(CodeRun.queued_at, CodeRun.id).limit(limit)
                           .options(selectinload(CodeRun.attempt_item).selectinload(AttemptItem.question_version)))
    return [RunRow(r, r.attempt_id, r.attempt_item.position, r.attempt_item.question_version.question.key)
            for r in runs]


def rerun(session: Session, run: CodeRun, now: datetime) -> None:
    """An admin puts a failed (or stuck) run back on the queue with fresh tries."""
    if run.status == "done":
        raise RunRefused("This run has its results; only queued, running or failed runs can be re-run.")
    run.status, run.tries, run.error, run.queued_at, run.started_at = "queued", 0, None, now, None
    _enqueue_after_commit(session, run)


def latest_graded_run(item: AttemptItem) -> CodeRun | None:
    graded = [r for r in getattr(item, "code_runs", []) if r.kind == "graded"]
    return graded[-1] if graded else None


def code_item_for_staff(session: Session, viewer: User, item_id: int) -> AttemptItem:
    """A code item whose results this person may see: admins any; graders those of submitted or decided
    attempts that are not another grader's (never a running attempt). LookupError otherwise."""
    item = session.get(AttemptItem, item_id)
    if item is None or not is_code_item(item):
        raise LookupError(item_id)
    attempt = item.attempt
    if viewer.role != "admin" and (attempt.status not in ("submitted", "decided")
                                   or attempt.grader_id not in (None, viewer.id)):
        raise LookupError(item_id)
    return item


def run_by_id(session: Session, run_id: int) -> CodeRun:
    run = session.get(CodeRun, run_id)
    if run is None:
        raise LookupError(run_id)
    return run
