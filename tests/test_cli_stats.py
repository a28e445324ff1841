"""`quiz simulate`, `quiz stats`, `quiz calibrate` and `quiz rescore --dry-run` on a SQLite instance."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quiz.cli import main
from quiz.db import make_engine
from quiz.models import Calibration
from tests.services.conftest import write_small_bank


@pytest.fixture
def quiz(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("QUIZ_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("QUIZ_QUESTION_BANK_PATH", str(write_small_bank(tmp_path / "bank")))
    runner = CliRunner()

    def invoke(*args: object):  # type: ignore[no-untyped-def]
        return runner.invoke(main, ["--instance", str(tmp_path / "instance"), *map(str, args)])

    assert invoke("init").exit_code == 0
    return invoke


def test_simulate_stats_calibrate_and_rescore(quiz, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = quiz("simulate", "alpha-starter", "--candidates", 120, "--seed", 3)
    assert result.exit_code == 0, result.output
    assert "120 simulated candidates, 120 decided." in result.output and "deliberately bad: a-" in result.output
    result = quiz("stats", "alpha-starter")
    assert result.exit_code == 0 and "120 graded attempts, 6 items, 4.0 per form" in result.output
    assert "flagged:" in result.output
    out = tmp_path / "items.csv"
    assert quiz("stats", "alpha-starter", "--csv", out).exit_code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 6 and rows[0]["question_key"] == "a-0"

    result = quiz("rescore", "alpha-starter", "--dry-run")
    assert result.exit_code == 1 and "Calibrate the assessment first" in result.output
    result = quiz("calibrate", "alpha-starter")
    assert result.exit_code == 0, result.output
    assert "Calibrating" in result.output and "Calibration #1: 6 items, 120 candidates" in result.output
    assert "converged" in result.output
    result = quiz("calibrate", "alpha-starter", "--anchor", 1)
    assert result.exit_code == 0 and "Calibration #2" in result.output
    with Session(make_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")) as session:
        assert session.scalar(select(func.count()).select_from(Calibration)) == 2
        assert session.get(Calibration, 2).anchor_id == 1

    result = quiz("rescore", "alpha-starter", "--dry-run")
    assert result.exit_code == 0 and "Calibration #2, θ cut" in result.output
    assert "decided attempts would change" in result.output
    result = quiz("rescore", "alpha-starter")
    assert result.exit_code == 1 and "confirms each one" in result.output
    assert quiz("stats", "nope").exit_code == 1
    result = quiz("simulate", "alpha-specialist", "--candidates", 2)
    assert result.exit_code == 1 and "cannot simulate alpha-specialist: Specialist assessments open" in result.output
