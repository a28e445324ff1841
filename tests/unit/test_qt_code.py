"""The code type: definition checks, answers, judging outcomes, and grades from the runner's results."""

from __future__ import annotations

from typing import Any

import pytest

from quiz.question_types import AnswerError, DefinitionError, get_type
from quiz.question_types.code import judge, normalise_output, same_value

CODE = get_type("code")


def definition(**changes: Any) -> dict[str, Any]:
    base = {"prompt": "Add.", "explanation": "a + b", "language": "python", "function": "add",
            "starter": "def add(a, b):\n    pass\n",
            "examples": [{"input": [1, 2], "expected": 3}],
            "tests": [{"input": [2, 2], "expected": 4}, {"input": [0, 0], "expected": 0, "points": 3}],
            "reference": "def add(a, b):\n    return a + b\n"}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def problems(**changes: Any) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        CODE.parse_definition(definition(**changes))
    return [str(p) for p in info.value.problems]


def test_a_definition_round_trips_with_default_limits() -> None:
    spec = CODE.parse_definition(definition())
    assert (spec.limits.cpu_seconds, spec.limits.wall_seconds, spec.limits.memory_mb) == (2.0, 5.0, 256)
    assert CODE.parse_definition(CODE.to_definition(spec)) == spec


@pytest.mark.parametrize(("changes", "expected"), [
    ({"language": "cobol"}, "language: must be one of python, javascript"),
    ({"function": None}, "function: is required"),
    ({"function": "not valid"}, "function: must be a plain identifier"),
    ({"mode": "stdin"}, "function: is only for mode: function"),
    ({"examples": []}, "examples: must have at least 1 entries"),
    ({"tests": [{"input": 1, "expected": 2}]}, "tests[0].input: must be the list of arguments"),
    ({"tests": [{"input": [1]}]}, "tests[0].expected: is required"),
    ({"reference": None}, "reference: is required"),
    ({"limits": {"cpu_seconds": 60}}, "limits.cpu_seconds: must be at most 10"),
    ({"limits": {"memory_mb": 8}}, "limits.memory_mb: must be at least 64"),
    ({"limits": {"cpu_seconds": 4, "wall_seconds": 2}}, "limits.wall_seconds: must be at least cpu_seconds"),
    ({"limits": {"disk": 1}}, "limits.disk: unknown field"),
    ({"tests": [{"input": ["x" * 20_000], "expected": 1}]}, "tests[0].input: is longer than 10000"),
    ({"tests": [{"input": [1], "expected": 1}] * 41}, "tests: must have at most 40 entries"),
    ({"starter": "x" * 20_001}, "starter: is 20,001 characters long; at most 20,000 are allowed"),
])
def test_bad_definitions_say_what_and_where(changes: dict[str, Any], expected: str) -> None:
    assert any(p.startswith(expected) for p in problems(**changes)), problems(**changes)


def test_stdin_mode_needs_text_in_and_out() -> None:
    found = problems(mode="stdin", function=None, tests=[{"input": [1], "expected": 2}])
    assert "tests[0].input: must be text (what the program reads or prints)" in found
    assert "tests[0].expected: must be text (what the program reads or prints)" in found


def test_answers_are_bounded_text_and_the_untouched_starter_is_no_answer() -> None:
    spec = CODE.parse_definition(definition())
    assert CODE.normalise_answer(spec, "def add(a, b):\r\n    return a+b\r\n") == "def add(a, b):\n    return a+b\n"
    assert CODE.normalise_answer(spec, "def add(a, b):\n    pass\n") is None
    assert CODE.normalise_answer(spec, "   ") is None
    with pytest.raises(AnswerError, match="at most 20000"):
        CODE.normalise_answer(spec, "x" * 20_001)


def test_without_results_an_answer_waits_for_the_runner_and_no_answer_is_zero() -> None:
    spec = CODE.parse_definition(definition())
    assert CODE.grade(spec, "code").pending
    assert CODE.grade(spec, "code", {"results": [{"status": "passed"}]}).pending  # not one per hidden test
    blank = CODE.grade(spec, None)
    assert (blank.earned, blank.possible, blank.pending) == (0.0, 4.0, False)


@pytest.mark.parametrize(("statuses", "scoring", "earned"), [
    (["passed", "passed"], "per_test", 4.0),
    (["passed", "wrong_answer"], "per_test", 1.0),
    (["time_limit", "passed"], "per_test", 3.0),
    (["passed", "wrong_answer"], "all_or_nothing", 0.0),
    (["passed", "passed"], "all_or_nothing", 4.0),
])
def test_hidden_results_grade_the_item(statuses: list[str], scoring: str, earned: float) -> None:
    spec = CODE.parse_definition(definition(scoring=scoring))
    grade = CODE.grade(spec, "code", {"results": [{"status": s} for s in statuses]})
    assert (grade.earned, grade.possible, grade.pending) == (earned, 4.0, False)


def test_judging_values_and_output() -> None:
    spec = CODE.parse_definition(definition())
    test = spec.tests[0]
    assert judge(spec, test, {"status": "ok", "value": 4}) == "passed"
    assert judge(spec, test, {"status": "ok", "value": 4.0000000001}) == "passed"
    assert judge(spec, test, {"status": "ok", "value": "4"}) == "wrong_answer"
    assert judge(spec, test, {"status": "ok"}) == "wrong_answer"
    assert judge(spec, test, {"status": "time_limit"}) == "time_limit"
    assert judge(spec, test, {"status": "weird"}) == "runtime_error"
    stdin = CODE.parse_definition(definition(mode="stdin", function=None,
                                             tests=[{"input": "1 2\n", "expected": "3\n"}],
                                             examples=[{"input": "", "expected": ""}]))
    assert judge(stdin, stdin.tests[0], {"status": "ok", "stdout": "3   \n\n"}) == "passed"
    assert judge(stdin, stdin.tests[0], {"status": "ok", "stdout": "33\n"}) == "wrong_answer"


def test_values_compare_as_json_with_float_tolerance_and_strict_booleans() -> None:
    assert same_value([1, {"a": 0.1 + 0.2}], [1, {"a": 0.3}])
    assert not same_value(True, 1) and not same_value(1, True)
    assert not same_value([1, 2], [1, 2, 3])
    assert not same_value({"a": 1}, {"b": 1})
    assert normalise_output("a  \r\nb\n\n\n") == "a\nb"
