"""Questions and their immutable versions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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



@event.listens_for(Session, "before_flush")
def _bump_bank_revisions(session: Session, _context: object, _instances: object) -> None:
    """Every change to a track's questions, by any path (bank sync, the admin editor, an import),
    raises the track's `bank_revision` in the same flush, so cached pools never outlive it."""
    from quiz.models.tracks import Track

    track_ids: set[int] = set()
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Question) and (obj in session.new or session.is_modified(obj)):
                track_ids.update(_track_ids_of(obj))
            elif isinstance(obj, QuestionVersion) and obj in session.new:
                question = obj.question if obj.question is not None else session.get(Question, obj.question_id)
                if question is not None:
                    track_ids.update(_track_ids_of(question))
        for track_id in track_ids:
            track = session.get(Track, track_id)
            if track is not None:
                track.bank_revision = (track.bank_revision or 0) + 1


def _track_ids_of(question: Question) -> set[int]:
    """The track a question is in, and the one it left if it just moved."""
    ids = {question.track_id} if question.track_id is not None else set()
    if question.track is not None and question.track.id is not None:
        ids.add(question.track.id)
    history = inspect(question).attrs.track_id.history
    ids.update(i for i in history.deleted if i is not None)
    return ids
