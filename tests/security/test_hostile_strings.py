"""Hostile strings in every field a person types, checked on every page that shows them."""

from __future__ import annotations

from tests.security.conftest import HostileApp
from tests.security.hostile import HOSTILE
from tests.security.hostile_rounds import run_rounds


def test_hostile_strings_are_shown_as_text_on_every_page(hostile_app: HostileApp, caplog) -> None:  # type: ignore[no-untyped-def]
    tally = run_rounds(hostile_app.app, hostile_app.admin, hostile_app.grader, range(len(HOSTILE)))
    assert not tally.problems, "\n".join(tally.problems[:40])
    # every decision mail was made, whatever the titles and names hold
    assert not [r.getMessage() for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]
    never_shown = sorted(tally.placed - set(tally.shown))
    shown = sum(len(pages) for pages in tally.shown.values())
    print(f"\n{len(HOSTILE)} hostile strings, {len(tally.placed)} (string, place) values typed, "
          f"{len(tally.placed) - len(never_shown)} shown on {shown} (string, place, page) views, {tally.pages} pages checked")
    assert not never_shown, f"typed but shown on no page (so not checked): {never_shown}"
