"""The dashboard after a void and a retake, and the one review asked for before it opens (issue 10,
point 8). The score after the decision and the specialists' facts are in test_pages / test_decision."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from quiz.admin.people import void_attempt
from quiz.auth.passwords import hash_password
from quiz.extensions import session_factory
from quiz.models import Attempt, User
from tests.services.conftest import T0
from tests.web.support import PASSWORD, candidate, flashes, start, stored, take_alpha, text

VOIDED = "was voided by an administrator"


def _void(app: Flask, attempt_id: int) -> None:
    with session_factory(app)() as session:
        admin = User(email="admin@example.com", password_hash=hash_password(PASSWORD), role="admin")
        session.add(admin)
        session.flush()
        void_attempt(session, admin, session.scalar(select(Attempt).where(Attempt.id == attempt_id)),
                     "The server crashed during the attempt.", T0)
        session.commit()


def test_you_may_start_once_more_disappears_once_the_new_attempt_starts(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    first = start(client, "alpha-starter")
    _void(app, first)
    board = text(client.get("/dashboard"))
    assert VOIDED in board and "You may start this assessment once more." in board

    second = start(client, "alpha-starter")
    assert second != first
    board = text(client.get("/dashboard"))
    assert VOIDED not in board and "once more" not in board
    assert "Your <strong>Alpha starter</strong> is in progress" in board


def test_the_review_asks_first_and_a_used_one_is_not_offered_again(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    assert stored(app, attempt_id)["review_opened_at"] is None
    client.post(f"/attempts/{attempt_id}/results/open")  # the confirmed open
    assert stored(app, attempt_id)["review_opened_at"] is not None
    response = client.get(f"/attempts/{attempt_id}/results", follow_redirects=True)
    assert "Your review is already open in another tab or device." in flashes(response)
