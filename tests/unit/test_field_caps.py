"""Every field of every question type has a cap, refused with the field's path (docs/bank-format.md)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from quiz.question_types import get_type
from quiz.question_types.base import DefinitionError, format_path
from quiz.question_types import limits as L

RUBRIC = [{"id": "r", "description": "Right", "points": 1}]
VALID: dict[str, dict[str, Any]] = {
    "single_choice": {"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "correct": "a"},
    "multiple_choice": {"options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "correct": ["a"]},
    "true_false": {"correct": True},
    "numeric": {"correct": 1, "tolerance": {"absolute": 0.5}, "unit": "m"},
    "short_text": {"accepted": ["x"], "regex": "x+"},
    "ordering": {"items": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
    "essay": {"rubric": RUBRIC, "min_words": 1, "max_words": 10},
    "comparison": {"user_prompt": "Q", "response_a": "A", "response_b": "B", "better": "a",
                   "ratings": {"a": 5, "b": 3}, "rubric": RUBRIC},
}


def _long(n: int) -> str:
    return "x" * n


def _row(n: int) -> list[dict[str, str]]:
    return [{"id": f"i{k}", "text": "t"} for k in range(n)]


# (type, path to set, value past the cap, the path the problem is reported at)
OVER_CAP = [
    *[(t, ("prompt",), _long(L.MAX_LONG_TEXT + 1), "prompt") for t in VALID],
    *[(t, ("explanation",), _long(L.MAX_LONG_TEXT + 1), "explanation") for t in VALID],
    *[("comparison", (f,), _long(L.MAX_LONG_TEXT + 1), f) for f in ("user_prompt", "response_a", "response_b")],
    ("single_choice", ("options", 1, "text"), _long(L.MAX_OPTION_TEXT + 1), "options[1].text"),
    ("multiple_choice", ("options", 1, "id"), _long(L.MAX_ID_LENGTH + 1), "options[1].id"),
    ("ordering", ("items", 0, "text"), _long(L.MAX_OPTION_TEXT + 1), "items[0].text"),
    ("single_choice", ("options",), _row(11), "options"),
    ("multiple_choice", ("options",), _row(13), "options"),
    ("ordering", ("items",), _row(11), "items"),
    ("single_choice", ("correct",), _long(L.MAX_ID_LENGTH + 1), "correct"),
    ("multiple_choice", ("correct",), ["a"] * (12 + 1), "correct"),
    ("numeric", ("unit",), _long(L.MAX_UNIT_LENGTH + 1), "unit"),
    ("short_text", ("regex",), "a" * (L.MAX_REGEX_LENGTH + 1), "regex"),
    ("short_text", ("accepted",), ["x"] * (L.MAX_ACCEPTED_ANSWERS + 1), "accepted"),
    ("short_text", ("accepted", 0), _long(201), "accepted[0]"),  # longer than max_length (200)
    ("short_text", ("max_length",), L.MAX_SHORT_TEXT_LENGTH + 1, "max_length"),
    ("essay", ("rubric",), RUBRIC * (L.MAX_RUBRIC_ROWS + 1), "rubric"),
    ("essay", ("rubric", 0, "description"), _long(L.MAX_RUBRIC_DESCRIPTION + 1), "rubric[0].description"),
    ("essay", ("rubric", 0, "id"), _long(L.MAX_ID_LENGTH + 1), "rubric[0].id"),
    ("essay", ("rubric", 0, "points"), L.MAX_PART_POINTS + 1, "rubric[0].points"),
    ("essay", ("max_words",), L.MAX_WORDS + 1, "max_words"),
    ("comparison", ("min_words",), L.MAX_WORDS + 1, "min_words"),
    ("comparison", ("choice_points",), 1e300, "choice_points"),
    ("comparison", ("scale",), {"min": 1, "max": 10**12}, "scale.max"),
    ("comparison", ("scale",), {"min": 0, "max": L.MAX_SCALE_STEPS + 1}, "scale.max"),
    ("comparison", ("better",), _long(L.MAX_ID_LENGTH + 1), "better"),
]


def _set(definition: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = definition
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


@pytest.mark.parametrize("type_name, path, value, reported", OVER_CAP,
                         ids=[f"{t}-{r}" for t, _p, _v, r in OVER_CAP])
def test_a_field_past_its_cap_is_refused_at_its_path(type_name: str, path: tuple[Any, ...], value: Any,
                                                     reported: str) -> None:
    question_type = get_type(type_name)
    definition = {"prompt": "P", "explanation": "E", **copy.deepcopy(VALID[type_name])}
    question_type.parse_definition(definition)  # valid as it is
    _set(definition, path, value)
    with pytest.raises(DefinitionError) as err:
        question_type.parse_definition(definition)
    assert reported in [format_path(p.path) for p in err.value.problems], err.value.problems


def test_a_field_at_its_cap_is_accepted() -> None:
    single = get_type("single_choice")
    single.parse_definition({"prompt": _long(L.MAX_LONG_TEXT), "explanation": _long(L.MAX_LONG_TEXT),
                             "options": [{"id": _long(L.MAX_ID_LENGTH), "text": _long(L.MAX_OPTION_TEXT)}] +
                                        _row(9), "correct": "i0"})
