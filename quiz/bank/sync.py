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
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

CENT = Decimal("0.01")

from quiz.bank.specs import AssessmentSpec, Bank, QuestionSpec, TierSpec, TrackSpec, content_hash
from quiz.question_types import DefinitionError, get_type
from quiz.models import Assessment, AuditEntry, Question, QuestionVersion, Tier, Track
from quiz.models.base import utcnow


class BankConflict(ValueError):
    """The files contradict what the database must keep (e.g. an assessment changing kind)."""


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


def _sync_track(session: Session, spec: TrackSpec, tiers: dict[str, Tier], listed: set[str],
                report: SyncReport) -> Track:
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
        _sync_assessment(session, track, assessment_spec, _assessment_values(assessment_spec, tiers[spec.tier], tiers),
                         listed, report)
    return track


def _sync_assessment(session: Session, track: Track, spec: AssessmentSpec, values: dict[str, object],
                     listed: set[str], report: SyncReport) -> None:
    assessment = session.scalar(select(Assessment).where(Assessment.key == spec.key))
    if assessment is not None and (assessment.track_id != track.id or assessment.kind != spec.kind):
        # Attempts reference an assessment by (id, kind): its track and kind are fixed for good.
        raise BankConflict(
            f"assessment {spec.key!r} is the {assessment.kind} of track {assessment.track.key!r}; its track and "
            f"kind cannot change. Give the {spec.kind} of track {track.key!r} a new key.")
    if assessment is None:
        same_slot = next((a for a in track.assessments if a.kind == spec.kind), None) if track.id else None
        if same_slot is None:
            session.add(Assessment(key=spec.key, track=track, **values))
            report.settings_changed.append(f"assessment {spec.key}")
            return
        if same_slot.key in listed:
            raise BankConflict(f"track {track.key!r} would have two {spec.kind} assessments: "
                               f"{same_slot.key!r} and {spec.key!r}")
        report.settings_changed.append(f"assessment {same_slot.key} renamed to {spec.key}")
        same_slot.key = spec.key
        assessment = same_slot
    if _assign(assessment, values):
        report.settings_changed.append(f"assessment {spec.key}")


def _deactivate_unlisted(session: Session, bank: Bank, report: SyncReport) -> None:
    """Tracks and assessments gone from tracks.yaml stop being offered; their rows and attempts stay."""
    track_keys = {t.key for t in bank.tracks}
    assessment_keys = {a.key for t in bank.tracks for a in t.assessments}
    for track in session.scalars(select(Track).where(Track.active)):
        if track.key not in track_keys:
            track.active = False
            report.settings_changed.append(f"track {track.key} deactivated (not in tracks.yaml)")
    for assessment in session.scalars(select(Assessment).where(Assessment.active)):
        if assessment.key not in assessment_keys:
            assessment.active = False
            report.settings_changed.append(f"assessment {assessment.key} deactivated (not in tracks.yaml)")


def _new_version(question: Question, spec: QuestionSpec, number: int, actor_id: int | None) -> QuestionVersion:
    return QuestionVersion(
        question=question, number=number, type=spec.type, topic=spec.topic, difficulty=spec.difficulty,
        points=spec.points, definition=spec.definition, content_hash=spec.content_hash, created_by_id=actor_id)


def current_content_hash(version: QuestionVersion) -> str:
    """The stored version's hash as today's code would compute it.

    A type that gains a defaulted field changes its canonical definition; comparing the raw
    stored hash would then make a new version of every such question at the next import.
    """
    try:
        question_type = get_type(version.type)
        definition = question_type.to_definition(question_type.parse_definition(version.definition))
    except (KeyError, DefinitionError):
        return version.content_hash
    return content_hash(version.type, version.topic, version.difficulty, version.points.quantize(CENT), definition)


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
        changed = current_content_hash(question.current) != spec.content_hash
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
    listed = {a.key for t in bank.tracks for a in t.assessments}
    tracks = {spec.key: _sync_track(session, spec, tiers, listed, report) for spec in bank.tracks}
    _deactivate_unlisted(session, bank, report)
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
