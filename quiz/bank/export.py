"""Database -> bank files, in the format `quiz bank import` reads. Importing an export changes nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz.bank.load import TRACKS_FILE
from quiz.bank.specs import FORMAT_VERSION
from quiz.bank.yamlio import FlowDict, dump_readable
from quiz.models import Assessment, Question, Tier, Track

HEADER = "Written by `quiz bank export`. Format: docs/bank-format.md"


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _assessment(assessment: Assessment, track: Track) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": assessment.key,
        "kind": assessment.kind,
        "title": assessment.title,
        "time_limit_minutes": assessment.time_limit_minutes,
        "pass_mark": _number(assessment.pass_mark),
        "requires_confirmation": assessment.requires_confirmation,
        "review_policy": dict(assessment.review_policy),
        "blueprint": [FlowDict(stratum) for stratum in assessment.blueprint],
    }
    if assessment.tier_id != track.tier_id:
        data["tier"] = assessment.tier.key
    if not assessment.active:
        data["active"] = False
    return data


def tracks_document(session: Session) -> dict[str, Any]:
    tiers = session.scalars(select(Tier).order_by(Tier.rank, Tier.key)).all()
    tracks = session.scalars(
        select(Track).where(Track.active).order_by(Track.position, Track.key)
        .options(selectinload(Track.assessments))).all()
    return {
        "format": FORMAT_VERSION,
        "tiers": [{"key": t.key, "name": t.name, "hourly_rate": _number(t.hourly_rate), "rank": t.rank}
                  for t in tiers],
        "tracks": [{
            "key": track.key, "name": track.name, "tier": track.tier.key, "description": track.description,
            "bank": track.bank_file,
            "assessments": [_assessment(a, track) for a in sorted(track.assessments, key=lambda a: a.kind != "starter")],
        } for track in tracks],
    }


def track_document(session: Session, track: Track) -> dict[str, Any]:
    """The active questions of a track, each at its current version, in the order they were added."""
    questions = session.scalars(
        select(Question).where(Question.track_id == track.id, Question.status == "active")
        .order_by(Question.id).options(selectinload(Question.versions))).all()
    entries = []
    for question in questions:
        version = question.current
        entries.append({
            "key": question.key, "type": version.type, "topic": version.topic,
            "difficulty": version.difficulty, "points": _number(version.points), **version.definition,
        })
    return {"format": FORMAT_VERSION, "track": track.key, "questions": entries}


def export_bank(session: Session, folder: Path) -> list[Path]:
    """Write tracks.yaml and one file per active track into `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / TRACKS_FILE]
    written[0].write_text(dump_readable(tracks_document(session), HEADER), encoding="utf-8")
    for track in session.scalars(select(Track).where(Track.active).order_by(Track.position)):
        path = folder / track.bank_file
        path.write_text(dump_readable(track_document(session, track), HEADER), encoding="utf-8")
        written.append(path)
    return written
