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

from sqlalchemy import bindparam, select, update
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
class SessionRow:
    """A log-in session and its user's standing, read as columns by a hot path's own query."""

    id: int
    user_id: int
    role: str
    user_active: bool
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None
    end_reason: str | None


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


#: Every request runs it: built once (building the statement cost more than running it).
_SESSION_BY_TOKEN = (select(LoginSession).where(LoginSession.token_hash == bindparam("token_hash"))
                     .options(joinedload(LoginSession.user)))


def session_verdict(created_at: datetime, last_seen_at: datetime, ended_at: datetime | None,
                    end_reason: str | None, now: datetime, limits: SessionLimits) -> tuple[str | None, bool]:
    """(why the session is over, or None; whether last_seen_at is due to be written): the one rule,
    whether the row came as a LoginSession or as columns of a hot path's own query."""
    if ended_at is not None:
        return end_reason or "logout", False
    if now - created_at >= limits.lifetime:
        return "expired", False
    if now - last_seen_at >= limits.idle:
        return "idle", False
    return None, now - last_seen_at >= TOUCH_EVERY


def check_session(session: Session, token: str | None, now: datetime, limits: SessionLimits) -> SessionCheck:
    if not token:
        return SessionCheck(None, "unknown")
    record = session.scalar(_SESSION_BY_TOKEN, {"token_hash": token_hash(token)})
    if record is None:
        return SessionCheck(None, "unknown")
    ended, due = session_verdict(record.created_at, record.last_seen_at, record.ended_at, record.end_reason, now, limits)
    if ended is not None:
        return SessionCheck(None, ended)
    return SessionCheck(record, needs_touch=due)


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
