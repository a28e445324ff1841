"""Code items on the web: the candidate's page, Run examples (queued, polled, rate-limited, never graded),
the grader's per-test results and the admin's code runs page, for every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
import pytest
from flask import Flask
from sqlalchemy import select

from quiz import jobs
from quiz.clock import FrozenClock
from quiz.coderun import tasks
from quiz.extensions import get_engine, session_factory
from quiz.models import AttemptItem, CodeRun
from tests.coderun.conftest import write_code_bank
from tests.web.conftest import AppFactory
from tests.web.support import (
    candidate,
    item_types,
    page,
    post,
    post_json,
    save,
    staff,
    start,
    submit,
    with_attempt,
)

WRONG = "def add(a, b):\n    return a - b\n"
RIGHT = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def app(make_app: AppFactory, clock: FrozenClock, sandbox: None) -> Iterator[Flask]:
    app = make_app(edit_bank=write_code_bank, QUEUE_URL="memory://", CODE_RUNS_PER_MINUTE=3)
    jobs.configure_worker(app.config, app.instance_path, get_engine(app), session_factory(app))
    previous, tasks.CLOCK = tasks.CLOCK, clock
    yield app
    tasks.CLOCK = previous
    jobs.huey.storage = jobs.MemoryStorage(jobs.QUEUE_NAME)
    jobs._context = None


def drain() -> int:
    """Run every queued job, as a worker would; return how many were code runs (mail jobs share the queue)."""
    done = 0
    while (task := jobs.huey.dequeue()) is not None:
        jobs.huey.execute(task)
        done += task.name.endswith("code_run")
    return done


def _code_position(app: Flask, attempt_id: int) -> int:
    return next(p for p, t in item_types(app, attempt_id).items() if t == "code")


def _item_id(app: Flask, attempt_id: int, position: int) -> int:
    return with_attempt(app, attempt_id, lambda a: next(i.id for i in a.items if i.position == position))


def test_the_page_shows_the_editor_and_the_examples_never_the_hidden_tests(app: Flask) -> None:
    client = candidate(app, "coder@example.com")
    attempt_id = start(client, "gamma-starter")
    position = _code_position(app, attempt_id)
    html = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    assert '<textarea id="code" name="code"' in html and "def add(a, b):\n    pass" in html  # the starter
    assert "code-editor.js" in html and "code-run.js" in html and "<script>" not in html  # no inline script
    assert "Escape, then Tab" in html
    assert "[1, 2]" in html and "[0, 0]" in html  # the visible examples
    assert "[10, 5]" not in html and "[-1, 1]" not in html  # hidden tests stay hidden
    assert "return a + b" not in html  # and so does the reference solution
    # Without JavaScript the textarea is the answer field of the plain form post.
    post(client, f"/attempts/{attempt_id}/q/{position}", {"code": RIGHT, "go": str(position)})
    assert with_attempt(app, attempt_id, lambda a: a.items[position - 1].answer) == RIGHT


def test_run_examples_is_queued_polled_never_graded_and_rate_limited(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "coder@example.com")
    attempt_id = start(client, "gamma-starter")
    position = _code_position(app, attempt_id)
    url = f"/attempts/{attempt_id}/q/{position}/runs"
    response = post_json(client, url, {"code": WRONG})
    assert response.status_code == 202, page(response)
    poll = response.get_json()["poll_url"]
    assert client.get(poll).get_json()["status"] == "queued"  # the web process ran nothing
    assert drain() == 1
    body = client.get(poll).get_json()
    assert body["status"] == "done"
    assert [(r["input"], r["expected"], r["actual"], r["label"]) for r in body["results"]] == \
        [("[1, 2]", "3", "-1", "wrong answer"), ("[0, 0]", "0", "0", "passed")]
    with_attempt(app, attempt_id, lambda a: _never_graded(a.items[position - 1]))
    for _ in range(2):
        assert post_json(client, url, {"code": RIGHT}).status_code == 202
        drain()
    limited = post_json(client, url, {"code": RIGHT})
    assert limited.status_code == 429 and "At most 3 example runs a minute" in limited.get_json()["error"]
    clock.advance(seconds=61)
    assert post_json(client, url, {"code": RIGHT}).status_code == 202
    # the autosave goes on meanwhile, with its own sequence numbers
    assert save(client, attempt_id, position, {"code": RIGHT}, 1).status_code == 200


def _never_graded(item: AttemptItem) -> None:
    assert item.answer is None and item.manual_scores is None and item.points_awarded is None


def test_runs_belong_to_their_candidate_and_staff_cannot_start_them(app: Flask) -> None:
    owner = candidate(app, "coder@example.com")
    attempt_id = start(owner, "gamma-starter")
    position = _code_position(app, attempt_id)
    url = f"/attempts/{attempt_id}/q/{position}/runs"
    poll = post_json(owner, url, {"code": WRONG}).get_json()["poll_url"]
    other = candidate(app, "other@example.com")
    assert post_json(other, url, {"code": WRONG}).status_code == 404
    assert other.get(poll).status_code == 404
    for role in ("grader", "admin"):
        person = staff(app, f"{role}@example.com", role)
        assert post_json(person, url, {"code": WRONG}).status_code == 403
        assert person.get(poll).status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(poll).status_code == 302
    assert post_json(owner, url, {"nope": 1}).status_code == 400


def test_after_submit_the_hidden_tests_grade_and_staff_see_the_per_test_table(app: Flask) -> None:
    client = candidate(app, "coder@example.com")
    attempt_id = start(client, "gamma-starter")
    position = _code_position(app, attempt_id)
    save(client, attempt_id, position, {"code": "def add(a, b):\n    return abs(a) + b\n"}, 1)
    grader, admin = staff(app, "grader@example.com", "grader"), staff(app, "admin@example.com", "admin")
    item_id = _item_id(app, attempt_id, position)
    results_url = f"/admin/grading/items/{item_id}/code"
    assert grader.get(results_url).status_code == 404  # never a running attempt
    assert post_json(client, f"/attempts/{attempt_id}/q/{position}/runs", {"code": RIGHT}).status_code == 202
    submit(client, attempt_id)
    assert post_json(client, f"/attempts/{attempt_id}/q/{position}/runs", {"code": RIGHT}).status_code == 409
    assert "waiting for the runner" in page(grader.get(results_url))
    assert "Code runs" in page(admin.get("/admin/code-runs")) and "graded" in page(admin.get("/admin/code-runs"))
    assert drain() == 2  # the example run asked for before the submit, and the graded run
    html = page(grader.get(results_url))
    assert "3 of 4 tests passed" in html
    row = re.search(r'<tr class="status-wrong_answer">(.*?)</tr>', html, re.S).group(1)
    assert "[-1, 1]" in row and "<pre>0</pre>" in row and "<pre>2</pre>" in row  # input, expected, actual
    assert with_attempt(app, attempt_id, lambda a: a.decision) in ("pass", "fail")
    assert "No run is queued, running or failed." in page(admin.get("/admin/code-runs"))
    assert admin.get(results_url).status_code == 200
    assert grader.get("/admin/code-runs").status_code == 403
    assert client.get(results_url).status_code == 403 and client.get("/admin/code-runs").status_code == 403
    assert app.test_client().get("/admin/code-runs").status_code == 302


def test_an_admin_re_runs_a_failed_run(app: Flask) -> None:
    client = candidate(app, "coder@example.com")
    attempt_id = start(client, "gamma-starter")
    save(client, attempt_id, _code_position(app, attempt_id), {"code": RIGHT}, 1)
    submit(client, attempt_id)
    jobs.huey.storage = jobs.MemoryStorage(jobs.QUEUE_NAME)  # the enqueue was lost ...
    with session_factory(app)() as session:
        run = session.scalar(select(CodeRun))
        run.status, run.tries, run.error = "failed", 3, "RuntimeError: the sandbox broke"  # ... and it failed
        session.commit()
        run_id = run.id
    admin = staff(app, "admin@example.com", "admin")
    listing = page(admin.get("/admin/code-runs"))
    assert "the sandbox broke" in listing and f"/admin/code-runs/{run_id}/rerun" in listing
    response = post(admin, f"/admin/code-runs/{run_id}/rerun")
    assert response.status_code == 302
    assert post(staff(app, "grader@example.com", "grader"), f"/admin/code-runs/{run_id}/rerun").status_code == 403
    assert drain() == 1
    assert with_attempt(app, attempt_id, lambda a: a.decision) == "pass"
    assert post(admin, f"/admin/code-runs/{run_id}/rerun").status_code == 302  # done: refused with a message
    assert post(admin, "/admin/code-runs/999/rerun").status_code == 404
