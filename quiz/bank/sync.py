"""Validated bank -> database: upsert by key. Takes a session, flushes, never commits.

- a new question key becomes a new question (version 1);
- changed content of a known key becomes a new version (the old one is kept,
  and attempts that showed it keep showing it);
- a key gone from a loaded track file is retired, never deleted;
- a retired key that comes back is restored (with a new version if it changed);
- a known key found in another track's file moves to that track (reported as moved).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz.bank.specs import AssessmentSpec, Bank, QuestionSpec, TierSpec, TrackSpec
from quiz.models import Assessment, AuditEntry, Question, QuestionVersion, Tier, Track
from quiz.models.base import utcnow


class BankInvalid(ValueError):
    """Sync was asked to write a bank that has errors."""

    def __init__(self, bank: Bank):
        self.bank = bank
        super().__init__(f"the bank has {len(bank.errors)} error(s); nothing was written")


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    #: known keys now in another track's file (their content may be unchanged)
    moved: list[str] = field(default_factory=list)
    unchanged: int = 0
    #: tiers, tracks and assessments created or changed, as "kind key"
    settings_changed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.new_versions or self.retired or self.restored or self.moved
                    or self.settings_changed)

    def summary(self) -> str:
        moved = f", {len(self.moved)} moved to another track" if self.moved else ""
        return (f"{len(self.added)} added, {len(self.new_versions)} new versions, "
                f"{len(self.retired)} retired, {len(self.restored)} restored, {self.unchanged} unchanged{moved}; "
                f"{len(self.settings_changed)} tier/track/assessment settings changed")


def _assign(row: object, values: dict[str, object]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _sync_tier(session: Session, spec: TierSpec, report: SyncReport) -> Tier:
    tier = session.scalar(select(Tier).where(Tier.key == spec.key))
    values = {"name": spec.name, "hourly_rate": spec.hourly_rate, "rank": spec.rank}
    if tier is None:
        tier = Tier(key=spec.key, **values)
        session.add(tier)
        report.settings_changed.append(f"tier {spec.key}")
    elif _assign(tier, values):
        report.settings_changed.append(f"tier {spec.key}")
    return tier


def _assessment_values(spec: AssessmentSpec, track_tier: Tier, tiers: dict[str, Tier]) -> dict[str, object]:
    return {
        "kind": spec.kind, "title": spec.title, "time_limit_minutes": spec.time_limit_minutes,
        "questions_drawn": spec.questions_drawn, "blueprint": [s.to_data() for s in spec.blueprint],
        "pass_mark": spec.pass_mark, "tier": tiers[spec.tier] if spec.tier else track_tier,
        "requires_confirmation": spec.requires_confirmation, "review_policy": dict(spec.review_policy),
        "active": spec.active,
    }


def _sync_track(session: Session, spec: TrackSpec, tiers: dict[str, Tier], report: SyncReport) -> Track:
    track = session.scalar(select(Track).where(Track.key == spec.key))
    values = {"name": spec.name, "description": spec.description, "tier": tiers[spec.tier],
              "position": spec.position, "bank_file": spec.bank, "active": True}
    if track is None:
        track = Track(key=spec.key, **values)
        session.add(track)
        report.settings_changed.append(f"track {spec.key}")
    elif _assign(track, values):
        report.settings_changed.append(f"track {spec.key}")
    for assessment_spec in spec.assessments:
        assessment = session.scalar(select(Assessment).where(Assessment.key == assessment_spec.key))
        values = _assessment_values(assessment_spec, tiers[spec.tier], tiers)
        if assessment is None:
            session.add(Assessment(key=assessment_spec.key, track=track, **values))
            report.settings_changed.append(f"assessment {assessment_spec.key}")
        elif _assign(assessment, {"track": track, **values}):
            report.settings_changed.append(f"assessment {assessment_spec.key}")
    return track


def _new_version(question: Question, spec: QuestionSpec, number: int, actor_id: int | None) -> QuestionVersion:
    return QuestionVersion(
        question=question, number=number, type=spec.type, topic=spec.topic, difficulty=spec.difficulty,
        points=spec.points, definition=spec.definition, content_hash=spec.content_hash, created_by_id=actor_id)


def _sync_questions(session: Session, bank: Bank, tracks: dict[str, Track], report: SyncReport,
                    actor_id: int | None) -> None:
    existing = {
        q.key: q for q in session.scalars(select(Question).options(selectinload(Question.versions)))
    }
    now = utcnow()
    seen: set[str] = set()
    for spec in bank.questions:
        seen.add(spec.key)
        question = existing.get(spec.key)
        if question is None:
            question = Question(key=spec.key, track=tracks[spec.track], status="active")
            session.add(question)
            session.add(_new_version(question, spec, 1, actor_id))
            report.added.append(spec.key)
            continue
        if question.track_id != tracks[spec.track].id:
            question.track = tracks[spec.track]
            report.moved.append(spec.key)
        changed = question.current.content_hash != spec.content_hash
        if changed:
            session.add(_new_version(question, spec, question.current.number + 1, actor_id))
        if question.status == "retired":
            question.status, question.retired_at = "active", None
            report.restored.append(spec.key)
        elif changed:
            report.new_versions.append(spec.key)
        else:
            report.unchanged += 1
    loaded_track_ids = {tracks[key].id for key in bank.loaded_tracks if key in tracks}
    for key, question in existing.items():
        if key not in seen and question.status == "active" and question.track_id in loaded_track_ids:
            question.status, question.retired_at = "retired", now
            report.retired.append(key)


def sync_bank(session: Session, bank: Bank, *, actor_id: int | None = None) -> SyncReport:
    """Write a validated bank. Raises BankInvalid (writing nothing) if it has errors.

    For a dry run, call this and roll the session back: the report is the same.
    """
    if not bank.ok:
        raise BankInvalid(bank)
    report = SyncReport()
    tiers = {spec.key: _sync_tier(session, spec, report) for spec in bank.tiers}
    tracks = {spec.key: _sync_track(session, spec, tiers, report) for spec in bank.tracks}
    session.flush()
    _sync_questions(session, bank, tracks, report, actor_id)
    if report.changed:
        session.add(AuditEntry(
            actor_id=actor_id, action="bank.import", target_type="bank", target_id=None,
            after={"added": report.added, "new_versions": report.new_versions, "retired": report.retired,
                   "restored": report.restored, "moved": report.moved,
                   "settings_changed": report.settings_changed}))
    session.flush()
    return report
