"""Candidates (search, page, accommodation, void) and records (audit log, CSV exports)."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from quiz.admin.records import ATTEMPT_COLUMNS, RESPONSE_COLUMNS, cell
from quiz.assessment.errors import AlreadyAttempted
from quiz.assessment.services import start_attempt
from quiz.audit import record
from quiz.extensions import now
from quiz.models import Attempt, AttemptSignal, AuditEntry, User
from tests.admin.conftest import login
from tests.services.conftest import T0, assessment, candidate


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def audit_rows(db: Session, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def admin_id(db: Session) -> int:
    return db.scalar(select(User.id).where(User.email == "admin@example.com"))


# --- candidates ----------------------------------------------------------------------------------

def test_the_candidate_list_has_an_empty_state(admin_client: FlaskClient) -> None:
    page = text_of(admin_client.get("/admin/candidates"))
    assert "<h1>Candidates</h1>" in page
    assert "No candidates yet" in page


def test_search_finds_candidates_by_email_or_name(admin_client: FlaskClient, db: Session) -> None:
    ada = candidate(db, "ada@example.com")
    zed = candidate(db, "zed@example.org")
    zed.application.full_name = "Zed Zebra"
    db.commit()

    by_name = text_of(admin_client.get("/admin/candidates?q=zebra"))
    assert "Zed Zebra" in by_name and "ada@example.com" not in by_name
    by_email = text_of(admin_client.get("/admin/candidates?q=ADA@"))
    assert "ada@example.com" in by_email and "Zed Zebra" not in by_email
    assert f"/admin/candidates/{ada.id}" in by_email
    assert "ada@example.com</td>" not in text_of(admin_client.get("/admin/candidates?q=%25"))  # % is literal
    nothing = text_of(admin_client.get("/admin/candidates?q=nobody-like-this"))
    assert "No candidates match “nobody-like-this”" in nothing
    # Staff are not candidates.
    staff = text_of(admin_client.get("/admin/candidates?q=example"))
    assert "grader@example.com" not in staff and "admin@example.com</td>" not in staff


def test_the_candidate_list_is_paginated(admin_client: FlaskClient, db: Session) -> None:
    for n in range(27):
        candidate(db, f"c{n:02d}@example.com")
    db.commit()
    first = text_of(admin_client.get("/admin/candidates"))
    assert "27 candidates" in first and "Page 1 of 2" in first
    assert first.count("@example.com</td>") == 25
    second = text_of(admin_client.get("/admin/candidates?page=2"))
    assert "Page 2 of 2" in second and second.count("@example.com</td>") == 2
    assert admin_client.get("/admin/candidates?page=nonsense").status_code == 200


def test_the_candidate_page_shows_application_attempts_signals_and_placement(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted("ada@example.com", key="alpha-starter")
    db.add_all([AttemptSignal(attempt=attempt, kind="tab_hidden", at=T0 + timedelta(minutes=1), position=2),
                AttemptSignal(attempt=attempt, kind="tab_hidden", at=T0 + timedelta(minutes=2), position=3),
                AttemptSignal(attempt=attempt, kind="paste", at=T0 + timedelta(minutes=3), position=3,
                              detail={"chars": 400})])
    db.commit()
    response = admin_client.get(f"/admin/candidates/{attempt.user_id}")
    assert response.status_code == 200
    page = text_of(response)
    for expected in ("<h1>Ada Candidate</h1>", "Portugal", "Europe/Lisbon", "Master's", "statistics",
                     "English (fluent)", "20 hours per week",  # the application
                     "Alpha starter", "alpha-starter (starter)", "2026-03-02 09:00:00 UTC",  # started
                     "2026-03-02 10:00:00 UTC",  # deadline
                     "09:05:00 UTC</time> · by the candidate", "4.00 / 4.00 points (100.00%",
                     "<strong>Pass</strong>", "Review used?", "No",
                     "3 (paste: 1, tab_hidden: 2)", "question 3",  # signals
                     "<strong>Basic</strong> tier", "$20.00/h",  # placement at the tier's current rate
                     "applies to attempts started after you save it", "Void this attempt…"):
        assert expected in page, expected


def test_the_candidate_page_is_404_for_staff_and_unknown_ids(admin_client: FlaskClient, db: Session) -> None:
    assert admin_client.get(f"/admin/candidates/{admin_id(db)}").status_code == 404
    assert admin_client.get("/admin/candidates/99999").status_code == 404


# --- accommodation -------------------------------------------------------------------------------

def test_accommodation_changes_the_deadline_of_the_next_attempt(
        app: Flask, admin_client: FlaskClient, db: Session) -> None:
    user = candidate(db, "ada@example.com")
    db.commit()
    response = admin_client.post(f"/admin/candidates/{user.id}/accommodation",
                                 data={"factor": "1.50", "reason": "Documented dyslexia (ticket 42)"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/admin/candidates/{user.id}")

    db.expire_all()
    assert user.accommodation_factor == Decimal("1.50")
    assert user.accommodation_reason == "Documented dyslexia (ticket 42)"
    [entry] = audit_rows(db, "candidate.accommodation")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (admin_id(db), "user", str(user.id))
    assert entry.before["factor"] == "1.00" and entry.after["factor"] == "1.50"

    app.extensions["quiz.clock"].advance(minutes=7)
    with app.app_context():
        started = now()
    attempt = start_attempt(db, user, assessment(db, "alpha-starter"), started)
    db.commit()
    assert started == T0 + timedelta(minutes=7)
    assert attempt.deadline_at == started + timedelta(minutes=60 * 1.5)
    assert attempt.accommodation_factor == Decimal("1.50")

    page = text_of(admin_client.get(f"/admin/candidates/{user.id}"))
    assert "Now: <strong>1.50×</strong>" in page and "(1.50× extra time)" in page


def test_accommodation_accepts_a_typed_factor(admin_client: FlaskClient, db: Session) -> None:
    user = candidate(db, "ada@example.com")
    db.commit()
    response = admin_client.post(f"/admin/candidates/{user.id}/accommodation",
                                 data={"factor": "other", "other_factor": "1.75", "reason": "Medical note"})
    assert response.status_code == 302
    db.expire_all()
    assert user.accommodation_factor == Decimal("1.75")
    page = text_of(admin_client.get(f"/admin/candidates/{user.id}"))
    assert 'value="1.75"' in page  # the form shows the typed factor


@pytest.mark.parametrize(("data", "message"), [
    ({"factor": "1.50", "reason": ""}, "Give the reason for the accommodation (kept private)."),
    ({"factor": "other", "other_factor": "", "reason": "x"}, "Type the factor, e.g. 1.75."),
    ({"factor": "other", "other_factor": "abc", "reason": "x"}, "The factor must be a number such as 1.75."),
    ({"factor": "other", "other_factor": "NaN", "reason": "x"}, "The factor must be a number such as 1.75."),
    ({"factor": "other", "other_factor": "5", "reason": "x"}, "The factor must be between 1.00 and 4.00."),
    ({"factor": "other", "other_factor": "0.5", "reason": "x"}, "The factor must be between 1.00 and 4.00."),
    ({"factor": "other", "other_factor": "1.333", "reason": "x"}, "Use at most two decimals, e.g. 1.75."),
    ({"factor": "3.00", "reason": "x"}, "Not a valid choice."),
])
def test_a_bad_accommodation_is_explained_next_to_the_field_and_writes_nothing(
        admin_client: FlaskClient, db: Session, data: dict, message: str) -> None:
    user = candidate(db, "ada@example.com")
    db.commit()
    response = admin_client.post(f"/admin/candidates/{user.id}/accommodation", data=data)
    assert response.status_code == 200
    page = text_of(response)
    assert f'class="errors"><li>{message}</li>' in page
    db.expire_all()
    assert user.accommodation_factor == Decimal("1.00")
    assert audit_rows(db, "candidate.accommodation") == []


def test_the_accommodation_service_refuses_what_is_not_a_finite_number(db: Session) -> None:
    from quiz.admin.people import PeopleError, set_accommodation

    user = candidate(db, "ada@example.com")
    admin = db.get(User, admin_id(db))
    for bad in ("NaN", "Infinity", "abc", "", "4.01", "0.99"):
        with pytest.raises(PeopleError) as caught:
            set_accommodation(db, admin, user, bad, "a reason", T0)
        assert caught.value.field == "factor", bad
    assert user.accommodation_factor == Decimal("1.00")


# --- void ----------------------------------------------------------------------------------------

def test_void_asks_for_confirmation_and_a_reason(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted("ada@example.com", key="alpha-starter")
    url = f"/admin/attempts/{attempt.id}/void"

    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    page = text_of(confirm)
    assert "<h1>Void this attempt?</h1>" in page
    assert "may start a starter assessment once more" in page
    assert "Its pass no longer counts" in page
    assert 'name="reason"' in page and "Cancel" in page

    empty = text_of(admin_client.post(url, data={"reason": "   "}))
    assert 'class="errors"><li>Give the reason: describe the technical failure.</li>' in empty
    short = text_of(admin_client.post(url, data={"reason": "crash"}))
    assert "Describe the technical failure in 10 to 2000 characters." in short

    db.expire_all()
    assert attempt.status == "decided" and attempt.voided_at is None
    assert audit_rows(db, "attempt.void") == []


def test_void_allows_exactly_one_more_start(
        app: Flask, admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted("ada@example.com", key="alpha-starter")
    user, target = attempt.user, assessment(db, "alpha-starter")
    attempt_id, user_id = attempt.id, user.id
    with pytest.raises(AlreadyAttempted):
        start_attempt(db, user, target, T0 + timedelta(hours=1))
    db.rollback()  # (expires everything: touch no object until the request is done)

    reason = "Browser crashed at question 2; support ticket 17."
    response = admin_client.post(f"/admin/attempts/{attempt_id}/void", data={"reason": reason})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/candidates/{user_id}")

    db.expire_all()
    assert (attempt.status, attempt.voided_reason, attempt.voided_by_id) == ("voided", reason, admin_id(db))
    assert attempt.voided_at == T0
    [entry] = audit_rows(db, "attempt.void")
    assert (entry.target_type, entry.target_id, entry.actor_id) == ("attempt", str(attempt.id), admin_id(db))
    assert entry.before == {"status": "decided", "decision": "pass"}

    second = start_attempt(db, user, target, T0 + timedelta(hours=2))
    db.commit()
    assert second.id != attempt.id and second.status == "in_progress"
    with pytest.raises(AlreadyAttempted):
        start_attempt(db, user, target, T0 + timedelta(hours=3))
    db.rollback()
    assert len(db.scalars(select(Attempt).where(Attempt.user_id == user.id)).all()) == 2

    page = text_of(admin_client.get(f"/admin/candidates/{user.id}"))
    assert f"reason: {reason}" in page and ">void</span>" in page
    again = text_of(admin_client.get(f"/admin/attempts/{attempt.id}/void"))
    assert "This attempt is already void" in again
    assert admin_client.get("/admin/attempts/99999/void").status_code == 404


# --- audit log -----------------------------------------------------------------------------------

def _log_some_actions(admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> Attempt:
    attempt = make_submitted("ada@example.com", key="alpha-starter")
    record(db, None, "bank.sync", "track", "alpha", after={"added": 3}, at=T0 - timedelta(days=3))
    db.commit()
    assert admin_client.post(f"/admin/candidates/{attempt.user_id}/accommodation",
                             data={"factor": "1.25", "reason": "Needs <more> time"}).status_code == 302
    assert admin_client.post(f"/admin/attempts/{attempt.id}/void",
                             data={"reason": "Power cut during the attempt."}).status_code == 302
    return attempt


def test_the_audit_log_lists_actions_newest_first_with_readable_json(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    db.execute(delete(AuditEntry))  # the fixture's bank sync wrote some
    db.commit()
    assert "No actions recorded yet." in text_of(admin_client.get("/admin/audit"))
    attempt = _log_some_actions(admin_client, db, make_submitted)
    page = text_of(admin_client.get("/admin/audit"))
    assert "<h1>Audit log</h1>" in page and "3 entries" in page
    assert (page.index("<code>attempt.void</code>") < page.index("<code>candidate.accommodation</code>")
            < page.index("<code>bank.sync</code>"))
    assert "admin@example.com" in page and "<td>system</td>" in page
    assert f"attempt #{attempt.id}" in page and "track #alpha" in page
    assert '"factor": "1.25"' in page and '"reason": "Needs <more> time"' in page
    raw = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Needs &lt;more&gt; time" in raw  # escaped, never markup


def test_the_audit_log_filters(admin_client: FlaskClient, db: Session,
                               make_submitted: Callable[..., Attempt]) -> None:
    _log_some_actions(admin_client, db, make_submitted)

    def actions(query: str) -> list[str]:
        page = text_of(admin_client.get(f"/admin/audit?{query}"))
        return [a for a in ("attempt.void", "candidate.accommodation", "bank.sync") if f"<code>{a}</code>" in page]

    assert actions("action=attempt.void") == ["attempt.void"]
    assert actions("actor=system") == ["bank.sync"]
    assert actions(f"actor={admin_id(db)}") == ["attempt.void", "candidate.accommodation"]
    assert actions("target_type=user") == ["candidate.accommodation"]
    assert actions("since=2026-03-01") == ["attempt.void", "candidate.accommodation"]
    assert actions("until=2026-02-27") == ["bank.sync"]
    assert actions("since=2026-02-27&until=2026-02-27") == ["bank.sync"]  # the end day is inclusive
    none_match = text_of(admin_client.get("/admin/audit?action=bank.sync&actor=system&since=2026-03-02"))
    assert "No entries match these filters." in none_match

    reversed_range = text_of(admin_client.get("/admin/audit?since=2026-03-05&until=2026-03-01"))
    assert 'class="errors"><li>The end date is before the start date.</li>' in reversed_range
    assert "Fix the filters above" in reversed_range
    assert "Not a valid choice" in text_of(admin_client.get("/admin/audit?actor=424242"))


def test_the_audit_log_is_paginated(admin_client: FlaskClient, db: Session) -> None:
    db.execute(delete(AuditEntry))
    for n in range(55):
        record(db, None, "demo.action", "thing", n, at=T0 + timedelta(seconds=n))
    db.commit()
    first = text_of(admin_client.get("/admin/audit"))
    assert "55 entries" in first and "Page 1 of 2" in first and "thing #54" in first and "thing #4<" not in first
    second = text_of(admin_client.get("/admin/audit?page=2&action=demo.action"))
    assert "Page 2 of 2" in second and "thing #4<" in second and "thing #54" not in second


# --- CSV exports ---------------------------------------------------------------------------------

def test_cells_that_would_be_formulas_get_an_apostrophe() -> None:
    for text in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert cell(text) == "'" + text
    assert cell("a=b") == "a=b" and cell(None) == "" and cell(True) == "true" and cell(Decimal("2.50")) == "2.50"
    assert cell(T0) == "2026-03-02T09:00:00Z"


def test_the_exports_page_offers_both_downloads(admin_client: FlaskClient) -> None:
    page = text_of(admin_client.get("/admin/exports"))
    assert "<h1>CSV exports</h1>" in page and "No attempts yet" in page
    assert "/admin/exports/attempts.csv" in page and "/admin/exports/responses.csv" in page


def _read_csv(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True), newline="")))


def test_the_attempts_csv_has_its_columns_and_escapes_formulas(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    evil = make_submitted("evil@example.com", key="alpha-starter")
    evil.user.application.full_name = '=HYPERLINK("http://evil.example","click")'
    odd = make_submitted("odd@example.com", key="beta-starter")
    odd.user.application.full_name = 'Doe, "Jo"\nsecond line'
    db.add(AttemptSignal(attempt=odd, kind="paste", at=T0, position=1))
    db.commit()

    response = admin_client.get("/admin/exports/attempts.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="quiz-attempts-')
    assert response.headers["Content-Disposition"].endswith('.csv"')
    header, *rows = _read_csv(response)
    assert header == ["attempt_id", "candidate_email", "candidate_name", "assessment_key", "track", "kind",
                      "status", "started_at", "deadline_at", "submitted_at", "submit_reason", "score_points",
                      "score_possible", "score_percent", "decision", "decided_at", "tier", "review_opened_at",
                      "voided_reason", "signals_tab_hidden", "signals_paste"]
    assert header == list(ATTEMPT_COLUMNS)
    by_email = {row[1]: dict(zip(header, row)) for row in rows}
    assert len(rows) == 2

    first = by_email["evil@example.com"]
    assert first["candidate_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first | {"candidate_name": None} == {
        "attempt_id": str(evil.id), "candidate_email": "evil@example.com", "candidate_name": None,
        "assessment_key": "alpha-starter", "track": "alpha", "kind": "starter", "status": "decided",
        "started_at": "2026-03-02T09:00:00Z", "deadline_at": "2026-03-02T10:00:00Z",
        "submitted_at": "2026-03-02T09:05:00Z", "submit_reason": "candidate", "score_points": "4.00",
        "score_possible": "4.00", "score_percent": "100.00", "decision": "pass",
        "decided_at": "2026-03-02T09:05:00Z", "tier": "Basic", "review_opened_at": "", "voided_reason": "",
        "signals_tab_hidden": "0", "signals_paste": "0"}

    second = by_email["odd@example.com"]
    assert second["candidate_name"] == 'Doe, "Jo"\nsecond line'  # round-trips through csv.reader
    assert (second["status"], second["decision"], second["tier"]) == ("submitted", "", "")
    assert second["signals_paste"] == "1"


def test_the_responses_csv_has_one_row_per_item(
        admin_client: FlaskClient, db: Session, make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted("ada@example.com", key="beta-starter", essay_text="=cmd|' /C calc'!A0 words")
    response = admin_client.get("/admin/exports/responses.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="quiz-responses-')
    header, *rows = _read_csv(response)
    assert header == ["attempt_id", "candidate_email", "assessment_key", "position", "question_key",
                      "version_number", "type", "topic", "difficulty", "points", "points_awarded", "pending",
                      "answer_summary", "flagged", "saved_at", "grader_email", "graded_at"]
    assert header == list(RESPONSE_COLUMNS)
    assert len(rows) == len(attempt.items) == 4
    records_ = [dict(zip(header, row)) for row in rows]
    assert [r["position"] for r in records_] == ["1", "2", "3", "4"]
    for row, item in zip(records_, attempt.items):
        version = item.question_version
        assert row["attempt_id"] == str(attempt.id) and row["candidate_email"] == "ada@example.com"
        assert (row["assessment_key"], row["question_key"], row["version_number"]) == (
            "beta-starter", version.question.key, "1")
        assert (row["type"], row["topic"], row["difficulty"], row["points"]) == (
            version.type, "b", str(version.difficulty), f"{version.points:.2f}")
        assert row["saved_at"] == "2026-03-02T09:00:00Z" and row["flagged"] == "false"
        assert row["grader_email"] == "" and row["graded_at"] == ""
        if version.type == "essay":
            assert (row["pending"], row["answer_summary"]) == ("true", "(4 words)")
        else:
            assert (row["pending"], row["answer_summary"], row["points_awarded"]) == ("false", "a", "1.00")


def test_empty_exports_hold_only_the_header(admin_client: FlaskClient) -> None:
    assert _read_csv(admin_client.get("/admin/exports/attempts.csv")) == [list(ATTEMPT_COLUMNS)]
    assert _read_csv(admin_client.get("/admin/exports/responses.csv")) == [list(RESPONSE_COLUMNS)]


# --- who may use these pages ---------------------------------------------------------------------

def _my_routes(candidate_id: int, attempt_id: int) -> list[tuple[str, str]]:
    return [("GET", "/admin/candidates"), ("GET", "/admin/candidates?q=ada"),
            ("GET", f"/admin/candidates/{candidate_id}"),
            ("POST", f"/admin/candidates/{candidate_id}/accommodation"),
            ("GET", f"/admin/attempts/{attempt_id}/void"), ("POST", f"/admin/attempts/{attempt_id}/void"),
            ("GET", "/admin/audit"), ("GET", "/admin/exports"),
            ("GET", "/admin/exports/attempts.csv"), ("GET", "/admin/exports/responses.csv")]


@pytest.mark.parametrize("who", ["grader", "candidate"])
def test_graders_and_candidates_get_403_and_change_nothing(
        app: Flask, db: Session, make_submitted: Callable[..., Attempt], who: str) -> None:
    attempt = make_submitted("ada@example.com", key="alpha-starter")
    if who == "candidate":
        client = login(app, "ada@example.com")
    else:
        client = login(app, "grader@example.com")
    data = {"factor": "2.00", "reason": "Power cut during the attempt."}
    for method, url in _my_routes(attempt.user_id, attempt.id):
        assert client.open(url, method=method, data=data).status_code == 403, (who, method, url)
    db.expire_all()
    assert attempt.status == "decided" and attempt.user.accommodation_factor == Decimal("1.00")
    assert audit_rows(db, "candidate.accommodation") == audit_rows(db, "attempt.void") == []


def test_anonymous_users_are_sent_to_log_in(app: Flask, db: Session,
                                            make_submitted: Callable[..., Attempt]) -> None:
    attempt = make_submitted("ada@example.com", key="alpha-starter")
    client = app.test_client()
    for method, url in _my_routes(attempt.user_id, attempt.id):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)

