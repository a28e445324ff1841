"""After the decision: the mail (outbox and real SMTP), specialists and tier; `quiz sweep`."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path


import pytest
from click.testing import CliRunner
from flask import Flask, url_for
from sqlalchemy import select

from quiz.assessment.mails import DASHBOARD_PATH
from quiz.cli import main
from quiz.extensions import session_factory
from quiz.models import OutboxMail
from quiz.clock import FrozenClock
from tests.web.conftest import AppFactory
from tests.outbox import html_text, plain_text, run_outbox
from tests.smtp import Collector, SlowCollector, free_port
from tests.web.conftest import T0
from tests.web.support import (
    answer_all,
    candidate,
    outbox,
    save,
    start,
    stored,
    take_alpha,
    text,
)


def test_a_decision_is_mailed_to_the_candidate_through_the_outbox(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    assert outbox(app) == []
    take_alpha(client, app)
    assert not (Path(app.instance_path) / "outbox").exists()  # the request wrote a row, not a file
    [mail] = outbox(app)  # the worker's job writes it
    assert mail["To"] == "ada@example.com"
    assert mail["From"] == "quiz@localhost"
    assert mail["Subject"] == "Your result: Alpha starter"
    assert mail.get_content_type() == "multipart/alternative"
    body = plain_text(mail)
    assert body.startswith("Dear Ada Candidate,\n")
    assert "Congratulations: you passed the Alpha starter with 100 % (the pass mark is 50 %)." in body
    assert "You are placed in the Basic tier, starting at $20.00 per hour." in body
    assert "Your dashboard: http://localhost:8000/dashboard" in body
    html = html_text(mail)
    assert "<p>Dear Ada Candidate,</p>" in html and "<strong>passed</strong> the Alpha starter" in html
    assert '<a href="http://localhost:8000/dashboard"' in html
    # sent once: running the outbox again writes nothing new
    assert [m["Message-ID"] for m in outbox(app)] == [mail["Message-ID"]]


def test_a_fail_is_mailed_with_the_next_step(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app, right=False)
    [mail] = outbox(app)
    assert mail["To"] == "ada@example.com"
    body = plain_text(mail)
    assert "Your score was 0 %, below the pass mark of 50 %, so we cannot place you in the Alpha track." in body
    assert "What you can do next:" in body and "an administrator can void an attempt" in body
    assert "What you can do next</h2>" in html_text(mail)


def test_the_link_uses_base_url(make_app: AppFactory) -> None:
    app = make_app(BASE_URL="https://quiz.example.org/")
    take_alpha(candidate(app, "ada@example.com"), app)
    [mail] = outbox(app)
    assert "Your dashboard: https://quiz.example.org/dashboard\n" in plain_text(mail)
    with app.test_request_context():
        assert url_for("candidates.dashboard") == DASHBOARD_PATH


def test_the_submit_sends_a_receipt(app: Flask, clock: FrozenClock) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app)
    [receipt] = outbox(app, kind="receipt")
    assert receipt["Subject"] == "We received your Alpha starter"
    body = plain_text(receipt)
    assert body.startswith("Dear Ada Candidate,\n")
    assert f"Submitted: {clock.now():%Y-%m-%d %H:%M:%S} UTC\n" in body
    assert "Questions answered: 4 of 4" in body and "Your result is ready: it is in a separate email." in body
    assert "<td>4 of 4</td>" in html_text(receipt)


def test_while_the_decision_waits_for_a_grader_only_the_receipt_goes(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "beta-starter")
    answer_all(client, app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit", data={"confirm": "y"})
    assert stored(app, attempt_id)["status"] == "submitted"
    assert outbox(app) == []
    [receipt] = outbox(app, kind="receipt")
    assert "Some of your answers are graded by a person." in plain_text(receipt)


def test_passing_the_alpha_starter_opens_the_beta_specialist_only(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app)
    board = text(client.get("/dashboard"))
    assert "Specialist assessments open to you" in board
    assert '<a href="/assessments/beta-specialist">Beta specialist</a>' in board
    assert re.search(r"Beta specialist</a>\s+· 1 hour · 4 questions\s+· Pro tier, from \$50\.00/h", board)
    assert "Alpha specialist" not in board
    assert '<p class="tier"><strong>Basic</strong> · starting at <strong>$20.00/h</strong></p>' in board

    instructions = text(client.get("/assessments/beta-specialist"))
    assert "I understand I can take this assessment only once." in instructions
    assert "<strong>Pro</strong> tier, starting at $50.00/h" in instructions


def test_the_specialist_shows_as_taken_after_it_starts(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app)
    start(client, "beta-specialist")
    board = text(client.get("/dashboard"))
    assert "Your <strong>Beta specialist</strong> is in progress" in board
    # listed once, with its state, among the candidate's assessments; no longer among the open ones
    assert '<th scope="row">Beta specialist</th>' in board
    assert "Specialist assessments open to you" not in board
    assert '<a href="/assessments/beta-specialist">' not in board


# --- a real SMTP server on loopback --------------------------------------------------------------




def _by_subject(envelopes: list, prefix: str) -> email.message.EmailMessage:
    [message] = [m for m in (email.message_from_bytes(e.content, policy=email.policy.default) for e in envelopes)
                 if str(m["Subject"]).startswith(prefix)]
    return message  # type: ignore[return-value]


def test_the_decision_is_sent_through_a_real_smtp_server_by_the_worker(
        make_app: AppFactory, smtp_server: tuple[Collector, int]) -> None:
    handler, port = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="Quiz <quiz@example.org>")
    client = candidate(app, "ada@example.com")
    take_alpha(client, app)
    assert handler.envelopes == []  # the request only wrote the outbox

    assert [outcome.sent for outcome in run_outbox(app)] == [True, True]  # the receipt and the decision
    assert {tuple(e.rcpt_tos) for e in handler.envelopes} == {("ada@example.com",)}
    assert {e.mail_from for e in handler.envelopes} == {"quiz@example.org"}
    message = _by_subject(handler.envelopes, "Your result: Alpha starter")
    assert message["To"] == "ada@example.com" and str(message["Message-ID"]).endswith("@example.org>")
    assert "You are placed in the Basic tier, starting at $20.00 per hour." in plain_text(message)
    assert not (Path(app.instance_path) / "outbox").exists()  # sent, not kept
    assert run_outbox(app) == []  # nothing left to send


def test_a_slow_smtp_server_never_holds_up_the_submit(
        make_app: AppFactory, slow_smtp_server: tuple[SlowCollector, int]) -> None:
    """The relay holds every message for up to 30 s: a request that talked to it would hang that long
    (past gunicorn's timeout). The submit returns without the relay having seen a byte."""
    handler, port = slow_smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    assert stored(app, attempt_id)["decision"] == "pass"
    assert handler.started == 0 and handler.envelopes == []
    handler.release.set()  # the relay answers again: the worker delivers
    assert [outcome.sent for outcome in run_outbox(app)] == [True, True]
    assert len(handler.envelopes) == 2


def test_an_unreachable_smtp_server_keeps_the_mail_queued_and_the_decision(make_app: AppFactory) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    assert stored(app, attempt_id)["decision"] == "pass"
    outcomes = run_outbox(app)
    assert [outcome.sent for outcome in outcomes] == [False, False]
    assert all("cannot reach 127.0.0.1" in (outcome.error or "") for outcome in outcomes)
    with session_factory(app)() as session:
        rows = session.scalars(select(OutboxMail)).all()
        assert {(row.status, row.attempts, row.next_attempt_at) for row in rows} == {
            ("queued", 1, T0 + timedelta(seconds=60))}
    assert not (Path(app.instance_path) / "outbox").exists()


# --- quiz sweep ------------------------------------------------------------------------------------


def test_quiz_sweep_finalises_expired_attempts_and_prints_the_count(
        app: Flask, clock: FrozenClock, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real_now = datetime.now(timezone.utc)
    clock.set(real_now - timedelta(hours=3))
    late = candidate(app, "late@example.com")
    expired_id = start(late, "alpha-starter")
    save(late, expired_id, 1, {"choice": "a"}, 1)
    save(late, expired_id, 2, {"choice": "a"}, 1)

    clock.set(real_now)
    current = candidate(app, "current@example.com")
    running_id = start(current, "alpha-starter")

    instance = Path(app.instance_path)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("QUIZ_INSTANCE_PATH", str(instance))  # restored afterwards (--instance sets it)
    monkeypatch.delenv("QUIZ_ANSWER_GRACE_SECONDS", raising=False)
    result = CliRunner().invoke(main, ["--instance", str(instance), "sweep"])
    assert result.exit_code == 0, result.output
    assert "Finalised 1 expired attempt(s); 2 mail(s) queued for the job worker." in result.output

    state = stored(app, expired_id)
    assert state["status"] == "decided" and state["submit_reason"] == "sweep"
    assert state["submitted_at"] == state["deadline_at"]
    assert state["decision"] == "pass"  # the answers saved before the deadline count
    assert stored(app, running_id)["status"] == "in_progress"
    assert [m["To"] for m in outbox(app)] == ["late@example.com"]

    again = CliRunner().invoke(main, ["--instance", str(instance), "sweep"])
    assert again.exit_code == 0 and "Finalised 0 expired attempt(s); 0 mail(s) queued for the job worker." in again.output

    clock.set(real_now)
    assert "Your decision is below." in text(late.get("/dashboard"))
