"""Code the candidate writes, run against example and hidden tests in a sandbox.

Pure: this module knows what a right answer is (a test's expected value or output, and how a run's
outcome becomes a status) and how results become a grade. It never runs anything: the runner
(`quiz.coderun`) runs the code and hands the results back, as `manual={"results": [...]}` to `grade`.
Without results the answer is pending, like an essay waiting for a grader.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quiz.question_types.base import AnswerError, Checker, ItemGrade, QuestionType
from quiz.question_types.limits import MAX_ID_LENGTH

LANGUAGES = ("python", "javascript")
MODES = ("function", "stdin")
SCORINGS = ("per_test", "all_or_nothing")
MAX_SOURCE_CHARACTERS = 20_000
MAX_TESTS = 40
MAX_TEST_CHARACTERS = 10_000  # one test's input or expected value, as JSON
STATUSES = ("passed", "wrong_answer", "time_limit", "memory_limit", "output_limit", "runtime_error",
            "syntax_error")
STATUS_LABELS = {"passed": "passed", "wrong_answer": "wrong answer", "time_limit": "time limit",
                 "memory_limit": "memory limit", "output_limit": "output limit", "runtime_error": "runtime error",
                 "syntax_error": "compile/syntax error"}
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class RunLimits:
    """Per test run. Defaults and maxima: (default, minimum, maximum)."""

    cpu_seconds: float = 2.0
    wall_seconds: float = 5.0
    memory_mb: int = 256
    output_kb: int = 64


LIMIT_BOUNDS: dict[str, tuple[float, float, float]] = {
    "cpu_seconds": (2.0, 0.5, 10.0),
    "wall_seconds": (5.0, 1.0, 20.0),
    "memory_mb": (256, 64, 1024),
    "output_kb": (64, 1, 1024),
}


@dataclass(frozen=True)
class CodeTest:
    # JSON values (lists, mappings) cannot be hashed: a spec hashes by its other fields
    input: Any = field(hash=False)  # function mode: the list of arguments; stdin mode: the text on stdin
    expected: Any = field(hash=False)  # function mode: the return value (JSON); stdin mode: the text on stdout
    points: float = 1.0


@dataclass(frozen=True)
class CodeSpec:
    prompt: str
    explanation: str
    language: str
    mode: str
    function: str | None
    starter: str
    examples: tuple[CodeTest, ...]
    tests: tuple[CodeTest, ...]
    reference: str
    scoring: str = "per_test"
    limits: RunLimits = RunLimits()


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False))


def _tests(check: Checker, name: str, mode: str, min_items: int) -> tuple[CodeTest, ...]:
    tests = []
    entries = check.sequence(name, min_items=min_items, max_items=MAX_TESTS)
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            check.fail((name, i), "must be a mapping with input and expected")
            continue
        for extra in set(entry) - {"input", "expected", "points"}:
            check.fail((name, i, str(extra)), "unknown field (allowed: expected, input, points)")
        for part in ("input", "expected"):
            if part not in entry:
                check.fail((name, i, part), "is required")
        value_in, expected = entry.get("input"), entry.get("expected")
        if mode == "function" and "input" in entry and not isinstance(value_in, list):
            check.fail((name, i, "input"), "must be the list of arguments the function is called with")
        if mode == "stdin":
            for part, value in (("input", value_in), ("expected", expected)):
                if part in entry and not isinstance(value, str):
                    check.fail((name, i, part), "must be text (what the program reads or prints)")
        for part, value in (("input", value_in), ("expected", expected)):
            try:
                if _json_size(value) > MAX_TEST_CHARACTERS:
                    check.fail((name, i, part), f"is longer than {MAX_TEST_CHARACTERS} characters as JSON")
            except (TypeError, ValueError):
                check.fail((name, i, part), "must be plain data (numbers, text, lists, mappings)")
        points = check.number("points", required=False, default=1.0, exclusive_minimum=0, path=(name, i, "points"),
                              source=entry)
        tests.append(CodeTest(value_in, expected, float(points or 1.0)))
    return tuple(tests)


def _limits(check: Checker) -> RunLimits:
    raw = check.mapping("limits", LIMIT_BOUNDS, required=False) or {}
    values: dict[str, Any] = {}
    for name, (default, low, high) in LIMIT_BOUNDS.items():
        value = check.number(name, required=False, default=default, minimum=low, path=("limits", name), source=raw,
                             integer=isinstance(default, int))
        if value is not None and value > high:
            check.fail(("limits", name), f"must be at most {high:g}")
            value = default
        values[name] = value if value is not None else default
    if values["wall_seconds"] < values["cpu_seconds"]:
        check.fail(("limits", "wall_seconds"), "must be at least cpu_seconds")
    return RunLimits(**values)


def _source(check: Checker, name: str, *, required: bool) -> str:
    return check.text(name, required=required, default="", max_length=MAX_SOURCE_CHARACTERS)


def normalise_output(text: str) -> str:
    """Stdout as compared: trailing spaces of each line and trailing blank lines do not count."""
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).rstrip("\n")


def same_value(actual: Any, expected: Any) -> bool:
    """JSON equality, with floats equal to 1e-9 (relative or absolute); true and 1 differ."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(actual) == len(expected) and all(same_value(a, e) for a, e in zip(actual, expected))
    if isinstance(expected, dict) and isinstance(actual, dict):
        return actual.keys() == expected.keys() and all(same_value(actual[k], expected[k]) for k in expected)
    return type(actual) is type(expected) and actual == expected


def judge(spec: CodeSpec, test: CodeTest, outcome: Mapping[str, Any]) -> str:
    """A run's outcome -> a status. `outcome`: `status` from the runner (`ok` when the code finished, or
    one of the failure statuses), and `value` (function mode) or `stdout` (stdin mode)."""
    status = outcome.get("status")
    if status != "ok":
        return status if status in STATUSES else "runtime_error"
    if spec.mode == "function":
        return "passed" if same_value(outcome.get("value"), test.expected) else "wrong_answer"
    return "passed" if normalise_output(outcome.get("stdout") or "") == normalise_output(test.expected) \
        else "wrong_answer"


def display(spec: CodeSpec, value: Any) -> str:
    """A test's input or expected value as graders see it."""
    if spec.mode == "stdin" and isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


class Code(QuestionType):
    name = "code"
    label = "Code"
    runs_code = True  # graded from the runner's results, not by a person: the attempt waits for the runner

    def parse_definition(self, raw: Mapping[str, Any]) -> CodeSpec:
        check = Checker(raw)
        check.only({"prompt", "explanation", "language", "mode", "function", "starter", "examples", "tests",
                    "reference", "scoring", "limits"})
        prompt, explanation = self.common(check)
        language = check.text("language", max_length=MAX_ID_LENGTH)
        if language and language not in LANGUAGES:
            check.fail(("language",), f"must be one of {', '.join(LANGUAGES)}")
        mode = check.text("mode", required=False, default="function", max_length=MAX_ID_LENGTH)
        if mode not in MODES:
            check.fail(("mode",), f"must be one of {', '.join(MODES)}")
        function = check.text("function", required=mode == "function", default=None, max_length=MAX_ID_LENGTH)
        if mode == "function" and function and not _IDENTIFIER.match(function):
            check.fail(("function",), "must be a plain identifier such as solve or count_words")
        if mode == "stdin" and check.raw.get("function") is not None:
            check.fail(("function",), "is only for mode: function")
        scoring = check.text("scoring", required=False, default="per_test", max_length=MAX_ID_LENGTH)
        if scoring not in SCORINGS:
            check.fail(("scoring",), f"must be one of {', '.join(SCORINGS)}")
        examples = _tests(check, "examples", mode, 1)
        tests = _tests(check, "tests", mode, 1)
        starter = _source(check, "starter", required=False)
        reference = _source(check, "reference", required=True)
        limits = _limits(check)
        check.done()
        return CodeSpec(prompt, explanation, language, mode, function if mode == "function" else None, starter,
                        examples, tests, reference, scoring, limits)

    def to_definition(self, spec: CodeSpec) -> dict[str, Any]:
        def tests(items: tuple[CodeTest, ...]) -> list[dict[str, Any]]:
            return [{"input": t.input, "expected": t.expected, "points": t.points} for t in items]

        definition = {"prompt": spec.prompt, "explanation": spec.explanation, "language": spec.language,
                      "mode": spec.mode, "starter": spec.starter, "examples": tests(spec.examples),
                      "tests": tests(spec.tests), "reference": spec.reference, "scoring": spec.scoring,
                      "limits": {"cpu_seconds": spec.limits.cpu_seconds, "wall_seconds": spec.limits.wall_seconds,
                                 "memory_mb": spec.limits.memory_mb, "output_kb": spec.limits.output_kb},
                      "function": spec.function}
        return definition

    def normalise_answer(self, spec: CodeSpec, raw: Any) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise AnswerError("the code must be text")
        if len(raw) > MAX_SOURCE_CHARACTERS:
            raise AnswerError(f"the code is {len(raw)} characters long; at most {MAX_SOURCE_CHARACTERS} can be saved")
        text = raw.replace("\r\n", "\n")
        # untouched starter code is no answer
        return None if not text.strip() or text.strip() == spec.starter.strip() else text

    def grade(self, spec: CodeSpec, answer: Any, manual: Mapping[str, Any] | None = None) -> ItemGrade:
        possible = float(sum(t.points for t in spec.tests))
        if answer is None:
            return ItemGrade(0.0, possible, detail={"answered": False})
        results = (manual or {}).get("results")
        if not isinstance(results, list) or len(results) != len(spec.tests):
            return ItemGrade(0.0, possible, pending=True, detail={"awaiting_runner": True})
        passed = [isinstance(r, Mapping) and r.get("status") == "passed" for r in results]
        if spec.scoring == "all_or_nothing":
            earned = possible if all(passed) else 0.0
        else:
            earned = float(sum(t.points for t, ok in zip(spec.tests, passed) if ok))
        return ItemGrade(earned, possible, detail={"passed": sum(passed), "tests": len(passed)})

    def correct_answer(self, spec: CodeSpec) -> str:
        return spec.reference

    def summarise(self, spec: CodeSpec, answer: Any) -> str:
        if answer is None:
            return "(no answer)"
        lines = answer.count("\n") + 1
        return f"({spec.language}, {lines} line{'' if lines == 1 else 's'})"
