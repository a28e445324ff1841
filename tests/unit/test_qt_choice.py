"""single_choice, multiple_choice and true_false."""

from __future__ import annotations

import pytest

from quiz.question_types import get_type
from quiz.question_types.base import AnswerError, DefinitionError, format_path

SINGLE = get_type("single_choice")
MULTIPLE = get_type("multiple_choice")
TRUE_FALSE = get_type("true_false")
COMMON = {"prompt": "Which?", "explanation": "Because."}


def options(*ids):
    return [{"id": i, "text": i.upper()} for i in ids]


def problems(qt, raw):
    with pytest.raises(DefinitionError) as err:
        qt.parse_definition(raw)
    return sorted(format_path(p.path) for p in err.value.problems)


# --- single_choice ---------------------------------------------------------------------------

SC = SINGLE.parse_definition({**COMMON, "options": options("a", "b", "c"), "correct": "b"})


def test_single_choice_defaults():
    assert SC.shuffle is True
    assert SC.options == (("a", "A"), ("b", "B"), ("c", "C"))
    assert SINGLE.shuffle_ids(SC) == ("a", "b", "c")
    unshuffled = SINGLE.parse_definition({**COMMON, "options": options("a", "b"), "correct": "a", "shuffle": False})
    assert SINGLE.shuffle_ids(unshuffled) == ()


@pytest.mark.parametrize("changes, paths", [
    ({"correct": "z"}, ["correct"]),
    ({"correct": None}, ["correct"]),
    ({"correct": 1}, ["correct"]),
    ({"options": options("a"), "correct": "a"}, ["options"]),
    ({"options": options("a")}, ["correct", "options"]),
    ({"options": options(*"abcdefghijk")}, ["options"]),
    ({"options": "a, b"}, ["options"]),  # no options: correct is not checked against them
    ({"options": [{"id": "a", "text": "A"}, {"id": "a", "text": ""}], "correct": "a"},
     ["options[1].id", "options[1].text"]),
    ({"options": [{"id": "a", "text": "A"}, "b", {"id": "c", "text": "C", "img": "x"}], "correct": "a"},
     ["options[1]", "options[2].img"]),
    ({"shuffle": "yes"}, ["shuffle"]),
    ({"correct": "z", "shuffle": 1, "options": [{"id": "", "text": "A"}, {"id": "b"}]},
     ["correct", "options[0].id", "options[1].text", "shuffle"]),
])
def test_single_choice_bad_definitions(changes, paths):
    raw = {**COMMON, "options": options("a", "b", "c"), "correct": "b", **changes}
    assert problems(SINGLE, raw) == paths


def test_single_choice_accepts_ten_options():
    spec = SINGLE.parse_definition({**COMMON, "options": options(*"abcdefghij"), "correct": "j"})
    assert len(spec.options) == 10


@pytest.mark.parametrize("raw, expected", [("b", "b"), ("a", "a"), ("", None), (None, None)])
def test_single_choice_normalise(raw, expected):
    assert SINGLE.normalise_answer(SC, raw) == expected


@pytest.mark.parametrize("raw", ["z", "B", 1, ["b"], {"id": "b"}, True])
def test_single_choice_malformed(raw):
    with pytest.raises(AnswerError):
        SINGLE.normalise_answer(SC, raw)


@pytest.mark.parametrize("answer, earned, summary", [("b", 1, "b"), ("a", 0, "a"), (None, 0, "(no answer)")])
def test_single_choice_grade(answer, earned, summary):
    grade = SINGLE.grade(SC, answer)
    assert (grade.earned, grade.possible, grade.pending) == (earned, 1, False)
    assert SINGLE.summarise(SC, answer) == summary
    assert SINGLE.correct_answer(SC) == "b"


# --- multiple_choice -------------------------------------------------------------------------

MC = MULTIPLE.parse_definition({**COMMON, "options": options("a", "b", "c", "d"), "correct": ["b", "a"]})


def test_multiple_choice_key_in_option_order():
    assert MC.correct == ("a", "b")
    assert MULTIPLE.correct_answer(MC) == ["a", "b"]
    assert MULTIPLE.shuffle_ids(MC) == ("a", "b", "c", "d")


@pytest.mark.parametrize("changes, paths", [
    ({"correct": []}, ["correct"]),
    ({"correct": "a"}, ["correct"]),
    ({"correct": None}, ["correct"]),
    ({"correct": ["a", "z"]}, ["correct[1]"]),
    ({"correct": ["a", "a"]}, ["correct[1]"]),
    ({"correct": ["a", 3, "q", "a"]}, ["correct[1]", "correct[2]", "correct[3]"]),
    ({"options": options(*"abcdefghijklm")}, ["options"]),
    ({"options": options("a"), "correct": ["a"]}, ["options"]),
    ({"options": options("a", "b", "c"), "correct": ["a", "d"], "shuffle": None, "extra": 1},
     ["correct[1]", "extra", "shuffle"]),
])
def test_multiple_choice_bad_definitions(changes, paths):
    raw = {**COMMON, "options": options("a", "b", "c", "d"), "correct": ["a", "b"], **changes}
    assert problems(MULTIPLE, raw) == paths


def test_multiple_choice_accepts_twelve_options():
    spec = MULTIPLE.parse_definition({**COMMON, "options": options(*"abcdefghijkl"), "correct": ["l"]})
    assert len(spec.options) == 12


@pytest.mark.parametrize("raw, expected", [
    (["b", "a"], ["a", "b"]),
    (("d",), ["d"]),
    ("c", ["c"]),
    ([], []),
    ("", None),
    (None, None),
])
def test_multiple_choice_normalise(raw, expected):
    assert MULTIPLE.normalise_answer(MC, raw) == expected


@pytest.mark.parametrize("raw", [["a", "z"], "z", ["a", "a"], [1], 1, {"a": True}, ["A"]])
def test_multiple_choice_malformed(raw):
    with pytest.raises(AnswerError):
        MULTIPLE.normalise_answer(MC, raw)


@pytest.mark.parametrize("chosen, earned", [
    (["a", "b"], 1),
    (["a"], 0.5),
    (["b"], 0.5),
    (["a", "c"], 0),
    (["a", "b", "c"], 0.5),
    (["a", "b", "c", "d"], 0),
    (["c", "d"], 0),
    ([], 0),
])
def test_multiple_choice_partial_credit(chosen, earned):
    grade = MULTIPLE.grade(MC, MULTIPLE.normalise_answer(MC, chosen))
    assert grade.earned == pytest.approx(earned)
    assert (grade.possible, grade.pending) == (1, False)


def test_multiple_choice_partial_credit_with_three_right():
    spec = MULTIPLE.parse_definition({**COMMON, "options": options(*"abcde"), "correct": ["a", "b", "c"]})
    assert MULTIPLE.grade(spec, ["a", "b"]).earned == pytest.approx(2 / 3)
    assert MULTIPLE.grade(spec, ["a", "b", "d"]).earned == pytest.approx(1 / 3)
    assert MULTIPLE.grade(spec, ["a", "d", "e"]).earned == 0
    assert MULTIPLE.grade(spec, ["a", "b", "c"]).detail == {"right_chosen": 3, "wrong_chosen": 0, "right_total": 3}


@pytest.mark.parametrize("answer, summary", [(["a", "c"], "a, c"), ([], "(none chosen)"), (None, "(no answer)")])
def test_multiple_choice_summarise(answer, summary):
    assert MULTIPLE.summarise(MC, answer) == summary


# --- true_false ------------------------------------------------------------------------------

TF = TRUE_FALSE.parse_definition({**COMMON, "correct": True})


@pytest.mark.parametrize("changes, paths", [
    ({"correct": None}, ["correct"]),
    ({"correct": "true"}, ["correct"]),
    ({"correct": 1}, ["correct"]),
    ({"correct": 0, "shuffle": True, "prompt": ""}, ["correct", "prompt", "shuffle"]),
])
def test_true_false_bad_definitions(changes, paths):
    assert problems(TRUE_FALSE, {**COMMON, "correct": True, **changes}) == paths


@pytest.mark.parametrize("raw, expected", [
    (True, True), (False, False), ("true", True), ("FALSE", False), (" True ", True), ("", None), (None, None),
])
def test_true_false_normalise(raw, expected):
    assert TRUE_FALSE.normalise_answer(TF, raw) is expected


@pytest.mark.parametrize("raw", ["yes", "t", 1, 0, [True], "truee"])
def test_true_false_malformed(raw):
    with pytest.raises(AnswerError, match="true or false"):
        TRUE_FALSE.normalise_answer(TF, raw)


@pytest.mark.parametrize("answer, earned, summary", [(True, 1, "true"), (False, 0, "false"), (None, 0, "(no answer)")])
def test_true_false_grade(answer, earned, summary):
    grade = TRUE_FALSE.grade(TF, answer)
    assert (grade.earned, grade.possible, grade.pending) == (earned, 1, False)
    assert TRUE_FALSE.summarise(TF, answer) == summary
    assert TRUE_FALSE.shuffle_ids(TF) == ()
    assert TRUE_FALSE.correct_answer(TF) is True
