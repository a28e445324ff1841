"""What the decision mail says when a person decided: an override quotes no score that contradicts it,
a confirmation quotes the score, a re-grade that changes the decision sends an updated result."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from email.message import EmailMessage

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from quiz.models import Attempt
from tests.admin.test_grading import _decided_pass, _fresh, _grade, _grade_all
from tests.outbox import eml_files, html_text, plain_text
from tests.services.conftest import assessment


def _confirm(client: FlaskClient, attempt: Attempt, decision: str, reason: str = "") -> None:
    prefix = f"attempt-{attempt.id}-"
    response = client.post(f"/admin/decisions/{attempt.id}", data={
        prefix + "decision": decision, prefix + "reason": reason, prefix + "confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)


def _decision_mail(app: Flask) -> EmailMessage:
    [mail] = eml_files(app, kind="decision")
    return mail


def test_a_pass_against_the_score_says_it_was_reviewed_and_quotes_no_score(
        app: Flask, admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    assessment(db, "beta-starter").pass_mark = Decimal("70")
    db.commit()
    attempt = make_submitted(right=False)
    _grade_all(admin_client, db, attempt, points="0")
    _fresh(db)
    assert db.get(Attempt, attempt.id).score_percent < 70
    _confirm(admin_client, attempt, "pass", "The essay grader misread the rubric; reviewed by two admins.")
    mail = _decision_mail(app)
    for body in (plain_text(mail), html_text(mail)):
        assert "after a review of your attempt by our team, you" in body and "passed" in body
        assert "%" not in body and "pass mark" not in body
        assert "misread the rubric" not in body  # the reason is internal
    assert "You are placed in the Pro tier, starting at $50.00 per hour." in plain_text(mail)


def test_a_fail_against_the_score_says_it_was_reviewed_and_gives_the_next_step(
        app: Flask, admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    _grade_all(admin_client, db, attempt)
    _confirm(admin_client, attempt, "fail", "Plagiarised essay.")
    body = plain_text(_decision_mail(app))
    assert "After a review of your attempt by our team, we cannot place you in the Beta track." in body
    assert "%" not in body and "Plagiarised" not in body
    assert "What you can do next:" in body and "this result is final for your account" in body
    assert body.startswith("Dear Ada Candidate,\n")


def test_a_confirmation_that_agrees_with_the_score_quotes_it(
        app: Flask, admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    _grade_all(admin_client, db, attempt)
    _confirm(admin_client, attempt, "pass")
    mail = _decision_mail(app)
    assert mail["Subject"] == "Your result: Beta starter"
    assert "you passed the Beta starter with 100 % (the pass mark is 50 %)." in plain_text(mail)


def test_a_regrade_that_changes_the_decision_sends_an_updated_result(
        app: Flask, admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = _decided_pass(admin_client, db, make_submitted)
    essay = next(i for i in db.get(Attempt, attempt.id).items if i.question_version.type == "essay")
    assert _grade(admin_client, essay.id, "0", "Off topic.", back="attempt").status_code == 302
    first, updated = eml_files(app, kind="decision")
    assert first["Subject"] == "Your result: Beta starter"
    assert updated["Subject"] == "Updated result: Beta starter"
    body = plain_text(updated)
    assert "Your result for the Beta starter has changed" in body
    assert "below the pass mark of 80 %" in body  # a machine decision from the score: the score is quoted
