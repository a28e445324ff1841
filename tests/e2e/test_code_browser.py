"""A code question in a real browser: write a failing solution in the editor, run the examples and see the
failure, fix it, submit; a worker runs the hidden tests in the sandbox; the grader sees the per-test table."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import IN_CI, PASSWORD, LiveServer

try:
    from playwright.sync_api import Page, expect
except ImportError as exc:  # the package is a dev dependency: missing only on a half-installed machine
    if IN_CI:
        raise
    pytest.skip(f"browser tests skipped: the playwright package is not installed ({exc})", allow_module_level=True)

from tests.e2e.test_candidate_browser import SAVED, log_in, start

WRONG = "def add(a, b):\n    return a - b\n"
RIGHT = "def add(a, b):\n    return a + b\n"


@pytest.fixture(scope="module")
def code_server(tmp_path_factory: pytest.TempPathFactory, sandbox: None) -> Iterator[LiveServer]:
    """The app with a code track, served on loopback, and a job worker consuming the real SQLite queue."""
    from werkzeug.serving import make_server

    from quiz import jobs, migrate
    from quiz.app import create_app
    from quiz.bank.load import load_bank
    from quiz.bank.sync import sync_bank
    from quiz.extensions import get_engine, session_factory
    from tests.coderun.conftest import write_code_bank

    tmp = tmp_path_factory.mktemp("e2e-code")
    app = create_app({"TESTING": False, "SECRET_KEY": "e2e-" + "x" * 32, "RATELIMIT_ENABLED": False,
                      "DATABASE_URL": f"sqlite:///{tmp}/e2e.sqlite3", "INSTANCE_PATH": str(tmp / "instance")})
    migrate.upgrade(get_engine(app))
    bank = load_bank(write_code_bank(tmp / "bank"))
    assert bank.ok, bank.errors
    with session_factory(app)() as session:
        sync_bank(session, bank)
        session.commit()
    jobs.configure_worker(app.config, tmp / "instance", get_engine(app), session_factory(app))
    stop = threading.Event()

    def work() -> None:  # what `quiz worker` does, on the same queue file as the app
        while not stop.is_set():
            task = jobs.huey.dequeue()
            if task is None:
                time.sleep(0.05)
            else:
                jobs.huey.execute(task)

    worker = threading.Thread(target=work, name="e2e-worker", daemon=True)
    worker.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-code-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        stop.set()
        worker.join(timeout=10)
        jobs.huey.storage = jobs.MemoryStorage(jobs.QUEUE_NAME)
        jobs._context = None
        get_engine(app).dispose()


@pytest.fixture
def code_page(browser: Any, code_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=code_server.url)
    context.set_default_timeout(20_000)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.abort())  # loopback only
    try:
        yield context.new_page()
    finally:
        context.close()


def _replace_code(page: Page, source: str) -> None:
    """Select everything in the editor and type the new code over it (as a paste would)."""
    editor = page.get_by_role("textbox", name=re.compile("Your code"))
    editor.click()
    page.keyboard.press("Control+A")
    with page.expect_response(lambda r: "/answers/" in r.url and r.request.method == "POST" and r.ok):
        page.keyboard.insert_text(source)
    expect(page.locator("#save-status")).to_have_text(SAVED)


def _run_examples(page: Page) -> None:
    page.get_by_role("button", name="Run examples").click()
    expect(page.locator("#run-results table")).to_be_visible()


def _staff_page(browser: Any, server: LiveServer, email: str, role: str) -> Page:
    from quiz.auth.passwords import hash_password
    from quiz.models import User

    with server.db() as session:
        session.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        session.commit()
    context = browser.new_context(base_url=server.url)
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:)"), lambda route: route.abort())
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return page


def test_write_run_fix_submit_then_the_hidden_tests_grade_it(code_page: Page, code_server: LiveServer,
                                                             browser: Any) -> None:
    page = code_page
    code_server.make_candidate("coder@example.com")
    log_in(page, "coder@example.com")
    attempt_id = start(page, "Gamma starter")
    position = code_server.positions_by_type(attempt_id)["code"]
    page.goto(f"/attempts/{attempt_id}/q/{position}")
    editor = page.get_by_role("textbox", name=re.compile("Your code"))
    expect(editor).to_contain_text("def add(a, b):")  # CodeMirror took over the textarea, starter inside
    expect(page.locator("textarea#code")).to_be_hidden()

    # Tab indents inside the editor; Escape then Tab leaves it (the documented keyboard escape).
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(editor).not_to_be_focused()

    _replace_code(page, WRONG)
    _run_examples(page)
    rows = page.locator("#run-results tbody tr")
    expect(rows.nth(0)).to_contain_text("wrong answer")
    expect(rows.nth(0)).to_contain_text("-1")  # what the wrong code returned for add(1, 2)
    expect(rows.nth(1)).to_contain_text("passed")
    expect(page.locator("#run-status")).to_have_text("1 example(s) failed.")

    _replace_code(page, RIGHT)
    _run_examples(page)
    expect(page.locator("#run-status")).to_have_text("All examples passed.")
    # the example runs never graded anything, and the saved answer is the editor's text
    item = next(i for i in code_server.attempt(attempt_id).items if i.position == position)
    assert item.answer == RIGHT and item.points_awarded is None

    page.goto(f"/attempts/{attempt_id}/review")
    page.get_by_label("I have reviewed my answers and want to submit now").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("status").filter(has_text="Your attempt is submitted.")).to_be_visible()

    deadline = time.monotonic() + 30
    while code_server.attempt(attempt_id).status != "decided" and time.monotonic() < deadline:
        time.sleep(0.2)
    attempt = code_server.attempt(attempt_id)
    assert attempt.status == "decided"
    item = next(i for i in attempt.items if i.position == position)
    assert str(item.points_awarded) == "2.00"  # every hidden test passed

    grader = _staff_page(browser, code_server, "grader@example.com", "grader")
    grader.goto(f"/admin/grading/items/{item.id}/code")
    expect(grader.get_by_role("heading", level=1)).to_contain_text(f"Attempt #{attempt_id}")
    expect(grader.get_by_text("4 of 4 tests passed")).to_be_visible()
    table = grader.get_by_role("table", name=re.compile("Per-test results"))
    expect(table.get_by_role("row")).to_have_count(5)  # the header and one row per hidden test
    expect(table.get_by_role("columnheader")).to_have_text(
        ["#", "Status", "Input", "Expected", "Actual", "Stderr (excerpt)", "Time (CPU, wall)", "Memory"])
    expect(table).to_contain_text("[10, 5]")
    expect(table).to_contain_text("15")
    grader.context.close()
