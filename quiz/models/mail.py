"""The outbox: every outgoing mail is a row, written in the transaction that decided to send it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quiz.models.base import Base, utcnow

#: queued: waits to be sent (now, or at `next_attempt_at` after a failure); sending: claimed by a
#: worker until `lease_expires_at` (a worker that dies leaves it to be claimed again); sent; failed:
#: gave up after the last retry (or a permanent refusal), until an admin resends it.
OUTBOX_STATUSES = ("queued", "sending", "sent", "failed")


class OutboxMail(Base):
    __tablename__ = "outbox_mail"
    __table_args__ = (
        CheckConstraint(f"status IN {OUTBOX_STATUSES!r}", name="status"),
        CheckConstraint("attempts >= 0", name="attempts"),
        # What the workers look for: due queued mail, and claims whose worker went away.
        Index("ix_outbox_mail_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # What it is for (decision, receipt, ...): for the admin page, never for sending.
    kind: Mapped[str] = mapped_column(String(32), default="notice")
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # The local part of the Message-ID: the same on every try, so a mail sent twice (a worker died
    # after the server accepted it) carries one Message-ID and the recipient's side can tell.
    message_token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    # Tries so far (the claim counts one); also fences a late worker out of a row claimed again.
    attempts: Mapped[int] = mapped_column(default=0)
    # None: due at once (never tried).
    next_attempt_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMail {self.id} {self.kind} to {self.to_address} {self.status}>"
