"""The job-queue side of code runs (huey): run one code run; put stuck runs back on the queue.

A run is claimed in one short transaction, run in the sandbox with no transaction open (a run may take
seconds; SQLite must not stay locked meanwhile), and its results stored in another. Errors of the
runner itself (not of the candidate's code, which are results) are retried by huey and by the run's
own count of tries; a worker that dies mid-run leaves the run "running", and the periodic
`requeue_stuck_runs` puts it back once `CODE_RUN_STUCK_SECONDS` have passed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from huey import crontab

from quiz.clock import Clock, SystemClock
from quiz.coderun import services
from quiz.coderun.runner import run_tests
from quiz.db import immediate_transactions
from quiz.jobs import huey, worker_context

logger = logging.getLogger("quiz.coderun")

#: The worker's clock (tests freeze it).
CLOCK: Clock = SystemClock()
DEFAULT_MAX_TRIES = 3
DEFAULT_STUCK_SECONDS = 300


def _now() -> datetime:
    return CLOCK.now()


def _setting(name: str, default: int) -> int:
    return int(worker_context().config.get(name) or default)


def _after_commit_mail(session) -> None:  # type: ignore[no-untyped-def]
    """The decision a finished run completed wrote its mail to the outbox: hand it to the queue."""
    from quiz.mail_jobs import enqueue_committed  # a task module too: imported when first needed

    enqueue_committed(session)


def execute_run(run_id: int, run: Callable[..., list[dict]] = run_tests) -> str:
    """Claim, run, store. Returns what happened: done, skipped (not queued), or failed; raises for a retry.

    Every transaction here writes, so on SQLite each takes the write lock when it begins (BEGIN
    IMMEDIATE) and waits its turn: a read that turns into a write would fail at once instead."""
    sessions = worker_context().sessions
    with immediate_transactions(), sessions() as session:
        claimed = services.claim(session, run_id, _now())
        if claimed is None:
            session.rollback()
            return "skipped"
        spec, tests, source = services.code_spec(claimed.attempt_item), services.tests_of(claimed), claimed.source
        session.commit()
    try:
        results = run(spec, source, tests)
        with immediate_transactions(), sessions() as session:
            services.finish(session, run_id, results, _now())
            session.commit()
            _after_commit_mail(session)
    except Exception as exc:  # noqa: BLE001 - the runner's own failure: recorded, retried, shown to admins
        logger.exception("code run %s failed", run_id)
        with immediate_transactions(), sessions() as session:
            retry = services.fail_or_retry(session, run_id, f"{type(exc).__name__}: {exc}",
                                           _setting("CODE_RUN_MAX_TRIES", DEFAULT_MAX_TRIES))
            session.commit()
        if retry:
            raise  # huey retries it after its delay (the run is queued again, so the retry can claim it)
        return "failed"
    return "done"


@huey.task(retries=DEFAULT_MAX_TRIES - 1, retry_delay=5, name="code_run")
def code_run(run_id: int) -> str:
    return execute_run(run_id)


@huey.periodic_task(crontab(minute="*"), name="requeue_stuck_code_runs")
def requeue_stuck_runs() -> list[int]:
    with immediate_transactions(), worker_context().sessions() as session:
        requeued = services.requeue_stuck(session, _now(), _setting("CODE_RUN_STUCK_SECONDS", DEFAULT_STUCK_SECONDS),
                                          _setting("CODE_RUN_MAX_TRIES", DEFAULT_MAX_TRIES))
        session.commit()
    if requeued:
        logger.warning("re-queued stuck code runs %s", requeued)
    return requeued


def enqueue(run_id: int) -> None:
    """Called after the run's row is committed. A lost enqueue is caught by `requeue_stuck_runs`."""
    try:
        code_run(run_id)
    except Exception:  # noqa: BLE001 - the queue is down: the periodic task enqueues it again later
        logger.exception("could not enqueue code run %s", run_id)
