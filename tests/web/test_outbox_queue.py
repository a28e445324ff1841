"""From the request's commit to the worker: one job per mail on the real queue, a periodic sweep for
jobs that were lost, and a request that stands even when the queue cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from quiz import jobs, mail_jobs
from quiz.extensions import get_engine, session_factory
from quiz.models import OutboxMail
from tests.web.support import candidate, stored, take_alpha


@pytest.fixture
def worker(app: Flask) -> Iterator[None]:
    """This process acts as `quiz worker` for the app's instance."""
    jobs.configure_worker(app.config, Path(app.instance_path), get_engine(app), session_factory(app))
    yield
    jobs._context = None


def _statuses(app: Flask) -> list[str]:
    with session_factory(app)() as session:
        return list(session.scalars(select(OutboxMail.status).order_by(OutboxMail.id)))


def _eml_count(app: Flask) -> int:
    return len(list((Path(app.instance_path) / "outbox").glob("*.eml")))


def test_the_commit_enqueues_one_job_per_mail_and_the_worker_sends_them(app: Flask, worker: None) -> None:
    client = candidate(app, "ada@example.com")
    jobs.huey.storage.flush_queue()  # the sign-up's confirmation mail is not this test's
    take_alpha(client, app)
    assert _statuses(app) == ["queued", "queued"] and _eml_count(app) == 0
    # what `quiz worker` finds in instance/queue.sqlite3 (another process would read the same file)
    assert jobs.queue_storage(app.config, Path(app.instance_path)).queue_size() == 2
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task)
    assert _statuses(app) == ["sent", "sent"] and _eml_count(app) == 2


def test_mail_whose_job_was_lost_is_sent_by_the_periodic_sweep(app: Flask, worker: None) -> None:
    take_alpha(candidate(app, "ada@example.com"), app)
    jobs.huey.storage.flush_queue()  # the process died between the commit and the enqueue
    mail_jobs.deliver_due_mail.call_local()
    assert _statuses(app) == ["sent", "sent"] and _eml_count(app) == 2


def test_a_queue_that_cannot_be_reached_does_not_undo_the_decision(app: Flask,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(mail_id: int) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(mail_jobs, "send_outbox_mail", unreachable)
    attempt_id = take_alpha(candidate(app, "ada@example.com"), app)  # asserts the redirect to the dashboard
    assert stored(app, attempt_id)["decision"] == "pass"
    assert _statuses(app) == ["queued", "queued"]  # the sweep will find them
