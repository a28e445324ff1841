"""Code runs through the job queue: graded after submit (the decision waits), retried, re-run; examples."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz import jobs
from quiz.admin.grading import grading_queue
from quiz.assessment.services import save_answer, start_attempt, submit_attempt
from quiz.coderun import services, tasks
from quiz.models import Attempt, CodeRun, User
from tests.coderun.conftest import Worker, gamma_starter
from tests.services.conftest import GRACE, T0, candidate

RIGHT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return abs(a) + b\n"  # wrong for a negative a


def _answer_and_submit(session: Session, source: str, choice: str = "b", confirm: bool = False) -> Attempt:
    attempt = start_attempt(session, candidate(session), gamma_starter(session), T0, seed=7)
    for item in attempt.items:
        answer = source if item.question_version.type == "code" else choice
        save_answer(session, attempt, item.position, answer, 1, T0 + timedelta(minutes=1), GRACE)
    submit_attempt(session, attempt, T0 + timedelta(minutes=2), GRACE)
    session.commit()
    return attempt


def _fresh(session: Session) -> None:
    """See what the worker wrote: end this session's transaction (a SQLite snapshot) and reload."""
    session.rollback()
    session.expire_all()


def _admin(session: Session) -> User:
    admin = User(email="admin@example.com", password_hash="x", role="admin")
    session.add(admin)
    session.flush()
    return admin


def test_the_decision_waits_for_the_graded_run_then_is_made_by_the_worker(code_bank: Session,
                                                                           worker: Worker) -> None:
    session = code_bank
    attempt = _answer_and_submit(session, RIGHT)  # the code is right, the choice wrong: 2 of 3 points
    assert attempt.status == "submitted" and attempt.decision is None
    run = session.scalar(select(CodeRun))
    assert (run.kind, run.status, run.source) == ("graded", "queued", RIGHT)
    assert jobs.pending_count() == 1  # enqueued after the commit, not run in this process
    assert grading_queue(session, _admin(session)) == []  # nothing for a person to grade
    session.commit()

    assert worker.drain() == 2  # the code run, then the job that sends the decision's mail
    _fresh(session)
    assert attempt.status == "decided" and attempt.decision == "pass"
    assert str(attempt.score_percent) == "66.67"
    run = session.scalar(select(CodeRun))
    assert run.status == "done" and [r["status"] for r in run.results] == ["passed"] * 4
    code_item = next(i for i in attempt.items if i.question_version.type == "code")
    assert code_item.pending is False and str(code_item.points_awarded) == "2.00"


def test_hidden_tests_grade_a_share_of_the_points(code_bank: Session, worker: Worker) -> None:
    attempt = _answer_and_submit(code_bank, WRONG, choice="a")
    worker.drain()
    _fresh(code_bank)
    code_item = next(i for i in attempt.items if i.question_version.type == "code")
    assert str(code_item.points_awarded) == "1.50"  # 3 of 4 hidden tests
    statuses = [r["status"] for r in code_item.code_runs[-1].results]
    assert statuses == ["passed", "wrong_answer", "passed", "passed"]


def test_a_run_whose_worker_died_is_put_back_and_completes(code_bank: Session, worker: Worker) -> None:
    attempt = _answer_and_submit(code_bank, RIGHT)
    run_id = code_bank.scalar(select(CodeRun.id))
    _fresh(code_bank)
    task = jobs.huey.dequeue()  # a worker took the task ...
    with jobs.worker_context().sessions() as other:
        assert services.claim(other, run_id, worker.clock.now()) is not None
        other.commit()  # ... marked the run running, and died
    del task
    assert tasks.requeue_stuck_runs.call_local() == []  # not stuck yet
    worker.clock.advance(seconds=301)
    assert tasks.requeue_stuck_runs.call_local() == [run_id]
    assert worker.drain() == 2  # the run, then the decision mail's job
    _fresh(code_bank)
    assert attempt.decision == "pass"
    assert code_bank.scalar(select(CodeRun.tries)) == 2


def test_a_runner_failure_is_retried_then_failed_then_re_run_by_an_admin(code_bank: Session, worker: Worker,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    attempt = _answer_and_submit(code_bank, RIGHT)
    run_id = code_bank.scalar(select(CodeRun.id))

    def broken(*_args: object) -> list:
        raise RuntimeError("sandbox exploded")

    for expected in ("retry", "retry", "failed"):
        with pytest.raises(RuntimeError) if expected == "retry" else _nothing():
            tasks.execute_run(run_id, run=broken)
    _fresh(code_bank)
    run = code_bank.get(CodeRun, run_id)
    assert (run.status, run.tries) == ("failed", 3) and "sandbox exploded" in run.error
    assert [row.run.id for row in services.runs_needing_attention(code_bank)] == [run_id]
    assert attempt.status == "submitted"  # still waiting: a failed run is never a zero

    jobs.huey.storage = jobs.MemoryStorage(jobs.QUEUE_NAME)  # forget huey's own retries
    services.rerun(code_bank, run, worker.clock.now())
    code_bank.commit()
    assert worker.drain() == 2  # the run, then the decision mail's job
    _fresh(code_bank)
    assert code_bank.get(CodeRun, run_id).status == "done" and attempt.decision == "pass"
    assert services.runs_needing_attention(code_bank) == []


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return False


def test_example_runs_use_the_visible_tests_never_grade_and_are_rate_limited(code_bank: Session,
                                                                             worker: Worker) -> None:
    session = code_bank
    attempt = start_attempt(session, candidate(session), gamma_starter(session), T0, seed=7)
    item = next(i for i in attempt.items if i.question_version.type == "code")
    run = services.request_example_run(session, attempt, item, WRONG, T0, per_minute=2)
    session.commit()
    with pytest.raises(services.RunRefused, match="already running"):
        services.request_example_run(session, attempt, item, RIGHT, T0, per_minute=2)
    worker.drain()
    _fresh(session)
    assert run.status == "done" and [r["status"] for r in run.results] == ["passed", "passed"]
    assert [r["input"] for r in run.results] == ["[1, 2]", "[0, 0]"]
    assert item.answer is None and item.manual_scores is None and attempt.status == "in_progress"
    services.request_example_run(session, attempt, item, RIGHT, T0 + timedelta(seconds=5), per_minute=2)
    session.commit()
    worker.drain()
    with pytest.raises(services.RunRefused, match="At most 2 example runs a minute"):
        services.request_example_run(session, attempt, item, RIGHT, T0 + timedelta(seconds=10), per_minute=2)
    services.request_example_run(session, attempt, item, RIGHT, T0 + timedelta(seconds=61), per_minute=2)
    with pytest.raises(services.RunRefused, match="starter code alone"):
        services.request_example_run(session, attempt, item, "def add(a, b):\n    pass\n", T0, per_minute=9)


def test_concurrent_runs_all_store_their_results(code_bank: Session, worker: Worker) -> None:
    """Worker threads finishing at once queue for the write lock (SQLite) instead of failing."""
    from concurrent.futures import ThreadPoolExecutor

    session = code_bank
    attempts = [start_attempt(session, candidate(session, f"c{n}@example.com"), gamma_starter(session), T0, seed=n)
                for n in range(6)]
    run_ids = []
    for attempt in attempts:
        item = next(i for i in attempt.items if i.question_version.type == "code")
        run_ids.append(services.request_example_run(session, attempt, item, RIGHT, T0, per_minute=9).id)
    session.commit()
    with ThreadPoolExecutor(max_workers=3) as pool:
        outcomes = list(pool.map(tasks.execute_run, run_ids))
    assert outcomes == ["done"] * 6
    _fresh(session)
    assert [session.get(CodeRun, i).status for i in run_ids] == ["done"] * 6
