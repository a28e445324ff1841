"""Taking an attempt: autosave order, malformed answers, the deadline and its grace, reload, markdown."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from quiz.clock import FrozenClock
from tests.web.conftest import GRACE, AppFactory
from tests.web.support import (
    answer_form,
    candidate,
    flashes,
    ids_of,
    item_types,
    location,
    outbox,
    page,
    post,
    post_json,
    save,
    start,
    stored,
    text,
)


@pytest.fixture
def alpha(app: Flask) -> tuple[FlaskClient, int]:
    client = candidate(app, "ada@example.com")
    return client, start(client, "alpha-starter")


@pytest.fixture
def beta(app: Flask) -> tuple[FlaskClient, int]:
    client = candidate(app, "ada@example.com")
    return client, start(client, "beta-starter")


def _essay_position(app: Flask, attempt_id: int) -> int:
    return next(p for p, kind in item_types(app, attempt_id).items() if kind == "essay")


# --- autosave -------------------------------------------------------------------------------------


def test_a_json_save_stores_the_answer_and_reports_when(app: Flask, alpha: tuple[FlaskClient, int],
                                                        clock: FrozenClock) -> None:
    client, attempt_id = alpha
    clock.advance(minutes=5, seconds=7)
    response = save(client, attempt_id, 1, {"choice": "c"}, 1)
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "seq": 1, "answered": True,
                                   "saved_at": "2026-03-02T09:05:07+00:00", "saved_at_display": "09:05:07 UTC",
                                   "seconds_left": 3600 - 307, "notice": None}
    assert stored(app, attempt_id)["items"][1] == ("c", False, 1)


def test_an_older_save_arriving_late_never_overwrites_a_newer_one(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    newer = save(client, attempt_id, 1, {"choice": "b"}, 2)
    assert newer.status_code == 200 and newer.get_json()["saved"] is True
    older = save(client, attempt_id, 1, {"choice": "c"}, 1)
    assert older.status_code == 200
    assert older.get_json()["saved"] is False and older.get_json()["seq"] == 2
    same = save(client, attempt_id, 1, {"choice": "a"}, 2)  # a repeat of the same number loses too
    assert same.get_json()["saved"] is False
    assert stored(app, attempt_id)["items"][1] == ("b", False, 2)

    newest = save(client, attempt_id, 1, {}, 3)  # clearing the answer is a save like any other
    assert newest.get_json()["saved"] is True and newest.get_json()["answered"] is False
    assert stored(app, attempt_id)["items"][1] == (None, False, 3)


def test_the_no_js_post_continues_the_sequence(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    save(client, attempt_id, 1, {"choice": "b"}, 7)
    answer_form(client, attempt_id, 1, {"choice": "c"})
    assert stored(app, attempt_id)["items"][1] == ("c", False, 8)
    assert save(client, attempt_id, 1, {"choice": "a"}, 8).get_json()["saved"] is False


def test_a_head_request_to_a_question_page_changes_nothing(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    """Flask answers HEAD with the page's view: a link checker or `curl -I` must not save or unflag."""
    client, attempt_id = alpha
    save(client, attempt_id, 1, {"choice": "b"}, 3)
    assert client.head(f"/attempts/{attempt_id}/q/1").status_code == 200
    assert stored(app, attempt_id)["items"][1] == ("b", False, 3)


def test_a_malformed_answer_is_422_with_the_types_message(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    save(client, attempt_id, 1, {"choice": "a"}, 1)
    response = save(client, attempt_id, 1, {"choice": "z"}, 2)
    assert response.status_code == 422
    assert response.get_json() == {"error": "That is not one of the options.", "seconds_left": 3600}
    assert stored(app, attempt_id)["items"][1] == ("a", False, 1)


def test_a_malformed_essay_answer_is_422(app: Flask, beta: tuple[FlaskClient, int]) -> None:
    client, attempt_id = beta
    position = _essay_position(app, attempt_id)
    response = save(client, attempt_id, position, {"text": "x" * 200_000}, 1)
    assert response.status_code == 422
    assert "characters long; at most" in response.get_json()["error"]
    assert stored(app, attempt_id)["items"][position] == (None, False, 0)


def test_a_malformed_no_js_answer_shows_the_message_on_the_page(app: Flask, alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    response = answer_form(client, attempt_id, 2, {"choice": "z"}, flagged=True)
    assert response.status_code == 422
    body = text(response)
    assert '<p class="flash error" role="alert" id="answer-error">That is not one of the options.</p>' in body
    assert "<h1>Question 2 of 4</h1>" in body
    assert stored(app, attempt_id)["items"][2] == (None, False, 0)  # neither the answer nor the flag


@pytest.mark.parametrize(("payload", "message"), [
    (None, "The body is not JSON. Send JSON with the question's fields and a sequence number."),
    ([1, 2], "Send JSON with the question's fields and a sequence number."),
    ({"seq": 1}, "Send JSON with the question's fields and a sequence number."),
    ({"fields": "a", "seq": 1}, "Send JSON with the question's fields and a sequence number."),
    ({"fields": {"choice": 1}, "seq": 1}, "Field values must be text."),
    ({"fields": {"choice": ["a", None]}, "seq": 1}, "Field values must be text."),
    ({"fields": {"choice": {"x": "a"}}, "seq": 1}, "Field values must be text."),
    ({"fields": {"choice": "a"}}, "seq must be a whole number from 1 to 9007199254740992"),
    ({"fields": {"choice": "a"}, "seq": 0}, "seq must be a whole number from 1 to 9007199254740992"),
    ({"fields": {"choice": "a"}, "seq": "2"}, "seq must be a whole number from 1 to 9007199254740992"),
    ({"fields": {"choice": "a"}, "seq": 1.5}, "seq must be a whole number from 1 to 9007199254740992"),
    ({"fields": {"choice": "a"}, "seq": True}, "seq must be a whole number from 1 to 9007199254740992"),
    ({"fields": {"choice": "a"}, "seq": 2**53 + 1}, "seq must be a whole number from 1 to 9007199254740992"),
])
def test_a_bad_payload_is_400_and_changes_nothing(app: Flask, alpha: tuple[FlaskClient, int], payload: object,
                                                   message: str) -> None:
    client, attempt_id = alpha
    response = post_json(client, f"/attempts/{attempt_id}/answers/1", payload)
    assert response.status_code == 400
    assert response.get_json() == {"error": message}
    assert stored(app, attempt_id)["items"][1] == (None, False, 0)


def test_a_body_that_is_not_json_is_400(alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    response = client.post(f"/attempts/{attempt_id}/answers/1", data="choice=a",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    response = client.post(f"/attempts/{attempt_id}/answers/1", data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_a_save_to_a_question_the_attempt_does_not_have_is_404(alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    assert save(client, attempt_id, 5, {"choice": "a"}, 1).status_code == 404
    assert post_json(client, f"/attempts/{attempt_id}/flags/9", {"flagged": True}).status_code == 404


def test_integrity_signals_are_recorded_silently(alpha: tuple[FlaskClient, int]) -> None:
    client, attempt_id = alpha
    response = post_json(client, f"/attempts/{attempt_id}/signals", {"kind": "paste", "position": 1, "length": 800})
    assert response.status_code == 200 and response.get_json() == {"recorded": True}
    response = post_json(client, f"/attempts/{attempt_id}/signals", {"kind": "webcam"})
    assert response.status_code == 400


# --- reload shows the attempt exactly as last saved ---------------------------------------------


def test_reload_shows_the_choice_the_flag_and_the_nav_as_saved(app: Flask, alpha: tuple[FlaskClient, int],
                                                                clock: FrozenClock) -> None:
    client, attempt_id = alpha
    clock.advance(minutes=3)
    save(client, attempt_id, 1, {"choice": "b"}, 1)
    save(client, attempt_id, 1, {"choice": "c"}, 2)
    flagged = post_json(client, f"/attempts/{attempt_id}/flags/1", {"flagged": True})
    assert flagged.status_code == 200 and flagged.get_json() == {"flagged": True, "seconds_left": 3420}

    other_device = app.test_client()
    post(other_device, "/login", {"email": "ada@example.com", "password": "correct horse battery"})
    for browser in (client, other_device):
        body = page(browser.get(f"/attempts/{attempt_id}/q/1"))
        shown = re.findall(r'<input type="radio" name="choice" value="(\d+)"[^>]* checked>', body)
        assert ids_of(browser, attempt_id, 1, shown) == ["c"]
        assert '<input type="checkbox" name="flagged" id="flagged" checked>' in body
        assert "Saved 09:03:00 UTC" in body
        assert 'data-seq="2"' in body
        assert re.search(r'<li class="answered flagged current" data-position="1">', body)
        assert re.search(r'<li class=" current" data-position="1">', body) is None
        assert ", answered, flagged</span>" in body
        assert body.count(", not answered</span>") == 3


def test_reload_shows_the_text_and_flag_saved_without_javascript(app: Flask, beta: tuple[FlaskClient, int]) -> None:
    client, attempt_id = beta
    position = _essay_position(app, attempt_id)
    essay = "First line <b>not bold</b>\nsecond line & more"
    response = answer_form(client, attempt_id, position, {"text": essay}, go="review", flagged=True)
    assert location(response) == f"/attempts/{attempt_id}/review"

    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    assert ('<textarea id="text" name="text" rows="14" data-word-count="text-words" '
            'aria-describedby="text-limits">\nFirst line &lt;b&gt;not bold&lt;/b&gt;\nsecond line &amp; more</textarea>'
            ) in body
    assert '<input type="checkbox" name="flagged" id="flagged" checked>' in body
    assert f'<li class="answered flagged current" data-position="{position}">' in body

    answer_form(client, attempt_id, position, {"text": essay}, go=str(position))  # unflag: box not sent
    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    assert '<input type="checkbox" name="flagged" id="flagged" >' in body
    assert stored(app, attempt_id)["items"][position][:2] == (essay, False)


# --- the deadline -------------------------------------------------------------------------------


def test_a_save_within_the_grace_is_accepted(app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    clock.set(stored(app, attempt_id)["deadline_at"] + timedelta(seconds=GRACE))
    response = save(client, attempt_id, 1, {"choice": "a"}, 1)
    assert response.status_code == 200
    assert response.get_json()["saved"] is True and response.get_json()["seconds_left"] == 0
    assert stored(app, attempt_id)["items"][1] == ("a", False, 1)
    assert stored(app, attempt_id)["status"] == "in_progress"


def test_a_save_after_deadline_and_grace_is_409_and_changes_nothing(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    save(client, attempt_id, 1, {"choice": "a"}, 1)
    deadline = stored(app, attempt_id)["deadline_at"]
    clock.set(deadline + timedelta(seconds=GRACE, milliseconds=1))

    response = save(client, attempt_id, 1, {"choice": "b"}, 2)
    assert response.status_code == 409
    assert response.get_json() == {
        "error": "Time is up: the attempt was submitted at its deadline with the answers saved before it.",
        "closed": True}
    late = save(client, attempt_id, 2, {"choice": "a"}, 1)
    assert late.status_code == 409
    assert late.get_json()["error"] == "This attempt has been submitted; its answers can no longer change."

    state = stored(app, attempt_id)
    assert state["items"][1] == ("a", False, 1) and state["items"][2] == (None, False, 0)
    assert state["status"] == "decided" and state["submit_reason"] == "deadline"
    assert state["submitted_at"] == deadline


def test_a_no_js_post_after_the_deadline_goes_to_the_dashboard_with_time_up(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    clock.advance(hours=2)
    response = answer_form(client, attempt_id, 1, {"choice": "a"}, follow_redirects=True)
    assert response.request.path == "/dashboard"
    assert ("Time is up: your attempt was submitted at the deadline with every answer saved before it."
            in flashes(response))
    assert stored(app, attempt_id)["items"][1] == (None, False, 0)


def test_the_expired_attempt_is_finalised_by_the_next_dashboard_visit(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    save(client, attempt_id, 1, {"choice": "a"}, 1)
    save(client, attempt_id, 2, {"choice": "a"}, 1)
    deadline = stored(app, attempt_id)["deadline_at"]
    clock.set(deadline + timedelta(minutes=10))
    assert stored(app, attempt_id)["status"] == "in_progress"  # nothing touched it yet

    board = text(client.get("/dashboard"))
    assert "Your decision is below." in board
    assert "<strong>Passed</strong> · score 50.00% · Basic tier" in board  # 2 of 4 right reaches the pass mark of 50%
    assert "submitted when time ran out" in board
    state = stored(app, attempt_id)
    assert state["status"] == "decided" and state["submit_reason"] == "deadline"
    assert state["submitted_at"] == deadline
    assert [m["Subject"] for m in outbox(app)] == ["Your result: Alpha starter"]


def test_an_expired_attempt_with_essays_is_finalised_to_awaiting_decision(
        app: Flask, beta: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = beta
    save(client, attempt_id, _essay_position(app, attempt_id), {"text": "An essay for a grader."}, 1)
    clock.advance(hours=1, seconds=GRACE + 1)
    board = text(client.get("/dashboard"))
    assert "Your answers are submitted." in board and "awaiting decision" in board
    assert stored(app, attempt_id)["status"] == "submitted"
    assert outbox(app) == []


def test_the_question_page_after_the_deadline_redirects_with_time_up(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    clock.advance(hours=1, seconds=GRACE + 1)
    response = client.get(f"/attempts/{attempt_id}/q/1", follow_redirects=True)
    assert response.request.path == "/dashboard"
    assert ("Time is up: your attempt was submitted at the deadline with every answer saved before it."
            in flashes(response))
    assert stored(app, attempt_id)["status"] == "decided"


def test_the_page_submits_itself_at_the_deadline_without_the_confirmation(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    early = post(client, f"/attempts/{attempt_id}/submit", {"reason": "deadline"})
    assert early.status_code == 422  # not yet the deadline: the confirmation is needed
    assert stored(app, attempt_id)["status"] == "in_progress"

    save(client, attempt_id, 1, {"choice": "a"}, 1)
    deadline = stored(app, attempt_id)["deadline_at"]
    clock.set(deadline + timedelta(seconds=1))
    response = post(client, f"/attempts/{attempt_id}/submit", {"reason": "deadline"})
    assert response.status_code == 302 and location(response) == "/dashboard"
    state = stored(app, attempt_id)
    assert state["status"] == "decided" and state["submit_reason"] == "deadline"
    assert state["submitted_at"] == deadline
    assert state["items"][1][0] == "a"
    assert flashes(client.get("/dashboard"))[0].startswith(
        "Time ran out: your attempt was submitted automatically with every answer saved before the deadline.")


def test_the_state_endpoint_reports_the_servers_time_and_finalises(
        app: Flask, alpha: tuple[FlaskClient, int], clock: FrozenClock) -> None:
    client, attempt_id = alpha
    clock.advance(minutes=59, seconds=30)
    assert client.get(f"/attempts/{attempt_id}/state").get_json() == {"status": "in_progress", "seconds_left": 30}
    clock.advance(seconds=30 + GRACE + 1)
    assert client.get(f"/attempts/{attempt_id}/state").get_json() == {"status": "decided", "seconds_left": 0}


# --- markdown is rendered and sanitised ----------------------------------------------------------

HOSTILE_PROMPT = ("Read <script>alert('prompt')</script> this, [click me](javascript:alert(1)), "
                  "[a picture](data:image/png;base64,AAAA), [the docs](https://example.org/docs) and "
                  "<img src=x onerror=alert(2)>.\n\n"
                  "```python\nif a < b:\n    print('ok')\n```\n")


def _hostile_alpha(folder: Path) -> None:
    data = yaml.safe_load((folder / "alpha.yaml").read_text())
    for question in data["questions"]:
        question["prompt"] = HOSTILE_PROMPT
        question["options"][1]["text"] = "<script>alert('option')</script> **wrong**"
    (folder / "alpha.yaml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_question_markdown_is_rendered_and_sanitised(make_app: AppFactory) -> None:
    app = make_app(edit_bank=_hostile_alpha)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    body = page(client.get(f"/attempts/{attempt_id}/q/1"))

    prompt = re.search(r'<div class="prompt">(.*?)</div>', body, re.S).group(1)
    assert "<script" not in prompt and "<img" not in prompt
    assert "&lt;script&gt;alert('prompt')&lt;/script&gt;" in prompt  # shown as text
    assert "[click me](javascript:alert(1))" in prompt  # not a link
    assert "javascript:" not in "".join(re.findall(r"<a [^>]*>", prompt))
    assert "data:" not in "".join(re.findall(r"<a [^>]*>", prompt))  # nh3 drops schemes other than http(s)/mailto
    assert re.findall(r'<a [^>]*href="([^"]*)"', prompt) == ["https://example.org/docs"]
    assert '<a href="https://example.org/docs" rel="noopener noreferrer nofollow">the docs</a>' in prompt
    assert '<pre><code class="language-python">if a &lt; b:\n    print(' in prompt

    assert "<script>alert" not in body
    assert "<strong>wrong</strong>" in body  # option text is markdown too, sanitised the same way
    assert body.count("<script") == 2 and '<script src="/static/attempt.js" defer></script>' in body
    assert '<script src="/static/countdown.js" defer></script>' in body  # the page's own two files, nothing else
