"""Hostile bodies on the attempt page's JSON endpoints, and an item that cannot be graded automatically."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from quiz.clock import FrozenClock
from quiz.assessment.payload import MAX_JSON_BYTES, MAX_JSON_DEPTH
from quiz.extensions import session_factory
from quiz.models import AttemptItem, QuestionVersion
from tests.web.support import candidate, post_json, save, staff, start, stored, text

DEEP = '{"fields": {"choice": ' + "[" * 50_000 + "]" * 50_000 + '}, "seq": 1}'


@pytest.fixture
def alpha(app: Flask) -> tuple[FlaskClient, int]:
    client = candidate(app, "ada@example.com")
    return client, start(client, "alpha-starter")


def _post_raw(client: FlaskClient, url: str, body: str | bytes):  # type: ignore[no-untyped-def]
    return client.post(url, data=body, content_type="application/json")


@pytest.mark.parametrize("url", ["/attempts/{id}/answers/1", "/attempts/{id}/flags/1", "/attempts/{id}/signals"])
def test_deeply_nested_json_is_400_with_a_message_and_writes_nothing(
        app: Flask, alpha: tuple[FlaskClient, int], url: str) -> None:
    # Before: json.loads hit the recursion limit, a RecursionError no `silent=True` catches: a 500.
    client, attempt_id = alpha
    before = stored(app, attempt_id)
    response = _post_raw(client, url.format(id=attempt_id), DEEP)
    assert response.status_code == 400
    assert f"nested more than {MAX_JSON_DEPTH} levels deep" in response.get_json()["error"]
    assert stored(app, attempt_id) == before


def test_brackets_inside_strings_are_text_not_nesting(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    response = post_json(client, f"/attempts/{attempt_id}/signals", {"kind": "paste" + "[" * 100})
    assert response.status_code == 400 and "unknown signal" in response.get_json()["error"]


def test_an_oversized_body_is_413(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    body = '{"fields": {"text": "' + "x" * MAX_JSON_BYTES + '"}, "seq": 1}'
    response = _post_raw(client, f"/attempts/{attempt_id}/answers/1", body)
    assert response.status_code == 413 and "at most" in response.get_json()["error"]
    assert stored(app, attempt_id)["items"][1] == (None, False, 0)


def test_a_hostile_body_aimed_at_someone_elses_attempt_is_a_404(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    # The ownership check comes before the body is read: another candidate learns nothing from it.
    _owner, attempt_id = alpha
    other = candidate(app, "eve@example.com")
    for url in (f"/attempts/{attempt_id}/answers/1", f"/attempts/{attempt_id}/flags/1",
                f"/attempts/{attempt_id}/signals"):
        assert _post_raw(other, url, DEEP).status_code == 404


# --- an item that cannot be graded automatically ----------------------------------------------------


def _pin_stored_definition(app: Flask, attempt_id: int, position: int, definition: dict, answer: str) -> None:
    """As if the version had been stored before today's rules: written straight to the database."""
    with session_factory(app)() as session:
        item = session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id,
                                                        AttemptItem.position == position))
        version = session.get(QuestionVersion, item.question_version_id)
        version.type, version.definition = "short_text", definition
        item.answer, item.answer_seq, item.option_order = answer, 1, None
        session.commit()


@pytest.mark.parametrize("definition", [
    # a backreference: Python's re took it, RE2 cannot
    {"prompt": "p", "explanation": "e", "accepted": [], "case_sensitive": False, "regex": r"(a+)\1", "max_length": 200},
    # a definition no rule ever allowed (no prompt): before, parsing it raised inside the finaliser
    {"explanation": "e", "accepted": ["x"], "case_sensitive": False, "regex": None, "max_length": 200},
])
def test_an_item_that_cannot_be_graded_waits_for_a_person_and_no_page_fails(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock, definition: dict) -> None:
    client, attempt_id = alpha
    for position in (2, 3, 4):
        assert save(client, attempt_id, position, {"choice": "a"}, 1).status_code == 200
    _pin_stored_definition(app, attempt_id, 1, definition, "aaaa")
    deadline = stored(app, attempt_id)["deadline_at"]
    clock.set(deadline + timedelta(minutes=10))

    board = client.get("/dashboard")
    assert board.status_code == 200  # the lazy finaliser ran and the page stands
    state = stored(app, attempt_id)
    assert state["status"] == "submitted" and state["decision"] is None  # never decided on a wrong score
    with session_factory(app)() as session:
        item = session.scalar(select(AttemptItem).where(AttemptItem.attempt_id == attempt_id,
                                                        AttemptItem.position == 1))
        assert item.pending

    admin = staff(app, "admin@example.com", "admin")
    assert admin.get("/admin/").status_code == 200
    queue = admin.get("/admin/grading")
    assert queue.status_code == 200
    page = admin.get(f"/admin/grading/items/{item.id}")
    assert page.status_code == 200
    assert "cannot be graded: its stored question no longer passes validation" in text(page)
