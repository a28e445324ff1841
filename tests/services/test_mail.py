"""quiz.mail on the wire: .eml files when no server is set, a real SMTP server on loopback, an unreachable
one, and HTML + text parts. Retrying is the outbox's job (tests/services/test_outbox.py): here a mail that
does not leave raises MailNotSent and leaves nothing behind."""

from __future__ import annotations

import email
import email.policy
import logging
import re
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from quiz.config import DEFAULTS
from quiz.mail import Mail, MailNotSent, send_mail
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


def test_unreachable_server_raises_a_temporary_failure_and_keeps_no_file(tmp_path: Path) -> None:
    port = free_port()
    with pytest.raises(MailNotSent, match=f"cannot reach 127.0.0.1:{port}") as raised:
        send_mail(_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port), tmp_path, MAIL)
    assert raised.value.permanent is False
    assert not (tmp_path / "outbox").exists()


def test_smtp_protocol_error_is_a_temporary_failure(tmp_path: Path, smtp_server: tuple[Collector, int]) -> None:
    """MAIL_USE_TLS against a server without STARTTLS: an SMTPException, not an OSError; an operator
    can fix it, so the outbox tries again later."""
    handler, port = smtp_server
    with pytest.raises(MailNotSent, match="refused") as raised:
        send_mail(_config(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=True), tmp_path, MAIL)
    assert raised.value.permanent is False
    assert handler.envelopes == []


def test_a_header_with_a_line_break_is_a_permanent_failure(tmp_path: Path) -> None:
    with pytest.raises(MailNotSent, match="cannot be built") as raised:
        send_mail(_config(), tmp_path, Mail(to="a@example.com\nBcc: all@example.com", subject="s", body="b"))
    assert raised.value.permanent is True


def test_html_and_text_parts_and_a_given_message_id_and_date(tmp_path: Path) -> None:
    mail = Mail(to=MAIL.to, subject=MAIL.subject, body=MAIL.body, html="<p>Décision prise : <b>admis</b>.</p>")
    date = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    path = send_mail(_config(), tmp_path, mail, token="0123abcd", date=date)
    message = _parse(path.read_bytes())
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_body(("plain",)).get_content() == MAIL.body
    assert message.get_body(("html",)).get_content().strip() == mail.html
    assert message["Message-ID"] == "<0123abcd@example.org>"
    assert message["Date"].datetime == date
