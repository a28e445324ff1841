"""The candidate's flow in a real browser: sign up, apply, take a starter, review once; the page's
own submit at the deadline; keyboard-only answering; a failed autosave that is retried."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quiz.assessment.forms import display_order
from tests.e2e.conftest import IN_CI

try:
    from playwright.sync_api import Page, expect
except ImportError as exc:  # the package is a dev dependency: missing only on a half-installed machine
    if IN_CI:
        raise
    pytest.skip(f"browser tests skipped: the playwright package is not installed ({exc})", allow_module_level=True)

from tests.e2e.conftest import ALPHA_QUESTIONS, ALPHA_TITLE, BETA_QUESTIONS, BETA_TITLE, PASSWORD, LiveServer

SAVED = re.compile(r"^Saved \d{2}:\d{2}:\d{2} UTC$")
ATTEMPT_URL = re.compile(r"/attempts/(\d+)/q/(\d+)$")
DASHBOARD_URL = re.compile(r"/dashboard$")
KEY_BY_PROMPT = {q["prompt"]: q["key"] for q in ALPHA_QUESTIONS + BETA_QUESTIONS}


# --- helpers ------------------------------------------------------------------------------------

def _is_save(response: Any) -> bool:
    return response.request.method == "POST" and "/answers/" in response.url


def _is_ok_save(response: Any) -> bool:
    return _is_save(response) and response.ok


def saved(page: Page, action: Callable[[], None]) -> None:
    """Do one change and wait until the page's JSON autosave has stored it ("Saved hh:mm:ss UTC")."""
    with page.expect_response(_is_ok_save):
        action()
    expect(page.locator("#save-status")).to_have_text(SAVED)
    expect(page.locator("#save-warning")).to_be_hidden()


def question_key(page: Page) -> str:
    prompt = page.locator(".prompt").inner_text().strip()
    return KEY_BY_PROMPT[prompt]


def answer(page: Page, key: str) -> None:
    """Give the right answer to one question of the test bank, through clicks and typing."""
    if key == "e2e-single":
        saved(page, lambda: page.get_by_label("Mercury").check())
    elif key == "e2e-multiple":
        saved(page, lambda: page.get_by_label("Seven").check())
        saved(page, lambda: page.get_by_label("Eleven").check())
    elif key in ("e2e-truefalse", "e2e-sum"):
        saved(page, lambda: page.get_by_label("True", exact=True).check())
    elif key == "e2e-numeric":
        saved(page, lambda: page.get_by_label("Your answer (in km/h)").fill("100"))
    elif key == "e2e-short":
        saved(page, lambda: page.get_by_label("Your answer").fill("level"))
    elif key == "e2e-ordering":
        # Each position is saved as it is given; the order is complete with the last one.
        for label, rank in (("Breakfast", "1"), ("Lunch", "2")):
            with page.expect_response(_is_ok_save):
                page.get_by_label(label, exact=True).select_option(rank)
        saved(page, lambda: page.get_by_label("Dinner", exact=True).select_option("3"))
    elif key == "e2e-sky":
        saved(page, lambda: page.get_by_label("Blue").check())
    else:  # pragma: no cover - the bank has no other question
        raise AssertionError(key)


def expect_answered(page: Page, key: str) -> None:
    """The page shows the answer `answer` gave (after a reload or a visit)."""
    if key == "e2e-single":
        expect(page.get_by_label("Mercury")).to_be_checked()
        expect(page.get_by_label("Venus")).not_to_be_checked()
    elif key == "e2e-multiple":
        expect(page.get_by_label("Seven")).to_be_checked()
        expect(page.get_by_label("Eleven")).to_be_checked()
        expect(page.get_by_label("Nine")).not_to_be_checked()
        expect(page.get_by_label("Fifteen")).not_to_be_checked()
    elif key == "e2e-truefalse":
        expect(page.get_by_label("True", exact=True)).not_to_be_checked()  # left unanswered on purpose
        expect(page.get_by_label("False", exact=True)).not_to_be_checked()
    elif key == "e2e-numeric":
        expect(page.get_by_label("Your answer (in km/h)")).to_have_value("100")
    elif key == "e2e-short":
        expect(page.get_by_label("Your answer")).to_have_value("level")
    elif key == "e2e-ordering":
        for label, rank in (("Breakfast", "1"), ("Lunch", "2"), ("Dinner", "3")):
            expect(page.get_by_label(label, exact=True)).to_have_value(rank)
    else:  # pragma: no cover
        raise AssertionError(key)


def nav_link(page: Page, position: int) -> Any:
    """The navigation panel's button for a question; its name carries the state ("2, answered, flagged")."""
    return page.get_by_role("navigation", name="Questions").get_by_role(
        "button", name=re.compile(rf"^{position}\s*,"))


def confirmation_link(live_server: LiveServer, address: str) -> str:
    """The link of the newest confirmation mail to `address`, read from the server's outbox table (the
    mail a job worker would send; this live server runs none)."""
    from sqlalchemy import select

    from quiz.models import OutboxMail

    with live_server.db() as session:
        body = session.scalar(select(OutboxMail.body_text).where(
            OutboxMail.to_address == address, OutboxMail.subject == "Confirm your email address")
            .order_by(OutboxMail.id.desc()).limit(1))
    if body is None:
        raise AssertionError(f"no confirmation mail to {address}")
    found = re.search(r"http://\S+/account/verify/\S+", body)
    assert found
    return found.group(0)


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(DASHBOARD_URL)


def start(page: Page, title: str) -> int:
    """From the dashboard: choose the assessment, confirm the once-only rule, Start. Returns the attempt id."""
    page.goto("/dashboard")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("I understand I can take this assessment only once").check()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page).to_have_url(ATTEMPT_URL)
    match = ATTEMPT_URL.search(page.url)
    assert match is not None and match.group(2) == "1"
    return int(match.group(1))


def dashboard_row(page: Page, title: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=title))


# --- 1. the whole flow ----------------------------------------------------------------------------

def test_new_candidate_signs_up_applies_takes_a_starter_and_reviews_once(page: Page, live_server: LiveServer) -> None:
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("  New.Candidate@Example.COM ")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    link = confirmation_link(live_server, "new.candidate@example.com")
    log_in(page, "new.candidate@example.com")  # before confirming: the application can be filled in
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    page.get_by_role("link", name="complete your application").click()
    expect(page).to_have_url(re.compile(r"/application$"))
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Country of residence").fill("United Kingdom")
    page.get_by_label("Time zone").select_option("Europe/London")
    page.get_by_label("Highest education").select_option("Master's degree")
    page.get_by_label("Fields of expertise").fill("mathematics, analytical engines")
    page.get_by_label("Language 1", exact=True).fill("English")
    page.get_by_label("Proficiency in language 1", exact=True).select_option("native")
    page.get_by_label("Hours available per week").fill("20")
    page.get_by_role("button", name="Save application").click()

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("status").filter(has_text="Your application is saved.")).to_be_visible()
    expect(page.get_by_text("Choose your starter assessment")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text("new.candidate@example.com")  # normalised
    page.goto(link)
    expect(page.get_by_role("status").filter(has_text="Your email address is confirmed.")).to_be_visible()
    expect(page.get_by_role("heading", name="Confirm your email address")).to_have_count(0)

    attempt_id = start(page, ALPHA_TITLE)
    total = len(ALPHA_QUESTIONS)
    keys: dict[int, str] = {}
    flagged_position = 2
    for position in range(1, total + 1):
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Question {position} of {total}")
        expect(page.locator("#countdown")).to_have_text(re.compile(r"^0:(09|10):\d\d$"))
        key = keys[position] = question_key(page)
        if key != "e2e-truefalse":  # one question stays unanswered, for the review page
            answer(page, key)
            expect(page.locator(f'.question-nav li[data-position="{position}"]')).to_have_class(
                re.compile(r"\banswered\b"))
        if position == flagged_position:
            with page.expect_response(lambda r: "/flags/" in r.url and r.ok):
                page.get_by_label("Flag this question").check()
            flagged_item = page.locator(f'.question-nav li[data-position="{position}"]')
            expect(flagged_item).to_have_class(re.compile(r"\bflagged\b"))
            expect(nav_link(page, position)).to_have_accessible_name(re.compile(r"\bflagged\b"))
        if position == 3:
            # Mid-way: a reload shows every answer exactly as saved.
            page.reload()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 3 of {total}")
            expect_answered(page, key)
            expect(page.locator("#save-status")).to_have_text(SAVED if key != "e2e-truefalse" else "Not answered yet")
            for earlier in (1, 2):
                expected_state = "(not answered|flagged)" if keys[earlier] == "e2e-truefalse" else "answered"
                expect(nav_link(page, earlier)).to_have_accessible_name(
                    re.compile(rf"^{earlier}\s*, {expected_state}\b"))
            nav_link(page, 1).click()
            expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 1 of {total}")
            expect_answered(page, keys[1])
            nav_link(page, 2).click()
            expect_answered(page, keys[2])
            expect(page.get_by_label("Flag this question")).to_be_checked()
            nav_link(page, 3).click()
            expect_answered(page, key)
        if position < total:
            page.get_by_role("button", name="Save and next").click()
        else:
            page.get_by_role("button", name="Review and submit").click()

    unanswered = next(p for p, k in keys.items() if k == "e2e-truefalse")
    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/review$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before you submit")
    expect(page.locator("#summary")).to_have_text(f"{total - 1} of {total} answered, 1 unanswered, 1 flagged.")
    expect(dashboard_row(page, f"Question {unanswered}")).to_contain_text("unanswered")
    expect(dashboard_row(page, f"Question {flagged_position}")).to_contain_text("flagged")
    for position in set(range(1, total + 1)) - {unanswered, flagged_position}:
        expect(dashboard_row(page, f"Question {position}").get_by_role("cell")).to_have_text("answered")
    # Submitting without the confirmation is refused with the reason next to the box.
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_text("Tick the box to confirm that you want to submit.")).to_be_visible()
    page.get_by_label("I have reviewed my answers and want to submit now").check()
    page.get_by_role("button", name="Submit my answers").click()

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("status").filter(has_text="Your attempt is submitted.")).to_contain_text(
        "Your result is on your dashboard.")
    tier = page.get_by_role("region", name="Your tier")
    expect(tier).to_contain_text("Basic")
    expect(tier).to_contain_text("$20.00/h")
    row = dashboard_row(page, ALPHA_TITLE)
    expect(row).to_contain_text("decided")
    expect(row).to_contain_text(re.compile(r"Passed · score 83\.33% · Basic tier"))
    attempt = live_server.attempt(attempt_id)
    assert (attempt.status, attempt.decision, attempt.submit_reason) == ("decided", "pass", "candidate")
    assert (attempt.score_points, attempt.score_possible) == (total - 1, total)

    # A second tab keeps the confirmation page with its "Open my review now" form, to send it again later.
    other = page.context.new_page()
    other.goto("/dashboard")
    other.get_by_role("link", name="Review your results").click()

    page.get_by_role("link", name="Review your results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Open your results review?")
    expect(page.locator("main")).to_contain_text("You can review your results once")
    page.get_by_role("button", name="Open my review now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Your results: {ALPHA_TITLE}")
    expect(page.locator("main")).to_contain_text("Decision: Passed")
    expect(page.locator("main")).to_contain_text(re.compile(r"Score: 83(\.3+)?%"))
    expect(page.locator("main")).to_contain_text("Tier: Basic")
    results_url = page.url
    page.get_by_label("I have finished: close my review for good.").check()
    page.get_by_role("button", name="Finish review").click()

    expect(page).to_have_url(DASHBOARD_URL)
    expect(page.get_by_role("status").filter(has_text="Your review is finished.")).to_be_visible()
    expect(dashboard_row(page, ALPHA_TITLE)).to_contain_text("review used")
    expect(page.get_by_role("link", name="Review your results")).to_have_count(0)
    expect(tier).to_contain_text("Basic")  # decision, tier and rate stay

    response = page.goto(results_url)
    assert response is not None and response.status == 409
    expect(page.get_by_role("heading", level=1)).to_have_text("Review not available")
    expect(page.locator("main")).to_contain_text("You have already used your one review of these results.")

    other.get_by_role("button", name="Open my review now").click()
    expect(other).to_have_url(DASHBOARD_URL)
    expect(other.get_by_role("alert")).to_have_text("You have already used your one review of these results.")
    expect(dashboard_row(other, ALPHA_TITLE)).to_contain_text("review used")


# --- 2. keyboard only ---------------------------------------------------------------------------

def _tab_until(page: Page, condition: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({condition}); }}"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def test_an_answer_and_next_work_by_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("keyboard@example.com")
    log_in(page, "keyboard@example.com")
    attempt_id = start(page, ALPHA_TITLE)
    total = len(ALPHA_QUESTIONS)
    positions = live_server.positions_by_type(attempt_id)
    # A question answered with radio buttons that is not the last one (so it has a Next button).
    position = positions["single_choice"] if positions["single_choice"] < total else positions["true_false"]
    page.goto(f"/attempts/{attempt_id}/q/{position}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question {position} of {total}")

    _tab_until(page, "el.matches('input[type=radio][name=choice]')")
    assert page.evaluate("() => document.activeElement.matches(':focus-visible')"), "focus must be visible"
    with page.expect_response(_is_ok_save):
        page.keyboard.press("Space")
    chosen = page.evaluate("() => document.activeElement.checked ? document.activeElement.value : null")
    assert chosen is not None
    expect(page.locator("#save-status")).to_have_text(SAVED)

    page.keyboard.press("Tab")  # out of the radio group, onto the flag
    assert page.evaluate("() => document.activeElement.id") == "flagged"
    with page.expect_response(lambda r: "/flags/" in r.url and r.ok):
        page.keyboard.press("Space")
    expect(page.get_by_label("Flag this question")).to_be_checked()

    _tab_until(page, "el.tagName === 'BUTTON' && el.value === 'next'")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Save and next"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/attempts/{attempt_id}/q/{position + 1}$"))
    expect(nav_link(page, position)).to_have_accessible_name(re.compile(rf"^{position}\s*, answered, flagged\b"))
    item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
    if item.question_version.type == "true_false":
        expected = {"true": True, "false": False}[chosen]
    else:  # the page sends the option's display position, never its bank id
        expected = display_order(item.question_version.definition, item.option_order)[int(chosen) - 1]
    assert item.answer == expected and item.flagged


# --- 3. the deadline ----------------------------------------------------------------------------

def test_a_one_minute_attempt_submits_itself_at_the_deadline(page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("deadline@example.com")
    log_in(page, "deadline@example.com")
    attempt_id = start(page, BETA_TITLE)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^0:0[01]:\d\d$"))
    answer(page, question_key(page))
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Question 2 of 2")
    answer(page, question_key(page))

    # No submit click: the countdown reaches 0 and the page submits by itself.
    page.wait_for_url(DASHBOARD_URL, timeout=80_000)
    expect(page.get_by_role("status").filter(has_text="submitted")).to_be_visible()
    row = dashboard_row(page, BETA_TITLE)
    expect(row).to_contain_text("Passed · score 100.00% · Quick tier")
    attempt = live_server.attempt(attempt_id)
    assert attempt.status == "decided" and attempt.submit_reason == "deadline"
    assert attempt.submitted_at == attempt.deadline_at
    assert (attempt.score_points, attempt.score_possible) == (2, 2), "both answers given before the deadline count"
    assert {i.position: i.answer is not None for i in attempt.items} == {1: True, 2: True}


# --- 4. a failed save -----------------------------------------------------------------------------

def test_a_failed_save_shows_a_warning_and_is_retried(page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("flaky@example.com")
    log_in(page, "flaky@example.com")
    attempt_id = start(page, ALPHA_TITLE)
    position = live_server.positions_by_type(attempt_id)["single_choice"]
    page.goto(f"/attempts/{attempt_id}/q/{position}")

    calls: list[str] = []

    def fail_once(route: Any) -> None:
        calls.append(route.request.method)
        if len(calls) == 1:
            route.abort("connectionfailed")
        else:
            route.continue_()

    page.route(re.compile(r"/attempts/\d+/answers/\d+$"), fail_once)
    page.get_by_label("Mercury").check()
    warning = page.locator("#save-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("NOT saved")
    expect(page.get_by_role("alert")).to_contain_text("NOT saved")
    started = time.monotonic()
    expect(page.locator("#save-status")).to_have_text(SAVED)  # the retry
    expect(warning).to_be_hidden()
    assert len(calls) == 2 and time.monotonic() - started < 10
    item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
    assert item.answer == "b"
    page.reload()
    expect(page.get_by_label("Mercury")).to_be_checked()


# --- 5. leaving mid-typing ------------------------------------------------------------------------

def test_typing_then_leaving_at_once_still_saves_the_text(page: Page, live_server: LiveServer) -> None:
    """The autosave of typed text waits for a pause; leaving before it (an address typed, the tab
    closed) still sends the text on the way out."""
    live_server.make_candidate("hasty@example.com")
    log_in(page, "hasty@example.com")
    attempt_id = start(page, ALPHA_TITLE)
    position = live_server.positions_by_type(attempt_id)["short_text"]
    page.goto(f"/attempts/{attempt_id}/q/{position}")
    page.locator("#value").press_sequentially("typed just before leaving")
    page.goto("/dashboard")  # at once: no pause for the debounced save
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
        if item.answer == "typed just before leaving":
            break
        time.sleep(0.2)
    assert item.answer == "typed just before leaving"
