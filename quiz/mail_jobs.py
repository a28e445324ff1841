"""Sending the outbox on the job queue: one task per mail, enqueued after the commit that wrote it,
and a periodic sweep for mail whose task never ran (enqueue lost, worker killed, retry due).

Each step is its own short transaction: the claim commits before the SMTP conversation starts, so no
database lock is held while a slow relay answers, and another worker sees the claim at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from quiz import jobs, notifications
from quiz.clock import Clock, SystemClock
from quiz.db import immediate_transactions
from quiz.mail import MailNotSent, send_mail
from quiz.notifications import RetryPolicy

logger = logging.getLogger("quiz.mail")


@dataclass(frozen=True)
class Outcome:
    mail_id: int
    sent: bool
    error: str | None = None


def deliver(sessions: sessionmaker[Session], config: Mapping[str, Any], instance_path: Path, mail_id: int,
            clock: Clock, *, schedule_retry: Callable[[int, float], object] | None = None) -> Outcome | None:
    """One try at one mail: None when it was not ours to try (not due, sent, or claimed elsewhere)."""
    policy = RetryPolicy.from_config(config)
    with immediate_transactions(), sessions() as session:
        row = notifications.claim(session, mail_id, clock.now(), policy)
        if row is None:
            return None
        mail, attempts, token, created = notifications.mail_as_sent(row), row.attempts, row.message_token, row.created_at
        session.commit()
    try:
        send_mail(config, instance_path, mail, token=token, date=created)
    except MailNotSent as exc:
        error, permanent = str(exc), exc.permanent
    except Exception as exc:  # noqa: BLE001 - whatever broke, the row must not stay claimed for nothing
        logger.exception("mail #%s could not be sent", mail_id)
        error, permanent = f"{type(exc).__name__}: {exc}", False
    else:
        with immediate_transactions(), sessions() as session:
            recorded = notifications.mark_sent(session, mail_id, attempts, clock.now())
            session.commit()
        if not recorded:
            logger.warning("mail #%s was sent after its claim ran out: another worker may send it again", mail_id)
        return Outcome(mail_id, True)
    now = clock.now()
    with immediate_transactions(), sessions() as session:
        failed = notifications.mark_not_sent(session, mail_id, attempts, error, now, policy, permanent=permanent)
        session.commit()
    if failed is None:
        logger.warning("mail #%s not sent (%s); its claim had run out and another worker has it", mail_id, error)
    elif failed.next_attempt_at is None:
        logger.error("mail #%s to %s failed for good after %s tries: %s", mail_id, mail.to, attempts, error)
    else:
        logger.warning("mail #%s to %s not sent (try %s), again at %s: %s", mail_id, mail.to, attempts,
                       failed.next_attempt_at.isoformat(), error)
        if schedule_retry is not None:
            schedule_retry(mail_id, (failed.next_attempt_at - now).total_seconds())
    return Outcome(mail_id, False, error)


def deliver_due(sessions: sessionmaker[Session], config: Mapping[str, Any], instance_path: Path,
                clock: Clock, *, schedule_retry: Callable[[int, float], object] | None = None) -> list[Outcome]:
    """Try every mail that is due now, one after another (the periodic sweep; tests call it to run
    the outbox synchronously)."""
    with sessions() as session:
        due = notifications.due_mail_ids(session, clock.now())
    return [outcome for mail_id in due
            if (outcome := deliver(sessions, config, instance_path, mail_id, clock,
                                   schedule_retry=schedule_retry)) is not None]


# --- the tasks ---------------------------------------------------------------------------------

def _schedule_retry(mail_id: int, delay_seconds: float) -> None:
    # On time rather than at the next sweep; the sweep still finds it if this is lost.
    send_outbox_mail.schedule((mail_id,), delay=max(delay_seconds, 0))


@jobs.huey.task(name="mail.send")
def send_outbox_mail(mail_id: int) -> None:
    context = jobs.worker_context()
    deliver(context.sessions, context.config, context.instance_path, mail_id, SystemClock(),
            schedule_retry=_schedule_retry)


@jobs.huey.periodic_task(crontab(minute="*"), name="mail.deliver_due")
def deliver_due_mail() -> None:
    context = jobs.worker_context()
    deliver_due(context.sessions, context.config, context.instance_path, SystemClock(),
                schedule_retry=_schedule_retry)


@jobs.huey.on_startup("mail.recover")
def _recover_on_startup() -> None:
    """A worker starting (again) looks for mail at once instead of at the next minute's sweep."""
    deliver_due_mail()


def enqueue_committed(session: Session) -> int:
    """After the commit: hand the mail it wrote to the queue. Never raises: a queue that cannot be
    reached only delays the mail until the periodic sweep finds it."""
    ids = notifications.committed_mail_ids(session)
    for mail_id in ids:
        try:
            send_outbox_mail(mail_id)
        except Exception:  # noqa: BLE001 - the decision is committed; the sweep picks the mail up
            logger.exception("mail #%s is in the outbox but could not be enqueued; the sweep will send it", mail_id)
    return len(ids)
