"""The complete example in docs/bank-format.md is a valid bank file with every type."""

from __future__ import annotations

import re
from pathlib import Path

from quiz.bank.load import load_bank
from quiz.coderun.sandbox import unavailable_reason
from quiz.question_types import TYPE_NAMES
from tests.conftest import REPO_ROOT

TRACKS = """\
format: 1
tiers:
  - {key: general, name: General, hourly_rate: 20, rank: 1}
tracks:
  - key: example
    name: Example
    tier: general
    bank: example.yaml
    assessments:
      - key: example-starter
        kind: starter
        title: Example starter
        time_limit_minutes: 10
        pass_mark: 50
        blueprint:
          - {topic: fact_checking, difficulty: [1, 5], count: 3}
"""


def test_documented_example_loads_and_uses_every_type(tmp_path: Path) -> None:
    doc = (REPO_ROOT / "docs" / "bank-format.md").read_text(encoding="utf-8")
    example = re.search(r"<!-- example-track-file -->\n```yaml\n(.*?)```", doc, re.S).group(1)
    (tmp_path / "tracks.yaml").write_text(TRACKS)
    (tmp_path / "example.yaml").write_text(example)
    bank = load_bank(tmp_path)
    assert bank.errors == []
    # without the sandbox a code item is refused (a warning), never imported to run unsandboxed
    runnable = [t for t in TYPE_NAMES if t != "code" or unavailable_reason() is None]
    assert sorted(q.type for q in bank.questions) == sorted(runnable)
