"""After the decision: the mail (outbox and real SMTP), specialists and tier; `quiz sweep`."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path


import pytest
from click.testing import CliRunner
from flask import Flask

from quiz.cli import main
from quiz.clock import FrozenClock
from tests.web.conftest import AppFactory
from tests.smtp import Collector, free_port
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
    mails = outbox(app)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["To"] == "ada@example.com"
    assert mail["From"] == "quiz@localhost"
    assert mail["Subject"] == "Your result: Alpha starter"
    body = mail.get_content()
    assert "Congratulations: you passed the Alpha starter with 100.00%." in body
    assert "You are placed in the Basic tier, starting at $20.00 per hour." in body


def test_a_fail_is_mailed_too(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    take_alpha(client, app, right=False)
    [mail] = outbox(app)
    assert mail["To"] == "ada@example.com"
    assert "Your score was 0.00%, below the pass mark of 50.00%" in mail.get_content()


def test_no_mail_while_the_decision_waits_for_a_grader(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "beta-starter")
    answer_all(client, app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit", data={"confirm": "y"})
    assert stored(app, attempt_id)["status"] == "submitted"
    assert outbox(app) == []


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




def test_the_decision_is_sent_through_a_real_smtp_server(make_app: AppFactory,
                                                         smtp_server: tuple[Collector, int]) -> None:
    handler, port = smtp_server
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_DEFAULT_SENDER="Quiz <quiz@example.org>")
    client = candidate(app, "ada@example.com")
    take_alpha(client, app)

    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.mail_from == "quiz@example.org"
    assert envelope.rcpt_tos == ["ada@example.com"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "Your result: Alpha starter"
    assert "You are placed in the Basic tier, starting at $20.00 per hour." in message.get_content()
    assert not (Path(app.instance_path) / "outbox").exists()  # sent, not kept


def test_an_unreachable_smtp_server_keeps_the_mail_and_the_decision(make_app: AppFactory) -> None:
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    client = candidate(app, "ada@example.com")
    attempt_id = take_alpha(client, app)
    assert stored(app, attempt_id)["decision"] == "pass"
    kept = list((Path(app.instance_path) / "outbox" / "failed").glob("*.eml"))
    assert len(kept) == 1
    assert "Your result: Alpha starter" in kept[0].read_text()


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
    assert "Finalised 1 expired attempt(s); 1 decision mail(s) sent." in result.output

    state = stored(app, expired_id)
    assert state["status"] == "decided" and state["submit_reason"] == "sweep"
    assert state["submitted_at"] == state["deadline_at"]
    assert state["decision"] == "pass"  # the answers saved before the deadline count
    assert stored(app, running_id)["status"] == "in_progress"
    assert [m["To"] for m in outbox(app)] == ["late@example.com"]

    again = CliRunner().invoke(main, ["--instance", str(instance), "sweep"])
    assert again.exit_code == 0 and "Finalised 0 expired attempt(s); 0 decision mail(s) sent." in again.output

    clock.set(real_now)
    assert "Your decision is below." in text(late.get("/dashboard"))
