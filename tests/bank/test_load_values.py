"""Values people type into bank files: numbers as YAML 1.2 reads them, precision, odd keys, paths."""

from __future__ import annotations

from pathlib import Path

import pytest

import bankfiles as bf
from quiz.bank.load import load_bank


def _errors(folder: Path) -> list[str]:
    return [str(issue) for issue in load_bank(folder).errors]


@pytest.mark.parametrize(("raw", "message"), [
    ("66.666", "pass_mark: must have at most 2 decimal places"),
    (".nan", "pass_mark: must be a finite number"),
])
def test_pass_marks_the_database_could_not_store_exactly_are_refused(tmp_path: Path, raw: str, message: str) -> None:
    assert any(message in e for e in _errors(bf.minimal_bank(tmp_path, pass_mark=raw)))


def test_points_below_a_cent_are_refused_not_rounded_to_zero(tmp_path: Path) -> None:
    folder = bf.minimal_bank(tmp_path)
    path = folder / "alpha.yaml"
    path.write_text(path.read_text().replace("points: 1", "points: 0.001", 1))
    assert _errors(folder) == [f"alpha.yaml:{bf.line_no(path.read_text(), '0.001')}: error: "
                               "q-001.points: must have at most 2 decimal places"]


def test_numbers_are_read_as_yaml_1_2(tmp_path: Path) -> None:
    folder = bf.minimal_bank(tmp_path)
    path = folder / "alpha.yaml"
    numeric = """\
  - key: n-001
    type: numeric
    topic: basics
    difficulty: 1
    points: 1
    prompt: How many?
    explanation: Ten.
    correct: 010
    tolerance: {relative: 1e-3}
"""
    path.write_text(path.read_text() + numeric)
    bank = load_bank(folder)
    assert bank.errors == []
    spec = next(q for q in bank.questions if q.key == "n-001")
    assert spec.definition["correct"] == 10  # not octal 8
    assert spec.definition["tolerance"] == {"relative": 0.001}  # not the text "1e-3"


def test_error_labels_name_the_question_for_common_and_type_fields(tmp_path: Path) -> None:
    folder = bf.minimal_bank(tmp_path)
    path = folder / "alpha.yaml"
    path.write_text(path.read_text().replace("difficulty: 1", "difficulty: 9", 1).replace("correct: a", "correct: z", 1))
    errors = _errors(folder)
    assert any("q-001.difficulty: must be a whole number from 1 to 5" in e for e in errors)
    assert any("q-001.correct:" in e for e in errors)


@pytest.mark.parametrize(("replace", "expected"), [
    (("  - key: q-001\n", "  - key: q-001\n    ? [a, b]\n    : 1\n"), "a key must be plain text"),
    (("type: single_choice", "type: [single_choice]"), "q-001.type: must be the name of a question type"),
    (("  - key: q-001\n", "  - key: q-001\n\t"), "use spaces"),
])
def test_odd_input_is_an_error_with_a_line_not_a_crash(tmp_path: Path, replace: tuple[str, str], expected: str) -> None:
    folder = bf.minimal_bank(tmp_path)
    path = folder / "alpha.yaml"
    path.write_text(path.read_text().replace(*replace, 1))
    errors = _errors(folder)
    assert any(expected in e and e.startswith("alpha.yaml:") for e in errors), errors


@pytest.mark.parametrize("bank_name", ["../outside.yaml", "/etc/outside.yaml", "tracks.yaml"])
def test_a_track_bank_outside_the_folder_is_never_read(tmp_path: Path, bank_name: str) -> None:
    (tmp_path / "outside.yaml").write_text("not: [valid")
    folder = bf.write_bank(tmp_path / "bank", bf.tracks_yaml(bf.track_entry(bank=bank_name)), {})
    errors = _errors(folder)
    assert len(errors) == 1 and "tracks[0].bank: must be the name of a .yaml file in the bank folder" in errors[0]


def test_an_assessment_title_is_a_single_line(tmp_path: Path) -> None:
    """Titles go into email subjects, where a line break is not allowed."""
    folder = bf.write_bank(tmp_path, bf.tracks_yaml(bf.track_entry().replace(
        "title: Alpha starter assessment", "title: |\n          Alpha\n          starter")), {
        "alpha.yaml": bf.track_file("alpha", *(bf.single_choice(k) for k in bf.KEYS))})
    assert any("assessments[0].title: must be a single line" in e for e in _errors(folder))
