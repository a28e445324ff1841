"""The database goes away while a candidate answers: the attempt page shows that the answer is not
saved, keeps retrying through the server's 503s, and saves it once the database is back."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e.conftest import IN_CI, LiveServer

try:
    from playwright.sync_api import Page, expect
except ImportError as exc:
    if IN_CI:
        raise
    pytest.skip(f"browser tests skipped: the playwright package is not installed ({exc})", allow_module_level=True)

from tests.e2e.test_candidate_browser import ALPHA_TITLE, SAVED, log_in, start


def _database_unreadable(live_server: LiveServer) -> tuple[Path, Path]:
    """Every pooled connection closed, the file moved aside and a directory in its place: SQLite cannot open it."""
    from quiz.extensions import get_engine

    path = Path(make_url(live_server.app.config["DATABASE_URL"]).database)
    get_engine(live_server.app).dispose()
    aside = path.with_name("aside-" + path.name)
    os.rename(path, aside)
    path.mkdir()
    return path, aside


def test_during_an_outage_the_page_says_not_saved_and_retries_until_saved(page: Page,
                                                                          live_server: LiveServer) -> None:
    live_server.make_candidate("outage@example.com")
    log_in(page, "outage@example.com")
    attempt_id = start(page, ALPHA_TITLE)
    position = live_server.positions_by_type(attempt_id)["single_choice"]
    page.goto(f"/attempts/{attempt_id}/q/{position}")

    answers: list[tuple[int, str | None]] = []
    page.on("response", lambda r: answers.append((r.status, r.headers.get("retry-after")))
            if "/answers/" in r.url else None)
    path, aside = _database_unreadable(live_server)
    try:
        page.get_by_label("Mercury").check()
        warning = page.locator("#save-warning")
        expect(warning).to_be_visible()
        expect(warning).to_contain_text("NOT saved")
        expect(warning).to_contain_text("briefly unavailable")
        expect(page.locator("#save-status")).to_have_text("Not saved")
        deadline = time.monotonic() + 15
        while len(answers) < 2 and time.monotonic() < deadline:  # it retries on its own
            page.wait_for_timeout(200)
    finally:
        path.rmdir()
        os.rename(aside, path)
    expect(page.locator("#save-status")).to_have_text(SAVED, timeout=20_000)
    expect(warning).to_be_hidden()
    assert len(answers) >= 3 and all(status == 503 and retry for status, retry in answers[:2]), answers
    assert answers[-1][0] == 200
    item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
    assert item.answer == "b"
