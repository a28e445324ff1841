"""The candidate's experience in a real browser (issue 10): honest integrity signals, ordering
that keeps partial work, option letters with distinct accessible names, and the timing messages."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import IN_CI

try:
    from playwright.sync_api import Page, expect
except ImportError as exc:  # the package is a dev dependency: missing only on a half-installed machine
    if IN_CI:
        raise
    pytest.skip(f"browser tests skipped: the playwright package is not installed ({exc})", allow_module_level=True)

from tests.e2e.conftest import ALPHA_QUESTIONS, ALPHA_TITLE, BETA_TITLE, GAMMA_TITLE, LiveServer
from tests.e2e.test_candidate_browser import ATTEMPT_URL, answer, log_in, nav_link, question_key, saved, start


def _signals(live_server: LiveServer, attempt_id: int) -> list[str]:
    return [s.kind for s in live_server.attempt_signals(attempt_id)]


#: Counts, in sessionStorage (kept across the attempt's pages), every signal a page asks to send.
#: A signal sent while a page unloads reaches the server only sometimes (a race with the
#: unload), so counting arrivals alone would let the bug pass by luck.
_COUNT_SIGNALS = """(() => {
    const send = window.fetch;
    window.fetch = function (url, options) {
        if (String(url).endsWith("/signals")) {
            const sent = JSON.parse(sessionStorage.getItem("signals-sent") || "[]");
            sent.push(options && options.body);
            sessionStorage.setItem("signals-sent", JSON.stringify(sent));
        }
        return send.apply(this, arguments);
    };
})();"""


def _signals_sent(page: Page) -> list[str]:
    return page.evaluate("() => JSON.parse(sessionStorage.getItem('signals-sent') || '[]')")


def _hide_and_show(page: Page) -> None:
    """Another tab comes to the front, then ours again. Headless Chromium keeps every tab visible
    (bring_to_front changes nothing), so the page's visibility is emulated as the browser reports it."""
    for state in ("hidden", "visible"):
        page.evaluate("""state => {
            Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
            Object.defineProperty(document, "hidden", {value: state === "hidden", configurable: true});
            document.dispatchEvent(new Event("visibilitychange"));
        }""", state)
        page.wait_for_timeout(1200 if state == "hidden" else 100)


def _settle(page: Page) -> None:
    """Give a late signal (the page waits a moment before it reports a hidden tab) time to arrive."""
    page.wait_for_timeout(1500)


def _gamma_question(page: Page, live_server: LiveServer, email: str, type_name: str) -> tuple[int, int]:
    """A new candidate starts the gamma starter and opens its question of this type: (attempt, position)."""
    live_server.make_candidate(email)
    log_in(page, email)
    attempt_id = start(page, GAMMA_TITLE)
    position = live_server.positions_by_type(attempt_id)[type_name]
    page.goto(f"/attempts/{attempt_id}/q/{position}")
    return attempt_id, position


# --- 1. integrity signals -------------------------------------------------------------------------

def test_moving_between_questions_records_no_tab_signal(page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("walker@example.com")
    log_in(page, "walker@example.com")
    page.context.add_init_script(_COUNT_SIGNALS)
    attempt_id = start(page, ALPHA_TITLE)
    total = len(ALPHA_QUESTIONS)
    for position in range(1, total + 1):
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Question {position} of {total}")
        answer(page, question_key(page))
        if position < total:
            page.get_by_role("button", name="Save and next").click()
    nav_link(page, 1).click()  # the question grid
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 1 of {total}")
    nav_link(page, 3).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 3 of {total}")
    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Question 2 of {total}")
    page.get_by_role("button", name="Review and submit").click()
    page.get_by_role("link", name="Question 4").click()
    expect(page).to_have_url(ATTEMPT_URL)
    page.reload()
    page.goto("/dashboard")  # leaving by typing an address is navigation too, not a hidden tab
    _settle(page)
    assert _signals_sent(page) == []
    assert _signals(live_server, attempt_id) == []


def test_switching_to_another_tab_records_one_signal(page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("switcher@example.com")
    log_in(page, "switcher@example.com")
    attempt_id = start(page, ALPHA_TITLE)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Question 1 of"))
    page.context.add_init_script(_COUNT_SIGNALS)
    page.reload()
    with page.expect_response(lambda r: r.url.endswith("/signals") and r.ok):
        _hide_and_show(page)
    # back to the attempt, then on to the next question: still one signal
    page.get_by_role("button", name="Save and next").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Question 2 of"))
    _settle(page)
    signals = live_server.attempt_signals(attempt_id)
    assert [s.kind for s in signals] == ["tab_hidden"]
    assert signals[0].position == 1
    assert len(_signals_sent(page)) == 1


# --- 5. list-like options -------------------------------------------------------------------------

def _axe(page: Page) -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe().run(page)


def test_list_like_options_have_letters_and_distinct_accessible_names(page: Page, live_server: LiveServer) -> None:
    _gamma_question(page, live_server, "lists@example.com", "single_choice")
    radios = page.get_by_role("radio")
    expect(radios).to_have_count(3)
    names = [radios.nth(n).evaluate("el => el.labels[0].innerText") for n in range(3)]
    assert [name.split()[0] for name in names] == ["A", "B", "C"], names  # letters in display order
    bulleted = page.get_by_role("radio", name=re.compile(r"^[ABC]\. Bulleted list: apples; pears$"))
    numbered = page.get_by_role("radio", name=re.compile(r"^[ABC]\. Numbered list: 1\. apples; 2\. pears$"))
    expect(bulleted).to_have_count(1)
    expect(numbered).to_have_count(1)
    saved(page, lambda: numbered.check())
    results = _axe(page)
    assert results.violations_count == 0, results.generate_report()


# --- 3. ordering ----------------------------------------------------------------------------------

def test_a_partial_order_is_kept_the_shared_position_named_and_the_rows_regular_at_390_px(
        page: Page, live_server: LiveServer) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    attempt_id, position = _gamma_question(page, live_server, "orderer@example.com", "ordering")
    notice = page.locator("#answer-notice")
    expect(notice).to_be_hidden()

    saved(page, lambda: page.get_by_label("Sunrise", exact=True).select_option("1"))
    expect(notice).to_contain_text("have no position yet")
    saved(page, lambda: page.get_by_label("Sunset", exact=True).select_option("1"))
    expect(notice).to_contain_text("position 1 is given to “Sunrise” and “Sunset”")
    item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
    assert item.answer == {"sunrise": 1, "sunset": 1}  # kept, not refused

    page.reload()
    expect(page.get_by_label("Sunrise", exact=True)).to_have_value("1")
    expect(page.get_by_label("Sunset", exact=True)).to_have_value("1")
    expect(notice).to_contain_text("position 1 is given to “Sunrise” and “Sunset”")

    # A regular layout on a phone: one row per item, the positions in one column, nothing wider than the screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    rows = page.locator(".ordering-item")
    expect(rows).to_have_count(4)
    selects = [rows.nth(n).locator("select").bounding_box() for n in range(4)]
    labels = [rows.nth(n).locator("label").bounding_box() for n in range(4)]
    assert len({round(box["x"]) for box in selects}) == 1 and len({round(box["width"]) for box in selects}) == 1
    assert len({round(box["x"]) for box in labels}) == 1
    for select, label in zip(selects, labels):
        assert select["x"] + select["width"] <= label["x"]  # the text beside its position, not under it
        assert label["x"] + label["width"] <= 390

    for name, rank in (("Sunset", "3"), ("Noon, when the sun is at its highest", "2"), ("Midnight", "4")):
        saved(page, lambda name=name, rank=rank: page.get_by_label(name, exact=True).select_option(rank))
    expect(notice).to_be_hidden()
    item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
    assert item.answer == ["sunrise", "noon", "sunset", "midnight"]


# --- 6. timing messages and decimal commas ----------------------------------------------------------

def _set_factor(live_server: LiveServer, email: str, factor: str) -> None:
    from decimal import Decimal

    from sqlalchemy import update

    from quiz.models import User

    with live_server.db() as session:
        session.execute(update(User).where(User.email == email).values(accommodation_factor=Decimal(factor)))
        session.commit()


def _move_deadline(live_server: LiveServer, attempt_id: int, seconds_from_now: float) -> None:
    """The attempt's deadline, a few seconds away: what the last seconds of a real attempt look like."""
    from datetime import datetime, timedelta, timezone

    from sqlalchemy import update

    from quiz.models import Attempt

    with live_server.db() as session:
        session.execute(update(Attempt).where(Attempt.id == attempt_id).values(
            deadline_at=datetime.now(timezone.utc) + timedelta(seconds=seconds_from_now)))
        session.commit()


def test_extra_time_is_told_in_real_minutes_and_seconds(page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("extra@example.com")
    _set_factor(live_server, "extra@example.com", "1.50")
    log_in(page, "extra@example.com")
    page.goto("/dashboard")
    page.get_by_role("link", name=BETA_TITLE).click()
    expect(page.locator(".facts")).to_contain_text(
        "Time limit: 1 minute × 1.5 extra time = 1 minute 30 seconds for you")
    page.get_by_label("I understand I can take this assessment only once").check()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^0:01:(29|30)$"))  # what the page said


def test_the_review_page_counts_down_and_submits_at_zero_saying_time_ran_out(
        page: Page, live_server: LiveServer) -> None:
    live_server.make_candidate("reviewer@example.com")
    log_in(page, "reviewer@example.com")
    attempt_id = start(page, BETA_TITLE)
    answer(page, question_key(page))
    page.get_by_role("button", name="Review and submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before you submit")
    _move_deadline(live_server, attempt_id, 6)
    page.reload()
    countdown = page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^0:00:0[4-6]$"))
    expect(countdown).to_have_text(re.compile(r"^0:00:0[0-3]$"))  # live, not the time at load
    page.wait_for_url(re.compile(r"/dashboard$"), timeout=20_000)  # no click: the page submits itself
    expect(page.get_by_role("status").filter(has_text="Time ran out")).to_contain_text(
        "Time ran out: your attempt was submitted automatically with every answer saved before the deadline.")
    attempt = live_server.attempt(attempt_id)
    assert attempt.status == "decided" and attempt.submit_reason == "deadline"


def test_a_decimal_comma_is_accepted_and_an_unclear_one_says_what_to_type(page: Page, live_server: LiveServer) -> None:
    attempt_id, position = _gamma_question(page, live_server, "comma@example.com", "numeric")
    value = page.get_by_label("Your answer (in m)")
    with page.expect_response(lambda r: "/answers/" in r.url and r.status == 422):
        value.fill("1,000")
        value.blur()
    expect(page.get_by_role("alert")).to_contain_text(
        "'1,000' is unclear: type 1000 if the comma separates thousands, or 1.000 if it is a decimal comma")
    saved(page, lambda: (value.fill("8,3"), value.blur()))
    item = next(i for i in live_server.attempt(attempt_id).items if i.position == position)
    assert item.answer == 8.3
    page.reload()
    expect(value).to_have_value("8.3")
