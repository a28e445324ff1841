"""Two tabs of one candidate press Start at the same instant: both end up in the one attempt.

The tab that loses the race (the unique index refuses its insert, or on SQLite the write lock
makes it see the winner's attempt) is sent to that attempt, not told it has already taken the
assessment. Both engines, two threads, as tests/services/test_concurrency.py races the service.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

import quiz.assessment.services as services
from tests.web.support import attempt_count, candidate, flashes, location, login, page, post, take_alpha

ATTEMPT_PAGE = re.compile(r"^/attempts/(\d+)/q/1$")


@pytest.fixture
def race_app(make_app: Callable[..., Flask], db_url: str) -> Flask:
    return make_app(DATABASE_URL=db_url)


def _two_tabs(app: Flask, email: str) -> tuple[FlaskClient, FlaskClient]:
    first = candidate(app, email)
    second = app.test_client()
    assert login(second, email).status_code == 302
    return first, second


def _press_start_together(app: Flask, tabs: tuple[FlaskClient, ...], monkeypatch: pytest.MonkeyPatch,
                          key: str = "alpha-starter") -> list[TestResponse]:
    if app.config["DATABASE_URL"].startswith("postgresql"):
        # Both requests pass every check ("no attempt yet") before either inserts: the unique index decides.
        barrier = threading.Barrier(len(tabs), timeout=30)
        drawn_versions = services._drawn_versions

        def draw_after_both_checked(session, drawn):  # type: ignore[no-untyped-def]
            barrier.wait()
            return drawn_versions(session, drawn)

        monkeypatch.setattr(services, "_drawn_versions", draw_after_both_checked)
    # On SQLite the POSTs take the write lock when they begin: the second waits for the first to commit.
    responses: list[TestResponse] = []
    threads = [threading.Thread(target=lambda t=tab: responses.append(post(t, f"/assessments/{key}",
                                                                            {"understood": "y"})))
               for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_the_tab_that_loses_a_start_race_is_sent_to_the_attempt(race_app: Flask,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    tabs = _two_tabs(race_app, "racer@example.org")
    responses = _press_start_together(race_app, tabs, monkeypatch)

    assert [r.status_code for r in responses] == [302, 302], [page(r) for r in responses]
    targets = {location(r) for r in responses}
    assert len(targets) == 1 and ATTEMPT_PAGE.match(targets.pop()), [location(r) for r in responses]
    assert attempt_count(race_app) == 1
    for tab in tabs:
        shown = tab.get(location(responses[0]))
        assert shown.status_code == 200
        assert not any("already taken" in message or "can be taken once" in message for message in flashes(shown))


def test_starting_again_once_submitted_still_says_it_was_taken(race_app: Flask) -> None:
    tab = candidate(race_app, "done@example.org")
    take_alpha(tab, race_app)
    response = post(tab, "/assessments/alpha-starter", {"understood": "y"})
    assert response.status_code == 302 and location(response) == "/dashboard"
    assert any("can be taken once" in message for message in flashes(tab.get("/dashboard")))
