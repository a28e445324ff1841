"""ordering: partial credit by pairs."""

from __future__ import annotations

import pytest

from quiz.question_types import get_type
from quiz.question_types.base import AnswerError, DefinitionError, format_path

ORDERING = get_type("ordering")
COMMON = {"prompt": "Order these.", "explanation": "Because."}


def items(*ids):
    return [{"id": i, "text": i.upper()} for i in ids]


SPEC = ORDERING.parse_definition({**COMMON, "items": items("a", "b", "c", "d")})


def test_ordering_key_and_shuffle():
    assert ORDERING.correct_answer(SPEC) == ["a", "b", "c", "d"]
    assert ORDERING.shuffle_ids(SPEC) == ("a", "b", "c", "d")  # always shuffled


@pytest.mark.parametrize("changes, paths", [
    ({"items": None}, ["items"]),
    ({"items": items("a")}, ["items"]),
    ({"items": items(*"abcdefghijk")}, ["items"]),
    ({"items": [{"id": "a", "text": "A"}, {"id": "a", "text": "B"}]}, ["items[1].id"]),
    ({"items": [{"id": "a"}, {"text": "B"}, 3], "shuffle": False}, ["items[0].text", "items[1].id", "items[2]", "shuffle"]),
])
def test_ordering_bad_definitions(changes, paths):
    with pytest.raises(DefinitionError) as err:
        ORDERING.parse_definition({**COMMON, **changes})
    assert sorted(format_path(p.path) for p in err.value.problems) == paths


def test_ordering_accepts_ten_items():
    assert len(ORDERING.parse_definition({**COMMON, "items": items(*"abcdefghij")}).items) == 10


@pytest.mark.parametrize("raw", [
    ["a", "b", "c"],            # one missing
    ["a", "b", "c", "d", "d"],  # one twice
    ["a", "b", "c", "c"],
    ["a", "b", "c", "z"],
    "a,b,c,d",
    ["a", "b", "c", 4],
    [],
])
def test_ordering_malformed(raw):
    with pytest.raises(AnswerError, match="expected every item id once"):
        ORDERING.normalise_answer(SPEC, raw)


@pytest.mark.parametrize("answer, right_pairs", [
    (["a", "b", "c", "d"], 6),
    (["d", "c", "b", "a"], 0),
    (["b", "a", "c", "d"], 5),  # one adjacent swap costs one pair
    (["a", "b", "d", "c"], 5),
    (["d", "a", "b", "c"], 3),  # last moved to the front: 3 pairs broken
    (["b", "a", "d", "c"], 4),
    (("a", "c", "b", "d"), 5),
])
def test_ordering_pairs(answer, right_pairs):
    normalised = ORDERING.normalise_answer(SPEC, answer)
    assert normalised == list(answer)
    grade = ORDERING.grade(SPEC, normalised)
    assert grade.earned == pytest.approx(right_pairs / 6)
    assert (grade.possible, grade.pending) == (1, False)
    assert grade.detail == {"pairs_right": right_pairs, "pairs_total": 6}


def test_ordering_two_items():
    spec = ORDERING.parse_definition({**COMMON, "items": items("x", "y")})
    assert ORDERING.grade(spec, ["x", "y"]).earned == 1
    assert ORDERING.grade(spec, ["y", "x"]).earned == 0


@pytest.mark.parametrize("answer, summary", [(["c", "a", "b", "d"], "c > a > b > d"), (None, "(no answer)")])
def test_ordering_summarise(answer, summary):
    assert ORDERING.summarise(SPEC, answer) == summary


# --- partial orders: kept, graded by the pairs both of whose items have distinct positions ------------

@pytest.mark.parametrize("raw, stored", [
    ({"a": 1, "b": 2, "c": 3, "d": 4}, ["a", "b", "c", "d"]),  # complete: the canonical list
    ({"d": 1, "c": 2, "b": 3, "a": 4}, ["d", "c", "b", "a"]),
    ({"c": 3, "a": 1}, {"a": 1, "c": 3}),                       # partial: written order of the items
    ({"b": 2, "a": 2, "c": 1, "d": 4}, {"a": 2, "b": 2, "c": 1, "d": 4}),  # a shared position
    ({}, None),
])
def test_ordering_positions_are_normalised(raw, stored):
    assert ORDERING.normalise_answer(SPEC, raw) == stored


@pytest.mark.parametrize("raw, message", [
    ({"z": 1}, "unknown items 'z'"),
    ({"a": 0}, "position of 'a' must be a whole number from 1 to 4"),
    ({"a": 5}, "from 1 to 4"),
    ({"a": "1"}, "from 1 to 4"),
    ({"a": True}, "from 1 to 4"),
])
def test_ordering_bad_positions(raw, message):
    with pytest.raises(AnswerError, match=message):
        ORDERING.normalise_answer(SPEC, raw)


@pytest.mark.parametrize("answer, right_pairs", [
    ({"a": 1, "b": 2}, 1),                  # c, d unplaced: only (a, b) can count
    ({"a": 1, "c": 3, "d": 4}, 3),          # (a,c) (a,d) (c,d)
    ({"a": 1, "b": 1, "c": 3, "d": 4}, 5),  # a and b tie: (a, b) does not count
    ({"a": 2, "b": 2, "c": 2, "d": 2}, 0),
    ({"d": 1}, 0),
])
def test_ordering_partial_pairs(answer, right_pairs):
    grade = ORDERING.grade(SPEC, ORDERING.normalise_answer(SPEC, answer))
    assert grade.earned == pytest.approx(right_pairs / 6)
    assert grade.detail == {"pairs_right": right_pairs, "pairs_total": 6, "complete": False}


def test_a_partial_order_never_earns_more_than_completing_it_rightly():
    assert ORDERING.grade(SPEC, {"a": 1, "b": 2, "c": 3}).earned < ORDERING.grade(SPEC, ["a", "b", "c", "d"]).earned


def test_ordering_notice_names_shared_positions_and_missing_items():
    assert ORDERING.notice(SPEC, ["a", "b", "c", "d"]) is None
    assert ORDERING.notice(SPEC, {"a": 2, "b": 2, "c": 1}) == (
        "Saved, but the order is not complete: position 2 is given to “A” and “B”; “D” has no position yet. "
        "Give each item a different position from 1 to 4.")
    assert ORDERING.notice(SPEC, {"a": 1}) == (
        "Saved, but the order is not complete: “B”, “C” and “D” have no position yet. "
        "Give each item a different position from 1 to 4.")


def test_ordering_summary_of_a_partial_order():
    assert ORDERING.summarise(SPEC, {"a": 2, "b": 2, "c": 1}) == "c > a = b (incomplete; no position: d)"
    assert ORDERING.summarise(SPEC, {"a": 1, "b": 2, "c": 3, "d": 3}) == "a > b > c = d (incomplete)"
