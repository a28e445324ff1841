"""Log-in sessions kept on the server, so that ending one really ends it. Takes a Session, never commits.

The browser's signed cookie carries only a random token; the row found by its SHA-256 says whether
the session is still good: not ended (log-out, password change or reset), not idle longer than the
idle timeout, not older than the absolute lifetime. A copied cookie is then worth nothing once
its session ends, however long its signature stays valid.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from quiz.models import LoginSession, User

#: last_seen_at is written at most this often per session (one small write a minute, not one per request).
TOUCH_EVERY = timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    lifetime: timedelta


@dataclass(frozen=True)
class SessionCheck:
    """The outcome of looking a cookie's token up: `record` when it is good, else why not."""

    record: LoginSession | None
    ended_because: str | None = None  # logout | password_changed | password_reset | idle | expired | unknown
    needs_touch: bool = False


def start_session(session: Session, user: User, now: datetime, device_token: str | None = None) -> str:
    """A new session for `user`; returns the token for the cookie (never stored as such)."""
    token = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, token_hash=token_hash(token), created_at=now, last_seen_at=now,
                             device_hash=token_hash(device_token) if device_token else None))
    session.flush()
    return token


def check_session(session: Session, token: str | None, now: datetime, limits: SessionLimits) -> SessionCheck:
    if not token:
        return SessionCheck(None, "unknown")
    record = session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash(token))
                            .options(joinedload(LoginSession.user)))
    if record is None:
        return SessionCheck(None, "unknown")
    if record.ended_at is not None:
        return SessionCheck(None, record.end_reason or "logout")
    if now - record.created_at >= limits.lifetime:
        return SessionCheck(None, "expired")
    if now - record.last_seen_at >= limits.idle:
        return SessionCheck(None, "idle")
    return SessionCheck(record, needs_touch=now - record.last_seen_at >= TOUCH_EVERY)


def touch_session(session: Session, record_id: int, now: datetime) -> None:
    """One UPDATE and nothing read before it: on SQLite the write lock is taken by the first statement."""
    session.execute(update(LoginSession).where(LoginSession.id == record_id, LoginSession.ended_at.is_(None))
                    .values(last_seen_at=now))


def end_session(session: Session, token: str | None, now: datetime, reason: str = "logout") -> None:
    if not token:
        return
    session.execute(update(LoginSession).where(LoginSession.token_hash == token_hash(token),
                                               LoginSession.ended_at.is_(None))
                    .values(ended_at=now, end_reason=reason))


def end_all_sessions(session: Session, user: User, now: datetime, reason: str) -> int:
    """Every open session of `user` (password changed or reset); returns how many were open."""
    result = session.execute(update(LoginSession).where(LoginSession.user_id == user.id,
                                                        LoginSession.ended_at.is_(None))
                             .values(ended_at=now, end_reason=reason))
    return int(result.rowcount or 0)


def device_hashes(session: Session, user: User) -> set[str]:
    return set(session.scalars(select(LoginSession.device_hash).where(
        LoginSession.user_id == user.id, LoginSession.device_hash.is_not(None))))
