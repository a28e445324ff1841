"""Attempts and their items. "One attempt means one" is enforced here, by the database."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.models.base import Base
from quiz.models.banks import QuestionVersion
from quiz.models.tracks import Assessment, Tier
from quiz.models.users import User

ATTEMPT_STATUSES = ("in_progress", "submitted", "decided", "voided")
SUBMIT_REASONS = ("candidate", "deadline", "sweep")
DECISIONS = ("pass", "fail")

_NOT_VOIDED = sql("voided_at IS NULL")
_STARTER_NOT_VOIDED = sql("assessment_kind = 'starter' AND voided_at IS NULL")
# JSON null and SQL NULL differ; "no value" must be SQL NULL so `IS NULL` finds it.
_NULLABLE_JSON = JSON(none_as_null=True)


class Attempt(Base):
    __tablename__ = "attempts"
    __table_args__ = (
        CheckConstraint(f"status IN {ATTEMPT_STATUSES!r}", name="status"),
        CheckConstraint(f"submit_reason IN {SUBMIT_REASONS!r}", name="submit_reason"),
        CheckConstraint(f"decision IN {DECISIONS!r}", name="decision"),
        CheckConstraint("deadline_at > started_at", name="deadline_after_start"),
        CheckConstraint("(status = 'voided') = (voided_at IS NOT NULL)", name="voided_consistent"),
        # The kind is copied so the one-starter rule can be a partial index; the composite
        # foreign key keeps the copy equal to the assessment's kind.
        ForeignKeyConstraint(["assessment_id", "assessment_kind"], ["assessments.id", "assessments.kind"],
                             name="fk_attempts_assessment_kind"),
        # A candidate takes one starter, ever, and each assessment once; a voided attempt does not count.
        Index("uq_attempts_one_starter_per_user", "user_id", unique=True,
              sqlite_where=_STARTER_NOT_VOIDED, postgresql_where=_STARTER_NOT_VOIDED),
        Index("uq_attempts_one_per_assessment", "user_id", "assessment_id", unique=True,
              sqlite_where=_NOT_VOIDED, postgresql_where=_NOT_VOIDED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    assessment_kind: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default="in_progress")
    started_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    submit_reason: Mapped[str | None] = mapped_column(String(16))
    # The assessment's settings as they were at the start: later edits apply to later attempts.
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    requires_confirmation: Mapped[bool]
    review_policy: Mapped[dict[str, bool]] = mapped_column(JSON)
    accommodation_factor: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    # The tier a pass places the candidate in, fixed at the start like the other settings.
    offered_tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    score_points: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    score_possible: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    score_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    decision: Mapped[str | None] = mapped_column(String(8))
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    # The tier a pass placed the candidate in, as it was at the decision.
    tier_id: Mapped[int | None] = mapped_column(ForeignKey("tiers.id"))
    review_opened_at: Mapped[datetime | None]
    review_closed_at: Mapped[datetime | None]
    # Held by the one browser tab that opened the review; another tab is told it is open elsewhere.
    review_token: Mapped[str | None] = mapped_column(String(64))
    # The grader this attempt's open items are assigned to (claimed when they start grading it).
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    voided_at: Mapped[datetime | None]
    voided_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    assessment: Mapped[Assessment] = relationship()
    tier: Mapped[Tier | None] = relationship(foreign_keys=[tier_id])
    offered_tier: Mapped[Tier | None] = relationship(foreign_keys=[offered_tier_id])
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position", cascade="all, delete-orphan")
    signals: Mapped[list[AttemptSignal]] = relationship(
        back_populates="attempt", order_by="AttemptSignal.id", cascade="all, delete-orphan")


class AttemptItem(Base):
    __tablename__ = "attempt_items"
    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        CheckConstraint("position >= 1", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_versions.id"), index=True)
    # Display order of choices / ordering items for this attempt (None when the type has none).
    option_order: Mapped[list[str] | None] = mapped_column(_NULLABLE_JSON)
    answer: Mapped[Any | None] = mapped_column(_NULLABLE_JSON)
    # Sequence number of the save that wrote `answer`: an older save arriving late is ignored.
    answer_seq: Mapped[int] = mapped_column(default=0)
    saved_at: Mapped[datetime | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    # Grade, in question points: auto part at submit, total once every part is graded.
    points_awarded: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    pending: Mapped[bool] = mapped_column(default=False, index=True)
    manual_scores: Mapped[dict[str, float] | None] = mapped_column(_NULLABLE_JSON)
    graded_at: Mapped[datetime | None]
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    grader_comment: Mapped[str | None] = mapped_column(Text)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question_version: Mapped[QuestionVersion] = relationship()


class AttemptSignal(Base):
    """An integrity signal (leaving the tab, a large paste) for graders: a signal, never a verdict.

    One row per event, so recording one never rewrites the busy attempt row.
    """

    __tablename__ = "attempt_signals"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime]
    position: Mapped[int | None]
    detail: Mapped[dict[str, Any] | None] = mapped_column(_NULLABLE_JSON)

    attempt: Mapped[Attempt] = relationship(back_populates="signals")
