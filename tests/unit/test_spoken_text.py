"""Option letters and the accessible names of options whose text is formatted (issue 10, point 5)."""

from __future__ import annotations

import pytest

from quiz.assessment.forms import Choice, option_letter
from quiz.rendering import spoken_text


@pytest.mark.parametrize(("markdown", "spoken"), [
    ("- apples\n- pears", "Bulleted list: apples; pears"),
    ("1. apples\n2. pears", "Numbered list: 1. apples; 2. pears"),
    ("3. x\n4. y", "Numbered list: 3. x; 4. y"),  # a list may start anywhere
    ("Intro:\n\n- a\n- b\n\nOutro", "Intro: Bulleted list: a; b. Outro"),
    ("**Bold** and `code`", "Bold and code"),
    ("line one\nline two", "line one line two"),
    ("```\nprint(1)\n```", "Code: print(1)"),
    ("", ""),
])
def test_spoken_text_keeps_what_the_formatting_says(markdown: str, spoken: str) -> None:
    assert spoken_text(markdown) == spoken


def test_a_bulleted_and_a_numbered_option_have_different_names() -> None:
    bulleted, numbered = Choice("1", "- apples\n- pears"), Choice("2", "1. apples\n2. pears")
    assert (bulleted.accessible_name, numbered.accessible_name) == (
        "A. Bulleted list: apples; pears", "B. Numbered list: 1. apples; 2. pears")


@pytest.mark.parametrize(("number", "letter"), [(1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (28, "AB")])
def test_option_letters(number: int, letter: str) -> None:
    assert option_letter(number) == letter


@pytest.mark.parametrize(("key", "name"), [("fact_checking", "Fact checking"), ("code-review", "Code review"),
                                           ("SQL_basics", "SQL basics"), ("b", "B"), ("", "")])
def test_topic_names_as_people_read_them(key: str, name: str) -> None:
    from quiz.rendering import topic_name

    assert topic_name(key) == name
