"""essay and comparison: the types with a part graded by a person."""

from __future__ import annotations

import pytest

from quiz.question_types import get_type
from quiz.question_types.base import AnswerError, DefinitionError, ManualGradeError, RubricCriterion, format_path

ESSAY = get_type("essay")
COMPARISON = get_type("comparison")
COMMON = {"prompt": "Write.", "explanation": "Because."}
RUBRIC = [{"id": "clarity", "description": "Clear", "points": 2}, {"id": "facts", "description": "Right", "points": 3}]


def problems(qt, raw):
    with pytest.raises(DefinitionError) as err:
        qt.parse_definition(raw)
    return sorted(format_path(p.path) for p in err.value.problems)


def words(n):
    return " ".join(["word"] * n)


# --- essay -----------------------------------------------------------------------------------

ESSAY_SPEC = ESSAY.parse_definition({**COMMON, "rubric": RUBRIC, "max_words": 10})


def test_essay_defaults_and_rubric():
    spec = ESSAY.parse_definition({**COMMON, "rubric": RUBRIC})
    assert (spec.min_words, spec.max_words) == (0, None)
    assert ESSAY.rubric(spec) == (RubricCriterion("clarity", "Clear", 2.0), RubricCriterion("facts", "Right", 3.0))
    assert ESSAY.correct_answer(spec) is None
    assert ESSAY.shuffle_ids(spec) == ()


@pytest.mark.parametrize("changes, paths", [
    ({"rubric": None}, ["rubric"]),
    ({"rubric": []}, ["rubric"]),
    ({"rubric": [{"id": "a", "description": "A", "points": 0}]}, ["rubric[0].points"]),
    ({"rubric": [{"id": "a", "description": "A", "points": 1}, {"id": "a", "description": "B", "points": 1}]},
     ["rubric[1].id"]),
    ({"rubric": [{"id": "a", "points": "2", "weight": 1}, "b"]},
     ["rubric[0].description", "rubric[0].points", "rubric[0].weight", "rubric[1]"]),
    ({"min_words": -1}, ["min_words"]),
    ({"min_words": 1.5}, ["min_words"]),
    ({"max_words": 0}, ["max_words"]),
    ({"min_words": 100, "max_words": 50}, ["max_words"]),
    ({"rubric": [], "min_words": "ten", "max_words": -3, "words": 5}, ["max_words", "min_words", "rubric", "words"]),
])
def test_essay_bad_definitions(changes, paths):
    assert problems(ESSAY, {**COMMON, "rubric": RUBRIC, **changes}) == paths


def test_essay_equal_word_limits_allowed():
    assert ESSAY.parse_definition({**COMMON, "rubric": RUBRIC, "min_words": 5, "max_words": 5}).max_words == 5


@pytest.mark.parametrize("raw, expected", [
    (words(10), words(10)), ("", ""), ("  a\n\nb  ", "  a\n\nb  "), (None, None),
])
def test_essay_normalise(raw, expected):
    assert ESSAY.normalise_answer(ESSAY_SPEC, raw) == expected


@pytest.mark.parametrize("raw, message", [("x" * 50_001, "at most 50000"), (5, "text"), (["x"], "text")])
def test_essay_malformed(raw, message):
    with pytest.raises(AnswerError, match=message):
        ESSAY.normalise_answer(ESSAY_SPEC, raw)


@pytest.mark.parametrize("answer, manual, earned, pending", [
    (words(3), None, 0, True),
    (words(3), {"clarity": 2, "facts": 3}, 5, False),
    (words(3), {"clarity": 1.5, "facts": 0}, 1.5, False),
    ("", None, 0, False),          # empty: nothing for a grader to do
    ("  \n ", None, 0, False),
    ("", {"clarity": 2, "facts": 3}, 0, False),
    (None, None, 0, False),
])
def test_essay_grade(answer, manual, earned, pending):
    grade = ESSAY.grade(ESSAY_SPEC, answer, manual)
    assert (grade.earned, grade.possible, grade.pending) == (earned, 5, pending)


@pytest.mark.parametrize("manual, message", [
    ({"clarity": 2}, "'facts' has no score"),
    ({"clarity": 2, "facts": 4}, "between 0 and 3"),
    ({"clarity": -1, "facts": 1}, "between 0 and 2"),
    ({"clarity": 2, "facts": 3, "style": 1}, "unknown rubric criteria: style"),
    ({"clarity": "2", "facts": 3}, "must be a number"),
    ({"clarity": 10 ** 400, "facts": 3}, "must be a number"),
    ([2, 3], "mapping"),
])
def test_essay_bad_manual_grades(manual, message):
    with pytest.raises(ManualGradeError, match=message):
        ESSAY.grade(ESSAY_SPEC, "some text", manual)


@pytest.mark.parametrize("answer, summary", [
    (words(312), "(312 words)"), ("one", "(1 word)"), ("", "(no answer)"), (None, "(no answer)"),
])
def test_essay_summarise(answer, summary):
    spec = ESSAY.parse_definition({**COMMON, "rubric": RUBRIC})
    assert ESSAY.summarise(spec, answer) == summary


# --- comparison ------------------------------------------------------------------------------

CMP_FIELDS = {**COMMON, "user_prompt": "Q", "response_a": "RA", "response_b": "RB", "better": "a",
              "ratings": {"a": 6, "b": 3}, "rubric": RUBRIC, "max_words": 20}
CMP = COMPARISON.parse_definition(CMP_FIELDS)


def test_comparison_defaults():
    spec = COMPARISON.parse_definition({k: v for k, v in CMP_FIELDS.items() if k != "max_words"})
    assert (spec.scale_min, spec.scale_max, spec.rating_tolerance) == (1, 7, 1)
    assert (spec.choice_points, spec.rating_points, spec.min_words, spec.max_words) == (1, 1, 0, None)
    assert COMPARISON.rubric(spec)[1].points == 3
    assert COMPARISON.correct_answer(spec) == {"better": "a", "rating_a": 6, "rating_b": 3, "justification": None}
    assert COMPARISON.shuffle_ids(spec) == ()
    assert COMPARISON.parse_definition({**CMP_FIELDS, "better": "A"}).better == "a"


@pytest.mark.parametrize("changes, paths", [
    ({"better": "c"}, ["better"]),
    ({"better": None}, ["better"]),
    ({"user_prompt": "", "response_a": None, "response_b": 3}, ["response_a", "response_b", "user_prompt"]),
    ({"ratings": None}, ["ratings"]),
    ({"ratings": {}}, ["ratings.a", "ratings.b"]),
    ({"ratings": [6, 3]}, ["ratings"]),
    ({"ratings": {"a": 6, "b": 8}}, ["ratings.b"]),
    ({"ratings": {"a": 0, "b": 3.5, "c": 1}}, ["ratings.a", "ratings.b", "ratings.c"]),
    ({"ratings": {"a": 3, "b": 6}}, ["ratings"]),  # the key contradicts itself: b rated above the better a
    ({"scale": {"min": 7, "max": 7}}, ["scale.max"]),
    ({"scale": {"min": 1}}, ["scale.max"]),
    ({"scale": {"min": 1, "max": 5, "step": 1}}, ["ratings.a", "scale.step"]),
    ({"scale": {"min": 1.5, "max": 10}}, ["scale.min"]),
    ({"scale": "1-7"}, ["scale"]),
    ({"rating_tolerance": -1, "choice_points": -1, "rating_points": "1"},
     ["choice_points", "rating_points", "rating_tolerance"]),
    ({"rubric": None, "min_words": 30, "max_words": 20}, ["max_words", "rubric"]),
    ({"better": "x", "ratings": {"a": 9}, "scale": {"min": 1, "max": 0}, "rubric": [], "extra": 1},
     ["better", "extra", "ratings.b", "rubric", "scale.max"]),
])
def test_comparison_bad_definitions(changes, paths):
    assert problems(COMPARISON, {**CMP_FIELDS, **changes}) == paths


def test_comparison_equal_ratings_and_zero_points_allowed():
    spec = COMPARISON.parse_definition({**CMP_FIELDS, "ratings": {"a": 4, "b": 4}, "choice_points": 0,
                                        "rating_tolerance": 0})
    assert (spec.rating_a, spec.rating_b, spec.choice_points, spec.rating_tolerance) == (4, 4, 0, 0)


@pytest.mark.parametrize("raw, expected", [
    ({"better": "A", "rating_a": 6, "rating_b": 3, "justification": "fine"},
     {"better": "a", "rating_a": 6, "rating_b": 3, "justification": "fine"}),
    ({"better": " b ", "rating_a": "5", "rating_b": " 2 "},
     {"better": "b", "rating_a": 5, "rating_b": 2, "justification": None}),
    ({"rating_a": 7.0}, {"better": None, "rating_a": 7, "rating_b": None, "justification": None}),
    ({"better": "", "rating_a": "", "rating_b": None, "justification": "why"},
     {"better": None, "rating_a": None, "rating_b": None, "justification": "why"}),
    ({}, None),
    ({"better": "", "rating_a": "", "justification": "  "}, None),
    (None, None),
])
def test_comparison_normalise(raw, expected):
    assert COMPARISON.normalise_answer(CMP, raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("a", "mapping"),
    ([("better", "a")], "mapping"),
    ({"better": "c"}, "a or b"),
    ({"better": 1}, "a or b"),
    ({"rating_a": 8}, "rating of response A must be a whole number from 1 to 7, not 8"),
    ({"rating_b": 0}, "rating of response B"),
    ({"rating_a": "5.5"}, "whole number"),
    ({"rating_a": 5.5}, "whole number"),
    ({"rating_a": True}, "whole number"),
    ({"rating_a": "five"}, "whole number"),
    ({"justification": 5}, "justification must be text"),
    ({"justification": "x" * 50_001}, "at most 50000"),
    ({"better": "a", "comment": "x"}, "unknown parts comment"),
])
def test_comparison_malformed(raw, message):
    with pytest.raises(AnswerError, match=message):
        COMPARISON.normalise_answer(CMP, raw)


@pytest.mark.parametrize("answer, manual, earned, pending, detail", [
    ({"better": "a", "rating_a": 6, "rating_b": 3, "justification": "x y"}, None, 2, True,
     {"choice": 1, "ratings": 1, "justification": None}),
    ({"better": "a", "rating_a": 7, "rating_b": 2, "justification": "x y"}, {"clarity": 2, "facts": 3}, 7, False,
     {"choice": 1, "ratings": 1, "justification": 5}),
    ({"better": "b", "rating_a": 4, "rating_b": 3, "justification": ""}, None, 0.5, False,
     {"choice": 0, "ratings": 0.5, "justification": 0}),
    ({"better": "a", "rating_a": None, "rating_b": 1, "justification": None}, None, 1, False,
     {"choice": 1, "ratings": 0, "justification": 0}),
    ({"better": None, "rating_a": 6, "rating_b": None, "justification": "why"}, {"clarity": 1, "facts": 0}, 1.5, False,
     {"choice": 0, "ratings": 0.5, "justification": 1}),
])
def test_comparison_grade(answer, manual, earned, pending, detail):
    grade = COMPARISON.grade(CMP, answer, manual)
    assert (grade.earned, grade.possible, grade.pending) == (pytest.approx(earned), 7, pending)
    assert {k: grade.detail[k] for k in detail} == detail


def test_comparison_custom_points_and_tolerance():
    spec = COMPARISON.parse_definition({**CMP_FIELDS, "scale": {"min": 0, "max": 10}, "ratings": {"a": 9, "b": 2},
                                        "rating_tolerance": 0, "choice_points": 2, "rating_points": 4})
    grade = COMPARISON.grade(spec, {"better": "a", "rating_a": 9, "rating_b": 3, "justification": "ok"})
    assert (grade.earned, grade.possible, grade.pending) == (4, 11, True)
    assert COMPARISON.grade(spec, None).possible == 11


@pytest.mark.parametrize("manual, message", [
    ({"clarity": 2}, "'facts' has no score"),
    ({"clarity": 3, "facts": 3}, "between 0 and 2"),
    ({"clarity": 2, "facts": 3, "tone": 1}, "unknown rubric criteria: tone"),
])
def test_comparison_bad_manual_grades(manual, message):
    with pytest.raises(ManualGradeError, match=message):
        COMPARISON.grade(CMP, {"better": "a", "rating_a": 6, "rating_b": 3, "justification": "text"}, manual)


@pytest.mark.parametrize("answer, summary", [
    ({"better": "a", "rating_a": 5, "rating_b": 3, "justification": words(120)},
     "better A; ratings 5/3; 120-word justification"),
    ({"better": None, "rating_a": None, "rating_b": 2, "justification": ""}, "no choice; ratings -/2; no justification"),
    ({"better": "b", "rating_a": None, "rating_b": None, "justification": None}, "better B; no ratings; no justification"),
    (None, "(no answer)"),
])
def test_comparison_summarise(answer, summary):
    assert COMPARISON.summarise(CMP, answer) == summary


def test_text_over_the_word_limit_is_kept_and_flagged_for_the_grader():
    # refusing an autosave would lose the candidate's latest text
    assert ESSAY.normalise_answer(ESSAY_SPEC, words(11)) == words(11)
    detail = ESSAY.grade(ESSAY_SPEC, words(11)).detail
    assert (detail["words"], detail["over_max_words"]) == (11, True)
    assert ESSAY.grade(ESSAY_SPEC, words(10)).detail["over_max_words"] is False
    spec = COMPARISON.parse_definition(CMP_FIELDS)
    answer = COMPARISON.normalise_answer(spec, {"better": "a", "justification": words(21)})
    assert COMPARISON.grade(spec, answer).detail["over_max_words"] is True
