"""Running the outbox in a test: the due mail is sent synchronously, as `quiz worker` would send it."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from quiz.extensions import clock, session_factory
from quiz.mail_jobs import Outcome, deliver_due
from quiz.models import OutboxMail


def run_outbox(app: Flask) -> list[Outcome]:
    """Send every due mail now (the app's clock says when "now" is)."""
    with app.app_context():
        now_clock = clock()
    return deliver_due(session_factory(app), app.config, Path(app.instance_path), now_clock)


def token_of(message: EmailMessage) -> str:
    return str(message["Message-ID"]).strip("<>").partition("@")[0]


def eml_files(app: Flask, kind: str | None = None) -> list[EmailMessage]:
    """Run the outbox, then read the .eml files it wrote (no MAIL_SERVER), oldest first; `kind`
    keeps the mail of that kind (decision, receipt, ...)."""
    run_outbox(app)
    folder = Path(app.instance_path) / "outbox"
    messages = [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                for path in sorted(folder.glob("*.eml"))] if folder.is_dir() else []
    if kind is None:
        return messages  # type: ignore[return-value]
    with session_factory(app)() as session:
        tokens = set(session.scalars(select(OutboxMail.message_token).where(OutboxMail.kind == kind)))
    return [m for m in messages if token_of(m) in tokens]  # type: ignore[arg-type]


def plain_text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def html_text(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()  # type: ignore[union-attr]
