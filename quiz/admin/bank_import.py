"""Bank import and export through the web.

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
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.admin.bank_admin import BankAdminError
from quiz.bank.limits import MAX_TRACK_FILE_BYTES, MAX_TRACKS_FILE_BYTES
from quiz.bank.export import HEADER, export_bank, track_document, tracks_document
from quiz.bank.load import TRACKS_FILE, load_bank
from quiz.bank.specs import Bank, BankIssue, HasIssues
from quiz.bank.sync import BankConflict, SyncReport, sync_bank
from quiz.bank.yamlio import dump_readable
from quiz.main.services import active_pool
from quiz.models import Track

IMPORT_TTL = timedelta(hours=1)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UPLOAD_FILES = 50

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_UPLOAD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.ya?ml$")
_META, _UPLOADS, _BANK = "meta.json", "uploads", "bank"


class ImportNotFound(BankAdminError):
    def __init__(self) -> None:
        super().__init__("This import preview is no longer available: a preview lasts one hour and can be "
                         "confirmed once. Upload the files again to see a new preview.")


class UploadRejected(BankAdminError):
    pass


class UploadTooLarge(UploadRejected):
    """A file, or the upload as a whole, is over its size cap (HTTP 413)."""


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
        raise UploadTooLarge(f"The files are larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB in all.")
    for name, data in uploads:
        cap = MAX_TRACKS_FILE_BYTES if name == TRACKS_FILE else MAX_TRACK_FILE_BYTES
        if len(data) > cap:
            raise UploadTooLarge(f"{name} is {len(data):,} bytes; a bank file holds at most {cap:,} bytes "
                                 f"({TRACKS_FILE}: {MAX_TRACKS_FILE_BYTES:,}). Nothing was imported.")


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
