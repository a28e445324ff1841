"""Pay tiers, tracks and their assessments (the catalogue a candidate chooses from)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quiz.bank.specs import DEFAULT_REVIEW_POLICY
from quiz.models.base import Base

ASSESSMENT_KINDS = ("starter", "specialist")



class Tier(Base):
    __tablename__ = "tiers"
    __table_args__ = (CheckConstraint("hourly_rate >= 0", name="hourly_rate"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    hourly_rate: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    # Breaks ties between tiers of equal rate when placing a candidate.
    rank: Mapped[int] = mapped_column(default=0)


class Track(Base):
    __tablename__ = "tracks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    position: Mapped[int] = mapped_column(default=0)
    bank_file: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    # Goes up whenever a question of the track is added, versioned, retired, restored or moved
    # (see quiz.models.banks): servers keep the track's pool in memory while it is unchanged.
    bank_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    tier: Mapped[Tier] = relationship()
    assessments: Mapped[list[Assessment]] = relationship(back_populates="track", order_by="Assessment.kind.desc()")


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("track_id", "kind"),
        # Target of the attempts' (assessment_id, assessment_kind) foreign key.
        UniqueConstraint("id", "kind"),
        CheckConstraint(f"kind IN {ASSESSMENT_KINDS!r}", name="kind"),
        CheckConstraint("time_limit_minutes > 0", name="time_limit"),
        CheckConstraint("questions_drawn > 0", name="questions_drawn"),
        CheckConstraint("pass_mark >= 0 AND pass_mark <= 100", name="pass_mark"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    track_id: Mapped[int] = mapped_column(ForeignKey("tracks.id"))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    time_limit_minutes: Mapped[int]
    questions_drawn: Mapped[int]
    # [{"topic": "sql", "difficulty": [1, 3], "count": 2}, ...]
    blueprint: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    pass_mark: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # The tier a pass places the candidate in (the track's tier unless set otherwise).
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    requires_confirmation: Mapped[bool] = mapped_column(default=False)
    review_policy: Mapped[dict[str, bool]] = mapped_column(JSON, default=lambda: dict(DEFAULT_REVIEW_POLICY))
    active: Mapped[bool] = mapped_column(default=True)

    track: Mapped[Track] = relationship(back_populates="assessments")
    tier: Mapped[Tier] = relationship()
