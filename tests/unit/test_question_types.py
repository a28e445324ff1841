"""Behaviour every question type shares: registry, round trip, unanswered, common fields."""

from __future__ import annotations

import json

import pytest

from quiz.question_types import REGISTRY, TYPE_NAMES, UnknownQuestionType, get_type
from quiz.question_types.base import DefinitionError, ItemGrade, QuestionType, format_path

COMMON = {"prompt": "Which?", "explanation": "Because."}
RUBRIC = [{"id": "clarity", "description": "Clear", "points": 2}, {"id": "facts", "description": "Right", "points": 3}]

# the smallest valid definition of each type
MINIMAL = {
    "single_choice": {**COMMON, "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "correct": "b"},
    "multiple_choice": {**COMMON, "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}],
                        "correct": ["a"]},
    "true_false": {**COMMON, "correct": False},
    "numeric": {**COMMON, "correct": 42, "tolerance": {"absolute": 0.5}},
    "short_text": {**COMMON, "accepted": ["Paris"]},
    "ordering": {**COMMON, "items": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}]},
    "essay": {**COMMON, "rubric": RUBRIC},
    "comparison": {**COMMON, "user_prompt": "Q", "response_a": "RA", "response_b": "RB", "better": "a",
                   "ratings": {"a": 6, "b": 3}, "rubric": RUBRIC},
    "code": {**COMMON, "language": "python", "function": "f", "examples": [{"input": [1], "expected": 1}],
             "tests": [{"input": [2], "expected": 2}], "reference": "def f(x):\n    return x\n"},
}

# every field given, none at its default
FULL = {
    "single_choice": {**COMMON, "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"},
                                            {"id": "c", "text": "C"}], "correct": "c", "shuffle": False},
    "multiple_choice": {**COMMON, "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"},
                                              {"id": "c", "text": "C"}], "correct": ["c", "a"], "shuffle": False},
    "true_false": {**COMMON, "correct": True},
    "numeric": {**COMMON, "correct": -2.5, "tolerance": {"relative": 0.01}, "unit": "ms"},
    "short_text": {**COMMON, "accepted": ["HTTP", "http/1.1"], "case_sensitive": True, "regex": r"HTTP/\d(\.\d)?",
                   "max_length": 20},
    "ordering": {**COMMON, "items": [{"id": "c", "text": "C"}, {"id": "a", "text": "A"}, {"id": "b", "text": "B"}]},
    "essay": {**COMMON, "rubric": RUBRIC, "min_words": 50, "max_words": 400},
    "comparison": {**MINIMAL["comparison"], "better": "b", "ratings": {"a": 2, "b": 9},
                   "scale": {"min": 0, "max": 10}, "rating_tolerance": 0, "choice_points": 2,
                   "rating_points": 3, "min_words": 10, "max_words": 200},
    "code": {**COMMON, "language": "javascript", "mode": "function", "function": "g", "starter": "// write g",
             "examples": [{"input": [1], "expected": 1}], "tests": [{"input": [2], "expected": 2, "points": 1}],
             "reference": "function g(x) { return x; }", "scoring": "all_or_nothing",
             "limits": {"cpu_seconds": 1, "wall_seconds": 3, "memory_mb": 128, "output_kb": 16}},
}


def test_registry_holds_exactly_the_nine_types():
    assert set(REGISTRY) == set(MINIMAL)
    assert len(TYPE_NAMES) == 9
    for name, qt in REGISTRY.items():
        assert isinstance(qt, QuestionType)
        assert qt.name == name == type(qt).__module__.rsplit(".", 1)[1]
        assert qt.label and qt.label != name
        assert get_type(name) is qt


def test_manual_flag_only_for_essay_and_comparison():
    assert {n for n, qt in REGISTRY.items() if qt.manual} == {"essay", "comparison"}


def test_unknown_type():
    with pytest.raises(UnknownQuestionType, match="known: single_choice"):
        get_type("matrix")


@pytest.mark.parametrize("name", sorted(MINIMAL))
@pytest.mark.parametrize("table", [MINIMAL, FULL], ids=["minimal", "full"])
def test_round_trip(name, table):
    qt = get_type(name)
    spec = qt.parse_definition(table[name])
    definition = qt.to_definition(spec)
    assert json.loads(json.dumps(definition)) == definition  # JSON-serialisable, lists not tuples
    assert qt.parse_definition(definition) == spec
    assert qt.to_definition(qt.parse_definition(definition)) == definition
    hash(spec)  # frozen and hashable


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_canonical_definition_lists_every_field(name):
    qt = get_type(name)
    assert set(qt.to_definition(qt.parse_definition(MINIMAL[name]))) == set(FULL[name])


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_unanswered_scores_zero_and_is_never_pending(name):
    qt = get_type(name)
    spec = qt.parse_definition(MINIMAL[name])
    assert qt.normalise_answer(spec, None) is None
    grade = qt.grade(spec, None)
    assert isinstance(grade, ItemGrade)
    assert (grade.earned, grade.pending) == (0, False)
    assert qt.summarise(spec, None) == "(no answer)"


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_correct_answer_earns_everything_auto_graded(name):
    qt = get_type(name)
    spec = qt.parse_definition(FULL[name])
    key = qt.correct_answer(spec)
    if name == "essay":
        assert key is None
        return
    # a type that runs code grades the runner's results: the reference passes every hidden test
    results = {"results": [{"status": "passed"}] * len(spec.tests)} if qt.runs_code else None
    grade = qt.grade(spec, qt.normalise_answer(spec, key), results)
    if name == "comparison":
        assert grade.earned == spec.choice_points + spec.rating_points
    else:
        assert (grade.earned, grade.possible) == (1, 1)


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_common_fields_and_unknown_fields_reported_together(name):
    qt = get_type(name)
    raw = {k: v for k, v in MINIMAL[name].items() if k != "prompt"}
    raw["explanation"] = 7
    raw["colour"] = "red"
    with pytest.raises(DefinitionError) as err:
        qt.parse_definition(raw)
    assert {format_path(p.path) for p in err.value.problems} == {"prompt", "explanation", "colour"}


@pytest.mark.parametrize("name", sorted(MINIMAL))
@pytest.mark.parametrize("raw", [None, [], "text"])
def test_definition_must_be_a_mapping(name, raw):
    with pytest.raises(DefinitionError, match="must be a mapping"):
        get_type(name).parse_definition(raw)


@pytest.mark.parametrize("name", sorted(MINIMAL))
def test_rubric_only_for_manual_types(name):
    qt = get_type(name)
    spec = qt.parse_definition(MINIMAL[name])
    assert bool(qt.rubric(spec)) == qt.manual


def test_question_types_are_pure():
    """Importing the types must not pull in web, database or YAML libraries."""
    import subprocess
    import sys

    code = ("import sys, quiz.question_types; "
            "bad = {'flask', 'sqlalchemy', 'wtforms', 'yaml'} & {m.split('.')[0] for m in sys.modules}; "
            "print(sorted(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
