"""The admin question editor (every type's form) and bank import (upload, `quiz bank validate`)."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from quiz.bank.load import load_bank
from quiz.cli import main
from quiz.extensions import session_factory
from quiz.models import AuditEntry, Question, QuestionVersion
from tests.admin.test_questions import COMMON, NEW_QUESTIONS, new_url
from tests.fuzz.conftest import FUZZ
from tests.fuzz.strategies import deep_json, hostile_number, hostile_text, huge_numbers, json_values
from tests.services.conftest import write_small_bank
from tests.web.support import staff

_fresh_keys = (f"fz-{n}" for n in itertools.count())


def _counts(app: Flask) -> tuple[int, int, int]:
    with session_factory(app)() as session:
        return tuple(session.scalar(select(func.count()).select_from(model))  # type: ignore[return-value]
                     for model in (Question, QuestionVersion, AuditEntry))


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return staff(app, "admin@example.com", "admin")


def _field_names(type_name: str) -> list[str]:
    fields, _expected = NEW_QUESTIONS[type_name]
    rows = [f"{name}-{i}-{part}" for name in ("options", "items", "rubric") for i in (0, 1, 25)
            for part in ("id", "text", "description", "points", "position", "correct", "remove")]
    return sorted({*COMMON, *fields, *rows, "key", "correct_row", "action"})


NUMBER_FIELDS = {"points", "difficulty", "correct", "tolerance_value", "max_length", "min_words", "max_words",
                 "scale_min", "scale_max", "rating_a", "rating_b", "rating_tolerance", "choice_points", "rating_points"}


@st.composite
def editor_posts(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    type_name = draw(st.sampled_from(sorted(NEW_QUESTIONS)))
    fields, _expected = NEW_QUESTIONS[type_name]
    names = _field_names(type_name)
    numeric = [name for name in names if name in NUMBER_FIELDS or name.endswith("-points")]
    changes = draw(st.dictionaries(st.sampled_from(names), hostile_text(), max_size=3))
    numbers = draw(st.dictionaries(st.sampled_from(numeric), hostile_number(), max_size=2))
    return type_name, {**COMMON, "key": next(_fresh_keys), **fields, **changes, **numbers}


@FUZZ
@given(post=editor_posts())
def test_the_question_editor_never_fails_and_a_refusal_writes_nothing(
        app: Flask, admin: FlaskClient, post: tuple[str, dict[str, str]]) -> None:
    type_name, data = post
    before = _counts(app)
    response = admin.post(new_url("alpha", type_name), data=data)
    assert response.status_code in (200, 302, 400, 409, 422), response.status_code
    if response.status_code != 302:
        assert _counts(app) == before


# --- bank files ------------------------------------------------------------------------------------


def _small_bank_documents(folder: Path) -> dict[str, Any]:
    write_small_bank(folder)
    return {name: yaml.safe_load((folder / name).read_text()) for name in ("tracks.yaml", "alpha.yaml")}


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in a YAML document."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


@st.composite
def bank_files(draw: st.DrawFn, base: dict[str, Any]) -> tuple[str, str]:
    """One bank file: the small bank's tracks.yaml or alpha.yaml with a few values replaced, or junk."""
    name = draw(st.sampled_from(sorted(base)))
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "text", "deep"]))
    if kind == "text":
        return name, draw(st.text(max_size=300))
    if kind == "deep":
        return name, f"format: 1\nquestions: {draw(deep_json())}\n"
    document = yaml.safe_load(yaml.safe_dump(base[name]))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(_paths(document)))
        node = document
        for part in path[:-1]:
            node = node[part]
        if isinstance(node, (dict, list)) and (not isinstance(node, list) or path[-1] < len(node)):
            node[path[-1]] = draw(st.one_of(json_values(), huge_numbers()))
    return name, yaml.safe_dump(document, allow_unicode=True)


BASE = _small_bank_documents(Path(__import__("tempfile").mkdtemp()) / "bank")


@FUZZ
@given(upload=bank_files(BASE))
def test_a_bank_upload_never_fails_and_never_writes(app: Flask, admin: FlaskClient, upload: tuple[str, str]) -> None:
    import io

    name, text = upload
    before = _counts(app)
    response = admin.post("/admin/bank/import", content_type="multipart/form-data",
                          data={"files": [(io.BytesIO(text.encode("utf-8", "surrogatepass")), name)]})
    assert response.status_code in (200, 413, 422), response.status_code
    assert _counts(app) == before  # the upload only previews; confirming is another request


@FUZZ
@given(upload=bank_files(BASE))
def test_quiz_bank_validate_never_fails(tmp_path: Path, upload: tuple[str, str]) -> None:
    name, text = upload
    folder = write_small_bank(tmp_path / "bank")
    (folder / name).write_bytes(text.encode("utf-8", "surrogatepass"))
    bank = load_bank(folder)  # never raises
    result = CliRunner().invoke(main, ["--instance", str(tmp_path / "instance"), "bank", "validate", str(folder)])
    assert result.exit_code == (0 if bank.ok else 1), (result.output, result.exception)
    assert bank.ok or all(issue.file in ("tracks.yaml", "alpha.yaml", "beta.yaml") for issue in bank.errors)
