"""sync_bank on both engines: add, version, retire, restore, settings, audit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import bankfiles as bf
from quiz.bank.load import load_bank
from quiz.bank.sync import SyncReport, sync_bank
from quiz.models import Assessment, AuditEntry, Question, QuestionVersion, Tier, Track, User


def sync(session: Session, folder: Path, **kwargs) -> SyncReport:
    """One import, as `quiz bank import` does it: committed, and nothing cached for the next one."""
    bank = load_bank(folder)
    assert bank.ok, "\n".join(map(str, bank.errors))
    report = sync_bank(session, bank, **kwargs)
    session.commit()
    session.expire_all()
    return report


def question(session: Session, key: str) -> Question:
    found = session.scalar(select(Question).where(Question.key == key))
    assert found is not None, key
    return found


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_first_import_adds_and_reimport_changes_nothing(session, tmp_path):
    folder = bf.minimal_bank(tmp_path)
    first = sync(session, folder)
    assert first.added == list(bf.KEYS)
    assert sorted(first.settings_changed) == ["assessment alpha-starter", "tier basic", "track alpha"]
    assert (first.new_versions, first.retired, first.restored, first.unchanged) == ([], [], [], 0)
    assert first.changed
    assert count(session, QuestionVersion) == 3

    again = sync(session, folder)
    assert again.changed is False
    assert (again.added, again.new_versions, again.retired, again.restored, again.settings_changed) == (
        [], [], [], [], [])
    assert again.unchanged == 3
    assert count(session, Question) == 3 and count(session, QuestionVersion) == 3
    assert {q.status for q in session.scalars(select(Question))} == {"active"}
    assert again.summary().startswith("0 added, 0 new versions, 0 retired, 0 restored, 3 unchanged")


def test_rows_hold_what_the_files_say(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    tier = session.scalar(select(Tier))
    assert (tier.key, tier.name, tier.hourly_rate, tier.rank) == ("basic", "Basic", Decimal("20"), 1)
    track = session.scalar(select(Track))
    assert (track.key, track.tier.key, track.bank_file, track.active) == ("alpha", "basic", "alpha.yaml", True)
    assessment = session.scalar(select(Assessment))
    assert (assessment.key, assessment.kind, assessment.track_id, assessment.tier_id) == (
        "alpha-starter", "starter", track.id, tier.id)
    assert assessment.questions_drawn == 2 and assessment.pass_mark == Decimal("70")
    assert assessment.blueprint == [{"topic": "basics", "difficulty": [1, 3], "count": 2}]
    version = question(session, "q-001").current
    assert (version.number, version.type, version.topic, version.difficulty, version.points) == (
        1, "single_choice", "basics", 1, Decimal("1.00"))
    assert version.definition["correct"] == "a"
    assert version.content_hash == load_bank(tmp_path).questions[0].content_hash


def test_edited_prompt_makes_a_new_version_and_keeps_the_old(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    v1 = question(session, "q-002").current
    v1_id, v1_definition, v1_hash = v1.id, dict(v1.definition), v1.content_hash
    assert v1_definition["prompt"] == "Which letter comes first (q-002)?"

    report = sync(session, bf.minimal_bank(tmp_path, prompts={"q-002": "Which letter is the first one?"}))
    assert report.new_versions == ["q-002"]
    assert (report.added, report.retired, report.restored, report.settings_changed) == ([], [], [], [])
    assert report.unchanged == 2

    edited = question(session, "q-002")
    assert [v.number for v in edited.versions] == [1, 2]
    old, new = edited.versions
    assert (old.id, old.definition, old.content_hash) == (v1_id, v1_definition, v1_hash)
    assert new.definition["prompt"] == "Which letter is the first one?"
    assert new.definition == {**v1_definition, "prompt": "Which letter is the first one?"}
    assert new.content_hash != v1_hash and new.content_hash == load_bank(tmp_path).questions[1].content_hash
    assert edited.current.id == new.id and edited.status == "active"
    for key in ("q-001", "q-003"):
        assert len(question(session, key).versions) == 1
    assert count(session, QuestionVersion) == 4

    # the same edit imported again is no change
    assert sync(session, tmp_path).changed is False
    assert count(session, QuestionVersion) == 4


@pytest.mark.parametrize("old, new", [
    ("    topic: basics\n", "    topic: trivia\n"),
    ("    difficulty: 1\n", "    difficulty: 2\n"),
    ("    points: 1\n", "    points: 1.5\n"),
    ("    correct: a\n", "    correct: b\n"),
    ("    explanation: A comes before B.\n", "    explanation: Alphabetical order.\n"),
    ("    correct: a\n", "    correct: a\n    shuffle: false\n"),
])
def test_any_change_of_a_question_makes_a_new_version(session, tmp_path, old, new):
    folder = bf.minimal_bank(tmp_path)
    sync(session, folder)
    path = folder / "alpha.yaml"
    head, q2, tail = path.read_text(encoding="utf-8").partition("  - key: q-002\n")
    assert tail.count(old) == 2  # in q-002 and q-003: change only q-002's
    path.write_text(head + q2 + tail.replace(old, new, 1), encoding="utf-8")
    report = sync(session, folder)
    assert report.new_versions == ["q-002"] and report.unchanged == 2
    assert [v.number for v in question(session, "q-002").versions] == [1, 2]


def test_removed_key_is_retired_then_restored(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    original_hash = question(session, "q-002").current.content_hash

    retired = sync(session, bf.minimal_bank(tmp_path, ("q-001", "q-003")))
    assert retired.retired == ["q-002"]
    assert (retired.added, retired.new_versions, retired.restored, retired.unchanged) == ([], [], [], 2)
    gone = question(session, "q-002")
    assert gone.status == "retired" and gone.retired_at is not None
    assert [v.content_hash for v in gone.versions] == [original_hash]
    assert count(session, Question) == 3 and count(session, QuestionVersion) == 3

    # retired stays retired, and is not reported again
    assert sync(session, tmp_path).changed is False
    assert question(session, "q-002").status == "retired"

    restored = sync(session, bf.minimal_bank(tmp_path))
    assert restored.restored == ["q-002"]
    assert (restored.added, restored.new_versions, restored.retired, restored.unchanged) == ([], [], [], 2)
    back = question(session, "q-002")
    assert back.status == "active" and back.retired_at is None
    assert len(back.versions) == 1 and back.id == gone.id


def test_removed_key_put_back_changed_is_restored_with_a_new_version(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    original_hash = question(session, "q-003").current.content_hash
    assert sync(session, bf.minimal_bank(tmp_path, ("q-001", "q-002"))).retired == ["q-003"]

    report = sync(session, bf.minimal_bank(tmp_path, prompts={"q-003": "Which letter is first, really?"}))
    assert report.restored == ["q-003"]
    assert (report.added, report.new_versions, report.retired, report.unchanged) == ([], [], [], 2)
    back = question(session, "q-003")
    assert back.status == "active" and back.retired_at is None
    assert [v.number for v in back.versions] == [1, 2]
    assert back.versions[0].content_hash == original_hash
    assert back.current.definition["prompt"] == "Which letter is first, really?"


def two_tracks(folder: Path, *, beta_keys: tuple[str, ...] = ("b-001", "b-002"), with_beta: bool = True) -> Path:
    entries = [bf.track_entry("alpha")] + ([bf.track_entry("beta")] if with_beta else [])
    return bf.write_bank(folder, bf.tracks_yaml(*entries), {
        "alpha.yaml": bf.track_file("alpha", *(bf.single_choice(k) for k in bf.KEYS)),
        "beta.yaml": bf.track_file("beta", *(bf.single_choice(k) for k in beta_keys)),
    })


def test_keys_of_a_track_whose_file_was_not_loaded_are_not_retired(session, tmp_path):
    assert sync(session, two_tracks(tmp_path)).added == [*bf.KEYS, "b-001", "b-002"]

    # beta's file not loaded (as when it could not be read): its keys are not "gone from the file"
    bank = load_bank(tmp_path)
    bank.loaded_tracks.discard("beta")
    bank.questions = [q for q in bank.questions if q.track != "beta"]
    report = sync_bank(session, bank)
    session.commit()
    assert report.changed is False and report.unchanged == 3
    assert {q.key: q.status for q in session.scalars(select(Question))} == {
        **{k: "active" for k in bf.KEYS}, "b-001": "active", "b-002": "active"}

    # a track no longer named in tracks.yaml: its file is not read, its keys stay as they were
    report = sync(session, two_tracks(tmp_path, with_beta=False))
    assert report.retired == [] and report.unchanged == 3
    assert question(session, "b-001").status == "active"

    # but a key gone from a loaded file is retired
    report = sync(session, two_tracks(tmp_path, beta_keys=("b-002",)))
    assert report.retired == ["b-001"]
    assert question(session, "b-002").status == "active"


def test_key_moved_to_another_track_is_reported(session, tmp_path):
    sync(session, two_tracks(tmp_path))
    alpha_id = session.scalar(select(Track.id).where(Track.key == "alpha"))
    beta_id = session.scalar(select(Track.id).where(Track.key == "beta"))
    assert question(session, "q-003").track_id == alpha_id

    # q-003 leaves alpha.yaml for beta.yaml, its content unchanged
    folder = bf.write_bank(tmp_path, bf.tracks_yaml(bf.track_entry("alpha"), bf.track_entry("beta")), {
        "alpha.yaml": bf.track_file("alpha", bf.single_choice("q-001"), bf.single_choice("q-002")),
        "beta.yaml": bf.track_file("beta", *(bf.single_choice(k) for k in ("b-001", "b-002", "q-003"))),
    })
    report = sync(session, folder)
    assert report.moved == ["q-003"]
    assert report.changed and report.retired == [] and report.new_versions == [] and report.unchanged == 5
    assert "1 moved to another track" in report.summary()
    moved = question(session, "q-003")
    assert (moved.track_id, moved.status, len(moved.versions)) == (beta_id, "active", 1)
    assert audit_entries(session)[-1].after["moved"] == ["q-003"]
    assert sync(session, folder).changed is False


def test_tier_rate_change_is_a_settings_change(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    report = sync(session, bf.minimal_bank(tmp_path, rate=22.5))
    assert report.settings_changed == ["tier basic"]
    assert (report.added, report.new_versions, report.retired, report.restored, report.unchanged) == (
        [], [], [], [], 3)
    assert report.changed
    assert session.scalar(select(Tier).where(Tier.key == "basic")).hourly_rate == Decimal("22.50")
    assert sync(session, tmp_path).changed is False


def test_pass_mark_change_is_a_settings_change(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    report = sync(session, bf.minimal_bank(tmp_path, pass_mark=75.5))
    assert report.settings_changed == ["assessment alpha-starter"]
    assert report.unchanged == 3 and report.changed
    assert session.scalar(select(Assessment).where(Assessment.key == "alpha-starter")).pass_mark == Decimal("75.5")
    assert sync(session, tmp_path).changed is False


def audit_entries(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_audit_entry_only_when_something_changed(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    entries = audit_entries(session)
    assert [(e.action, e.target_type, e.actor_id) for e in entries] == [("bank.import", "bank", None)]
    assert entries[0].after["added"] == list(bf.KEYS)

    sync(session, tmp_path)
    assert len(audit_entries(session)) == 1

    sync(session, bf.minimal_bank(tmp_path, ("q-001", "q-002"), prompts={"q-001": "Changed?"}))
    entries = audit_entries(session)
    assert [e.action for e in entries] == ["bank.import", "bank.import"]
    assert entries[1].after == {"added": [], "new_versions": ["q-001"], "retired": ["q-003"], "restored": [],
                                "moved": [], "settings_changed": []}


def test_actor_is_recorded(session, tmp_path):
    admin = User(email="admin@example.com", password_hash="x", role="admin")
    session.add(admin)
    session.commit()
    sync(session, bf.minimal_bank(tmp_path), actor_id=admin.id)
    assert [e.actor_id for e in audit_entries(session)] == [admin.id]
    assert {v.created_by_id for v in session.scalars(select(QuestionVersion))} == {admin.id}


def test_reimport_is_idempotent_after_every_kind_of_change(session, tmp_path):
    sync(session, bf.minimal_bank(tmp_path))
    sync(session, bf.minimal_bank(tmp_path, ("q-001", "q-003", "q-004"), prompts={"q-001": "Edited?"},
                                  rate=30, pass_mark=60))
    for _ in range(3):
        report = sync(session, tmp_path)
        assert report.changed is False and report.unchanged == 3
    assert count(session, AuditEntry) == 2
