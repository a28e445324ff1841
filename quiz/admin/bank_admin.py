"""Bank import and export through the web, and the settings of tiers, tracks and assessments.

Services: a session and plain values in, `flush()`, never `commit()`, domain errors out.

An upload is staged in a private folder `<instance>/imports/<token>/`:

    meta.json   who uploaded, when (by the app's clock), which files, the fingerprint of the preview
    uploads/    the uploaded files, as uploaded
    bank/       a fresh export of the database with the uploads laid over it

Laying the uploads over an export means uploading only `general.yaml` changes only General.
The preview runs `sync_bank` in a savepoint that is rolled back. Confirming composes `bank/`
again from a *fresh* export, so an edit made by someone else since the preview is not undone
by a stale copy: when the composed bank differs from the previewed one, nothing is written and
the new preview is shown instead.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from quiz.audit import record
from quiz.bank.blueprint import shortfalls, strata_from_data
from quiz.bank.export import HEADER, export_bank, track_document, tracks_document
from quiz.bank.load import MAX_TIME_LIMIT_MINUTES, TRACKS_FILE, load_bank
from quiz.bank.specs import DEFAULT_REVIEW_POLICY, Bank, BankIssue, HasIssues, Stratum
from quiz.bank.sync import BankConflict, SyncReport, sync_bank
from quiz.bank.yamlio import dump_readable
from quiz.main.services import active_pool, is_offered
from quiz.models import Assessment, Tier, Track, User

IMPORT_TTL = timedelta(hours=1)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_FILES = 50
MAX_STRATUM_COUNT = 200
MAX_TOPIC_LENGTH = 100
CENT = Decimal("0.01")
#: Short names of the review policy's options, for tables.
REVIEW_SHORT = {"show_score": "score", "show_pass_fail": "pass/fail", "show_tier": "tier",
                "show_topic_breakdown": "per-topic scores", "show_answers": "answers", "show_keys": "keys",
                "show_explanations": "explanations"}

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_UPLOAD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.ya?ml$")
_META, _UPLOADS, _BANK = "meta.json", "uploads", "bank"


class BankAdminError(ValueError):
    """A request the bank or settings services refuse; the message is for the admin."""


class ImportNotFound(BankAdminError):
    def __init__(self) -> None:
        super().__init__("This import preview is no longer available: a preview lasts one hour and can be "
                         "confirmed once. Upload the files again to see a new preview.")


class UploadRejected(BankAdminError):
    pass


class SettingsInvalid(BankAdminError):
    pass


# --- import ----------------------------------------------------------------------------------------

@dataclass
class ImportPreview(HasIssues):
    files: list[str]
    issues: list[BankIssue] = field(default_factory=list)
    report: SyncReport | None = None
    #: BankConflict: the files contradict what the database must keep
    conflict: str | None = None
    #: set when the preview can be confirmed
    token: str | None = None
    applied: bool = False
    #: the confirmation found the database changed since the preview: this is a new preview
    bank_changed: bool = False
    #: each tier, track and assessment setting that would change, as "assessment x: pass_mark 70 → 60"
    settings_diff: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.report is not None and self.report.changed


def upload_name_problem(name: str) -> str | None:
    """Why a (sanitised) upload name is refused, or None."""
    if not _UPLOAD_NAME.match(name):
        return f"{name or 'a file without a name'}: only .yaml or .yml files can be imported"
    return None


def _check_uploads(uploads: Sequence[tuple[str, bytes]]) -> None:
    if not uploads:
        raise UploadRejected("Choose at least one file.")
    if len(uploads) > MAX_UPLOAD_FILES:
        raise UploadRejected(f"At most {MAX_UPLOAD_FILES} files at a time.")
    names = [name for name, _data in uploads]
    for name in names:
        problem = upload_name_problem(name)
        if problem:
            raise UploadRejected(problem)
    duplicated = sorted({name for name in names if names.count(name) > 1})
    if duplicated:
        raise UploadRejected(f"Chosen twice: {', '.join(duplicated)}")
    if sum(len(data) for _name, data in uploads) > MAX_UPLOAD_BYTES:
        raise UploadRejected(f"The files are larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB in all.")


def _private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, parents=False, exist_ok=False)


def _read_meta(folder: Path) -> dict[str, Any] | None:
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    temporary = folder / (_META + ".tmp")
    temporary.write_text(json.dumps(meta), encoding="utf-8")
    temporary.replace(folder / _META)


def purge_expired_imports(root: Path, now: datetime) -> int:
    """Delete staged imports older than IMPORT_TTL (by the app's clock); returns how many."""
    if not root.is_dir():
        return 0
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir():
            continue
        meta = _read_meta(folder)
        if meta is None:
            # Being staged this instant, or left broken: judged by the file system's own time.
            expired = time.time() - folder.stat().st_mtime > IMPORT_TTL.total_seconds()
        else:
            try:
                expired = now - datetime.fromisoformat(meta["created"]) > IMPORT_TTL
            except (KeyError, TypeError, ValueError):
                expired = True
        if expired:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def _compose(session: Session, folder: Path, names: Sequence[str]) -> Path:
    """A fresh export of the database with the uploaded files laid over it."""
    bank_dir = folder / _BANK
    if bank_dir.exists():
        shutil.rmtree(bank_dir)
    export_bank(session, bank_dir)
    for name in names:
        shutil.copyfile(folder / _UPLOADS / name, bank_dir / name)
    return bank_dir


def _fingerprint(bank_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(bank_dir.iterdir()):
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _web_issues(bank: Bank, uploaded: Sequence[str]) -> None:
    """Adjust the loader's issues to an upload.

    A file of the export that no track names any more (its track left tracks.yaml) is noise; an
    uploaded file that no track names would be silently ignored, so it is an error.
    """
    named = {track.bank for track in bank.tracks} | {TRACKS_FILE}
    kept = [issue for issue in bank.issues
            if not (issue.severity == "warning" and issue.file not in named and not issue.line and not issue.field)]
    tracks_file_ok = not any(i.file == TRACKS_FILE and i.severity == "error" for i in bank.issues)
    if tracks_file_ok:
        for name in uploaded:
            if name not in named:
                kept.append(BankIssue(
                    "error", name, 0, "",
                    f"is not the bank of any track in {TRACKS_FILE}, so it would be ignored: name it like the "
                    f"track's bank file (the `bank:` of the track), or upload a {TRACKS_FILE} that names it"))
    bank.issues[:] = kept


def _settings_state(session: Session) -> dict[str, dict[str, Any]]:
    """Every tier, track and assessment setting, as tracks.yaml would say it, by "kind key"."""
    doc = tracks_document(session)
    state: dict[str, dict[str, Any]] = {}
    for tier in doc["tiers"]:
        state[f"tier {tier['key']}"] = {k: v for k, v in tier.items() if k != "key"}
    for track in doc["tracks"]:
        state[f"track {track['key']}"] = {k: v for k, v in track.items() if k not in ("key", "assessments")}
        for data in track["assessments"]:
            values = {k: v for k, v in data.items() if k != "key"}
            values.setdefault("tier", track["tier"])
            values.setdefault("active", True)
            values["blueprint"] = [dict(stratum) for stratum in values["blueprint"]]
            state[f"assessment {data['key']}"] = values
    return state


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def _settings_diff(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for name, values in after.items():
        if name not in before:
            lines.append(f"{name}: new")
            continue
        for key in sorted(set(values) | set(before[name])):
            old, new = before[name].get(key), values.get(key)
            if old != new:
                lines.append(f"{name}: {key} {_shown(old)} → {_shown(new)}")
    lines.extend(f"{name}: no longer in tracks.yaml (not offered any more)" for name in before if name not in after)
    return lines


def _dry_run(session: Session, bank_dir: Path, names: Sequence[str], actor_id: int | None) -> ImportPreview:
    bank = load_bank(bank_dir)
    _web_issues(bank, names)
    preview = ImportPreview(files=list(names), issues=list(bank.issues))
    if not bank.ok:
        return preview
    savepoint = session.begin_nested()
    try:
        before = _settings_state(session)
        preview.report = sync_bank(session, bank, actor_id=actor_id)
        preview.settings_diff = _settings_diff(before, _settings_state(session))
    except BankConflict as exc:
        preview.conflict = str(exc)
    finally:
        savepoint.rollback()
    return preview


def stage_import(session: Session, root: Path, uploads: Sequence[tuple[str, bytes]], *, actor_id: int,
                 now: datetime) -> ImportPreview:
    """Stage uploaded bank files and preview what importing them would change. Writes nothing to the database.

    The preview carries a token when there is something to confirm; otherwise the staged files are gone.
    """
    _check_uploads(uploads)
    purge_expired_imports(root, now)
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    folder = root / token
    _private_dir(folder)
    names = [name for name, _data in uploads]
    meta = {"created": now.isoformat(), "actor_id": actor_id, "files": names, "fingerprint": None}
    _write_meta(folder, meta)
    try:
        _private_dir(folder / _UPLOADS)
        for name, data in uploads:
            (folder / _UPLOADS / name).write_bytes(data)
        bank_dir = _compose(session, folder, names)
        preview = _dry_run(session, bank_dir, names, actor_id)
        if preview.errors or preview.conflict or not preview.changed:
            shutil.rmtree(folder, ignore_errors=True)
            return preview
        meta["fingerprint"] = _fingerprint(bank_dir)
        _write_meta(folder, meta)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    preview.token = token
    return preview


def _staged(root: Path, token: str, actor_id: int) -> tuple[Path, dict[str, Any]]:
    if not _TOKEN.match(token or ""):
        raise ImportNotFound()
    folder = root / token
    meta = _read_meta(folder) if folder.is_dir() else None
    if meta is None or meta.get("actor_id") != actor_id or not meta.get("fingerprint"):
        raise ImportNotFound()
    return folder, meta


def confirm_import(session: Session, root: Path, token: str, *, actor_id: int, now: datetime) -> ImportPreview:
    """Import a previewed upload. Raises ImportNotFound (stale or unknown token) or BankConflict.

    If the database changed since the preview, writes nothing and returns the new preview
    (`bank_changed`), to be confirmed again.
    """
    purge_expired_imports(root, now)
    staged_folder, meta = _staged(root, token, actor_id)
    # Claim the preview first (a rename is atomic): a second click or a second tab finds it gone.
    folder = root / f"{token}.confirming.{secrets.token_hex(4)}"
    try:
        staged_folder.rename(folder)
    except FileNotFoundError:
        raise ImportNotFound() from None
    try:
        names = list(meta["files"])
        bank_dir = _compose(session, folder, names)
        fingerprint = _fingerprint(bank_dir)
        if fingerprint != meta["fingerprint"]:
            preview = _dry_run(session, bank_dir, names, actor_id)
            preview.bank_changed = True
            if not (preview.errors or preview.conflict or not preview.changed):
                meta.update(fingerprint=fingerprint, created=now.isoformat())
                _write_meta(folder, meta)
                folder.rename(staged_folder)
                preview.token = token
            return preview
        bank = load_bank(bank_dir)
        _web_issues(bank, names)
        preview = ImportPreview(files=names, issues=list(bank.issues))
        if not bank.ok:  # the same files passed a moment ago; only a change of code could get here
            return preview
        preview.report = sync_bank(session, bank, actor_id=actor_id)
        preview.applied = True
        return preview
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def cancel_import(root: Path, token: str, *, actor_id: int) -> None:
    """Forget a staged upload (an unknown or stale token is already forgotten)."""
    try:
        folder, _meta = _staged(root, token, actor_id)
    except ImportNotFound:
        return
    shutil.rmtree(folder, ignore_errors=True)


# --- export ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportEntry:
    track: Track
    active_questions: int


def export_listing(session: Session) -> list[ExportEntry]:
    """The active tracks, whose files `quiz bank export` writes."""
    tracks = session.scalars(select(Track).where(Track.active).order_by(Track.position, Track.key)).all()
    return [ExportEntry(track, len(active_pool(session, track.id))) for track in tracks]


def export_track(session: Session, track_key: str) -> tuple[str, str] | None:
    """(file name, text) of an active track's bank file, exactly as `quiz bank export` writes it."""
    track = session.scalar(select(Track).where(Track.key == track_key, Track.active))
    if track is None:
        return None
    return track.bank_file, dump_readable(track_document(session, track), HEADER)


def export_tracks_file(session: Session) -> tuple[str, str]:
    return TRACKS_FILE, dump_readable(tracks_document(session), HEADER)


def export_bank_zip(session: Session) -> bytes:
    """The whole bank (what `quiz bank export` writes) as a zip holding the folder question_bank/."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        files = export_bank(session, Path(folder))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                archive.write(path, f"question_bank/{path.name}")
    return buffer.getvalue()


# --- settings --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AssessmentRow:
    assessment: Assessment
    offered: bool
    #: why it is not offered, when it is not
    reason: str


@dataclass(frozen=True)
class TrackRow:
    track: Track
    active_questions: int
    assessments: list[AssessmentRow]


def settings_overview(session: Session) -> tuple[list[Tier], list[TrackRow]]:
    tiers = list(session.scalars(select(Tier).order_by(Tier.rank, Tier.key)))
    tracks = session.scalars(select(Track).order_by(Track.active.desc(), Track.position, Track.key)
                             .options(selectinload(Track.assessments).selectinload(Assessment.tier))).all()
    rows = []
    for track in tracks:
        pool = active_pool(session, track.id)
        entries = []
        for assessment in sorted(track.assessments, key=lambda a: a.kind != "starter"):
            offered = track.active and is_offered(assessment, pool)
            if offered:
                reason = ""
            elif not track.active:
                reason = "its track is not in tracks.yaml any more"
            elif not assessment.active:
                reason = "inactive"
            else:
                reason = "the bank cannot fill its blueprint"
            entries.append(AssessmentRow(assessment, offered, reason))
        rows.append(TrackRow(track, len(pool), entries))
    return tiers, rows


def tiers(session: Session) -> list[Tier]:
    return list(session.scalars(select(Tier).order_by(Tier.rank, Tier.key)))


def tier_by_key(session: Session, key: str) -> Tier | None:
    return session.scalar(select(Tier).where(Tier.key == key))


def track_by_key(session: Session, key: str) -> Track | None:
    return session.scalar(select(Track).where(Track.key == key))


def assessment_by_key(session: Session, key: str) -> Assessment | None:
    return session.scalar(select(Assessment).where(Assessment.key == key))


def blueprint_problems(strata: Sequence[Stratum]) -> list[tuple[int | None, str, str]]:
    """What the loader would refuse in a blueprint, as (row index or None, field, message)."""
    problems: list[tuple[int | None, str, str]] = []
    if not strata:
        problems.append((None, "blueprint", "A blueprint needs at least one row."))
    for index, stratum in enumerate(strata):
        if not stratum.topic.strip():
            problems.append((index, "topic", "Name the topic."))
        elif len(stratum.topic) > MAX_TOPIC_LENGTH:
            problems.append((index, "topic", f"At most {MAX_TOPIC_LENGTH} characters."))
        if not 1 <= stratum.difficulty_min <= 5:
            problems.append((index, "difficulty_min", "Must be a difficulty from 1 to 5."))
        if not 1 <= stratum.difficulty_max <= 5:
            problems.append((index, "difficulty_max", "Must be a difficulty from 1 to 5."))
        elif stratum.difficulty_min > stratum.difficulty_max:
            problems.append((index, "difficulty_max", "Must not be lower than the lowest difficulty."))
        if not 1 <= stratum.count <= MAX_STRATUM_COUNT:
            problems.append((index, "count", f"Must be a whole number from 1 to {MAX_STRATUM_COUNT}."))
        for other_index, other in enumerate(strata[:index]):
            if (other.topic == stratum.topic and stratum.difficulty_min <= other.difficulty_max
                    and other.difficulty_min <= stratum.difficulty_max):
                problems.append((index, "difficulty_min",
                                 f"Overlaps row {other_index + 1} (topic {other.topic}, difficulty "
                                 f"{other.difficulty_min}-{other.difficulty_max}): a question could be drawn "
                                 "for both. Merge the rows or make their difficulties disjoint."))
                break
    return problems


def available_counts(session: Session, track_id: int, strata: Sequence[Stratum | None]) -> list[int | None]:
    """How many active questions of the track each stratum could draw from (None for no stratum)."""
    pool = active_pool(session, track_id)
    return [None if s is None else sum(1 for topic, difficulty in pool if s.admits(topic, difficulty))
            for s in strata]


def topic_table(session: Session, track_id: int) -> dict[str, list[int]]:
    """Active questions of a track by topic: counts at difficulty 1..5."""
    counts = Counter(active_pool(session, track_id))
    topics = sorted({topic for topic, _difficulty in counts})
    return {topic: [counts[(topic, d)] for d in range(1, 6)] for topic in topics}


def fill_shortfalls(session: Session, assessment: Assessment) -> list[tuple[Stratum, int]]:
    return shortfalls(strata_from_data(assessment.blueprint), active_pool(session, assessment.track_id))


@dataclass(frozen=True)
class AssessmentSettings:
    title: str
    time_limit_minutes: int
    pass_mark: Decimal
    tier_key: str
    requires_confirmation: bool
    review_policy: dict[str, bool]
    blueprint: tuple[Stratum, ...]
    active: bool


def assessment_settings(assessment: Assessment) -> AssessmentSettings:
    return AssessmentSettings(
        title=assessment.title, time_limit_minutes=assessment.time_limit_minutes, pass_mark=assessment.pass_mark,
        tier_key=assessment.tier.key, requires_confirmation=assessment.requires_confirmation,
        review_policy={**DEFAULT_REVIEW_POLICY, **assessment.review_policy},
        blueprint=strata_from_data(assessment.blueprint), active=assessment.active)


def _assessment_state(assessment: Assessment) -> dict[str, Any]:
    return {
        "title": assessment.title, "time_limit_minutes": assessment.time_limit_minutes,
        "questions_drawn": assessment.questions_drawn, "blueprint": list(assessment.blueprint),
        "pass_mark": str(Decimal(assessment.pass_mark).quantize(CENT)), "tier": assessment.tier.key,
        "requires_confirmation": assessment.requires_confirmation,
        "review_policy": dict(assessment.review_policy), "active": assessment.active,
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [name for name in after if before.get(name) != after[name]]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


def _two_decimals(value: Decimal, name: str, low: Decimal, high: Decimal) -> Decimal:
    if not value.is_finite() or not low <= value <= high:
        raise SettingsInvalid(f"{name} must be from {low} to {high}.")
    if value != value.quantize(CENT):
        raise SettingsInvalid(f"{name} has at most 2 decimal places.")
    return value.quantize(CENT)


def update_assessment(session: Session, actor: User, assessment: Assessment,
                      settings: AssessmentSettings) -> list[str]:
    """Change an assessment's settings; returns the names of the settings that changed (audited).

    Attempts already started keep what they pinned (pass mark, review policy, confirmation, deadline
    and drawn questions): the change applies to attempts started afterwards.
    """
    problems = blueprint_problems(settings.blueprint)
    if problems:
        raise SettingsInvalid("The blueprint is not valid: " + "; ".join(
            (f"row {index + 1}: " if index is not None else "") + message for index, _field, message in problems))
    if not settings.title.strip() or len(settings.title) > 200:
        raise SettingsInvalid("The title is required (at most 200 characters).")
    if not 1 <= settings.time_limit_minutes <= MAX_TIME_LIMIT_MINUTES:
        raise SettingsInvalid(f"The time limit is from 1 to {MAX_TIME_LIMIT_MINUTES} minutes.")
    pass_mark = _two_decimals(settings.pass_mark, "The pass mark", Decimal(0), Decimal(100))
    unknown = set(settings.review_policy) - set(DEFAULT_REVIEW_POLICY)
    if unknown:
        raise SettingsInvalid(f"Unknown review options: {', '.join(sorted(unknown))}")
    tier = tier_by_key(session, settings.tier_key)
    if tier is None:
        raise SettingsInvalid(f"There is no tier {settings.tier_key!r}.")
    before = _assessment_state(assessment)
    assessment.title = settings.title.strip()
    assessment.time_limit_minutes = settings.time_limit_minutes
    assessment.blueprint = [stratum.to_data() for stratum in settings.blueprint]
    assessment.questions_drawn = sum(stratum.count for stratum in settings.blueprint)
    assessment.pass_mark = pass_mark
    assessment.tier = tier
    assessment.requires_confirmation = settings.requires_confirmation
    assessment.review_policy = {name: bool(settings.review_policy.get(name, False)) for name in DEFAULT_REVIEW_POLICY}
    assessment.active = settings.active
    old, new = _changes(before, _assessment_state(assessment))
    if new:
        record(session, actor, "assessment.update", "assessment", assessment.id, before=old, after=new)
    session.flush()
    return list(new)


def _tier_state(tier: Tier) -> dict[str, Any]:
    return {"name": tier.name, "hourly_rate": str(Decimal(tier.hourly_rate).quantize(CENT)), "rank": tier.rank}


def update_tier(session: Session, actor: User, tier: Tier, *, name: str, hourly_rate: Decimal,
                rank: int) -> list[str]:
    """Rename a tier or change its rate or rank; returns what changed (audited).

    Placement uses each tier's current rate; decided attempts keep the tier they were placed in.
    """
    if not name.strip() or len(name) > 100:
        raise SettingsInvalid("The tier's name is required (at most 100 characters).")
    rate = _two_decimals(hourly_rate, "The hourly rate", Decimal(0), Decimal(10000))
    if not 0 <= rank <= 1000:
        raise SettingsInvalid("The rank is a whole number from 0 to 1000.")
    before = _tier_state(tier)
    tier.name, tier.hourly_rate, tier.rank = name.strip(), rate, rank
    old, new = _changes(before, _tier_state(tier))
    if new:
        record(session, actor, "tier.update", "tier", tier.id, before=old, after=new)
    session.flush()
    return list(new)


def _track_state(track: Track) -> dict[str, Any]:
    return {"name": track.name, "description": track.description, "tier": track.tier.key}


def update_track(session: Session, actor: User, track: Track, *, name: str, description: str,
                 tier_key: str) -> list[str]:
    """Rename a track, reword its description, or change the tier a pass in it places candidates in."""
    if not name.strip() or len(name) > 100:
        raise SettingsInvalid("The track's name is required (at most 100 characters).")
    tier = tier_by_key(session, tier_key)
    if tier is None:
        raise SettingsInvalid(f"There is no tier {tier_key!r}.")
    before = _track_state(track)
    # An assessment that followed the track's tier keeps following it (the bank file leaves its tier out).
    for assessment in track.assessments:
        if assessment.tier_id == track.tier_id and assessment.tier_id != tier.id:
            record(session, actor, "assessment.update", "assessment", assessment.id,
                   before={"tier": assessment.tier.key}, after={"tier": tier.key})
            assessment.tier = tier
    track.name, track.description, track.tier = name.strip(), description.strip(), tier
    old, new = _changes(before, _track_state(track))
    if new:
        record(session, actor, "track.update", "track", track.id, before=old, after=new)
    session.flush()
    return list(new)
