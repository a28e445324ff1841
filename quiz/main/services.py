"""The catalogue of tracks as candidates see it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz.bank.blueprint import cell_shortfalls, strata_from_data
from quiz.bank.pools import TrackPool, track_pool
from quiz.models import Assessment, Track


@dataclass(frozen=True)
class OfferedAssessment:
    assessment: Assessment
    offered: bool


def active_pool(session: Session, track_id: int) -> list[tuple[str, int]]:
    """(topic, difficulty) of the current version of every active question of a track."""
    track = session.get(Track, track_id)
    return track_pool(session, track).topic_difficulties() if track is not None else []


def is_offered(assessment: Assessment, pool: TrackPool) -> bool:
    """Active, and its blueprint can be drawn from the bank as it is now."""
    return assessment.active and not cell_shortfalls(strata_from_data(assessment.blueprint), pool.cells)


def catalogue(session: Session) -> list[tuple[Track, list[OfferedAssessment]]]:
    tracks = session.scalars(select(Track).where(Track.active).order_by(Track.position)
                             .options(selectinload(Track.assessments).selectinload(Assessment.tier))).all()
    result = []
    for track in tracks:
        pool = track_pool(session, track)
        result.append((track, [OfferedAssessment(a, is_offered(a, pool))
                               for a in sorted(track.assessments, key=lambda a: a.kind != "starter")]))
    return result
