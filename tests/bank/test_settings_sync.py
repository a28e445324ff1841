"""Tracks and assessments across imports: renames, fixed kinds, removals, stable hashes."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import bankfiles as bf
from quiz.bank.load import load_bank
from quiz.bank.sync import BankConflict, sync_bank
from quiz.models import Assessment, Question, Track


def _import(session: Session, folder: Path):  # type: ignore[no-untyped-def]
    bank = load_bank(folder)
    assert bank.ok, "\n".join(map(str, bank.errors))
    report = sync_bank(session, bank)
    session.commit()
    session.expire_all()
    return report


def _bank(folder: Path, *entries: str) -> Path:
    files = {"alpha.yaml": bf.track_file("alpha", *(bf.single_choice(k) for k in bf.KEYS)),
             "beta.yaml": bf.track_file("beta", *(bf.single_choice(f"b-{k}") for k in bf.KEYS))}
    return bf.write_bank(folder, bf.tracks_yaml(*entries), files)


def test_renaming_an_assessment_key_keeps_its_row(session: Session, tmp_path: Path) -> None:
    _import(session, _bank(tmp_path / "v1", bf.track_entry()))
    original = session.scalar(select(Assessment).where(Assessment.key == "alpha-starter"))
    renamed = bf.track_entry().replace("key: alpha-starter", "key: alpha-entry")
    report = _import(session, _bank(tmp_path / "v2", renamed))
    assert "assessment alpha-starter renamed to alpha-entry" in report.settings_changed
    assert session.get(Assessment, original.id).key == "alpha-entry"


def test_an_assessment_cannot_change_kind_or_track(session: Session, tmp_path: Path) -> None:
    _import(session, _bank(tmp_path / "v1", bf.track_entry()))
    as_specialist = bf.track_entry().replace("kind: starter", "kind: specialist").replace(
        "      - key: alpha-starter", "      - key: alpha-first\n        kind: starter\n        title: t\n"
        "        time_limit_minutes: 30\n        pass_mark: 70\n        blueprint:\n"
        "          - {topic: basics, difficulty: [1, 3], count: 2}\n      - key: alpha-starter")
    bank = load_bank(_bank(tmp_path / "v2", as_specialist))
    assert bank.ok, bank.errors
    with pytest.raises(BankConflict, match="kind cannot change|two starter assessments"):
        sync_bank(session, bank)
    session.rollback()
    assert session.scalar(select(Assessment).where(Assessment.key == "alpha-starter")).kind == "starter"


def test_tracks_and_assessments_gone_from_tracks_yaml_stop_being_offered(session: Session, tmp_path: Path) -> None:
    _import(session, _bank(tmp_path / "v1", bf.track_entry(), bf.track_entry("beta")))
    report = _import(session, _bank(tmp_path / "v2", bf.track_entry()))
    assert "track beta deactivated (not in tracks.yaml)" in report.settings_changed
    assert "assessment beta-starter deactivated (not in tracks.yaml)" in report.settings_changed
    beta = session.scalar(select(Track).where(Track.key == "beta"))
    assert beta.active is False and all(not a.active for a in beta.assessments)
    assert session.scalar(select(Question).where(Question.key == "b-q-001")).status == "active"  # kept, unreachable
    assert not _import(session, _bank(tmp_path / "v3", bf.track_entry())).changed  # and stays so
    back = _import(session, _bank(tmp_path / "v4", bf.track_entry(), bf.track_entry("beta")))
    assert "track beta" in back.settings_changed
    assert session.scalar(select(Track).where(Track.key == "beta")).active is True


def test_a_stored_definition_is_compared_in_todays_canonical_form(session: Session, tmp_path: Path) -> None:
    """A type gaining a defaulted field must not version every question at the next import."""
    _import(session, bf.minimal_bank(tmp_path / "v1"))
    version = session.scalar(select(Question).where(Question.key == "q-001")).current
    stored = dict(version.definition)
    stored.pop("shuffle")  # as if written before `shuffle` existed
    version.definition = stored
    version.content_hash = "0" * 64
    session.commit()
    report = _import(session, bf.minimal_bank(tmp_path / "v2"))
    assert report.new_versions == [] and not report.changed


def test_changing_only_the_kind_is_refused(session: Session, tmp_path: Path) -> None:
    _import(session, _bank(tmp_path / "v1", bf.track_entry()))
    entry = bf.track_entry().replace("kind: starter", "kind: specialist") + (
        "      - key: alpha-new-starter\n        kind: starter\n        title: t\n        time_limit_minutes: 30\n"
        "        pass_mark: 70\n        blueprint:\n          - {topic: basics, difficulty: [1, 3], count: 2}\n")
    bank = load_bank(_bank(tmp_path / "v2", entry))
    assert bank.ok, bank.errors
    with pytest.raises(BankConflict, match="'alpha-starter' is the starter of track 'alpha'; its track and kind"):
        sync_bank(session, bank)
