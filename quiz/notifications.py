"""Mail that services decide to send, sent only once their transaction has committed.

A service queues; the caller commits, then calls `send_queued`. A rolled-back decision
therefore never emails anyone.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from quiz.mail import Mail

_QUEUE = "quiz.pending_mail"


def queue_mail(session: Session, mail: Mail) -> None:
    session.info.setdefault(_QUEUE, []).append(mail)


def discard_queued(session: Session) -> None:
    session.info.pop(_QUEUE, None)


def send_queued(session: Session, send: Callable[[Mail], object]) -> int:
    pending: list[Mail] = session.info.pop(_QUEUE, [])
    for mail in pending:
        send(mail)
    return len(pending)


__all__ = ["Mail", "discard_queued", "queue_mail", "send_queued"]
