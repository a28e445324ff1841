"""Practice questions: one per question type, shown before the once-only start, exactly as the
attempt shows them, so a candidate learns the controls first. Nothing is stored and nothing counts:
there is no attempt, no database row, no grade; the page only says how the answer was read.

The content is fixed here, not drawn from the bank, so practising never reveals a real item.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from quiz.assessment.forms import choices_for, display_order, raw_answer
from quiz.question_types import TYPE_NAMES, AnswerError, get_type
from quiz.question_types.base import format_number

_RUBRIC = [{"id": "reasons", "description": "Gives a reason", "points": 1}]

_PRACTICE: dict[str, dict[str, Any]] = {
    "single_choice": {
        "prompt": "Which of these is a primary colour of light?", "explanation": "Red, green and blue.",
        "options": [{"id": "brown", "text": "Brown"}, {"id": "green", "text": "Green"},
                    {"id": "grey", "text": "Grey"}], "correct": "green", "shuffle": False},
    "multiple_choice": {
        "prompt": "Which of these are even numbers? Choose every one that applies.", "explanation": "2 and 8.",
        "options": [{"id": "two", "text": "2"}, {"id": "five", "text": "5"}, {"id": "eight", "text": "8"}],
        "correct": ["two", "eight"], "shuffle": False},
    "true_false": {"prompt": "True or false: a week has seven days.", "explanation": "It does.", "correct": True},
    "numeric": {"prompt": "A box holds 2.5 kg. How much do three boxes hold?", "explanation": "7.5 kg.",
                "correct": 7.5, "tolerance": {"absolute": 0.01}, "unit": "kg"},
    "short_text": {"prompt": "Type the word *practice*.", "explanation": "practice",
                   "accepted": ["practice"], "max_length": 40},
    "ordering": {"prompt": "Put these numbers in order, smallest first.", "explanation": "1, 10, 100.",
                 "items": [{"id": "one", "text": "1"}, {"id": "ten", "text": "10"}, {"id": "hundred", "text": "100"}]},
    "essay": {"prompt": "In two or three sentences, describe your favourite season and why.",
              "explanation": "Any honest answer.", "rubric": _RUBRIC, "min_words": 10, "max_words": 80},
    "comparison": {
        "prompt": "Compare the two answers to the user's question.", "explanation": "B is right and kind.",
        "user_prompt": "How many minutes are in an hour?",
        "response_a": "An hour has 100 minutes.", "response_b": "An hour has 60 minutes.",
        "better": "b", "ratings": {"a": 1, "b": 7}, "rubric": _RUBRIC, "min_words": 5, "max_words": 80},
}
# Code questions have none: running code needs the sandbox and the job queue, and the code page's own
# "Run examples" (visible tests, never graded) is the practice.
assert set(_PRACTICE) == {name for name in TYPE_NAMES if not getattr(get_type(name), "runs_code", False)}, \
    "every question type that does not run code has a practice question"
#: Shown in another order than written (an ordering is written in its right order, and an attempt
#: always shuffles it); the rest are shown as written.
_SHOWN = {"ordering": ["hundred", "one", "ten"]}


@dataclass(frozen=True)
class PracticeQuestion:
    type_name: str
    label: str
    definition: dict[str, Any]  # canonical, as the attempt's templates expect it
    answer: Any = None


@dataclass(frozen=True)
class PracticeResult:
    read_as: str | None  # how the answer was read (None: nothing given)
    expected: str | None  # the practice key, for types graded automatically
    notice: str | None = None
    error: str | None = None


def practice_types(type_names: Sequence[str]) -> list[str]:
    """The types to practise, in the registry's order (all of them when none is known)."""
    wanted = set(type_names) or set(TYPE_NAMES)
    return [name for name in TYPE_NAMES if name in wanted and name in _PRACTICE]


def practice_question(type_name: str, answer: Any = None) -> PracticeQuestion:
    """Raises KeyError for an unknown type."""
    question_type = get_type(type_name)
    definition = question_type.to_definition(question_type.parse_definition(_PRACTICE[type_name]))
    return PracticeQuestion(type_name, question_type.label, definition, answer)


def page_values(question: PracticeQuestion) -> dict[str, Any]:
    """What the attempt's type partials need (`choices`, `number_value`) for this question."""
    numeric = question.type_name == "numeric" and isinstance(question.answer, (int, float))
    return {"choices": choices_for(question.type_name, question.definition, _SHOWN.get(question.type_name),
                                   question.answer),
            "number_value": format_number(question.answer) if numeric else ""}


def check_practice(type_name: str, fields: Mapping[str, Sequence[str]]) -> tuple[PracticeQuestion, PracticeResult]:
    """Read a practice answer the way the attempt reads a real one; store and grade nothing."""
    question = practice_question(type_name)
    question_type = get_type(type_name)
    spec = question_type.parse_definition(question.definition)
    expected = None if question_type.manual else question_type.summarise(spec, question_type.correct_answer(spec))
    try:
        answer = question_type.normalise_answer(
            spec, raw_answer(type_name, fields, display_order(question.definition, _SHOWN.get(type_name))))
    except AnswerError as exc:
        return question, PracticeResult(None, expected, error=str(exc))
    question = PracticeQuestion(type_name, question.label, question.definition, answer)
    read_as = None if answer is None else question_type.summarise(spec, answer)
    return question, PracticeResult(read_as, expected, question_type.notice(spec, answer))
