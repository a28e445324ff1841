"""The pure core (`quiz.scoring`, `quiz.question_types`) and `import quiz` load no framework.

Each check runs in a fresh interpreter: this test process has already imported Flask and
SQLAlchemy through conftest.py, so `sys.modules` here proves nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

# the web, database and file-format frameworks the pure core must never pull in (numpy and scipy,
# for the psychometrics of quiz.scoring, are allowed: they are neither)
FRAMEWORKS = ("flask", "sqlalchemy", "wtforms", "flask_wtf", "jinja2", "werkzeug", "alembic", "yaml")
# the other runtime dependencies of pyproject.toml, and what Flask and Alembic bring along
OTHER_DEPENDENCIES = ("click", "gunicorn", "psycopg", "argon2", "markupsafe", "itsdangerous", "blinker", "mako")
FORBIDDEN = FRAMEWORKS + OTHER_DEPENDENCIES
# Allowed besides the standard library: numpy (statistics) and re2 (short-text regexes in linear time).

EXERCISE_CORE = """
import quiz.scoring, quiz.question_types
import quiz.scoring.classical, quiz.scoring.irt, quiz.scoring.simulation
from quiz.question_types import get_type
from quiz.scoring import ScoredItem, decide, place_tier, score_attempt, TierRef
from decimal import Decimal

single = get_type("single_choice")
spec = single.parse_definition({
    "prompt": "Which?", "explanation": "Because.",
    "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}], "correct": "b"})
grade = single.grade(spec, single.normalise_answer(spec, "b"))
score = score_attempt([ScoredItem(1, "facts", grade)])
assert str(score.percent) == "100.00" and decide(score, 70) == "pass"
assert place_tier([TierRef("general", "General", Decimal(20), 1)]).key == "general"
"""


def loaded_modules(code: str) -> list[str]:
    """`sorted(sys.modules)` after running `code` in a fresh interpreter started in the repository."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def offenders(modules: list[str], forbidden: tuple[str, ...] = FORBIDDEN) -> list[str]:
    """The modules that are one of `forbidden` or a submodule of one."""
    return [m for m in modules if any(m == f or m.startswith(f + ".") for f in forbidden)]


def test_offenders_matches_packages_and_submodules_only():
    modules = ["flask", "flask.app", "flaskish", "yaml", "yamlfoo", "sqlalchemy.orm.session", "json",
               "quiz.scoring", "my_flask"]
    assert offenders(modules) == ["flask", "flask.app", "yaml", "sqlalchemy.orm.session"]


def test_the_check_can_see_a_framework():
    # the same harness does notice an import it should forbid
    assert "yaml" in offenders(loaded_modules("import quiz.scoring\nimport yaml"))


def test_pure_core_loads_no_framework():
    modules = loaded_modules(EXERCISE_CORE)
    # the core was really imported, with every question type of the registry
    assert {"quiz.scoring.attempts", "quiz.scoring.tiers", "quiz.question_types.single_choice",
            "quiz.question_types.essay", "quiz.question_types.comparison", "quiz.scoring.classical",
            "quiz.scoring.irt", "quiz.scoring.simulation"} <= set(modules)
    assert offenders(modules) == []


def test_import_quiz_alone_loads_no_flask():
    modules = loaded_modules("import quiz")
    assert "quiz" in modules
    assert offenders(modules, ("flask",)) == []
    assert offenders(modules) == []
