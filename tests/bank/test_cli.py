"""The `quiz` command on a SQLite instance in tmp_path: init, bank validate/import/export, create-admin."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

import bankfiles as bf
from quiz.auth.passwords import verify_password
from quiz.bank.load import load_bank
from quiz.cli import main
from quiz.db import make_engine
from quiz.models import AuditEntry, Question, QuestionVersion, Tier, User

Invoke = Callable[..., Result]
REAL_QUESTIONS = len(load_bank(bf.BANK_DIR).questions)


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    return tmp_path / "instance"


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    return tmp_path / "cli.sqlite3"


@pytest.fixture
def quiz(instance: Path, db_file: Path, monkeypatch: pytest.MonkeyPatch) -> Invoke:
    """Run `quiz --instance <tmp>/instance ARGS...` in-process, on a SQLite file of its own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_file}")
    # main() writes QUIZ_INSTANCE_PATH into os.environ: registering it here restores it after the test
    monkeypatch.setenv("QUIZ_INSTANCE_PATH", str(instance))
    for name in ("QUIZ_SECRET_KEY", "QUIZ_DATABASE_URL", "QUIZ_QUESTION_BANK_PATH"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: object, input: str | None = None) -> Result:
        return runner.invoke(main, ["--instance", str(instance), *map(str, args)], input=input,
                             catch_exceptions=False)

    return invoke


@pytest.fixture
def db(db_file: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{db_file}")
    yield engine
    engine.dispose()


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def line_of(text: str, needle: str) -> int:
    assert text.count(needle) >= 1, needle
    return text[:text.index(needle)].count("\n") + 1


def bank_copy(tmp_path: Path, name: str = "bank") -> Path:
    return Path(shutil.copytree(bf.BANK_DIR, tmp_path / name))


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file; returns the line it was on."""
    text = path.read_text(encoding="utf-8")
    line = line_of(text, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


# --- init ----------------------------------------------------------------------------------------

def test_init_twice(quiz, instance, db):
    first = quiz("init")
    assert first.exit_code == 0, first.output
    assert "Wrote a new SECRET_KEY" in first.output
    assert f"{REAL_QUESTIONS} added, 0 new versions, 0 retired, 0 restored, 0 unchanged" in first.output
    assert count(db, Question) == REAL_QUESTIONS

    config = (instance / "config.py").read_text(encoding="utf-8")
    assert re.search(r"^SECRET_KEY = '[0-9a-f]{64}'$", config, re.M), config
    assert (instance / "config.py").stat().st_mode & 0o777 == 0o600

    second = quiz("init")
    assert second.exit_code == 0, second.output
    assert "SECRET_KEY" not in second.output
    assert (instance / "config.py").read_text(encoding="utf-8") == config
    assert (f"0 added, 0 new versions, 0 retired, 0 restored, {REAL_QUESTIONS} unchanged; "
            f"0 tier/track/assessment settings changed") in second.output
    assert count(db, Question) == REAL_QUESTIONS
    assert count(db, QuestionVersion) == REAL_QUESTIONS
    assert count(db, AuditEntry) == 1


# --- bank validate ---------------------------------------------------------------------------------

def test_validate_the_real_bank(quiz):
    result = quiz("bank", "validate", bf.BANK_DIR)
    assert result.exit_code == 0, result.output
    assert f"{REAL_QUESTIONS} questions in " in result.output and " 0 errors, " in result.output


def test_validate_a_broken_copy_lists_every_error(quiz, tmp_path):
    bank = bank_copy(tmp_path)
    difficulty = edit(bank / "general.yaml", "  difficulty: 1\n", "  difficulty: 9\n")
    type_line = edit(bank / "coding.yaml", "type: single_choice\n", "type: single_choise\n")
    pass_mark = edit(bank / "tracks.yaml", "pass_mark: 70\n", "pass_mark: 170\n")

    result = quiz("bank", "validate", bank)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": error:" in line]
    assert len(errors) == 3, result.output
    assert any(e.startswith(f"general.yaml:{difficulty}: error:") and "difficulty" in e for e in errors), errors
    assert any(e.startswith(f"coding.yaml:{type_line}: error:") and "single_choise" in e for e in errors), errors
    assert any(e.startswith(f"tracks.yaml:{pass_mark}: error:") and "pass_mark" in e for e in errors), errors
    assert "3 errors" in result.output


def test_validate_needs_no_database(quiz, db_file):
    assert quiz("bank", "validate", bf.BANK_DIR).exit_code == 0
    assert not db_file.exists()


# --- bank import / export ----------------------------------------------------------------------

def test_import_dry_run_writes_nothing_then_import_does(quiz, db, tmp_path):
    assert quiz("init").exit_code == 0
    bank = bank_copy(tmp_path)
    edit(bank / "general.yaml", "How many minutes are in 3.5 hours?", "How many minutes are there in 3.5 hours?")
    edit(bank / "tracks.yaml", "pass_mark: 70\n", "pass_mark: 75\n")
    before = (count(db, QuestionVersion), count(db, AuditEntry))

    dry = quiz("bank", "import", "--dry-run", bank)
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing written." in dry.output
    assert "1 new versions" in dry.output and "new version: gen-cmp-001" in dry.output
    assert "settings: assessment general-starter" in dry.output
    assert (count(db, QuestionVersion), count(db, AuditEntry)) == before
    with Session(db) as session:
        assert len(session.scalar(select(Question).where(Question.key == "gen-cmp-001")).versions) == 1

    real = quiz("bank", "import", bank)
    assert real.exit_code == 0, real.output
    assert "Dry run" not in real.output
    assert "new version: gen-cmp-001" in real.output and "settings: assessment general-starter" in real.output
    assert (count(db, QuestionVersion), count(db, AuditEntry)) == (before[0] + 1, before[1] + 1)

    again = quiz("bank", "import", bank)
    assert again.exit_code == 0
    assert f"0 added, 0 new versions, 0 retired, 0 restored, {REAL_QUESTIONS} unchanged" in again.output


def test_import_of_a_broken_bank_writes_nothing(quiz, db, tmp_path):
    assert quiz("init").exit_code == 0
    bank = bank_copy(tmp_path)
    edit(bank / "general.yaml", "How many minutes are in 3.5 hours?", "How many minutes, then?")
    line = edit(bank / "coding.yaml", "type: single_choice\n", "type: single_choise\n")
    result = quiz("bank", "import", bank)
    assert result.exit_code == 1
    assert f"coding.yaml:{line}: error:" in result.output and "nothing was imported" in result.output
    assert count(db, QuestionVersion) == REAL_QUESTIONS


def test_export(quiz, tmp_path):
    assert quiz("init").exit_code == 0
    result = quiz("bank", "export", tmp_path / "out")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in bf.BANK_DIR.glob("*.yaml"))
    assert f"Wrote {len(files)} files to" in result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == files
    assert load_bank(tmp_path / "out").errors == []
    reimport = quiz("bank", "import", tmp_path / "out")
    assert f"0 added, 0 new versions, 0 retired, 0 restored, {REAL_QUESTIONS} unchanged" in reimport.output


# --- create-admin ----------------------------------------------------------------------------------

def test_create_admin(quiz, db):
    assert quiz("init").exit_code == 0
    result = quiz("create-admin", "  Boss@Example.com ", "--password-stdin", input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com" in result.output
    with Session(db) as session:
        user = session.scalar(select(User))
        assert (user.email, user.role, user.is_active) == ("boss@example.com", "admin", True)
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, "correct horse battery")
        assert not verify_password(user.password_hash, "correct horse battery\n")
        assert user.email_verified_at is not None  # made by an admin: counts as verified
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create"))
        assert audit.target_id == str(user.id)


@pytest.mark.parametrize("password, message", [
    ("short", "at least 10 characters"),
    ("aaaaaaaaaaaa", "at least 4 different characters"),
    ("boss@example.com", "must not be your email address"),
])
def test_create_admin_refuses_a_weak_password(quiz, db, password, message):
    assert quiz("init").exit_code == 0
    result = quiz("create-admin", "boss@example.com", "--password-stdin", input=password + "\n")
    assert result.exit_code != 0
    assert message in result.output
    assert count(db, User) == 0


def test_create_admin_refuses_a_duplicate_email(quiz, db):
    assert quiz("init").exit_code == 0
    assert quiz("create-admin", "boss@example.com", "--password-stdin", input="first password 1\n").exit_code == 0
    again = quiz("create-admin", "BOSS@example.com", "--password-stdin", input="second password 2\n")
    assert again.exit_code != 0
    assert "a user with the email boss@example.com already exists" in again.output
    assert count(db, User) == 1


def test_create_admin_refuses_a_bad_email(quiz, db):
    assert quiz("init").exit_code == 0
    result = quiz("create-admin", "not-an-email", "--password-stdin", input="a fine password\n")
    assert result.exit_code != 0 and "not a valid email address" in result.output
    assert count(db, User) == 0


# --- before `quiz init` --------------------------------------------------------------------------------

@pytest.mark.parametrize("args, stdin", [
    (("bank", "import", bf.BANK_DIR), None),
    (("bank", "import", "--dry-run", bf.BANK_DIR), None),
    (("bank", "export", "{tmp}/out"), None),
    (("create-admin", "boss@example.com", "--password-stdin"), "a fine password\n"),
])
def test_commands_need_init_first(quiz, db, tmp_path, args, stdin):
    result = quiz(*(str(a).replace("{tmp}", str(tmp_path)) for a in args), input=stdin)
    assert result.exit_code == 1
    assert "run `quiz init` first" in result.output
    assert not (tmp_path / "out").exists()
    with db.connect() as connection:
        assert not db.dialect.has_table(connection, "questions")
        assert not db.dialect.has_table(connection, "alembic_version")


def test_tier_rows_after_init(quiz, db):
    assert quiz("init").exit_code == 0
    assert count(db, Tier) == len(load_bank(bf.BANK_DIR).tiers)


@pytest.mark.parametrize(("url", "message"), [
    ("postgresql://nobody@127.0.0.1:1/nothing", "cannot use the database: connection failed"),
    ("not a url", "DATABASE_URL is not usable"),
])
def test_database_problems_are_one_clear_line(quiz: Invoke, monkeypatch: pytest.MonkeyPatch, url: str,
                                              message: str) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    result = quiz("init")
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_secret_and_database_files_are_private(quiz: Invoke, instance: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL")
    assert quiz("init").exit_code == 0
    assert (instance / "config.py").stat().st_mode & 0o777 == 0o600
    assert (instance / "quiz.sqlite3").stat().st_mode & 0o077 == 0


def test_a_bank_conflict_imports_nothing_and_says_why(quiz: Invoke, tmp_path: Path, db: Engine) -> None:
    assert quiz("init").exit_code == 0
    copy = tmp_path / "changed"
    shutil.copytree(bf.BANK_DIR, copy)
    tracks = copy / "tracks.yaml"
    # the General starter and specialist swap kinds: attempts pin (assessment, kind), so refused
    text = tracks.read_text().replace("kind: starter", "kind: KIND", 1).replace("kind: specialist", "kind: starter", 1)
    tracks.write_text(text.replace("kind: KIND", "kind: specialist", 1))
    result = quiz("bank", "import", copy)
    assert result.exit_code == 1
    assert "kind cannot change" in result.output and "Nothing was imported" in result.output
