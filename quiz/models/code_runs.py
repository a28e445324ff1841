"""Runs of candidates' code: a job-queue record per run, with its per-test results.

`examples` runs are what the candidate asks for during the attempt (visible tests, never graded);
`graded` runs happen after submit on the hidden tests, and their results grade the item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from quiz.models.attempts import AttemptItem
from quiz.models.base import Base

RUN_KINDS = ("examples", "graded")
RUN_STATUSES = ("queued", "running", "done", "failed")


class CodeRun(Base):
    __tablename__ = "code_runs"
    __table_args__ = (
        CheckConstraint(f"kind IN {RUN_KINDS!r}", name="kind"),
        CheckConstraint(f"status IN {RUN_STATUSES!r}", name="status"),
        Index("ix_code_runs_status_queued_at", "status", "queued_at"),
        Index("ix_code_runs_item_kind", "attempt_item_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_item_id: Mapped[int] = mapped_column(ForeignKey("attempt_items.id", ondelete="CASCADE"))
    # Copied from the item, so the per-attempt rate limit of example runs is one indexed count.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    source: Mapped[str] = mapped_column(Text)
    results: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON(none_as_null=True))
    error: Mapped[str | None] = mapped_column(Text)
    tries: Mapped[int] = mapped_column(default=0)
    queued_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    attempt_item: Mapped[AttemptItem] = relationship(
        backref=backref("code_runs", order_by="CodeRun.id", cascade="all, delete-orphan", passive_deletes=True))
