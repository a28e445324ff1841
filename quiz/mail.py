"""Outgoing mail: sent over SMTP when MAIL_SERVER is set, else written to instance/outbox/ as .eml files.

No Flask import: callers pass the config mapping, so the CLI and the tests send mail the same way the app does.
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
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from typing import Any

logger = logging.getLogger("quiz.mail")

SMTP_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str  # plain text


def _build(sender: str, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    # A subject with a line break (of any kind) cannot be a header: one line, so the mail is never lost over it.
    message["Subject"] = " ".join(mail.subject.split())
    message["Date"] = formatdate(localtime=False)
    # None lets make_msgid fall back to the host name when the sender has no domain.
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    # quoted-printable keeps the message 7-bit clean for any relay, yet readable in an .eml file.
    message.set_content(mail.body, charset="utf-8", cte="quoted-printable")
    return message


def _write(outbox: Path, message: EmailMessage, *, failed: bool = False) -> Path:
    # 0o700 on each level we create: messages hold candidates' addresses and results.
    outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = outbox / "failed" if failed else outbox
    folder.mkdir(mode=0o700, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}.eml"
    path = folder / name
    with path.open("xb") as file:  # "x": never overwrite another message
        file.write(message.as_bytes())
    return path


def send_mail(config: Mapping[str, Any], instance_path: Path, mail: Mail) -> Path | None:
    """Send `mail`; return the .eml path when it was kept on disk instead, None when it was sent."""
    message = _build(config["MAIL_DEFAULT_SENDER"], mail)
    outbox = instance_path / "outbox"
    host = config.get("MAIL_SERVER")
    if not host:
        path = _write(outbox, message)
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
    except (OSError, smtplib.SMTPException):
        # Never raise: a grading decision must not fail because mail is down. Keep the message instead.
        logger.exception("mail to %s (%s) could not be sent via %s:%s", mail.to, mail.subject, host, port)
        try:
            path = _write(outbox, message, failed=True)
        except OSError:
            logger.exception("mail to %s (%s) could not be kept in %s either", mail.to, mail.subject, outbox)
            return None
        logger.info("mail to %s (%s) written to %s", mail.to, mail.subject, path)
        return path
    logger.info("mail to %s (%s) sent via %s:%s", mail.to, mail.subject, host, port)
    return None
