"""The outbox: mail that services decide to send is a row written in their transaction.

A service calls `queue_mail(session, Mail(...))`; the row commits (or rolls back) with the decision,
so a rolled-back decision never emails anyone and a committed one is never forgotten. After the
commit the caller hands the new rows to the job queue (`quiz.mail_jobs.enqueue_committed`); a
worker claims each row atomically, sends it, and records the outcome. A worker that dies mid-send
leaves a claim that runs out (`MAIL_SEND_LEASE_SECONDS`); the mail is then claimed and sent again:
delivery is at least once, every try carrying the same Message-ID.

Services here flush, never commit: the job runner in `quiz.mail_jobs` owns the transactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session, defer

from quiz.audit import record
from quiz.mail import Mail, new_message_token
from quiz.models import OutboxMail, User
from quiz.models.mail import OUTBOX_STATUSES

_NEW_ROWS = "quiz.outbox.new_rows"
_BASE_URL = "quiz.base_url"
DEFAULT_BASE_URL = "http://localhost:8000"
ERROR_LENGTH = 2000  # what is kept of an error message


class OutboxError(Exception):
    pass


def queue_mail(session: Session, mail: Mail) -> OutboxMail:
    """Write `mail` to the outbox in the session's transaction."""
    row = OutboxMail(kind=mail.kind, to_address=mail.to, subject=mail.subject, body_text=mail.body,
                     body_html=mail.html, message_token=new_message_token(), status="queued", attempts=0)
    session.add(row)
    session.flush()
    _remember(session, row)
    return row


def _remember(session: Session, row: OutboxMail) -> None:
    session.info.setdefault(_NEW_ROWS, []).append(row)


def committed_mail_ids(session: Session) -> list[int]:
    """The rows queued (or resent) in the transaction just committed, once. Rows of a transaction or
    savepoint that rolled back are no longer persistent and are left out."""
    rows: list[OutboxMail] = session.info.pop(_NEW_ROWS, [])
    return [row.id for row in rows if row in session and row.id is not None]


def discard_unsent(session: Session, domain: str) -> int:
    """Take back the mail this transaction queued for addresses of `domain` (simulated candidates of
    `quiz simulate`, who must never be mailed). Returns how many."""
    rows: list[OutboxMail] = session.info.get(_NEW_ROWS, [])
    dropped = [row for row in rows if row.to_address.endswith("@" + domain)]
    for row in dropped:
        rows.remove(row)
        if row in session:
            session.delete(row)
    session.flush()
    return len(dropped)


def mail_as_sent(row: OutboxMail) -> Mail:
    return Mail(to=row.to_address, subject=row.subject, body=row.body_text, html=row.body_html, kind=row.kind)


# --- links in mail ------------------------------------------------------------------------------

def mail_session_info(config: Mapping[str, Any]) -> dict[str, Any]:
    """Mail is composed in services, which see no request and no config: the session factory passes
    them the app's BASE_URL (`sessionmaker(info=...)`)."""
    return {_BASE_URL: str(config.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/")}


def base_url(session: Session) -> str:
    return session.info.get(_BASE_URL, DEFAULT_BASE_URL)


# --- the worker's side: claim, then record the outcome -------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 10
    base_seconds: float = 60
    max_seconds: float = 3600
    lease_seconds: float = 300

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> RetryPolicy:
        return cls(max_attempts=int(config["MAIL_MAX_ATTEMPTS"]), base_seconds=float(config["MAIL_RETRY_BASE_SECONDS"]),
                   max_seconds=float(config["MAIL_RETRY_MAX_SECONDS"]),
                   lease_seconds=float(config["MAIL_SEND_LEASE_SECONDS"]))

    def delay_after(self, attempts: int) -> timedelta:
        """1, 2, 4, 8 ... times the base after the 1st, 2nd, 3rd ... failed try, never more than the cap."""
        return timedelta(seconds=min(self.base_seconds * 2 ** (attempts - 1), self.max_seconds))


def _claimable(now: datetime) -> Any:
    due = and_(OutboxMail.status == "queued",
               or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now))
    abandoned = and_(OutboxMail.status == "sending", OutboxMail.lease_expires_at <= now)
    return or_(due, abandoned)


def due_mail_ids(session: Session, now: datetime, limit: int = 200) -> list[int]:
    """Mail that should be tried now: due queued mail (its enqueue may have been lost, or its retry
    time has come) and claims whose worker went away."""
    return list(session.scalars(select(OutboxMail.id).where(_claimable(now))
                                .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(limit)))


def claim(session: Session, mail_id: int, now: datetime, policy: RetryPolicy) -> OutboxMail | None:
    """Take the mail for one try, or None when it is not due or another worker has it. One
    conditional UPDATE: of several workers (or a task and the periodic sweep) exactly one wins."""
    claimed = session.execute(
        update(OutboxMail).where(OutboxMail.id == mail_id, _claimable(now))
        .values(status="sending", attempts=OutboxMail.attempts + 1,
                lease_expires_at=now + timedelta(seconds=policy.lease_seconds))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None
    return session.get(OutboxMail, mail_id, populate_existing=True)


def _still_ours(mail_id: int, attempts: int) -> Any:
    # `attempts` fences: a worker whose lease ran out and whose row was claimed again records nothing.
    return and_(OutboxMail.id == mail_id, OutboxMail.status == "sending", OutboxMail.attempts == attempts)


def mark_sent(session: Session, mail_id: int, attempts: int, now: datetime) -> bool:
    return session.execute(
        update(OutboxMail).where(_still_ours(mail_id, attempts))
        .values(status="sent", sent_at=now, lease_expires_at=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)).rowcount == 1


@dataclass(frozen=True)
class FailedTry:
    next_attempt_at: datetime | None  # None: the mail is now failed, until an admin resends it


def mark_not_sent(session: Session, mail_id: int, attempts: int, error: str, now: datetime, policy: RetryPolicy,
                  *, permanent: bool = False) -> FailedTry | None:
    """Record a failed try; None when the claim was no longer ours (another worker has the mail)."""
    give_up = permanent or attempts >= policy.max_attempts
    next_at = None if give_up else now + policy.delay_after(attempts)
    recorded = session.execute(
        update(OutboxMail).where(_still_ours(mail_id, attempts))
        .values(status="failed" if give_up else "queued", next_attempt_at=next_at, lease_expires_at=None,
                last_error=error[:ERROR_LENGTH])
        .execution_options(synchronize_session=False)).rowcount == 1
    return FailedTry(next_at) if recorded else None


# --- the admin's side --------------------------------------------------------------------------

def resend(session: Session, admin: User, mail_id: int, now: datetime) -> OutboxMail:
    """Put a failed mail back in the queue with a fresh set of tries (audited)."""
    row = session.scalar(select(OutboxMail).where(OutboxMail.id == mail_id).with_for_update())
    if row is None:
        raise LookupError(mail_id)
    if row.status != "failed":
        raise OutboxError(f"Mail #{row.id} is {row.status}: only failed mail can be sent again.")
    before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
    row.status, row.attempts, row.next_attempt_at, row.lease_expires_at = "queued", 0, None, None
    record(session, admin, "mail.resend", "outbox_mail", row.id, before=before,
           after={"status": row.status, "to": row.to_address, "subject": row.subject}, at=now)
    session.flush()
    _remember(session, row)
    return row


@dataclass(frozen=True)
class OutboxPage:
    rows: Sequence[OutboxMail]
    total: int
    counts: dict[str, int]


def outbox_page(session: Session, status: str | None, page: int, per_page: int) -> OutboxPage:
    """Newest first. Bodies are not loaded: the page shows none (a reset link is a secret)."""
    counts = dict.fromkeys(OUTBOX_STATUSES, 0)
    counts.update(session.execute(select(OutboxMail.status, func.count()).group_by(OutboxMail.status)).all())
    query = select(OutboxMail)
    if status:
        query = query.where(OutboxMail.status == status)
    total = counts[status] if status else sum(counts.values())
    rows = session.scalars(query.order_by(OutboxMail.id.desc()).offset((page - 1) * per_page).limit(per_page)
                           .options(defer(OutboxMail.body_text, raiseload=True),
                                    defer(OutboxMail.body_html, raiseload=True))).all()
    return OutboxPage(rows, total, counts)


__all__ = ["Mail", "OutboxError", "RetryPolicy", "claim", "committed_mail_ids", "due_mail_ids", "mark_not_sent",
           "mark_sent", "outbox_page", "queue_mail", "resend"]
