"""The grading screen as a grader uses it (issue 10, point 9): the rubric beside the answer, topics
as people read them, and how a comparison's automatic part and rubric add up to its points."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from quiz.admin.grading_parts import comparison_parts
from quiz.models import Attempt
from quiz.question_types import get_type
from tests.admin.test_grading import COMPARISON, _pending


def test_the_rubric_is_beside_the_answer_and_the_signals_below_both(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    item = _pending(db, attempt)[0]
    html = admin_client.get(f"/admin/grading/items/{item.id}").get_data(as_text=True)
    layout = html.index('<div class="grading-layout">')
    answer, rubric = html.index('<div class="grading-answer">'), html.index('<aside class="grading-rubric"')
    signals = html.index('id="signals-heading"')
    assert layout < answer < html.index("The candidate&#39;s answer") < rubric < html.index('name="criterion_0"') < signals
    assert "topic B ·" in html  # the topic as people read it, not its key
    assert "style=" not in html[layout:]  # layout from the stylesheet, no inline styles


def test_a_comparison_shows_how_its_parts_add_up_to_its_points(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    item = _pending(db, attempt)[0]  # an essay slot worth 2 points, made a comparison
    item.question_version.type, item.question_version.definition = "comparison", COMPARISON
    item.answer = {"better": "b", "rating_a": 5, "rating_b": 4, "justification": "B is kinder."}
    db.commit()
    html = admin_client.get(f"/admin/grading/items/{item.id}").get_data(as_text=True)
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
            for row in re.findall(r"<tr>(.*?)</tr>", html.split('<table class="parts">')[1].split("</table>")[0], re.S)]
    assert "How this item's 2.00 points add up" in html
    assert rows[1:] == ["Choice of the better response 1 of 5 units 0.00 0.40",  # chose B: wrong
                        "Ratings of both responses 1 of 5 units 0.20 0.40",  # A within 1 of the key, B not
                        "Justification (rubric, graded by you) 3 of 5 units to grade 1.20",
                        "Item 0.20 so far 2.00"]
    assert "Your rubric (3 of the 5 units) adds up to 1.20 points." in html


def test_parts_of_a_graded_comparison() -> None:
    comparison = get_type("comparison")
    spec = comparison.parse_definition(COMPARISON)
    grade = comparison.grade(spec, {"better": "a", "rating_a": 6, "rating_b": 2, "justification": "A is right."},
                             {"accuracy": 2, "clarity": 0.5})
    parts = comparison_parts(spec, grade.detail, 3)
    assert [(p.earned_points, p.points) for p in parts.parts] == [
        (Decimal("0.60"), Decimal("0.60")), (Decimal("0.60"), Decimal("0.60")), (Decimal("1.50"), Decimal("1.80"))]
    assert parts.automatic_points == Decimal("1.20") and parts.points == Decimal("3.00") and parts.units == 5


def test_the_question_list_shows_the_question_and_links_to_edit_it(admin_client: FlaskClient) -> None:
    html = admin_client.get("/admin/questions").get_data(as_text=True)
    assert 'class="question-text"><a href="/admin/questions/a-0/edit">Question a-0: which is right?</a>' in html
