"""Log-in sessions kept on the server, and the duplicate-account signals shown to admins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base
from quiz.models.users import User

SESSION_END_REASONS = ("logout", "password_changed", "password_reset")
SIGNAL_REASONS = ("email", "device", "name_country")


class LoginSession(Base):
    """One log-in of one browser. The cookie carries a random token; only its SHA-256 is stored,
    so a copy of the database opens no session. Ended rows are kept: they are what refuses a
    replayed cookie, and their device hashes feed the duplicate signals."""

    __tablename__ = "login_sessions"
    __table_args__ = (CheckConstraint(f"end_reason IS NULL OR end_reason IN {SESSION_END_REASONS!r}",
                                      name="end_reason"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # SHA-256 of the browser's long-lived device cookie (quiz_device), when it sent one.
    device_hash: Mapped[str | None] = mapped_column(String(64), index=True)

    user: Mapped[User] = relationship()


class AccountSignal(Base):
    """"Possibly the same person as `other`": stored for both accounts of a pair, never acted on."""

    __tablename__ = "account_signals"
    __table_args__ = (
        UniqueConstraint("user_id", "other_user_id", "reason"),
        CheckConstraint(f"reason IN {SIGNAL_REASONS!r}", name="reason"),
        CheckConstraint("user_id <> other_user_id", name="distinct_users"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    other_user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(16))
    detected_at: Mapped[datetime]

    other: Mapped[User] = relationship(foreign_keys=[other_user_id])
