"""Questions and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base, utcnow
from quiz.models.tracks import Track

QUESTION_STATUSES = ("active", "retired")


class Question(Base):
    """A stable identity (the bank key); its content lives in versions."""

    __tablename__ = "questions"
    __table_args__ = (CheckConstraint(f"status IN {QUESTION_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]

    track: Mapped[Track] = relationship()
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number")

    @property
    def current(self) -> QuestionVersion:
        return self.versions[-1]


class QuestionVersion(Base):
    """Never updated once written: an edit is a new row, and attempts pin the row they showed."""

    __tablename__ = "question_versions"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        CheckConstraint("difficulty >= 1 AND difficulty <= 5", name="difficulty"),
        CheckConstraint("points > 0", name="points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    number: Mapped[int]
    type: Mapped[str] = mapped_column(String(32))
    topic: Mapped[str] = mapped_column(String(100), index=True)
    difficulty: Mapped[int]
    points: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    # sha256 of the canonical content; equal hash = nothing changed.
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    question: Mapped[Question] = relationship(back_populates="versions")

