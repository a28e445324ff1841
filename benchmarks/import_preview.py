"""Time `quiz bank validate` and the web import's dry-run preview, for the shipped bank and a bank at the caps.

For each bank: a fresh SQLite database with the shipped banks loaded, then
  validate  `load_bank` of the folder (what `quiz bank validate` runs);
  preview   `stage_import` of every file of the folder (what the import page runs on upload: export
            the database, lay the uploads over it, load it, sync it in a rolled-back savepoint).
"shipped" uploads the 13 shipped files unchanged; "at caps" replaces general.yaml with a file at the
byte cap of a track file, holding questions whose every text field is at its cap (so all of them are
new to the database). Prints the median of `--repeat` runs. The target: an unchanged preview of the
shipped bank in under 2 s.

    .venv/bin/python benchmarks/import_preview.py [--repeat 3] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quiz import migrate  # noqa: E402
from quiz.admin.bank_import import stage_import  # noqa: E402
from quiz.bank.limits import MAX_TRACK_FILE_BYTES  # noqa: E402
from quiz.bank.load import load_bank  # noqa: E402
from quiz.bank.sync import sync_bank  # noqa: E402
from quiz.bank.yamlio import dump_readable  # noqa: E402
from quiz.clock import SystemClock  # noqa: E402
from quiz.db import make_engine, make_session_factory  # noqa: E402
from quiz.models import User  # noqa: E402
from quiz.paths import question_bank_dir  # noqa: E402
from quiz.question_types import limits  # noqa: E402


def capped_question(n: int) -> dict[str, Any]:
    """A single-choice question with every text at its cap (ids and options too)."""
    return {"key": f"cap-{n:05d}", "type": "single_choice", "topic": "fact_checking", "difficulty": 1 + n % 5,
            "points": 1, "prompt": "p" * limits.MAX_LONG_TEXT, "explanation": "e" * limits.MAX_LONG_TEXT,
            "options": [{"id": f"{k}".rjust(limits.MAX_ID_LENGTH, "o"), "text": f"{k}" + "t" * (limits.MAX_OPTION_TEXT - 1)}
                        for k in range(10)],
            "correct": "0".rjust(limits.MAX_ID_LENGTH, "o")}


def capped_bank(folder: Path) -> Path:
    """The shipped bank with general.yaml as large as a track file may be, of questions at the caps."""
    shutil.copytree(question_bank_dir(), folder)
    one = len(dump_readable([capped_question(0)]).encode())
    count = (MAX_TRACK_FILE_BYTES - 200) // one
    text = dump_readable({"format": 1, "track": "general", "questions": [capped_question(n) for n in range(count)]})
    while len(text.encode()) > MAX_TRACK_FILE_BYTES:
        count -= 1
        text = dump_readable({"format": 1, "track": "general", "questions": [capped_question(n) for n in range(count)]})
    (folder / "general.yaml").write_text(text, encoding="utf-8")
    return folder


def timed(run: Any, repeat: int, profile: bool, label: str) -> float:
    times = []
    for _ in range(repeat):
        profiler = cProfile.Profile() if profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        run()
        if profiler:
            profiler.disable()
        times.append(time.perf_counter() - started)
        if profiler:
            print(f"--- profile of {label} (top 15 by cumulative time)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(15)
            profile = False
    return statistics.median(times)


def measure(name: str, folder: Path, work: Path, repeat: int, profile: bool) -> None:
    engine = make_engine(f"sqlite:///{work / (name.replace(' ', '_') + '.sqlite3')}")
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        sync_bank(session, load_bank(question_bank_dir()))
        admin = User(email="admin@example.com", password_hash="x", role="admin")
        session.add(admin)
        session.commit()
        actor_id = admin.id
    uploads = [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.yaml"))]
    size = sum(len(data) for _name, data in uploads)

    def validate() -> None:
        bank = load_bank(folder)
        assert bank.ok, bank.errors[:3]

    def preview() -> None:
        with sessions() as session:
            result = stage_import(session, work / "imports", uploads, actor_id=actor_id, now=SystemClock().now())
            assert not result.errors and not result.conflict, (result.errors[:3], result.conflict)
            session.rollback()

    questions = len(load_bank(folder).questions)
    validate_s = timed(validate, repeat, profile, f"{name}: validate")
    preview_s = timed(preview, repeat, profile, f"{name}: preview")
    print(f"{name:>8}: {len(uploads)} files, {size / 1e6:.2f} MB, {questions} questions: "
          f"validate {validate_s:.2f} s, dry-run preview {preview_s:.2f} s")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first run of each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        measure("shipped", question_bank_dir(), work, args.repeat, args.profile)
        measure("at caps", capped_bank(work / "capped"), work, args.repeat, args.profile)


if __name__ == "__main__":
    main()
