"""Pages carry display positions, never the bank's option ids (an author may name an id 'correct')."""

from __future__ import annotations

import pytest

from quiz.assessment.forms import choices_for, display_order, raw_answer
from quiz.question_types import AnswerError

DEFINITION = {"options": [{"id": "correct", "text": "Paris"}, {"id": "wrong", "text": "Lyon"},
                          {"id": "also_wrong", "text": "Nice"}]}
SHOWN = ["wrong", "also_wrong", "correct"]  # this attempt's shuffled order


def test_the_page_sees_tokens_and_texts_only() -> None:
    choices = choices_for("single_choice", DEFINITION, SHOWN, "correct")
    assert [(c.token, c.text, c.selected) for c in choices] == [("1", "Lyon", False), ("2", "Nice", False),
                                                                ("3", "Paris", True)]
    assert "correct" not in repr([(c.token, c.text) for c in choices])


@pytest.mark.parametrize(("type_name", "fields", "expected"), [
    ("single_choice", {"choice": ["3"]}, "correct"),
    ("multiple_choice", {"choice": ["1", "3"]}, ["wrong", "correct"]),
    # positions per item; the ordering type turns a complete set into the list also_wrong, correct, wrong
    ("ordering", {"rank_1": ["3"], "rank_2": ["1"], "rank_3": ["2"]}, {"wrong": 3, "also_wrong": 1, "correct": 2}),
    ("ordering", {"rank_1": ["2"], "rank_3": ["2"]}, {"wrong": 2, "correct": 2}),  # partial, shared: kept
    ("single_choice", {}, None),
])
def test_tokens_map_back_through_the_attempts_order(type_name: str, fields: dict, expected: object) -> None:
    order = display_order({"options": DEFINITION["options"], "items": DEFINITION["options"]}, SHOWN)
    assert raw_answer(type_name, fields, order) == expected


@pytest.mark.parametrize("token", ["correct", "0", "4", "-1", "1.0"])
def test_anything_but_a_shown_position_is_refused(token: str) -> None:
    with pytest.raises(AnswerError, match="not one of the options"):
        raw_answer("single_choice", {"choice": [token]}, SHOWN)


def test_an_unshuffled_question_uses_the_written_order() -> None:
    assert display_order(DEFINITION, None) == ["correct", "wrong", "also_wrong"]
