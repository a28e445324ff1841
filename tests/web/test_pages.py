"""Every page renders for the right user, and the dashboard always says where the candidate is."""

from __future__ import annotations

import re
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from quiz.clock import FrozenClock
from quiz.extensions import session_factory
from quiz.models import User
from tests.web.support import (
    answer_all,
    answer_form,
    apply,
    candidate,
    flashes,
    item_types,
    location,
    page,
    post,
    start,
    stored,
    submit,
    take_alpha,
    text,
)


def _dashboard(client: FlaskClient) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    return text(response)


def test_public_pages_render(client: FlaskClient) -> None:
    index = text(client.get("/"))
    assert "Choose your track" in index
    assert "Alpha" in index and "$20/h" in index and "Beta" in index and "$50/h" in index
    assert "only once" in index

    signup_page = client.get("/signup")
    assert signup_page.status_code == 200
    assert 'name="email"' in page(signup_page) and 'name="confirm"' in page(signup_page)
    # The whole rule, before the first try (issue 10, point 10).
    assert ("At least 10 characters (at most 200), using at least 4 different characters, and not your email "
            "address.") in text(signup_page)

    login_page = client.get("/login")
    assert login_page.status_code == 200
    assert "<h1>Log in</h1>" in page(login_page) and 'name="password"' in page(login_page)


def test_dashboard_before_the_application_asks_for_it(app: Flask) -> None:
    client = candidate(app, "new@example.com", applied=False)
    board = _dashboard(client)
    assert "complete your application" in board
    assert "Choose your starter assessment" not in board

    form = client.get("/application")
    assert form.status_code == 200
    assert "You need a complete application before you take an assessment" in text(form)
    for name in ("full_name", "country", "time_zone", "education", "expertise", "languages-0-language",
                 "languages-0-proficiency", "hours_per_week"):
        assert f'name="{name}"' in page(form), name


def test_starting_before_applying_is_refused(app: Flask) -> None:
    client = candidate(app, "new@example.com", applied=False)
    instructions = client.get("/assessments/alpha-starter")
    assert "Complete your application before you take an assessment." in text(instructions)
    assert "Start the assessment" not in text(instructions)
    response = post(client, "/assessments/alpha-starter", {"understood": "y"}, follow_redirects=True)
    assert "Complete your application before you take an assessment." in flashes(response)


def test_application_errors_are_shown_and_nothing_is_saved(app: Flask) -> None:
    client = candidate(app, "new@example.com", applied=False)
    response = apply(client, full_name="", hours_per_week="500", **{"languages-0-proficiency": ""})
    assert response.status_code == 200
    body = text(response)
    assert "This field is required." in body
    assert "Number must be between 1 and 80." in body
    assert "Choose your proficiency in English." in body
    assert "complete your application" in _dashboard(client)


def test_dashboard_choose_starter_lists_each_starter_with_time_size_tier_and_rate(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    board = _dashboard(client)
    assert "Choose your starter assessment" in board
    assert "Alpha starter" in board and "Beta starter" in board
    assert "Alpha starter</a>\n          · 1 hour · 4 questions\n          · Basic tier, from $20.00/h" in board
    assert "Beta starter</a>\n          · 1 hour · 4 questions\n          · Pro tier, from $50.00/h" in board
    assert "Alpha specialist" not in board  # specialists open only after a passed starter
    assert "Edit your application" in board


def test_application_is_prefilled_and_editable_until_the_first_start(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    form = page(client.get("/application"))
    assert 'value="Ada Candidate"' in form and 'value="statistics, Python"' in form

    response = apply(client, full_name="Ada Lovelace")
    assert response.status_code == 302
    assert 'value="Ada Lovelace"' in page(client.get("/application"))

    start(client, "alpha-starter")
    locked = client.get("/application")
    assert "can no longer change" in text(locked)
    assert "<fieldset disabled>" in page(locked)
    response = apply(client, full_name="Someone Else")
    assert response.status_code == 200
    assert 'value="Someone Else"' not in page(client.get("/application"))
    assert 'value="Ada Lovelace"' in page(client.get("/application"))


def test_instructions_show_the_facts_and_the_once_only_confirmation(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    response = client.get("/assessments/alpha-starter")
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Alpha starter</h1>" in body
    assert "Time limit: <strong>1 hour</strong></li>" in body  # no extra time for this candidate
    assert "4 questions" in body
    assert "<strong>Basic</strong> tier, starting at $20.00/h (pass mark 50%)" in body
    assert "You can take this assessment only once." in body
    assert "I understand I can take this assessment only once." in body
    assert 'name="understood"' in page(response)
    assert client.get("/assessments/no-such-assessment").status_code == 404


def test_start_needs_the_confirmation(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    response = post(client, "/assessments/alpha-starter", {})
    assert response.status_code == 200
    assert "Confirm that you understand you can take it only once." in text(response)
    assert "Choose your starter assessment" in _dashboard(client)


def test_instructions_and_deadline_show_the_extra_time(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "ada@example.com")
    with session_factory(app)() as session:
        session.execute(update(User).where(User.email == "ada@example.com")
                        .values(accommodation_factor=Decimal("1.50")))
        session.commit()
    body = text(client.get("/assessments/alpha-starter"))
    assert "1 hour</strong> × 1.5 extra time = <strong>1 hour 30 minutes</strong> for you" in body

    attempt_id = start(client, "alpha-starter")
    assert (stored(app, attempt_id)["deadline_at"] - clock.now()).total_seconds() == 90 * 60
    assert "<strong>90 min 00 s</strong> left" in _dashboard(client)


def test_dashboard_in_progress_shows_the_server_time_left_and_resume(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    board = _dashboard(client)
    assert "Your <strong>Alpha starter</strong> is in progress: <strong>60 min 00 s</strong> left" in board
    assert f'href="/attempts/{attempt_id}/q/1">Resume the assessment' in board

    clock.advance(minutes=12, seconds=30)
    board = _dashboard(client)
    assert "<strong>47 min 30 s</strong> left" in board
    assert "in progress" in board


def test_question_page_shows_the_question_nav_countdown_and_buttons(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = client.get(f"/attempts/{attempt_id}/q/2")
    assert response.status_code == 200
    body = page(response)
    assert "<h1>Question 2 of 4</h1>" in body
    assert re.search(r"Question a-\d: which is right\?", body)
    assert 'id="countdown" role="timer" aria-live="off">1:00:00</strong>' in body
    assert 'data-seconds-left="3600"' in body
    assert "Not answered yet" in body
    assert body.count('type="radio" name="choice"') == 3
    assert 'name="go" value="previous"' in body and 'name="go" value="next"' in body
    assert 'name="go" value="review"' in body
    assert 'aria-current="page"' in body
    assert f'data-save-url="/attempts/{attempt_id}/answers/2"' in body

    first, last = page(client.get(f"/attempts/{attempt_id}/q/1")), page(client.get(f"/attempts/{attempt_id}/q/4"))
    assert 'value="previous"' not in first
    assert 'value="next"' not in last
    assert client.get(f"/attempts/{attempt_id}/q/5").status_code == 404
    assert client.get(f"/attempts/{attempt_id}/q/0").status_code == 404

    clock.advance(minutes=20)
    assert ">0:40:00</strong>" in page(client.get(f"/attempts/{attempt_id}/q/1"))


def test_no_js_navigation_saves_and_moves(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = answer_form(client, attempt_id, 1, {"choice": "a"})
    assert response.status_code == 302 and location(response) == f"/attempts/{attempt_id}/q/2"
    response = answer_form(client, attempt_id, 2, {"choice": "b"}, go="previous")
    assert location(response) == f"/attempts/{attempt_id}/q/1"
    response = answer_form(client, attempt_id, 4, {}, go="next")  # past the last question: the review
    assert location(response) == f"/attempts/{attempt_id}/review"
    response = answer_form(client, attempt_id, 3, {}, go="review")
    assert location(response) == f"/attempts/{attempt_id}/review"
    items = stored(app, attempt_id)["items"]
    assert items[1][0] == "a" and items[2][0] == "b" and items[3][0] is None


def test_review_page_lists_unanswered_and_flagged(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    answer_form(client, attempt_id, 1, {"choice": "a"})
    answer_form(client, attempt_id, 2, {"choice": "b"}, flagged=True)
    answer_form(client, attempt_id, 3, {}, flagged=True)

    response = client.get(f"/attempts/{attempt_id}/review")
    assert response.status_code == 200
    body = text(response)
    assert "Review before you submit" in body
    assert "2 of 4 answered, <strong>2 unanswered</strong>, <strong>2 flagged</strong>." in body
    rows = dict(re.findall(r'>Question (\d)</a></th>\s*<td>([^<]+)</td>', body))
    assert rows == {"1": "answered", "2": "answered, flagged", "3": "unanswered, flagged", "4": "unanswered"}
    assert f'href="/attempts/{attempt_id}/q/3"' in body
    assert "I have reviewed my answers and want to submit now." in body
    assert re.search(r'Time left: <strong id="countdown" role="timer"[^>]*>1:00:00</strong>', body)
    # The review page counts down and submits at zero like the question pages.
    assert 'data-seconds-left="3600"' in body and 'id="deadline-form"' in body
    assert '<script src="/static/countdown.js" defer></script>' in body


def test_submit_needs_the_confirmation(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = post(client, f"/attempts/{attempt_id}/submit", {})
    assert response.status_code == 422
    assert "Tick the box to confirm that you want to submit." in text(response)
    assert stored(app, attempt_id)["status"] == "in_progress"

    response = submit(client, attempt_id, follow_redirects=True)
    assert "Your attempt is submitted. Your result is on your dashboard." in flashes(response)


def test_dashboard_awaiting_decision_when_essays_wait_for_a_grader(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "beta-starter")
    assert "essay" in item_types(app, attempt_id).values()
    answer_all(client, app, attempt_id)
    response = submit(client, attempt_id, follow_redirects=True)
    assert "Your attempt is submitted. You will be emailed when the decision is made." in flashes(response)
    board = text(response)
    assert "Your answers are submitted." in board and "you will be emailed when the decision is made" in board
    assert "awaiting decision" in board
    assert "Review your results" not in board
    assert "Your tier" not in board
    assert stored(app, attempt_id)["status"] == "submitted"


def test_dashboard_decided_shows_decision_tier_rate_and_the_review(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    board = _dashboard(client)
    assert "Your decision is below." in board
    assert '<p class="tier"><strong>Basic</strong> · starting at <strong>$20.00/h</strong></p>' in board
    assert "<strong>Passed</strong> · score 100.00% · Basic tier" in board  # the score, after the decision
    assert f'href="/attempts/{attempt_id}/results"' in board  # asks first: nothing is claimed by a click
    assert "Review your results" in board and "once only" in board

    confirm = text(client.get(f"/attempts/{attempt_id}/results"))
    assert "Open your results review?" in confirm and "You can review your results <strong>once</strong>" in confirm
    assert "for 30 minutes, whichever comes first" in confirm and "It cannot be opened again afterwards" in confirm
    assert f'action="/attempts/{attempt_id}/results/open"' in confirm
    assert stored(app, attempt_id)["review_opened_at"] is None  # looking at the question opens nothing


def test_dashboard_after_a_fail_shows_no_tier(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app, right=False)
    board = _dashboard(client)
    assert "Not passed" in board
    assert "Your tier" not in board
    assert "Specialist assessments open to you" not in board
    assert "Review your results" in board


def test_results_page_shows_score_decision_tier_and_topics_but_no_keys(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    opened = post(client, f"/attempts/{attempt_id}/results/open")
    assert opened.status_code == 302
    assert re.fullmatch(rf"/attempts/{attempt_id}/results/[A-Za-z0-9_-]+", location(opened))

    response = client.get(location(opened))
    assert response.status_code == 200
    body = text(response)
    assert "Your results: Alpha starter" in body
    assert "You can review your results once." in body and "until 09:30 UTC" in body
    assert "Decision: <strong>Passed</strong>" in body
    assert "Score: <strong>100.00%</strong> (4.00 of 4.00 points; pass mark 50.00%)" in body
    assert "Tier: <strong>Basic</strong>, starting at $20.00/h" in body
    assert "By topic" in body and '<th scope="row">A</th><td>4.00 / 4.00</td>' in body
    assert "Key:" not in body and "a is right." not in body and "Your answer:" not in body
    assert "Finish review" in body


def test_results_closed_page_after_finishing(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    results_url = location(post(client, f"/attempts/{attempt_id}/results/open"))
    unconfirmed = post(client, results_url + "/finish", follow_redirects=True)
    assert "the review cannot be reopened" in " ".join(flashes(unconfirmed))  # still open, nothing closed
    finished = post(client, results_url + "/finish", {"done": "on"}, follow_redirects=True)
    assert "Your review is finished. Your decision, tier and rate stay on your dashboard." in flashes(finished)
    assert "review used" in text(finished)
    assert "$20.00/h" in text(finished)

    response = client.get(results_url)
    assert response.status_code == 409
    body = text(response)
    assert "Review not available" in body
    assert "You have already used your one review of these results." in body
    assert "Your decision, tier and rate stay on your" in body
