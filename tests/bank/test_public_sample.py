"""While the public sample questions are active, `quiz init` (outside debug) and the admin overview say so."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from quiz.bank.load import load_bank
from quiz.cli import main
from quiz.paths import question_bank_dir
from tests.services.conftest import write_small_bank

WARNING = "are the public sample bank shipped with quiz"


@pytest.fixture
def run_init(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("QUIZ_INSTANCE_PATH", str(tmp_path / "instance"))
    for name in ("QUIZ_SECRET_KEY", "QUIZ_DATABASE_URL", "QUIZ_QUESTION_BANK_PATH", "QUIZ_DEBUG"):
        monkeypatch.delenv(name, raising=False)

    def run(**env: str):  # type: ignore[no-untyped-def]
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(main, ["--instance", str(tmp_path / "instance"), "init"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return run


def test_init_on_the_shipped_bank_warns_that_it_is_public(run_init) -> None:  # type: ignore[no-untyped-def]
    result = run_init()
    shipped = len(load_bank(question_bank_dir()).questions)
    assert f"Warning: {shipped} of the {shipped} active questions {WARNING}" in result.stderr
    assert "QUESTION_BANK_PATH" in result.stderr and "quiz bank import" in result.stderr


def test_init_in_debug_does_not_warn(run_init) -> None:  # type: ignore[no-untyped-def]
    assert WARNING not in run_init(QUIZ_DEBUG="true").output


def test_init_on_a_private_bank_does_not_warn(run_init, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    private = write_small_bank(tmp_path / "private")
    assert WARNING not in run_init(QUIZ_QUESTION_BANK_PATH=str(private)).output


def test_a_copy_of_the_shipped_bank_elsewhere_is_still_public(run_init, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    copy = tmp_path / "my-bank"
    shutil.copytree(question_bank_dir(), copy)
    assert WARNING in run_init(QUIZ_QUESTION_BANK_PATH=str(copy)).stderr


def test_a_private_bank_that_leaves_the_sample_tracks_out_ends_the_warning(run_init, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert WARNING in run_init().stderr
    private = write_small_bank(tmp_path / "private")  # its tracks.yaml lists none of the sample tracks
    assert WARNING not in run_init(QUIZ_QUESTION_BANK_PATH=str(private)).output
