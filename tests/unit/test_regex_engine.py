"""Short-text regexes run on RE2: linear time on any answer, and a pattern RE2 cannot run is refused."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from quiz.question_types import get_type
from quiz.question_types.base import DefinitionError, format_path
from tests.unit.test_purity import REPO_ROOT

SHORT = get_type("short_text")
COMMON = {"prompt": "Name it.", "explanation": "Because."}


@pytest.mark.parametrize("pattern, answer", [
    (r"(a+)+$", "a" * 60 + "b"),  # exponential on a backtracking engine
    (r"(\w+\s?)+", "word " * 40 + "?"),  # the innocent-looking one of the issue
    (r"(x+x+)+y", "x" * 60),
])
def test_catastrophic_patterns_grade_at_once(pattern: str, answer: str) -> None:
    # In a child process with a bound: Python's `re` would need about 2**60 steps here and never
    # finish, so before RE2 this failed (timed out); now it is a few microseconds.
    code = textwrap.dedent(f"""
        from quiz.question_types import get_type
        short = get_type("short_text")
        spec = short.parse_definition({{"prompt": "p", "explanation": "e", "regex": {pattern!r}, "max_length": 1000}})
        grade = short.grade(spec, short.normalise_answer(spec, {answer!r}))
        print(grade.earned)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0.0"


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?=a)a", r"(?<=a)b", r"(?P<w>a)(?P=w)", r"a*+", r"a{1001}"])
def test_a_regex_re2_cannot_run_is_refused_at_its_field(pattern: str) -> None:
    with pytest.raises(DefinitionError) as err:
        SHORT.parse_definition({**COMMON, "regex": pattern})
    assert [format_path(p.path) for p in err.value.problems] == ["regex"]
    assert "RE2" in err.value.problems[0].message


def test_case_insensitive_matching_folds_unicode_too() -> None:
    spec = SHORT.parse_definition({**COMMON, "regex": r"(x\s*∈\s*)?école"})
    assert SHORT.grade(spec, "X ∈ ÉCOLE").earned == 1.0
    strict = SHORT.parse_definition({**COMMON, "regex": r"école", "case_sensitive": True})
    assert SHORT.grade(strict, "ÉCOLE").earned == 0.0
