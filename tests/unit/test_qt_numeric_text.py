"""numeric and short_text."""

from __future__ import annotations

import pytest

from quiz.question_types import get_type
from quiz.question_types.base import AnswerError, DefinitionError, format_path

NUMERIC = get_type("numeric")
SHORT = get_type("short_text")
COMMON = {"prompt": "How much?", "explanation": "Because."}


def problems(qt, raw):
    with pytest.raises(DefinitionError) as err:
        qt.parse_definition(raw)
    return sorted(format_path(p.path) for p in err.value.problems)


# --- numeric ---------------------------------------------------------------------------------

def numeric(correct=42.5, unit=None, **tolerance):
    return NUMERIC.parse_definition({**COMMON, "correct": correct, "tolerance": tolerance or {"absolute": 0.5},
                                     "unit": unit})


def test_numeric_defaults():
    spec = NUMERIC.parse_definition({**COMMON, "correct": 3, "tolerance": {"relative": 0.1}})
    assert (spec.correct, spec.absolute, spec.relative, spec.unit) == (3.0, None, 0.1, None)
    assert NUMERIC.shuffle_ids(spec) == ()
    assert NUMERIC.correct_answer(spec) == 3.0


@pytest.mark.parametrize("changes, paths", [
    ({"correct": None}, ["correct"]),
    ({"correct": "42"}, ["correct"]),
    ({"correct": float("nan")}, ["correct"]),
    ({"correct": True}, ["correct"]),
    ({"correct": 10 ** 400}, ["correct"]),
    ({"tolerance": None}, ["tolerance"]),
    ({"tolerance": 0.5}, ["tolerance"]),
    ({"tolerance": {}}, ["tolerance"]),
    ({"tolerance": {"absolute": 0.5, "relative": 0.1}}, ["tolerance"]),
    ({"tolerance": {"absolute": 0}}, ["tolerance.absolute"]),
    ({"tolerance": {"absolute": -1}}, ["tolerance.absolute"]),
    ({"tolerance": {"relative": "1%"}}, ["tolerance.relative"]),
    ({"tolerance": {"percent": 1}}, ["tolerance", "tolerance.percent"]),
    ({"correct": 0, "tolerance": {"relative": 0.1}}, ["tolerance.relative"]),
    ({"unit": 5}, ["unit"]),
    ({"correct": "x", "tolerance": {"absolute": -1}, "unit": [], "units": "ms"},
     ["correct", "tolerance.absolute", "unit", "units"]),
])
def test_numeric_bad_definitions(changes, paths):
    raw = {**COMMON, "correct": 1, "tolerance": {"absolute": 0.5}, **changes}
    assert problems(NUMERIC, raw) == paths


@pytest.mark.parametrize("raw, expected", [
    (12, 12.0), (12.5, 12.5), (-3, -3.0), ("12.5", 12.5), (" -3 ", -3.0), ("+4", 4.0), ("1e-6", 1e-6),
    ("2E3", 2000.0), (".5", 0.5), ("5.", 5.0), ("", None), ("   ", None), (None, None),
    # a decimal comma, where it can mean nothing else
    ("8,3", 8.3), ("12,5", 12.5), ("-0,25", -0.25), (",5", 0.5), ("0,125", 0.125), ("3,1416", 3.1416),
    (" 8,30 ", 8.3),
])
def test_numeric_normalise(raw, expected):
    assert NUMERIC.normalise_answer(numeric(), raw) == expected


@pytest.mark.parametrize("raw, message", [
    ("1,000", r"'1,000' is unclear: type 1000 if the comma separates thousands, or 1.000 if it is a decimal comma"),
    ("-12,500", r"type -12500 if .* or -12.500 if"),
    ("1,234.5", r"without thousands separators and with a decimal point, e.g. 1234.5"),
    ("1.234,5", r"without thousands separators"),
    ("1,234,567", r"without thousands separators"),
    ("8,", r"without thousands separators"),
    ("nan", "not a number"),
    ("inf", "not a number"),
    ("-Infinity", "not a number"),
    (float("nan"), "finite"),
    (float("inf"), "finite"),
    ("1_000", "not a number"),
    ("1 000", "not a number"),
    ("12 ms", "not a number"),
    ("0x10", "not a number"),
    ("abc", "not a number"),
    (True, "number"),
    ([1], "number"),
    (10 ** 400, "too large"),
])
def test_numeric_malformed(raw, message):
    with pytest.raises(AnswerError, match=message):
        NUMERIC.normalise_answer(numeric(), raw)


@pytest.mark.parametrize("correct, tolerance, answer, right", [
    (42.5, {"absolute": 0.5}, 42.5, True),
    (42.5, {"absolute": 0.5}, 43.0, True),     # the bound itself counts
    (42.5, {"absolute": 0.5}, 42.0, True),
    (42.5, {"absolute": 0.5}, 43.01, False),
    (42.5, {"absolute": 0.5}, -42.5, False),
    (0.3, {"absolute": 1e-12}, 0.1 + 0.2, True),  # binary rounding is not a wrong answer
    (1.1, {"absolute": 0.1}, 1.2, True),          # 1.2 - 1.1 is 0.10000000000000009
    (0, {"absolute": 0.01}, -0.01, True),
    (100, {"relative": 0.01}, 101, True),
    (100, {"relative": 0.01}, 99, True),
    (100, {"relative": 0.01}, 101.5, False),
    (-200, {"relative": 0.05}, -190, True),
    (-200, {"relative": 0.05}, 190, False),
    (1e-6, {"relative": 0.1}, 1.05e-6, True),
    (1e-6, {"relative": 0.1}, 1.2e-6, False),
])
def test_numeric_grade(correct, tolerance, answer, right):
    spec = numeric(correct, **tolerance)
    grade = NUMERIC.grade(spec, NUMERIC.normalise_answer(spec, answer))
    assert (grade.earned, grade.possible, grade.pending) == (1 if right else 0, 1, False)
    assert grade.detail["correct"] is right


@pytest.mark.parametrize("unit, answer, summary", [
    ("ms", 42.5, "42.5 ms"), ("ms", 42.0, "42 ms"), (None, -3.0, "-3"), (None, 1e-06, "1e-06"),
    ("ms", None, "(no answer)"),
])
def test_numeric_summarise(unit, answer, summary):
    assert NUMERIC.summarise(numeric(unit=unit), answer) == summary


# --- short_text ------------------------------------------------------------------------------

def short(**fields):
    return SHORT.parse_definition({**COMMON, **fields})


def test_short_text_defaults():
    spec = short(accepted=["Paris"])
    assert (spec.accepted, spec.case_sensitive, spec.regex, spec.max_length) == (("Paris",), False, None, 200)
    assert SHORT.correct_answer(spec) == "Paris"
    assert SHORT.correct_answer(short(regex=r"\d+")) is None
    assert SHORT.shuffle_ids(spec) == ()


@pytest.mark.parametrize("fields, paths", [
    ({}, ["accepted"]),
    ({"accepted": []}, ["accepted"]),
    ({"accepted": "Paris"}, ["accepted"]),
    ({"accepted": ["Paris", "", 3]}, ["accepted[1]", "accepted[2]"]),
    ({"accepted": ["x" * 11], "max_length": 10}, ["accepted[0]"]),
    ({"accepted": ["a"], "max_length": 0}, ["max_length"]),
    ({"accepted": ["a"], "max_length": 2.5}, ["max_length"]),
    ({"accepted": ["a"], "case_sensitive": "no"}, ["case_sensitive"]),
    ({"regex": "("}, ["regex"]),
    ({"regex": ""}, ["regex"]),
    ({"regex": 5}, ["regex"]),
    ({"accepted": [None], "regex": "[a-", "case_sensitive": 1, "max_length": -1, "hint": "x"},
     ["accepted[0]", "case_sensitive", "hint", "max_length", "regex"]),
])
def test_short_text_bad_definitions(fields, paths):
    assert problems(SHORT, {**COMMON, **fields}) == paths


def test_short_text_regex_alone_or_with_empty_accepted():
    assert short(regex=r"\d+").accepted == ()
    assert short(regex=r"\d+", accepted=[]).regex == r"\d+"


@pytest.mark.parametrize("raw, expected", [
    ("Paris", "Paris"), ("  new   york \n", "new york"), ("", None), ("   ", None), (None, None),
])
def test_short_text_normalise(raw, expected):
    assert SHORT.normalise_answer(short(accepted=["Paris"]), raw) == expected


@pytest.mark.parametrize("raw, message", [(5, "text"), (["Paris"], "text"), ("x" * 11, "at most 10")])
def test_short_text_malformed(raw, message):
    with pytest.raises(AnswerError, match=message):
        SHORT.normalise_answer(short(accepted=["x"], max_length=10), raw)


def test_short_text_length_counts_tidied_text():
    assert SHORT.normalise_answer(short(accepted=["x"], max_length=3), "  a  b  ") == "a b"


@pytest.mark.parametrize("fields, answer, right", [
    ({"accepted": ["Paris"]}, "Paris", True),
    ({"accepted": ["Paris"]}, "  pARIS ", True),
    ({"accepted": ["Paris"]}, "Pariss", False),
    ({"accepted": ["New York"]}, "new \t york", True),
    ({"accepted": ["  New   York "]}, "new york", True),
    ({"accepted": ["Straße"]}, "STRASSE", True),
    ({"accepted": ["Paris"], "case_sensitive": True}, "paris", False),
    ({"accepted": ["Paris"], "case_sensitive": True}, " Paris ", True),
    ({"regex": r"\d{3}-\d{4}"}, "555-1234", True),
    ({"regex": r"\d{3}-\d{4}"}, "555-12345", False),  # fullmatch, not search
    ({"regex": r"\d{3}-\d{4}"}, "call 555-1234", False),
    ({"regex": r"colou?r"}, "COLOR", True),
    ({"regex": r"colou?r", "case_sensitive": True}, "COLOR", False),
    ({"regex": r"new york"}, " new   york ", True),  # matched against the tidied answer
    ({"accepted": ["HTTP/2"], "regex": r"HTTP/1\.[01]"}, "http/1.1", True),
    ({"accepted": ["HTTP/2"], "regex": r"HTTP/1\.[01]"}, "http/2", True),
    ({"accepted": ["HTTP/2"], "regex": r"HTTP/1\.[01]"}, "http/3", False),
])
def test_short_text_grade(fields, answer, right):
    spec = short(**fields)
    grade = SHORT.grade(spec, SHORT.normalise_answer(spec, answer))
    assert (grade.earned, grade.possible, grade.pending) == (1 if right else 0, 1, False)
    assert grade.detail == {"correct": right}


@pytest.mark.parametrize("answer, summary", [("new york", "new york"), (None, "(no answer)")])
def test_short_text_summarise(answer, summary):
    assert SHORT.summarise(short(accepted=["x"]), answer) == summary


def test_short_text_ignores_a_closing_full_stop_and_unicode_composition():
    from quiz.question_types import get_type

    short = get_type("short_text")
    spec = short.parse_definition({"prompt": "p", "explanation": "e", "accepted": ["envíes", "Pacific Ocean"]})
    decomposed = "envi\u0301es"  # i + combining acute accent, as some keyboards type it
    assert short.grade(spec, short.normalise_answer(spec, decomposed)).earned == 1
    assert short.grade(spec, short.normalise_answer(spec, "Pacific Ocean.")).earned == 1
    assert short.grade(spec, short.normalise_answer(spec, "envies")).earned == 0
