"""Time starting an attempt when the track's bank holds 100, 10,000 and 100,000 questions.

For each size: a fresh database (SQLite file, or PostgreSQL with `--postgres URL`), the shipped
banks loaded, the General track's bank grown to the size by bulk-inserted copies of its questions
(spread over its topics and difficulties as the blueprint needs), then `start_attempt` timed for
`--starts` new candidates (the service the start page calls, committed as the view does). Prints the
median and p95 per size and the ratio to the smallest size. `--exposure-cap 0.3` times the
exposure-controlled draw instead of the plain one.

    .venv/bin/python benchmarks/start_bank_size.py
    .venv/bin/python benchmarks/start_bank_size.py --postgres postgresql://postgres@127.0.0.1/test
    .venv/bin/python benchmarks/start_bank_size.py --exposure-cap 0.3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quiz import migrate  # noqa: E402
from quiz.assessment.services import start_attempt  # noqa: E402
from quiz.bank.load import load_bank  # noqa: E402
from quiz.bank.sync import sync_bank  # noqa: E402
from quiz.config import normalise_database_url  # noqa: E402
from quiz.db import immediate_transactions, make_engine, make_session_factory  # noqa: E402
from quiz.models import (Assessment, CandidateApplication, PsychometricSettings, Question,  # noqa: E402
                         QuestionVersion, Track, User)
from quiz.paths import question_bank_dir  # noqa: E402


def grow(session, track_key: str, size: int) -> None:  # type: ignore[no-untyped-def]
    """Copies of the track's questions until it holds `size` active questions."""
    track = session.scalar(select(Track).where(Track.key == track_key))
    originals = session.execute(select(QuestionVersion).join(Question).where(Question.track_id == track.id)
                                ).scalars().all()
    have = len(originals)
    batch_questions, batch_versions = [], []
    for n in range(max(0, size - have)):
        source = originals[n % have]
        batch_questions.append({"key": f"{track_key}-copy-{n}", "track_id": track.id, "status": "active"})
    if not batch_questions:
        return
    for start in range(0, len(batch_questions), 5000):
        chunk = batch_questions[start:start + 5000]
        ids = session.execute(insert(Question).returning(Question.id, sort_by_parameter_order=True),
                              chunk).scalars().all()
        for offset, question_id in enumerate(ids):
            source = originals[(start + offset) % have]
            batch_versions.append({"question_id": question_id, "number": 1, "type": source.type,
                                   "topic": source.topic, "difficulty": source.difficulty, "points": source.points,
                                   "definition": source.definition, "content_hash": source.content_hash})
        session.execute(insert(QuestionVersion), batch_versions)
        batch_versions = []
    # Bulk inserts bypass the ORM's bookkeeping: say the track's questions changed, as sync would.
    track.bank_revision += 1
    session.flush()


def candidates(session, count: int) -> list[int]:  # type: ignore[no-untyped-def]
    users = []
    for n in range(count):
        user = User(email=f"start{n}-{uuid.uuid4().hex[:6]}@example.com", password_hash="x", role="candidate")
        for name in ("email_verified_at", "verified_at"):
            if hasattr(User, name):
                from datetime import UTC, datetime

                setattr(user, name, datetime.now(UTC))
        user.application = CandidateApplication(full_name=f"Start {n}", country="Spain", time_zone="UTC",
                                                education="bachelor", expertise=[], languages=[], hours_per_week=10)
        session.add(user)
        users.append(user)
    session.flush()
    return [u.id for u in users]


def measure(url: str, size: int, starts: int, exposure_cap: float | None) -> list[float]:
    engine = make_engine(url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        sync_bank(session, load_bank(question_bank_dir()))
        grow(session, "general", size)
        user_ids = candidates(session, starts + 3)
        if exposure_cap is not None:
            target = session.scalar(select(Assessment).where(Assessment.key == "general-starter"))
            session.add(PsychometricSettings(assessment_id=target.id, exposure_cap=exposure_cap))
        session.commit()
    timings = []
    from datetime import UTC, datetime

    for n, user_id in enumerate(user_ids):
        with immediate_transactions(), sessions() as session:
            began = time.perf_counter()
            user = session.get(User, user_id)
            target = session.scalar(select(Assessment).where(Assessment.key == "general-starter"))
            start_attempt(session, user, target, datetime.now(UTC))
            session.commit()
            if n >= 3:  # the first starts warm the process, as a server's first requests do
                timings.append(time.perf_counter() - began)
    engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,10000,100000")
    parser.add_argument("--starts", type=int, default=30)
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--exposure-cap", type=float, metavar="SHARE",
                        help="set this exposure cap on the assessment (the least-shown draw)")
    args = parser.parse_args()
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        if args.postgres:
            server = make_url(normalise_database_url(args.postgres))
            name = f"quiz_start_{uuid.uuid4().hex[:8]}"
            admin = create_engine(server, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            url = server.set(database=name).render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{tempfile.mkdtemp(prefix='quiz-start-')}/quiz.sqlite3"
        try:
            timings = measure(url, size, args.starts, args.exposure_cap)
        finally:
            if args.postgres:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        results[size] = timings
        print(f"bank of {size:>7} questions: start median {statistics.median(timings) * 1000:7.1f} ms, "
              f"p95 {sorted(timings)[int(0.95 * (len(timings) - 1))] * 1000:7.1f} ms  ({len(timings)} starts)",
              flush=True)
    smallest = min(results)
    base = statistics.median(results[smallest])
    for size, timings in results.items():
        print(f"  {size:>7} / {smallest}: {statistics.median(timings) / base:.2f}x")


if __name__ == "__main__":
    main()
