"""quiz.mail: the outbox when no server is set, a real SMTP server on loopback, and an unreachable one."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from quiz.config import DEFAULTS
from quiz.mail import Mail, send_mail
from tests.smtp import Collector, free_port

SENDER = "Quiz <quiz@example.org>"
MAIL = Mail(
    to="candidate@example.com",
    subject="Décision : votre tentative",
    body="Bonjour,\n\nDécision prise : admis.\n",
)
EML_NAME = re.compile(r"^\d{8}T\d{12}-[0-9a-f]{8}\.eml$")


def _config(**overrides: Any) -> dict[str, Any]:
    return {**DEFAULTS, "MAIL_DEFAULT_SENDER": SENDER, **overrides}


def _parse(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _assert_is_mail(message: EmailMessage) -> None:
    assert message["To"] == MAIL.to
    assert message["From"] == SENDER
    assert message["Subject"] == MAIL.subject
    assert message["Date"]
    assert message["Message-ID"].endswith("@example.org>")
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "utf-8"
    assert message.get_content() == MAIL.body





def test_without_server_the_mail_is_written_to_the_outbox(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quiz.mail")

    path = send_mail(_config(MAIL_SERVER=None), tmp_path, MAIL)

    assert path is not None
    assert path.parent == tmp_path / "outbox"
    assert EML_NAME.match(path.name), path.name
    assert (tmp_path / "outbox").stat().st_mode & 0o777 == 0o700
    _assert_is_mail(_parse(path.read_bytes()))
    assert f"mail to {MAIL.to} ({MAIL.subject}) written to {path}" in caplog.messages


def test_each_mail_gets_its_own_file(tmp_path: Path) -> None:
    first = send_mail(_config(), tmp_path, MAIL)
    second = send_mail(_config(), tmp_path, MAIL)

    assert first != second
    assert sorted((tmp_path / "outbox").iterdir()) == sorted([first, second])


def test_mail_is_sent_to_a_real_smtp_server(
        tmp_path: Path, smtp_server: tuple[Collector, int]) -> None:
    handler, port = smtp_server

    result = send_mail(_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port), tmp_path, MAIL)

    assert result is None
    assert not (tmp_path / "outbox").exists()
    [envelope] = handler.envelopes
    assert envelope.mail_from == "quiz@example.org"
    assert envelope.rcpt_tos == [MAIL.to]
    # On the wire lines end in CRLF; the body was written with plain newlines.
    _assert_is_mail(_parse(envelope.content.replace(b"\r\n", b"\n")))


def test_unreachable_server_keeps_the_mail_in_failed(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="quiz.mail")

    path = send_mail(_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port()), tmp_path, MAIL)

    assert path is not None
    assert path.parent == tmp_path / "outbox" / "failed"
    assert EML_NAME.match(path.name), path.name
    assert (tmp_path / "outbox").stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "outbox" / "failed").stat().st_mode & 0o777 == 0o700
    _assert_is_mail(_parse(path.read_bytes()))
    [error] = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert error.exc_info is not None and isinstance(error.exc_info[1], OSError)


def test_smtp_protocol_error_keeps_the_mail_in_failed(
        tmp_path: Path, smtp_server: tuple[Collector, int]) -> None:
    """MAIL_USE_TLS against a server without STARTTLS: an SMTPException, not an OSError."""
    handler, port = smtp_server

    path = send_mail(_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=True), tmp_path, MAIL)

    assert path is not None
    assert path.parent == tmp_path / "outbox" / "failed"
    assert handler.envelopes == []
    _assert_is_mail(_parse(path.read_bytes()))
