"""Grading queue, grading an item, decisions awaiting confirmation, re-grading: through the web."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.assessment.review import open_review
from quiz.db import set_immediate_transactions
from quiz.models import Attempt, AttemptItem, AttemptSignal, AuditEntry, User
from tests.admin.conftest import login
from tests.outbox import eml_files
from tests.services.conftest import T0, WINDOW, assessment

CANDIDATE_EMAIL = "cand@example.com"
CANDIDATE_NAME = "Ada Candidate"


# --- helpers ----------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _test_reads_take_no_write_lock(app: Flask) -> None:
    """The test client runs requests in the test's own context, so a POST's "take SQLite's write lock"
    flag (quiz.db) would stay set for the test's `db` session, whose reads would then hold the lock
    and block the next request. Reset it after every request."""
    app.teardown_request(lambda _exc: set_immediate_transactions(False))


def _fresh(db: Session) -> None:
    """See what the requests committed: end the test's transaction (its snapshot) and reload every row."""
    db.rollback()
    db.expire_all()


def _pending(db: Session, attempt: Attempt) -> list[AttemptItem]:
    _fresh(db)
    return [i for i in db.get(Attempt, attempt.id).items if i.pending]


def _grade(client: FlaskClient, item_id: int, points: str = "2", comment: str = "Clear.", back: str = "") -> object:
    url = f"/admin/grading/items/{item_id}" + (f"?back={back}" if back else "")
    return client.post(url, data={"criterion_0": points, "comment": comment})


def _grade_all(client: FlaskClient, db: Session, attempt: Attempt, points: str = "2") -> None:
    for item in _pending(db, attempt):
        response = _grade(client, item.id, points)
        assert response.status_code == 302, response.get_data(as_text=True)


def _audit(db: Session, action: str) -> list[AuditEntry]:
    _fresh(db)
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _outbox(app: Flask) -> list[str]:
    """The decision mails sent so far (plain text, with headers), after running the outbox."""
    return [message.as_string() for message in eml_files(app, kind="decision")]


def _user(db: Session, email: str) -> User:
    return db.scalar(select(User).where(User.email == email))


def _no_confirmation(db: Session, pass_mark: str = "50") -> None:
    """beta-starter decided automatically (attempts copy the settings when they start)."""
    beta = assessment(db, "beta-starter")
    beta.requires_confirmation = False
    beta.pass_mark = Decimal(pass_mark)
    db.commit()


def _assert_blind(html: str) -> None:
    assert CANDIDATE_EMAIL not in html
    assert CANDIDATE_NAME not in html


# --- access -----------------------------------------------------------------------------------------


def test_candidates_and_anonymous_users_are_kept_out(app: Flask, make_submitted: Callable[..., Attempt],
                                                     db: Session) -> None:
    attempt = make_submitted()
    item = _pending(db, attempt)[0]
    anonymous = app.test_client()
    assert anonymous.get("/admin/grading").status_code == 302
    candidate = login(app, CANDIDATE_EMAIL)
    for url in ("/admin/grading", f"/admin/grading/items/{item.id}", "/admin/decisions",
                f"/admin/attempts/{attempt.id}/grades"):
        assert candidate.get(url).status_code == 403, url
    assert candidate.post(f"/admin/grading/items/{item.id}", data={"criterion_0": "2"}).status_code == 403
    assert _pending(db, attempt)[0].manual_scores is None


def test_a_grader_gets_403_on_decisions_and_attempt_pages(grader_client: FlaskClient,
                                                          make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    assert grader_client.get("/admin/decisions").status_code == 403
    assert grader_client.post(f"/admin/decisions/{attempt.id}",
                              data={f"attempt-{attempt.id}-decision": "pass",
                                    f"attempt-{attempt.id}-confirm": "y"}).status_code == 403
    assert grader_client.get(f"/admin/attempts/{attempt.id}/grades").status_code == 403
    assert grader_client.get("/admin/grading").status_code == 200


# --- the queue ----------------------------------------------------------------------------------------


def test_the_empty_queue_says_so(admin_client: FlaskClient, grader_client: FlaskClient) -> None:
    for client in (admin_client, grader_client):
        html = client.get("/admin/grading").get_data(as_text=True)
        assert "<h1>Grading queue</h1>" in html
        assert "No open items yet" in html


def test_the_queue_lists_open_items_oldest_first(admin_client: FlaskClient, db: Session,
                                                 make_submitted: Callable[..., Attempt]) -> None:
    older = make_submitted("first@example.com")
    newer = make_submitted("second@example.com")
    db.get(Attempt, older.id).submitted_at = T0 + timedelta(minutes=1)  # submitted earlier than `newer`
    db.commit()
    html = admin_client.get("/admin/grading").get_data(as_text=True)
    links = [f'/admin/grading/items/{i.id}"' for i in _pending(db, older) + _pending(db, newer)]
    positions = [html.index(link) for link in links]
    assert positions == sorted(positions)
    assert f"Attempt #{older.id}" in html and f"Attempt #{newer.id}" in html
    assert "first@example.com" not in html and "second@example.com" not in html


def test_blind_grading_hides_the_candidates_identity(app: Flask, admin_client: FlaskClient, db: Session,
                                                    make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted(essay_text="An answer that mentions nobody.")
    user = db.get(Attempt, attempt.id).user
    assert user.email == CANDIDATE_EMAIL and user.application.full_name == CANDIDATE_NAME
    grader_client = login(app, "grader@example.com")
    items = _pending(db, attempt)
    pages = [admin_client.get("/admin/grading"), grader_client.get("/admin/grading"),
             admin_client.get(f"/admin/grading/items/{items[0].id}"),
             grader_client.get(f"/admin/grading/items/{items[0].id}"),
             admin_client.get(f"/admin/attempts/{attempt.id}/grades")]
    # after grading everything the attempt waits for confirmation (beta requires it)
    for item in items:
        pages.append(grader_client.post(f"/admin/grading/items/{item.id}",
                                        data={"criterion_0": "2", "comment": "ok"}, follow_redirects=True))
    pages.append(admin_client.get("/admin/decisions"))
    pages.append(admin_client.get(f"/admin/grading/items/{items[0].id}"))
    for response in pages:
        assert response.status_code == 200
        _assert_blind(response.get_data(as_text=True))
    assert f"Attempt #{attempt.id}" in pages[-2].get_data(as_text=True)


def test_the_item_page_shows_prompt_answer_word_count_rubric_and_signals(admin_client: FlaskClient, db: Session,
                                                                         make_submitted: Callable[..., Attempt]
                                                                         ) -> None:
    attempt = make_submitted(essay_text="Five words in this essay.")
    db.add_all([AttemptSignal(attempt_id=attempt.id, kind="tab_hidden", at=T0 + timedelta(minutes=2), position=2),
                AttemptSignal(attempt_id=attempt.id, kind="paste", at=T0 + timedelta(minutes=3), position=3,
                              detail={"length": 350})])
    db.commit()
    item = _pending(db, attempt)[0]
    html = admin_client.get(f"/admin/grading/items/{item.id}").get_data(as_text=True)
    assert f"Essay {item.question_version.definition['prompt'].split(':')[0].split()[-1]}" in html  # prompt
    assert "<p>Essay b-e" in html  # rendered Markdown
    assert "Five words in this essay." in html
    assert "<strong>5</strong> words" in html
    assert "Correct content (content)" in html  # the rubric criterion
    assert 'name="criterion_0"' in html and 'step="0.5"' in html and 'max="2"' in html
    assert 'name="comment"' in html
    assert "Integrity signals" in html and "tab_hidden" in html and "question 2" in html
    assert "350 characters" in html and "09:03:00" in html
    assert "not verdicts" in html


def test_a_long_answer_is_flagged_over_the_word_limit(admin_client: FlaskClient, db: Session,
                                                      make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted(essay_text="word " * 12)
    item = _pending(db, attempt)[0]
    version = item.question_version
    version.definition = {**version.definition, "min_words": 2, "max_words": 10}
    db.commit()
    html = admin_client.get(f"/admin/grading/items/{item.id}").get_data(as_text=True)
    assert "<strong>12</strong> words" in html and "maximum 10" in html and "over the maximum" in html
    assert "under the minimum" not in html


COMPARISON = {
    "prompt": "Choose the **better** response.", "explanation": "A is accurate; B invents a fact.",
    "user_prompt": "Why no antibiotics for the flu?",
    "response_a": "Because flu is a *virus*.", "response_b": "Because antibiotics are out of stock.",
    "better": "a", "scale": {"min": 1, "max": 7}, "ratings": {"a": 6, "b": 2},
    "rubric": [{"id": "accuracy", "description": "Names the error in B", "points": 2},
               {"id": "clarity", "description": "Clear and concise", "points": 1}],
    "min_words": 5,
}


def test_a_comparison_shows_both_responses_the_choice_ratings_and_justification(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    item = _pending(db, attempt)[0]
    item.question_version.type, item.question_version.definition = "comparison", COMPARISON
    item.answer = {"better": "b", "rating_a": 5, "rating_b": 4, "justification": "B is kinder."}
    db.commit()
    html = admin_client.get(f"/admin/grading/items/{item.id}").get_data(as_text=True)
    assert "<strong>better</strong>" in html and "<em>virus</em>" in html  # Markdown rendered
    assert "Why no antibiotics for the flu?" in html and "out of stock" in html
    assert "<th scope=\"row\">Better response</th><td>B</td><td>A</td>" in html
    assert "<td>5</td><td>6 (± 1.0)</td>" in html and "<td>4</td><td>2 (± 1.0)</td>" in html
    assert "The candidate&#39;s justification" in html and "B is kinder." in html
    assert "<strong>3</strong> words" in html and "under the minimum" in html
    assert 'name="criterion_0"' in html and 'name="criterion_1"' in html and 'max="1"' in html
    # both criteria are needed: one missing saves nothing
    response = admin_client.post(f"/admin/grading/items/{item.id}", data={"criterion_0": "2"})
    assert 'id="criterion_1-errors"' in response.get_data(as_text=True)
    assert _pending(db, attempt)[0].id == item.id
    response = admin_client.post(f"/admin/grading/items/{item.id}", data={"criterion_0": "0.5", "criterion_1": "1"})
    assert response.status_code == 302
    _fresh(db)
    graded = db.get(AttemptItem, item.id)
    assert graded.manual_scores == {"accuracy": 0.5, "clarity": 1.0} and not graded.pending


# --- grading ------------------------------------------------------------------------------------------


def test_saving_a_grade_moves_to_the_next_item(app: Flask, db: Session,
                                               make_submitted: Callable[..., Attempt]) -> None:
    first = make_submitted("first@example.com")
    second = make_submitted("second@example.com")
    queue = _pending(db, first) + _pending(db, second)
    grader_client = login(app, "grader@example.com")
    response = _grade(grader_client, queue[0].id, "1.5", "Partly right.")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/grading/items/{queue[1].id}")
    _fresh(db)
    graded = db.get(AttemptItem, queue[0].id)
    assert not graded.pending and graded.manual_scores == {"content": 1.5}
    assert graded.points_awarded == Decimal("1.50") and graded.grader_comment == "Partly right."
    assert graded.grader_id == _user(db, "grader@example.com").id
    assert db.get(Attempt, first.id).grader_id == graded.grader_id  # the attempt is now assigned to them
    [entry] = _audit(db, "item.grade")
    assert entry.actor_id == graded.grader_id and entry.target_id == str(graded.id)
    assert entry.after["manual_scores"] == {"content": 1.5}
    page = grader_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Grade saved" in page


def test_the_last_grade_returns_to_the_queue_with_all_done(admin_client: FlaskClient, db: Session,
                                                           make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    items = _pending(db, attempt)
    for item in items[:-1]:
        assert _grade(admin_client, item.id).status_code == 302
    response = _grade(admin_client, items[-1].id)
    assert response.headers["Location"].endswith("/admin/grading")
    html = admin_client.get("/admin/grading").get_data(as_text=True)
    assert "All done" in html and "No open items yet" in html
    assert "waits for an admin to confirm" in html


@pytest.mark.parametrize(("data", "message"), [
    ({"criterion_0": "3"}, "Points must be between 0 and 2."),
    ({"criterion_0": "-1"}, "Points must be between 0 and 2."),
    ({"criterion_0": "0.3"}, "Use whole or half points"),
    ({"criterion_0": "lots"}, "Enter a number of points from 0 to 2."),
    ({"criterion_0": "NaN"}, "Enter a number of points from 0 to 2."),
    ({"criterion_0": ""}, "Give points for this criterion (0 to 2)."),
    ({}, "Give points for this criterion (0 to 2)."),
])
def test_invalid_points_are_shown_next_to_the_field_and_save_nothing(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt],
        data: dict[str, str], message: str) -> None:
    attempt = make_submitted()
    item = _pending(db, attempt)[0]
    response = admin_client.post(f"/admin/grading/items/{item.id}", data={**data, "comment": "x"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = html[html.index('id="criterion_0-errors"'):]
    assert message in errors[:300]
    assert "Nothing was saved" in html
    _fresh(db)
    item = db.get(AttemptItem, item.id)
    assert item.pending and item.manual_scores is None and item.grader_comment is None
    assert db.get(Attempt, attempt.id).grader_id is None
    assert _audit(db, "item.grade") == []


def test_a_comment_that_is_too_long_is_refused(admin_client: FlaskClient, db: Session,
                                               make_submitted: Callable[..., Attempt]) -> None:
    item = _pending(db, make_submitted())[0]
    html = admin_client.post(f"/admin/grading/items/{item.id}",
                             data={"criterion_0": "1", "comment": "x" * 5001}).get_data(as_text=True)
    assert 'id="comment-errors"' in html
    assert _pending(db, item.attempt)[0].manual_scores is None


def test_an_auto_graded_item_has_no_grading_form(admin_client: FlaskClient, db: Session,
                                                 make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    _fresh(db)
    closed = next(i for i in db.get(Attempt, attempt.id).items if i.question_version.type == "single_choice")
    html = admin_client.get(f"/admin/grading/items/{closed.id}").get_data(as_text=True)
    assert "graded automatically" in html and 'name="criterion_0"' not in html
    response = admin_client.post(f"/admin/grading/items/{closed.id}", data={"criterion_0": "1"})
    assert response.status_code == 200 and _audit(db, "item.grade") == []


def test_a_grader_cannot_see_an_attempt_assigned_to_another_grader(app: Flask, db: Session,
                                                                   make_submitted: Callable[..., Attempt]) -> None:
    theirs = make_submitted("first@example.com")
    free = make_submitted("second@example.com")
    db.get(Attempt, theirs.id).grader_id = _user(db, "grader2@example.com").id
    db.commit()
    item = _pending(db, theirs)[0]
    grader = login(app, "grader@example.com")
    html = grader.get("/admin/grading").get_data(as_text=True)
    assert f"Attempt #{theirs.id}<" not in html and f"/admin/grading/items/{item.id}\"" not in html
    assert f"Attempt #{free.id}<" in html
    assert grader.get(f"/admin/grading/items/{item.id}").status_code == 404
    assert grader.post(f"/admin/grading/items/{item.id}", data={"criterion_0": "2"}).status_code == 404
    assert _pending(db, theirs)[0].manual_scores is None
    # the grader it is assigned to sees it, and an admin sees whom it is assigned to
    assert f"Attempt #{theirs.id}<" in login(app, "grader2@example.com").get("/admin/grading").get_data(as_text=True)
    admin_html = login(app, "admin@example.com").get("/admin/grading").get_data(as_text=True)
    assert "grader2@example.com" in admin_html


def test_grading_claims_the_attempt_for_the_grader(app: Flask, db: Session,
                                                   make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    items = _pending(db, attempt)
    grader2 = login(app, "grader2@example.com")
    assert _grade(grader2, items[0].id).status_code == 302
    if len(items) > 1:  # the rest of the attempt is now theirs only
        grader = login(app, "grader@example.com")
        assert grader.get(f"/admin/grading/items/{items[1].id}").status_code == 404


# --- decisions ----------------------------------------------------------------------------------------


def test_the_last_grade_decides_when_no_confirmation_is_required(app: Flask, admin_client: FlaskClient,
                                                                 grader_client: FlaskClient, db: Session,
                                                                 make_submitted: Callable[..., Attempt]) -> None:
    _no_confirmation(db)
    attempt = make_submitted()
    assert db.get(Attempt, attempt.id).requires_confirmation is False
    items = _pending(db, attempt)
    for item in items[:-1]:
        _grade(grader_client, item.id)
        assert db.get(Attempt, attempt.id).status == "submitted"
    response = _grade(grader_client, items[-1].id)
    assert response.status_code == 302
    _fresh(db)
    decided = db.get(Attempt, attempt.id)
    assert decided.status == "decided" and decided.decision == "pass" and decided.score_percent == Decimal("100.00")
    assert decided.tier.key == "pro"
    [mail] = _outbox(app)
    assert CANDIDATE_EMAIL in mail and "passed" in mail
    assert "decided automatically: pass" in grader_client.get("/admin/grading").get_data(as_text=True)
    assert "No decisions waiting" in admin_client.get("/admin/decisions").get_data(as_text=True)
    assert len(_audit(db, "item.grade")) == len(items)


def test_with_confirmation_the_admin_confirms_and_the_candidate_is_emailed(
        app: Flask, admin_client: FlaskClient, grader_client: FlaskClient, db: Session,
        make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    assert "No decisions waiting" in admin_client.get("/admin/decisions").get_data(as_text=True)
    _grade_all(grader_client, db, attempt)
    _fresh(db)
    assert db.get(Attempt, attempt.id).status == "submitted" and _outbox(app) == []
    html = admin_client.get("/admin/decisions").get_data(as_text=True)
    assert f"Attempt #{attempt.id}" in html and "100.00%" in html and "The score says: <strong>pass</strong>" in html
    assert "Score per topic" in html and "<th scope=\"row\">B</th>" in html
    assert "Integrity signals" in html
    _assert_blind(html)
    prefix = f"attempt-{attempt.id}-"
    # not ticking the confirmation box decides nothing
    response = admin_client.post(f"/admin/decisions/{attempt.id}", data={prefix + "decision": "pass"})
    assert response.status_code == 200 and "Tick this box" in response.get_data(as_text=True)
    assert db.get(Attempt, attempt.id).status == "submitted" and _outbox(app) == []
    response = admin_client.post(f"/admin/decisions/{attempt.id}",
                                 data={prefix + "decision": "pass", prefix + "confirm": "y"})
    assert response.status_code == 302
    _fresh(db)
    decided = db.get(Attempt, attempt.id)
    assert decided.status == "decided" and decided.decision == "pass"
    assert decided.decided_by_id == _user(db, "admin@example.com").id
    [mail] = _outbox(app)
    assert CANDIDATE_EMAIL in mail
    [entry] = _audit(db, "decision.confirm")
    assert entry.after == {"decision": "pass", "reason": None} and entry.target_id == str(attempt.id)
    html = admin_client.get("/admin/decisions").get_data(as_text=True)
    assert "is decided: pass" in html and "No decisions waiting" in html
    # a second confirmation changes nothing
    again = admin_client.post(f"/admin/decisions/{attempt.id}",
                              data={prefix + "decision": "fail", prefix + "reason": "x", prefix + "confirm": "y"})
    assert again.status_code == 302 and db.get(Attempt, attempt.id).decision == "pass"
    assert len(_outbox(app)) == 1


def test_overriding_the_score_needs_a_reason(app: Flask, admin_client: FlaskClient, db: Session,
                                             make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    _grade_all(admin_client, db, attempt)
    prefix = f"attempt-{attempt.id}-"
    response = admin_client.post(f"/admin/decisions/{attempt.id}",
                                 data={prefix + "decision": "fail", prefix + "reason": "  ", prefix + "confirm": "y"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    errors = html[html.index(f'id="{prefix}reason-errors"'):]
    assert "The score says pass: give a reason to decide fail." in errors[:300]
    _fresh(db)
    assert db.get(Attempt, attempt.id).status == "submitted"
    assert _audit(db, "decision.confirm") == [] and _outbox(app) == []
    response = admin_client.post(f"/admin/decisions/{attempt.id}",
                                 data={prefix + "decision": "fail", prefix + "reason": "Plagiarised essay.",
                                       prefix + "confirm": "y"})
    assert response.status_code == 302
    _fresh(db)
    decided = db.get(Attempt, attempt.id)
    assert decided.decision == "fail" and decided.decision_reason == "Plagiarised essay." and decided.tier is None
    [entry] = _audit(db, "decision.confirm")
    assert entry.before == {"computed": "pass"} and entry.after["reason"] == "Plagiarised essay."
    assert len(_outbox(app)) == 1


def test_an_attempt_with_open_items_cannot_be_confirmed(admin_client: FlaskClient, db: Session,
                                                        make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    prefix = f"attempt-{attempt.id}-"
    response = admin_client.post(f"/admin/decisions/{attempt.id}",
                                 data={prefix + "decision": "pass", prefix + "confirm": "y"}, follow_redirects=True)
    assert "Only a fully graded, undecided attempt can be confirmed." in response.get_data(as_text=True)
    assert db.get(Attempt, attempt.id).status == "submitted"
    assert admin_client.post("/admin/decisions/999999", data={}).status_code == 404


# --- re-grading ----------------------------------------------------------------------------------------


def _decided_pass(admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> Attempt:
    """A beta attempt decided automatically, pass mark 80: full marks pass; any essay at 0 fails."""
    _no_confirmation(db, pass_mark="80")
    attempt = make_submitted()
    _grade_all(admin_client, db, attempt)
    _fresh(db)
    assert db.get(Attempt, attempt.id).decision == "pass"
    return attempt


def test_regrading_before_the_review_recomputes_the_decision(app: Flask, admin_client: FlaskClient, db: Session,
                                                             make_submitted: Callable[..., Attempt]) -> None:
    attempt = _decided_pass(admin_client, db, make_submitted)
    essay = next(i for i in db.get(Attempt, attempt.id).items if i.question_version.type == "essay")
    html = admin_client.get(f"/admin/attempts/{attempt.id}/grades").get_data(as_text=True)
    assert f"<h1>Grades of attempt #{attempt.id}</h1>" in html
    assert f"/admin/grading/items/{essay.id}?back=attempt" in html and "Change grade" in html
    _assert_blind(html)
    page = admin_client.get(f"/admin/grading/items/{essay.id}?back=attempt").get_data(as_text=True)
    assert 'value="2"' in page  # the form holds the current grade
    assert "recomputes the score and the decision" in page
    response = _grade(admin_client, essay.id, "0", "On reflection: off topic.", back="attempt")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/attempts/{attempt.id}/grades")
    _fresh(db)
    changed = db.get(Attempt, attempt.id)
    assert changed.decision == "fail" and changed.tier is None and changed.score_percent < 80
    assert "re-graded by admin@example.com" in changed.decision_reason
    [entry] = _audit(db, "item.regrade")
    assert entry.target_id == str(essay.id)
    assert entry.before["decision"] == "pass" and entry.after["decision"] == "fail"
    assert entry.before["manual_scores"] == {"content": 2.0} and entry.after["manual_scores"] == {"content": 0.0}
    assert len(_outbox(app)) == 2  # the pass, then the corrected result
    html = admin_client.get(f"/admin/attempts/{attempt.id}/grades").get_data(as_text=True)
    assert "The decision is now fail" in html and "On reflection: off topic." in html


def test_a_grader_cannot_change_a_decided_grade(app: Flask, admin_client: FlaskClient, db: Session,
                                                make_submitted: Callable[..., Attempt]) -> None:
    attempt = _decided_pass(admin_client, db, make_submitted)
    essay = next(i for i in db.get(Attempt, attempt.id).items if i.question_version.type == "essay")
    grader = login(app, "grader@example.com")
    # a grader sees only open items of submitted attempts: a decided one is not theirs to open
    assert grader.get(f"/admin/grading/items/{essay.id}").status_code == 404
    assert _grade(grader, essay.id, "0").status_code == 404
    assert db.get(Attempt, attempt.id).decision == "pass" and _audit(db, "item.regrade") == []


def test_after_the_review_is_opened_the_regrade_is_refused(app: Flask, admin_client: FlaskClient, db: Session,
                                                           make_submitted: Callable[..., Attempt]) -> None:
    attempt = _decided_pass(admin_client, db, make_submitted)
    open_review(db, db.get(Attempt, attempt.id), T0 + timedelta(hours=1), WINDOW)
    db.commit()
    essay = next(i for i in db.get(Attempt, attempt.id).items if i.question_version.type == "essay")
    html = admin_client.get(f"/admin/attempts/{attempt.id}/grades").get_data(as_text=True)
    assert "The candidate has opened their review: grades can no longer change." in html
    assert "Change grade" not in html
    page = admin_client.get(f"/admin/grading/items/{essay.id}").get_data(as_text=True)
    assert "grades can no longer change" in page and 'name="criterion_0"' not in page
    response = _grade(admin_client, essay.id, "0")
    assert response.status_code == 200
    assert "grades can no longer change" in response.get_data(as_text=True)
    _fresh(db)
    assert db.get(Attempt, attempt.id).decision == "pass"
    assert db.get(AttemptItem, essay.id).manual_scores == {"content": 2.0}
    assert _audit(db, "item.regrade") == [] and len(_outbox(app)) == 1


def test_the_attempt_page_of_an_unknown_attempt_is_404(admin_client: FlaskClient) -> None:
    assert admin_client.get("/admin/attempts/999999/grades").status_code == 404
    assert admin_client.get("/admin/grading/items/999999").status_code == 404


# --- the audit trail -----------------------------------------------------------------------------------


def test_every_grading_action_writes_an_audit_row(app: Flask, admin_client: FlaskClient, db: Session,
                                                  make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted()
    items = _pending(db, attempt)
    grader = login(app, "grader@example.com")

    def count() -> int:
        _fresh(db)
        return db.scalar(select(func.count()).select_from(AuditEntry))

    start = count()
    for n, item in enumerate(items, 1):
        _grade(grader, item.id)
        assert count() == start + n
    prefix = f"attempt-{attempt.id}-"
    admin_client.post(f"/admin/decisions/{attempt.id}", data={prefix + "decision": "pass", prefix + "confirm": "y"})
    assert count() == start + len(items) + 1
    _grade(admin_client, items[0].id, "1")  # a re-grade of the decided attempt
    assert count() == start + len(items) + 2
    actions = [e.action for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))][start:]
    assert actions == ["item.grade"] * len(items) + ["decision.confirm", "item.regrade"]
    grader_id, admin_id = _user(db, "grader@example.com").id, _user(db, "admin@example.com").id
    actors = [e.actor_id for e in db.scalars(select(AuditEntry).order_by(AuditEntry.id))][start:]
    assert actors == [grader_id] * len(items) + [admin_id, admin_id]


def test_a_grader_never_opens_a_running_attempt_or_an_auto_graded_item(app: Flask, db: Session) -> None:
    from quiz.assessment.services import start_attempt
    from tests.services.conftest import assessment, candidate

    running = start_attempt(db, candidate(db, "live@example.com"), assessment(db, "beta-starter"), T0)
    db.commit()
    grader = login(app, "grader@example.com")
    for item in running.items:
        assert grader.get(f"/admin/grading/items/{item.id}").status_code == 404


def test_an_override_is_not_flipped_back_by_a_regrade(app: Flask, admin_client: FlaskClient, db: Session,
                                                      make_submitted: Callable[..., Attempt]) -> None:
    """An admin passed an attempt against its score; a re-grade that leaves the score's verdict as
    it was changes nothing, and one that changes it sends the attempt back for confirmation."""
    attempt = make_submitted(essay_text="An essay.", right=False)
    for item in db.get(Attempt, attempt.id).items:
        if item.pending:
            assert _grade(admin_client, item.id, "0").status_code in (200, 302)
    response = admin_client.post(f"/admin/decisions/{attempt.id}",
                                 data={f"attempt-{attempt.id}-decision": "pass", f"attempt-{attempt.id}-reason": "Grader error on item 2",
                                       f"attempt-{attempt.id}-confirm": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    _fresh(db)
    assert db.get(Attempt, attempt.id).decision == "pass"
    essay = next(i for i in db.get(Attempt, attempt.id).items if i.question_version.type == "essay")
    _grade(admin_client, essay.id, "0")  # the same points again
    _fresh(db)
    assert db.get(Attempt, attempt.id).decision == "pass"
