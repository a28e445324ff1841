"""Bank files past the documented caps (docs/bank-format.md) are refused field by field, never crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import bankfiles as bf
from quiz.bank import limits
from quiz.bank.load import load_bank
from quiz.cli import main
from quiz.question_types.limits import MAX_LONG_TEXT, MAX_OPTION_TEXT


def _errors(folder: Path) -> list[str]:
    return [str(issue) for issue in load_bank(folder).errors]


def test_deeply_nested_yaml_is_an_error_at_its_line(tmp_path: Path) -> None:
    # Before: PyYAML composes by recursion, so this ended in a RecursionError (a 500 on the import page).
    deep = bf.track_file("alpha", bf.single_choice("q-001")) + "  - key: q-002\n    prompt: " + "[" * 5000 + "]" * 5000
    folder = bf.write_bank(tmp_path, bf.tracks_yaml(), {"alpha.yaml": deep})
    assert _errors(folder) == [f"alpha.yaml:{bf.line_no(deep, 'prompt: [')}: error: YAML syntax: lists and mappings are nested more than "
                               f"{limits.MAX_YAML_DEPTH} levels deep"]


def test_a_tracks_file_over_its_byte_cap_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    # 3 MB of tracks: before, parsing and checking them outlasted a web worker's timeout.
    entries = "".join(bf.track_entry(f"t{n}") for n in range(9000))
    folder = bf.write_bank(tmp_path, bf.tracks_yaml(entries), {})
    size = (folder / "tracks.yaml").stat().st_size
    assert size > 3_000_000
    assert _errors(folder) == [f"tracks.yaml: error: is {size:,} bytes; a bank file holds at most "
                               f"{limits.MAX_TRACKS_FILE_BYTES:,} bytes (see docs/bank-format.md)"]


def test_too_many_tracks_are_refused_and_only_the_first_are_checked(tmp_path: Path) -> None:
    entries = "".join(bf.track_entry(f"t{n}") for n in range(limits.MAX_TRACKS + 5))
    folder = bf.write_bank(tmp_path, bf.tracks_yaml(entries), {})
    errors = _errors(folder)
    assert f"tracks.yaml:7: error: tracks: has {limits.MAX_TRACKS + 5} entries; at most {limits.MAX_TRACKS} are " \
           "allowed" in errors
    assert not any("t104.yaml" in e for e in errors)  # the entries past the cap are not read at all


def test_a_track_file_over_its_byte_cap_is_refused(tmp_path: Path) -> None:
    folder = bf.minimal_bank(tmp_path)
    filler = "# " + "x" * 100 + "\n"
    (folder / "alpha.yaml").write_text((folder / "alpha.yaml").read_text()
                                       + filler * (limits.MAX_TRACK_FILE_BYTES // len(filler) + 1))
    errors = _errors(folder)
    assert len(errors) == 1 and errors[0].startswith("alpha.yaml: error: is ") and "at most 2,097,152 bytes" in errors[0]


@pytest.mark.parametrize("question, field, message", [
    (bf.single_choice("q-001", prompt="x" * (MAX_LONG_TEXT + 1)), "q-001.prompt",
     f"is {MAX_LONG_TEXT + 1:,} characters long; at most {MAX_LONG_TEXT:,} are allowed"),
    (bf.single_choice("q-001").replace("{id: b, text: B}", "{id: b, text: " + "b" * (MAX_OPTION_TEXT + 1) + "}"),
     "q-001.options[1].text", f"is {MAX_OPTION_TEXT + 1:,} characters long; at most {MAX_OPTION_TEXT:,} are allowed"),
    (bf.single_choice("q-001", topic="t" * 101), "q-001.topic", "is 101 characters long; at most 100 are allowed"),
    (bf.single_choice("q-001").replace("points: 1", "points: 1" + "0" * 40), "q-001.points",
     "must be greater than 0 and at most 100"),  # before: decimal.InvalidOperation
    (bf.single_choice("q-001").replace("points: 1", "points: 1e309"), "q-001.points", "must be a finite number"),
    (bf.single_choice("q-001").replace("points: 1", "points: -0"), "q-001.points",
     "must be greater than 0 and at most 100"),
    (bf.single_choice("q-001").replace("points: 1", "points: .nan"), "q-001.points", "must be a finite number"),
])
def test_a_field_past_its_cap_is_refused_with_its_path(tmp_path: Path, question: str, field: str,
                                                       message: str) -> None:
    folder = bf.write_bank(tmp_path, bf.tracks_yaml(), {"alpha.yaml": bf.track_file("alpha", question)})
    errors = _errors(folder)
    assert any(f" error: {field}: {message}" in e for e in errors), errors


def test_quiz_bank_validate_reports_nested_yaml_and_exits_1(tmp_path: Path) -> None:
    folder = bf.write_bank(tmp_path / "bank", bf.tracks_yaml(), {"alpha.yaml": "format: 1\nquestions: " + "[" * 3000})
    result = CliRunner().invoke(main, ["--instance", str(tmp_path / "instance"), "bank", "validate", str(folder)])
    assert result.exit_code == 1, result.output
    assert "alpha.yaml:2: error: YAML syntax: lists and mappings are nested more than" in result.output
