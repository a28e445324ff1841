"""The forbidden cases: another candidate's attempt, starting twice, answering a submitted attempt,
reviewing twice."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.support import (
    answer_form,
    attempt_count,
    candidate,
    flashes,
    location,
    page,
    post,
    post_json,
    save,
    start,
    stored,
    submit,
    take_alpha,
    text,
)

# --- another candidate's attempt: 404 everywhere, never a hint that it exists --------------------


def _every_attempt_url(client: FlaskClient, attempt_id: int, token: str = "some-token") -> dict[str, int]:
    base = f"/attempts/{attempt_id}"
    answer = {"fields": {"choice": "b"}, "seq": 99}
    return {
        "question": client.get(f"{base}/q/1").status_code,
        "question post": post(client, f"{base}/q/1", {"choice": "b", "flagged": "on"}).status_code,
        "save": post_json(client, f"{base}/answers/1", answer).status_code,
        "flag": post_json(client, f"{base}/flags/1", {"flagged": True}).status_code,
        "signal": post_json(client, f"{base}/signals", {"kind": "paste", "length": 500}).status_code,
        "state": client.get(f"{base}/state").status_code,
        "review": client.get(f"{base}/review").status_code,
        "submit": post(client, f"{base}/submit", {"confirm": "y"}).status_code,
        "submit at deadline": post(client, f"{base}/submit", {"reason": "deadline"}).status_code,
        "results open": post(client, f"{base}/results/open").status_code,
        "results": client.get(f"{base}/results/{token}").status_code,
        "results finish": post(client, f"{base}/results/{token}/finish").status_code,
    }


def test_another_candidates_attempt_in_progress_is_404_on_every_url(app: Flask) -> None:
    owner = candidate(app, "owner@example.com")
    attempt_id = start(owner, "alpha-starter")
    save(owner, attempt_id, 1, {"choice": "a"}, 1)
    before = stored(app, attempt_id)

    other = candidate(app, "other@example.com")
    codes = _every_attempt_url(other, attempt_id)
    assert codes == dict.fromkeys(codes, 404)
    assert "There is nothing at this address." in text(other.get(f"/attempts/{attempt_id}/q/1"))
    assert stored(app, attempt_id) == before
    assert owner.get(f"/attempts/{attempt_id}/q/1").status_code == 200


def test_another_candidates_decided_attempt_and_its_review_are_404(app: Flask) -> None:
    owner = candidate(app, "owner@example.com")
    attempt_id = take_alpha(owner, app)
    results_url = location(post(owner, f"/attempts/{attempt_id}/results/open"))
    token = results_url.rsplit("/", 1)[1]

    other = candidate(app, "other@example.com")
    codes = _every_attempt_url(other, attempt_id, token)  # even with the owner's token
    assert codes == dict.fromkeys(codes, 404)
    assert owner.get(results_url).status_code == 200  # the owner's review is untouched


def test_an_attempt_that_does_not_exist_is_404(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    codes = _every_attempt_url(client, 4242)
    assert codes == dict.fromkeys(codes, 404)


# --- starting twice ------------------------------------------------------------------------------


def test_starting_the_same_assessment_twice_resumes_the_first_attempt(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = post(client, "/assessments/alpha-starter", {"understood": "y"})
    assert response.status_code == 302 and location(response) == f"/attempts/{attempt_id}/q/1"
    followed = client.get(location(response))
    assert ("This assessment was already started (in another tab or window): you are back in that attempt."
            in flashes(followed))
    assert attempt_count(app) == 1


def test_a_second_starter_of_another_track_is_refused(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    start(client, "alpha-starter")
    response = post(client, "/assessments/beta-starter", {"understood": "y"}, follow_redirects=True)
    assert response.request.path == "/dashboard"
    assert ("You have already taken a starter assessment (Alpha starter); a starter assessment can be taken "
            "only once.") in flashes(response)
    assert attempt_count(app) == 1

    instructions = client.get("/assessments/beta-starter")
    assert "You have already taken a starter assessment (Alpha starter)" in text(instructions)
    assert "Start the assessment" not in text(instructions)


def test_a_finished_starter_cannot_be_started_again(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app)
    instructions = client.get("/assessments/alpha-starter")
    assert "You have already taken this assessment; each assessment can be taken once." in text(instructions)
    assert 'name="understood"' not in page(instructions)
    response = post(client, "/assessments/alpha-starter", {"understood": "y"}, follow_redirects=True)
    assert response.request.path == "/dashboard"
    assert "You have already taken this assessment; each assessment can be taken once." in flashes(response)
    assert attempt_count(app) == 1


def test_a_specialist_needs_a_passed_starter_of_another_track(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    response = post(client, "/assessments/beta-specialist", {"understood": "y"}, follow_redirects=True)
    assert "Specialist assessments open once you pass a starter assessment." in flashes(response)

    take_alpha(client, app)
    response = post(client, "/assessments/alpha-specialist", {"understood": "y"}, follow_redirects=True)
    assert "Passing a starter opens the specialist assessments of the other tracks." in flashes(response)
    assert attempt_count(app) == 1

    specialist_id = start(client, "beta-specialist")
    assert stored(app, specialist_id)["status"] == "in_progress"
    response = post(client, "/assessments/beta-specialist", {"understood": "y"})
    assert location(response) == f"/attempts/{specialist_id}/q/1"
    assert attempt_count(app) == 2


# --- answering a submitted attempt ---------------------------------------------------------------


@pytest.fixture
def submitted(app: Flask) -> tuple[FlaskClient, int]:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    save(client, attempt_id, 1, {"choice": "a"}, 1)
    response = submit(client, attempt_id)
    assert response.status_code == 302
    return client, attempt_id


def test_a_json_save_to_a_submitted_attempt_is_409_and_changes_nothing(
        app: Flask, submitted: tuple[FlaskClient, int]) -> None:
    client, attempt_id = submitted
    before = stored(app, attempt_id)
    for position, seq in ((1, 2), (2, 1)):
        response = save(client, attempt_id, position, {"choice": "b"}, seq)
        assert response.status_code == 409
        assert response.get_json() == {"error": "This attempt has been submitted; its answers can no longer change.",
                                       "closed": True}
    response = post_json(client, f"/attempts/{attempt_id}/flags/2", {"flagged": True})
    assert response.status_code == 409 and response.get_json()["closed"] is True
    assert stored(app, attempt_id) == before


def test_a_no_js_post_to_a_submitted_attempt_goes_to_the_dashboard(
        app: Flask, submitted: tuple[FlaskClient, int]) -> None:
    client, attempt_id = submitted
    before = stored(app, attempt_id)
    response = answer_form(client, attempt_id, 1, {"choice": "b"}, flagged=True)
    assert response.status_code == 302 and location(response) == "/dashboard"
    assert "This attempt is submitted: its answers can no longer change." in flashes(client.get("/dashboard"))
    assert stored(app, attempt_id) == before


@pytest.mark.parametrize("path", ["/q/1", "/review"])
def test_the_pages_of_a_submitted_attempt_go_to_the_dashboard(
        submitted: tuple[FlaskClient, int], path: str) -> None:
    client, attempt_id = submitted
    response = client.get(f"/attempts/{attempt_id}{path}", follow_redirects=True)
    assert response.request.path == "/dashboard"
    assert "This attempt is submitted: its answers can no longer change." in flashes(response)


def test_submitting_twice_changes_nothing(app: Flask, submitted: tuple[FlaskClient, int]) -> None:
    client, attempt_id = submitted
    before = stored(app, attempt_id)
    response = submit(client, attempt_id, follow_redirects=True)
    assert response.request.path == "/dashboard"
    assert "This attempt is submitted: its answers can no longer change." in flashes(response)
    response = post(client, f"/attempts/{attempt_id}/submit", {"reason": "deadline"}, follow_redirects=True)
    assert "This attempt is submitted: its answers can no longer change." in flashes(response)
    assert stored(app, attempt_id) == before


def test_the_state_of_a_submitted_attempt(submitted: tuple[FlaskClient, int]) -> None:
    client, attempt_id = submitted
    assert client.get(f"/attempts/{attempt_id}/state").get_json() == {"status": "decided", "seconds_left": 3600}


# --- reviewing the results once ------------------------------------------------------------------


def _open(client: FlaskClient, attempt_id: int):  # type: ignore[no-untyped-def]
    return post(client, f"/attempts/{attempt_id}/results/open")


def test_the_review_cannot_be_opened_before_a_decision(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = _open(client, attempt_id)
    assert location(response) == "/dashboard"
    assert "Your results can be reviewed once a decision has been made." in flashes(client.get("/dashboard"))
    assert stored(app, attempt_id)["review_opened_at"] is None


def test_reviewing_twice_is_refused_and_the_results_url_answers_409(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    results_url = location(_open(client, attempt_id))
    assert client.get(results_url).status_code == 200
    post(client, results_url + "/finish", {"done": "on"})

    again = _open(client, attempt_id)
    assert again.status_code == 302 and location(again) == "/dashboard"
    board = client.get("/dashboard")
    assert "You have already used your one review of these results." in flashes(board)
    assert "review used" in text(board) and "Review your results" not in text(board)

    response = client.get(results_url)
    assert response.status_code == 409
    assert "You have already used your one review of these results." in text(response)
    finish_again = post(client, results_url + "/finish", {"done": "on"}, follow_redirects=True)
    assert "You have already used your one review of these results." in flashes(finish_again)


def test_a_second_open_while_the_review_is_open_is_told_it_is_open_elsewhere(app: Flask) -> None:
    first = candidate(app, "ada@example.com")
    attempt_id = take_alpha(first, app)
    results_url = location(_open(first, attempt_id))

    response = _open(first, attempt_id)  # the same browser, a second tab
    assert location(response) == "/dashboard"
    board = first.get("/dashboard")
    assert ("Your review is already open in another tab or device; it can be open in one place only."
            in flashes(board))
    assert "open in another tab or device" in text(board)

    second = app.test_client()  # another device, same candidate
    post(second, "/login", {"email": "ada@example.com", "password": "correct horse battery"})
    response = _open(second, attempt_id)
    assert location(response) == "/dashboard"
    assert ("Your review is already open in another tab or device; it can be open in one place only."
            in flashes(second.get("/dashboard")))
    guessed = second.get(re.sub(r"/results/.+$", "/results/not-the-token", results_url))
    assert guessed.status_code == 409
    assert "Your review is open in another tab or device; it can be open in one place only." in text(guessed)

    assert first.get(results_url).status_code == 200  # the tab that won keeps its review


def test_the_review_closes_for_good_when_its_window_ends(app: Flask, clock) -> None:  # type: ignore[no-untyped-def]
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    results_url = location(_open(client, attempt_id))
    clock.advance(minutes=29, seconds=59)
    assert client.get(results_url).status_code == 200
    clock.advance(seconds=1)
    response = client.get(results_url)
    assert response.status_code == 409
    assert "You have already used your one review of these results." in text(response)
    assert "review used" in text(client.get("/dashboard"))
    assert "$20.00/h" in text(client.get("/dashboard"))
