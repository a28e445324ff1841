"""The form of the code type: language, mode, code fields, tests as YAML, limits."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import yaml
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from quiz.admin.question_forms.base import QuestionForm, number_value, shown_number, text_value
from quiz.question_types import Problem
from quiz.question_types.code import LIMIT_BOUNDS

_TESTS_HELP = ("YAML, a list of tests: `- {input: [1, 2], expected: 3}` (function mode: the list of arguments "
               "and the return value) or `- {input: \"1 2\\n\", expected: \"3\\n\"}` (program mode: stdin and "
               "stdout). Optional `points:` per test.")


def _tests_text(tests: Any) -> str:
    if not tests:
        return ""
    tests = json.loads(json.dumps(tests))  # plain lists and dicts (a loaded bank's carry their line numbers)
    return yaml.safe_dump([{k: v for k, v in t.items() if not (k == "points" and v == 1)} for t in tests],
                          sort_keys=False, allow_unicode=True, default_flow_style=None, width=100)


def _tests_value(text: str | None) -> Any:
    """The YAML as data; text that is not YAML is passed on as it is, and the type says it is not a list."""
    text = text_value(text)
    if not text.strip():
        return []
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


class CodeForm(QuestionForm):
    type_name = "code"
    language = SelectField("Language", validate_choice=False,
                           choices=[SelectChoice("python", "Python 3"), SelectChoice("javascript", "JavaScript (Node.js)")])
    mode = RadioField("Mode", default="function", validate_choice=False, choices=[
        SelectChoice("function", "A function, called with each test's arguments"),
        SelectChoice("stdin", "A whole program, reading stdin and writing stdout")])
    function = StringField("Function name", description="Function mode: the name the candidate's code defines.",
                           render_kw={"autocomplete": "off"})
    starter = TextAreaField("Starter code", description="Optional: what the editor holds at the start.",
                            render_kw={"rows": 6, "spellcheck": "false"})
    examples = TextAreaField("Example tests (visible)", description="Shown to the candidate, who can run them. "
                             + _TESTS_HELP, render_kw={"rows": 6, "spellcheck": "false"})
    tests = TextAreaField("Hidden tests (graded)", description="Never shown to the candidate. " + _TESTS_HELP,
                          render_kw={"rows": 10, "spellcheck": "false"})
    reference = TextAreaField("Reference solution", description="Never shown to candidates; it must pass every "
                              "test (the bank test runs it).", render_kw={"rows": 8, "spellcheck": "false"})
    scoring = RadioField("Scoring", default="per_test", validate_choice=False, choices=[
        SelectChoice("per_test", "Per test: the share of hidden tests' points passed"),
        SelectChoice("all_or_nothing", "All or nothing: every hidden test must pass")])
    cpu_seconds = StringField("CPU seconds per test", description="0.5 to 10 (2 if left empty).",
                              render_kw={"inputmode": "decimal", "autocomplete": "off"})
    wall_seconds = StringField("Wall seconds per test", description="1 to 20, at least the CPU seconds (5 if empty).",
                               render_kw={"inputmode": "decimal", "autocomplete": "off"})
    memory_mb = StringField("Memory (MB) per test", description="64 to 1024 (256 if left empty).",
                            render_kw={"inputmode": "numeric", "autocomplete": "off"})
    output_kb = StringField("Output (KB) per test", description="1 to 1024 (64 if left empty).",
                            render_kw={"inputmode": "numeric", "autocomplete": "off"})
    PATHS = {("limits", name): name for name in LIMIT_BOUNDS}

    def definition(self) -> dict[str, Any]:
        limits = {name: number_value(getattr(self, name).data) for name in LIMIT_BOUNDS}
        definition = {**super().definition(), "language": self.language.data, "mode": self.mode.data or "function",
                      "starter": text_value(self.starter.data), "examples": _tests_value(self.examples.data),
                      "tests": _tests_value(self.tests.data), "reference": text_value(self.reference.data),
                      "scoring": self.scoring.data or "per_test",
                      "limits": {k: v for k, v in limits.items() if v is not None}}
        if definition["mode"] == "function":
            definition["function"] = (self.function.data or "").strip()
        return definition

    def fill_definition(self, definition: Mapping[str, Any]) -> None:
        super().fill_definition(definition)
        self.language.data = definition.get("language") or "python"
        self.mode.data = definition.get("mode") or "function"
        self.function.data = definition.get("function") or ""
        self.starter.data = definition.get("starter") or ""
        self.examples.data = _tests_text(definition.get("examples"))
        self.tests.data = _tests_text(definition.get("tests"))
        self.reference.data = definition.get("reference") or ""
        self.scoring.data = definition.get("scoring") or "per_test"
        limits = definition.get("limits") or {}
        for name in LIMIT_BOUNDS:
            getattr(self, name).data = shown_number(limits.get(name))

    def _attach(self, problem: Problem) -> None:
        path = problem.path
        if path[:1] in (("examples",), ("tests",)) and len(path) >= 2 and isinstance(path[1], int):
            where = ".".join(str(part) for part in path[2:])
            problem = Problem(path[:1], f"test {path[1] + 1}{' ' + where if where else ''}: {problem.message}")
        super()._attach(problem)
