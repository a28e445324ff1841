"""The instructions say what a candidate needs to know before the once-only start, and offer a
practice question that is not graded and not the attempt (issue 10, point 2)."""

from __future__ import annotations

import pytest
from flask import Flask

from quiz.question_types import TYPE_NAMES
from tests.web.support import attempt_count, candidate, page, post, text


def test_the_instructions_say_types_resources_grading_time_and_what_is_recorded(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    alpha = text(client.get("/assessments/alpha-starter"))
    assert "You will meet these kinds of question:" in alpha
    assert "<li>Single choice</li>" in alpha and "Essay" not in alpha  # only what this bank draws
    assert "What you may use" in alpha and "AI assistants" in alpha
    assert "leaving the tab</strong> (another tab or window in front of this page; moving between questions" in alpha
    assert "pasting 200 characters or more" in alpha
    assert "your result is on your dashboard <strong>as soon as you submit</strong>" in alpha
    assert 'href="/assessments/alpha-starter/practice"' in alpha

    beta = text(client.get("/assessments/beta-starter"))  # with essays: people grade them
    assert "<li>Essay <span class=\"muted\">(graded by a person)</span></li>" in beta
    assert "typically comes <strong>within a few days</strong>" in beta


def test_a_practice_question_is_read_like_a_real_one_and_stores_nothing(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    response = client.get("/assessments/alpha-starter/practice")
    assert response.status_code == 302 and response.headers["Location"] == "/assessments/alpha-starter/practice/single_choice"
    shown = page(client.get("/assessments/alpha-starter/practice/single_choice"))
    assert "Practice only: not graded and not part of your attempt." in shown
    assert shown.count('type="radio" name="choice"') == 3 and 'aria-label="B. Green"' in shown

    result = text(post(client, "/assessments/alpha-starter/practice/single_choice", {"choice": "2"}))
    assert "Read as: <strong>green</strong>" in result and "The practice key: green." in result
    assert 'value="2" aria-label="B. Green" checked' in result  # the choice stays shown
    assert attempt_count(app) == 0  # no attempt, no row: the once-only start is still to come
    assert "Start the assessment" in text(client.get("/assessments/alpha-starter"))


def test_practice_of_a_type_the_assessment_does_not_draw_is_not_found(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    assert client.get("/assessments/alpha-starter/practice/essay").status_code == 404
    assert client.get("/assessments/beta-starter/practice/essay").status_code == 200
    assert client.get("/assessments/nope/practice").status_code == 404


@pytest.mark.parametrize(("fields", "expected"), [
    # shown as 100, 1, 10: tokens 2 and 3 share position 1
    ({"rank_1": "3", "rank_2": "1", "rank_3": "1"}, "position 1 is given to “1” and “10”"),
    ({}, "No answer given"),
])
def test_practice_ordering_shows_what_is_left_to_do(fields: dict, expected: str) -> None:
    from quiz.candidates.practice import check_practice

    _question, result = check_practice("ordering", {k: [v] for k, v in fields.items()})
    assert expected in (result.notice or "No answer given")


def test_the_practice_ordering_is_not_shown_in_its_right_order() -> None:
    from quiz.candidates.practice import page_values, practice_question

    shown = [c.text for c in page_values(practice_question("ordering"))["choices"]]
    assert shown == ["100", "1", "10"]


def test_every_practice_question_parses_and_renders() -> None:
    from quiz.candidates.practice import page_values, practice_question, practice_types

    assert set(TYPE_NAMES) - set(practice_types(TYPE_NAMES)) == {"code"}  # the code page's examples are its practice
    for name in practice_types(TYPE_NAMES):
        question = practice_question(name)
        assert question.definition["prompt"] and isinstance(page_values(question)["choices"], list)
