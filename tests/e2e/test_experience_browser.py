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

from tests.e2e.conftest import ALPHA_QUESTIONS, ALPHA_TITLE, GAMMA_TITLE, LiveServer
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
    live_server.make_candidate("lists@example.com")
    log_in(page, "lists@example.com")
    attempt_id = start(page, GAMMA_TITLE)
    page.goto(f"/attempts/{attempt_id}/q/{live_server.positions_by_type(attempt_id)['single_choice']}")
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
    live_server.make_candidate("orderer@example.com")
    log_in(page, "orderer@example.com")
    attempt_id = start(page, GAMMA_TITLE)
    position = live_server.positions_by_type(attempt_id)["ordering"]
    page.goto(f"/attempts/{attempt_id}/q/{position}")
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
