"""Every question type through the page fields: saved by JSON, shown again exactly on reload, and
saved unchanged when the reloaded page is posted back without JavaScript."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import AppFactory
from tests.web.support import answer_form, candidate, ids_of, item_types, page, save, start, stored

_COMMON = {"topic": "a", "points": 1, "explanation": "Because."}
MIXED = [
    {"key": "m-num", "type": "numeric", "difficulty": 1, "prompt": "How many?", "correct": 1234567,
     "tolerance": {"absolute": 1}, **_COMMON},
    {"key": "m-multi", "type": "multiple_choice", "difficulty": 2, "prompt": "Pick the right ones.",
     "options": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}, {"id": "z", "text": "Z"}],
     "correct": ["x", "z"], **_COMMON},
    {"key": "m-order", "type": "ordering", "difficulty": 3, "prompt": "Put them in order.",
     "items": [{"id": "one", "text": "One"}, {"id": "two", "text": "Two"}, {"id": "three", "text": "Three"}],
     **_COMMON},
    {"key": "m-cmp", "type": "comparison", "difficulty": 4, "prompt": "Compare.", "user_prompt": "Hi?",
     "response_a": "Hello.", "response_b": "Go away.", "better": "a", "ratings": {"a": 6, "b": 2},
     "rubric": [{"id": "why", "description": "Says why", "points": 1}], **{**_COMMON, "points": 3}},
    {"key": "m-tf", "type": "true_false", "difficulty": 5, "prompt": "True?", "correct": False, **_COMMON},
    {"key": "m-short", "type": "short_text", "difficulty": 2, "prompt": "Name it.", "accepted": ["AUG"],
     "max_length": 40, **_COMMON},
]


def _mixed_alpha(folder: Path) -> None:
    (folder / "alpha.yaml").write_text(yaml.safe_dump({"format": 1, "track": "alpha", "questions": MIXED},
                                                      sort_keys=False))
    tracks = yaml.safe_load((folder / "tracks.yaml").read_text())
    tracks["tracks"][0]["assessments"][0]["blueprint"] = [{"topic": "a", "difficulty": [1, 5], "count": 6}]
    (folder / "tracks.yaml").write_text(yaml.safe_dump(tracks, sort_keys=False))


@pytest.fixture
def mixed(make_app: AppFactory) -> tuple[Flask, FlaskClient, int, dict[str, int]]:
    app = make_app(edit_bank=_mixed_alpha)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    positions = {kind: position for position, kind in item_types(app, attempt_id).items()}
    assert sorted(positions) == sorted(q["type"] for q in MIXED)
    return app, client, attempt_id, positions


def _reload_and_post_back(app: Flask, client: FlaskClient, attempt_id: int, position: int,
                          fields: dict[str, list[str]]) -> None:
    """The no-JS path sends what the page shows: the stored answer must come back unchanged."""
    before = stored(app, attempt_id)["items"][position][0]
    response = answer_form(client, attempt_id, position, fields, go=str(position))
    assert response.status_code == 302, page(response)
    assert stored(app, attempt_id)["items"][position][0] == before


@pytest.mark.parametrize(("typed", "shown"), [("1234567", "1234567"), ("12.5", "12.5"), ("-3", "-3"),
                                              ("0.1", "0.1"), ("2500000.25", "2500000.25"),
                                              ("1e21", "1e+21"), ("1e-6", "1e-06")])
def test_a_numeric_answer_is_shown_exactly_as_saved(mixed, typed: str, shown: str) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id, positions = mixed
    position = positions["numeric"]
    assert save(client, attempt_id, position, {"value": typed}, 1).status_code == 200
    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    value = re.search(r'<input type="text" inputmode="decimal" id="value" name="value" autocomplete="off"[^>]*?\s+'
                      r'value="([^"]*)">', body).group(1)
    assert value == shown
    assert float(value) == stored(app, attempt_id)["items"][position][0] == float(typed)
    _reload_and_post_back(app, client, attempt_id, position, {"value": value})


def test_a_multiple_choice_answer_is_shown_as_saved(mixed) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id, positions = mixed
    position = positions["multiple_choice"]
    assert save(client, attempt_id, position, {"choice": ["z", "x"]}, 1).status_code == 200
    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    shown = re.findall(r'<input type="checkbox" name="choice" value="(\d+)"[^>]* checked>', body)
    assert sorted(ids_of(client, attempt_id, position, shown)) == ["x", "z"]  # tokens on the page, never ids
    _reload_and_post_back(app, client, attempt_id, position, {"choice": ["x", "z"]})


def test_an_ordering_answer_is_shown_as_saved(mixed) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id, positions = mixed
    position = positions["ordering"]
    ranks = {"rank_one": "2", "rank_two": "3", "rank_three": "1"}
    assert save(client, attempt_id, position, ranks, 1).status_code == 200
    assert stored(app, attempt_id)["items"][position][0] == ["three", "one", "two"]
    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    token = {ident: t for t, ident in zip("123", ids_of(client, attempt_id, position, ["1", "2", "3"]))}
    for ident, rank in (("one", 2), ("two", 3), ("three", 1)):
        name = f"rank_{token[ident]}"
        select = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', body, re.S).group(1)
        assert re.findall(r'<option value="(\d)" selected>', select) == [str(rank)]
    _reload_and_post_back(app, client, attempt_id, position, {k: [v] for k, v in ranks.items()})



def test_a_partial_or_shared_order_is_kept_and_the_shared_position_named(mixed) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id, positions = mixed
    position = positions["ordering"]
    response = save(client, attempt_id, position, {"rank_one": "1", "rank_two": "1", "rank_three": "2"}, 1)
    assert response.status_code == 200
    assert response.get_json()["notice"] == (
        "Saved, but the order is not complete: position 1 is given to “One” and “Two”. "
        "Give each item a different position from 1 to 3.")
    assert stored(app, attempt_id)["items"][position][0] == {"one": 1, "two": 1, "three": 2}
    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    assert "position 1 is given to “One” and “Two”" in body  # the page says it again after a reload
    review = page(client.get(f"/attempts/{attempt_id}/review"))
    assert re.search(rf">Question {position}</a></th>\s*<td>answered, order incomplete</td>", review)

    # Without JavaScript: one item placed, Save and next keeps it and says so on the next page.
    response = answer_form(client, attempt_id, position, {"rank_two": "3"}, go="next")
    assert response.status_code == 302
    assert stored(app, attempt_id)["items"][position][0] == {"two": 3}
    shown = page(client.get(response.headers["Location"]))
    assert f"Question {position}: Saved, but the order is not complete: “One” and “Three” have no position yet." in shown

    response = save(client, attempt_id, position, {"rank_one": "1", "rank_two": "2", "rank_three": "3"}, 3)
    assert response.get_json()["notice"] is None
    assert stored(app, attempt_id)["items"][position][0] == ["one", "two", "three"]


def test_a_comparison_answer_is_shown_as_saved(mixed) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id, positions = mixed
    position = positions["comparison"]
    fields = {"better": "a", "rating_a": "6", "rating_b": "2", "justification": "A is polite & right."}
    assert save(client, attempt_id, position, fields, 1).status_code == 200
    body = page(client.get(f"/attempts/{attempt_id}/q/{position}"))
    assert '<input type="radio" name="better" value="a" checked>' in body
    assert '<input type="radio" name="better" value="b" >' in body
    for side, rating in (("a", "6"), ("b", "2")):
        select = re.search(rf'<select id="rating_{side}" name="rating_{side}">(.*?)</select>', body, re.S).group(1)
        assert re.findall(r'<option value="(\d)" selected>', select) == [rating]
    assert ">\nA is polite &amp; right.</textarea>" in body  # the newline after the tag is dropped by browsers
    _reload_and_post_back(app, client, attempt_id, position, {k: [v] for k, v in fields.items()})


def test_true_false_and_short_text_answers_are_shown_as_saved(mixed) -> None:  # type: ignore[no-untyped-def]
    app, client, attempt_id, positions = mixed
    assert save(client, attempt_id, positions["true_false"], {"choice": "false"}, 1).status_code == 200
    body = page(client.get(f"/attempts/{attempt_id}/q/{positions['true_false']}"))
    assert re.findall(r'<input type="radio" name="choice" value="(\w+)" checked>', body) == ["false"]
    _reload_and_post_back(app, client, attempt_id, positions["true_false"], {"choice": ["false"]})

    assert save(client, attempt_id, positions["short_text"], {"value": "A\"UG"}, 1).status_code == 200
    body = page(client.get(f"/attempts/{attempt_id}/q/{positions['short_text']}"))
    assert 'value="A&#34;UG"' in body
    _reload_and_post_back(app, client, attempt_id, positions["short_text"], {"value": ['A"UG']})
