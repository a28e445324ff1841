"""export_bank on both engines: an export loads cleanly, imports as no change, and is stable."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

import bankfiles as bf
from quiz.bank.export import export_bank
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.models import Question


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_export_of_the_real_bank_round_trips(session, tmp_path):
    original = load_bank(bf.BANK_DIR)
    assert original.ok
    first = sync_bank(session, original)
    session.commit()
    assert len(first.added) == len(original.questions)

    written = export_bank(session, tmp_path / "export")
    assert sorted(p.name for p in written) == sorted(p.name for p in bf.BANK_DIR.glob("*.yaml"))

    exported = load_bank(tmp_path / "export")
    assert exported.errors == [], "\n".join(map(str, exported.errors))
    assert sorted(map(str, exported.warnings)) == sorted(map(str, original.warnings))
    assert [q.key for q in exported.questions] == [q.key for q in original.questions]
    assert {q.key: q.content_hash for q in exported.questions} == {
        q.key: q.content_hash for q in original.questions}
    assert exported.tiers == original.tiers
    assert exported.tracks == original.tracks

    session.expire_all()
    again = sync_bank(session, exported)
    session.commit()
    assert again.changed is False, again.summary()
    assert again.unchanged == len(original.questions)


def test_export_then_reexport_is_byte_identical(session, tmp_path):
    sync_bank(session, load_bank(bf.BANK_DIR))
    session.commit()
    export_bank(session, tmp_path / "one")
    first = files_of(tmp_path / "one")

    # import the export into the same database, then export again
    assert sync_bank(session, load_bank(tmp_path / "one")).changed is False
    session.commit()
    export_bank(session, tmp_path / "two")
    assert files_of(tmp_path / "two") == first

    export_bank(session, tmp_path / "one")  # overwriting gives the same bytes too
    assert files_of(tmp_path / "one") == first


def test_export_writes_current_versions_and_leaves_out_retired_keys(session, tmp_path):
    source = tmp_path / "source"
    sync_bank(session, load_bank(bf.minimal_bank(source)))
    session.commit()
    sync_bank(session, load_bank(bf.minimal_bank(source, ("q-001", "q-002"), prompts={"q-001": "Edited?"})))
    session.commit()
    assert session.scalar(select(Question).where(Question.key == "q-003")).status == "retired"

    export_bank(session, tmp_path / "export")
    exported = load_bank(tmp_path / "export")
    assert exported.issues == []
    assert [q.key for q in exported.questions] == ["q-001", "q-002"]
    assert exported.questions[0].definition["prompt"] == "Edited?"
    assert {q.key: q.content_hash for q in exported.questions} == {
        q.key: q.content_hash for q in load_bank(source).questions}
    assert sync_bank(session, exported).changed is False


OVERRIDES_TRACKS = """\
format: 1
tiers:
  - key: basic
    name: Basic
    hourly_rate: 20.5
    rank: 1
  - key: expert
    name: Expert
    hourly_rate: 45
tracks:
  - key: alpha
    name: Alpha
    tier: basic
    bank: alpha.yaml
    assessments:
      - key: alpha-starter
        kind: starter
        title: Alpha starter
        time_limit_minutes: 30
        pass_mark: 62.5
        review_policy: {show_keys: true, show_score: false}
        blueprint:
          - {topic: basics, difficulty: 1, count: 1}
          - {topic: more, difficulty: [2, 5], count: 1}
      - key: alpha-specialist
        kind: specialist
        title: Alpha specialist
        time_limit_minutes: 45
        pass_mark: 80
        requires_confirmation: true
        tier: expert
        active: false
        blueprint:
          - {topic: basics, difficulty: [1, 5], count: 2}
"""

AWKWARD_QUESTIONS = """\
  - key: n-1
    type: numeric
    topic: basics
    difficulty: 1
    points: 1.5
    prompt: "Trailing space  \\nsecond line"
    explanation: |
      Multi
      line: with a colon
    correct: 0
    tolerance: {absolute: 0.001}
  - key: s-1
    type: short_text
    topic: more
    difficulty: 2
    points: 0.25
    prompt: "'quoted' # not a comment"
    explanation: "yes: no"
    regex: '^\\d+$'
"""


def test_export_keeps_overrides_defaults_and_awkward_text(session, tmp_path):
    text = bf.track_file("alpha", bf.single_choice("q-1"), bf.single_choice("q-2", topic="more", difficulty=3))
    source = load_bank(bf.write_bank(tmp_path / "source", OVERRIDES_TRACKS,
                                     {"alpha.yaml": text + AWKWARD_QUESTIONS}))
    assert source.issues == [], "\n".join(map(str, source.issues))
    sync_bank(session, source)
    session.commit()

    export_bank(session, tmp_path / "export")
    exported = load_bank(tmp_path / "export")
    assert exported.issues == []
    # tiers come out ordered by rank (the database keeps no file order)
    assert sorted(exported.tiers, key=lambda t: t.key) == sorted(source.tiers, key=lambda t: t.key)
    assert exported.tracks == source.tracks
    specialist = exported.tracks[0].assessments[1]
    assert (specialist.tier, specialist.active, specialist.requires_confirmation) == ("expert", False, True)
    assert exported.tracks[0].assessments[0].review_policy["show_keys"] is True
    assert [(q.key, q.content_hash) for q in exported.questions] == [
        (q.key, q.content_hash) for q in source.questions]
    by_key = {q.key: q for q in exported.questions}
    assert by_key["n-1"].definition["prompt"] == "Trailing space  \nsecond line"
    assert by_key["s-1"].definition["prompt"] == "'quoted' # not a comment"
    assert sync_bank(session, exported).changed is False
