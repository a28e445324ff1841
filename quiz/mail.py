"""Outgoing mail on the wire: over SMTP when MAIL_SERVER is set, else written to instance/outbox/ as .eml files.

No Flask import: callers pass the config mapping, so the worker, the CLI and the tests send mail the
same way. Nothing here retries or keeps failed mail: the outbox (`quiz.notifications`) does.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from socket import getfqdn
from typing import Any

logger = logging.getLogger("quiz.mail")

SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # plain text
    html: str | None = None  # an HTML alternative of the same content
    kind: str = "notice"  # what it is for (decision, receipt, ...), shown on the admin outbox page


class MailNotSent(Exception):
    """The mail did not leave. `permanent`: trying again cannot help (the server refused the address,
    or the message cannot be built); otherwise it may go through later."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def new_message_token() -> str:
    return secrets.token_hex(16)


def message_id(sender: str, token: str) -> str:
    # The sender's domain; the host name when the sender has none (as make_msgid does).
    domain = parseaddr(sender)[1].rpartition("@")[2] or getfqdn()
    return f"<{token}@{domain}>"


def build_message(sender: str, mail: Mail, *, token: str, date: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    # A subject with a line break (of any kind) cannot be a header: one line, so the mail is never lost over it.
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = format_datetime(date.astimezone(UTC))
    message["Message-ID"] = message_id(sender, token)
    # quoted-printable keeps the message 7-bit clean for any relay, yet readable in an .eml file.
    message.set_content(mail.body, charset="utf-8", cte="quoted-printable")
    if mail.html is not None:
        message.add_alternative(mail.html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def _write(outbox: Path, message: EmailMessage) -> Path:
    # 0o700: messages hold candidates' addresses and results.
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    path = outbox / name
    with path.open("xb") as file:  # "x": never overwrite another message
        file.write(message.as_bytes())
    return path


def _permanent(error: smtplib.SMTPException) -> bool:
    """Only a server's 5xx refusal of the recipients is final; anything else (down, slow, a 4xx, a
    log-in or TLS problem an operator can fix) is worth another try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return False


def send_mail(config: Mapping[str, Any], instance_path: Path, mail: Mail, *, token: str | None = None,
              date: datetime | None = None) -> Path | None:
    """Send `mail`; return the .eml path when it was written to disk (no MAIL_SERVER), None when the
    server accepted it. Raises MailNotSent when it did not leave."""
    try:
        message = build_message(config["MAIL_DEFAULT_SENDER"], mail, token=token or new_message_token(),
                                date=date or datetime.now(UTC))
    except (ValueError, TypeError) as exc:  # e.g. a line break in a header: never sendable
        raise MailNotSent(f"the message cannot be built: {exc}", permanent=True) from exc
    host = config.get("MAIL_SERVER")
    if not host:
        try:
            path = _write(instance_path / "outbox", message)
        except OSError as exc:
            raise MailNotSent(f"cannot write to {instance_path / 'outbox'}: {exc}") from exc
        logger.info("mail to %s (%s) written to %s", mail.to, mail.subject, path)
        return path

    port = int(config.get("MAIL_PORT") or 25)
    try:
        with smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                # Explicit context: starttls() without one does not verify the server's certificate.
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
    except smtplib.SMTPException as exc:
        raise MailNotSent(f"{host}:{port} refused: {exc}", permanent=_permanent(exc)) from exc
    except OSError as exc:
        raise MailNotSent(f"cannot reach {host}:{port}: {exc}") from exc
    logger.info("mail to %s (%s) sent via %s:%s", mail.to, mail.subject, host, port)
    return None
