"""The bank's code items through the real sandbox: each reference solution earns full marks on the examples
and the hidden tests; a plausible wrong solution of each (tests/bank/code_wrong_solutions.yaml) earns less."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from quiz.bank.load import load_bank
from quiz.coderun.runner import run_tests
from quiz.question_types import get_type
from tests.conftest import BANK_DIR

CODE = get_type("code")
WRONG = yaml.safe_load((Path(__file__).parent / "code_wrong_solutions.yaml").read_text(encoding="utf-8"))


def _code_items() -> list[dict]:
    # Read the files without the loader's sandbox check, so a machine without one still lists them.
    bank = yaml.safe_load((BANK_DIR / "coding.yaml").read_text(encoding="utf-8"))
    return [q for q in bank["questions"] if q["type"] == "code"]


ITEMS = _code_items()


def _grade(item: dict, source: str) -> tuple[float, float, list[str]]:
    definition = {k: v for k, v in item.items() if k not in ("key", "type", "topic", "difficulty", "points")}
    spec = CODE.parse_definition(definition)
    examples = run_tests(spec, source, spec.examples)
    hidden = run_tests(spec, source, spec.tests)
    grade = CODE.grade(spec, CODE.normalise_answer(spec, source), {"results": hidden})
    return grade.earned, grade.possible, [r["status"] for r in examples + hidden]


def test_the_coding_bank_has_enough_code_items_of_each_kind() -> None:
    assert len(ITEMS) >= 20
    assert {q["language"] for q in ITEMS} == {"python", "javascript"}
    assert {q.get("mode", "function") for q in ITEMS} == {"function", "stdin"}
    assert {q["difficulty"] for q in ITEMS} == {1, 2, 3}
    for item in ITEMS:
        assert len(item["examples"]) >= 3 and len(item["tests"]) >= 8, item["key"]
        assert item["explanation"].strip() and item["reference"].strip(), item["key"]
    assert set(WRONG) == {q["key"] for q in ITEMS}
    assert Counter(q["topic"] for q in ITEMS).keys() == {"python_code", "javascript_code"}


@pytest.mark.usefixtures("sandbox")
def test_the_blueprints_draw_code_items() -> None:
    bank = load_bank(BANK_DIR)
    coding = next(t for t in bank.tracks if t.key == "coding")
    for assessment in coding.assessments:
        topics = {s.topic for s in assessment.blueprint}
        assert {"python_code", "javascript_code"} <= topics, assessment.key
    assert not [w for w in bank.warnings if w.file == "coding.yaml"]  # every blueprint can be filled


@pytest.mark.usefixtures("sandbox")
@pytest.mark.parametrize("item", ITEMS, ids=[q["key"] for q in ITEMS])
def test_the_reference_gets_full_marks_and_a_wrong_solution_does_not(item: dict) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        right, wrong = pool.map(lambda source: _grade(item, source), (item["reference"], WRONG[item["key"]]))
    earned, possible, statuses = right
    assert earned == possible and set(statuses) == {"passed"}, statuses
    earned, possible, statuses = wrong
    assert earned < possible, f"the wrong solution of {item['key']} passes every hidden test"


def test_without_a_sandbox_code_items_are_refused_at_import_and_coding_is_not_offered(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import quiz.bank.load

    monkeypatch.setattr(quiz.bank.load, "unavailable_reason",
                        lambda language=None: "bubblewrap is not installed (Debian package bubblewrap)")
    bank = load_bank(BANK_DIR)
    assert bank.errors == [] and not [q for q in bank.questions if q.type == "code"]
    refused = [w for w in bank.warnings if "code item refused on this machine" in w.message]
    assert len(refused) == len(ITEMS) and all("bubblewrap is not installed" in w.message for w in refused)
    assert {w.field for w in bank.warnings if "not offered to candidates" in w.message} == \
        {"coding-starter", "coding-specialist"}
