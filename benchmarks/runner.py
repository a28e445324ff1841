"""Code runner figures on this machine: sandboxed runs per second, and the latency of Run examples
when 20 candidates press it at once (web app in this process, a real `quiz worker` process beside it,
the default SQLite queue and database, the shipped Coding bank).

    .venv/bin/python benchmarks/runner.py [--candidates 20] [--rounds 3] [--worker-threads 2]

Prints figures; asserts nothing (speed targets are read, not tested).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import select

from quiz import migrate
from quiz.app import create_app
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.coderun.runner import run_one
from quiz.coderun.sandbox import unavailable_reason
from quiz.extensions import get_engine, session_factory
from quiz.paths import question_bank_dir
from quiz.question_types import get_type

CODE = get_type("code")
PASSWORD = "benchmark password 1"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def runs_per_second(language: str, runs: int, threads: int) -> float:
    source = ("def add(a, b):\n    return a + b\n" if language == "python"
              else "function add(a, b) { return a + b; }\n")
    spec = CODE.parse_definition({"prompt": "p", "explanation": "e", "language": language, "function": "add",
                                  "examples": [{"input": [1, 2], "expected": 3}],
                                  "tests": [{"input": [1, 2], "expected": 3}], "reference": source})
    test = spec.tests[0]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        statuses = list(pool.map(lambda i: run_one(spec, source, test, i)["status"], range(runs)))
    elapsed = time.monotonic() - started
    assert set(statuses) == {"passed"}, statuses
    return runs / elapsed


def _setup(folder: Path, candidates: int):  # type: ignore[no-untyped-def]
    instance = folder / "instance"
    instance.mkdir()
    database = f"sqlite:///{folder / 'quiz.sqlite3'}"
    (instance / "config.py").write_text(f"SECRET_KEY = {'b' * 40!r}\nDATABASE_URL = {database!r}\n"
                                        "CODE_RUNS_PER_MINUTE = 100\n")
    app = create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": database, "SECRET_KEY": "b" * 40,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "CODE_RUNS_PER_MINUTE": 100})
    migrate.upgrade(get_engine(app))
    bank = load_bank(question_bank_dir())
    assert bank.ok, bank.errors
    from quiz.assessment.services import start_attempt
    from quiz.auth.services import create_candidate
    from quiz.models import Assessment, CandidateApplication
    from quiz.models import AttemptItem  # noqa: F401 - loaded with the attempt
    from quiz.clock import SystemClock

    targets = []
    with session_factory(app)() as session:
        sync_bank(session, bank)
        starter = session.scalar(select(Assessment).where(Assessment.key == "coding-starter"))
        for n in range(candidates):
            user = create_candidate(session, f"bench{n}@example.com", PASSWORD)
            user.application = CandidateApplication(
                full_name="Bench", country="Portugal", time_zone="UTC", education="Master's degree",
                expertise=["testing"], languages=[{"language": "English", "proficiency": "fluent"}],
                hours_per_week=20, created_at=SystemClock().now())
            session.flush()
            attempt = start_attempt(session, user, starter, SystemClock().now())
            item = next(i for i in attempt.items if i.question_version.type == "code")
            reference = CODE.parse_definition(item.question_version.definition).reference
            targets.append((user.email, attempt.id, item.position, reference))
        session.commit()
    return app, instance, targets


def press_run_examples(app, email: str, attempt_id: int, position: int, source: str,  # type: ignore[no-untyped-def]
                       barrier: threading.Barrier) -> float:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    barrier.wait()
    started = time.monotonic()
    response = client.post(f"/attempts/{attempt_id}/q/{position}/runs", json={"code": source})
    assert response.status_code == 202, response.get_json()
    poll = response.get_json()["poll_url"]
    while time.monotonic() - started < 120:
        body = client.get(poll).get_json()
        if body["status"] in ("done", "failed"):
            assert body["status"] == "done", body
            return time.monotonic() - started
        time.sleep(0.05)
    raise TimeoutError(f"run of attempt {attempt_id} has no result after 120 s")


def run_examples_latency(candidates: int, rounds: int, worker_threads: int) -> list[float]:
    with tempfile.TemporaryDirectory(prefix="quiz-bench-") as tmp:
        app, instance, targets = _setup(Path(tmp), candidates)
        worker = subprocess.Popen([sys.executable, "-m", "quiz.cli", "--instance", str(instance), "worker",
                                   "--threads", str(worker_threads)], stdout=subprocess.DEVNULL)
        try:
            latencies: list[float] = []
            for _ in range(rounds):
                barrier = threading.Barrier(candidates)
                with ThreadPoolExecutor(max_workers=candidates) as pool:
                    latencies += list(pool.map(lambda t: press_run_examples(app, *t, barrier), targets))
            return latencies
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            get_engine(app).dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker-threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    reason = unavailable_reason()
    if reason:
        sys.exit(f"cannot benchmark: {reason}")
    for language in ("python", "javascript"):
        for threads in (1, 2):
            rate = runs_per_second(language, args.runs, threads)
            print(f"sandboxed runs per second, {language}, {threads} at once: {rate:.1f}")
    latencies = run_examples_latency(args.candidates, args.rounds, args.worker_threads)
    print(f"Run examples, {args.candidates} candidates pressing at once, {args.rounds} rounds, "
          f"worker with {args.worker_threads} threads: p50 {statistics.median(latencies):.2f} s, "
          f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s "
          f"({len(latencies)} presses, each running the item's 3 examples)")


if __name__ == "__main__":
    main()
