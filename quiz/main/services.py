"""The catalogue of tracks as candidates see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from quiz.bank.blueprint import shortfalls, strata_from_data
from quiz.models import Assessment, Question, QuestionVersion, Track


@dataclass(frozen=True)
class OfferedAssessment:
    assessment: Assessment
    offered: bool


def current_versions(track_id: int) -> Select[tuple[int]]:
    """The ids of the current version of every active question of a track (a subquery)."""
    return (select(func.max(QuestionVersion.id)).join(Question)
            .where(Question.track_id == track_id, Question.status == "active")
            .group_by(QuestionVersion.question_id))


def active_pool(session: Session, track_id: int) -> list[tuple[str, int]]:
    """(topic, difficulty) of the current version of every active question of a track."""
    rows = session.execute(select(QuestionVersion.topic, QuestionVersion.difficulty)
                           .where(QuestionVersion.id.in_(current_versions(track_id))))
    return [(topic, difficulty) for topic, difficulty in rows]


def is_offered(assessment: Assessment, pool: list[tuple[str, int]]) -> bool:
    """Active, and its blueprint can be drawn from the bank as it is now."""
    return assessment.active and not shortfalls(strata_from_data(assessment.blueprint), pool)


def catalogue(session: Session) -> list[tuple[Track, list[OfferedAssessment]]]:
    tracks = session.scalars(select(Track).where(Track.active).order_by(Track.position)
                             .options(selectinload(Track.assessments).selectinload(Assessment.tier))).all()
    result = []
    for track in tracks:
        pool = active_pool(session, track.id)
        result.append((track, [OfferedAssessment(a, is_offered(a, pool))
                               for a in sorted(track.assessments, key=lambda a: a.kind != "starter")]))
    return result
