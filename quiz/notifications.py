"""Mail that services decide to send, sent only once their transaction has committed.

A service queues; the caller commits, then calls `send_queued`. A rolled-back decision
therefore never emails anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from quiz.mail import Mail

_QUEUE = "quiz.pending_mail"
logger = logging.getLogger("quiz.mail")


def queue_mail(session: Session, mail: Mail) -> None:
    session.info.setdefault(_QUEUE, []).append(mail)


def discard_queued(session: Session) -> None:
    session.info.pop(_QUEUE, None)


def send_queued(session: Session, send: Callable[[Mail], object]) -> int:
    """Send what the committed transaction queued. One bad message never stops the others, and
    never turns a committed decision into an error page."""
    pending: list[Mail] = session.info.pop(_QUEUE, [])
    for mail in pending:
        try:
            send(mail)
        except Exception:  # noqa: BLE001 - logged with its traceback; the decision itself stands
            logger.exception("mail to %s (%s) could not be built or sent", mail.to, mail.subject)
    return len(pending)


__all__ = ["Mail", "discard_queued", "queue_mail", "send_queued"]
