"""Running a code item's tests: one sandboxed process per test, its outcome judged by the question type.

No Flask, no database: the job-queue tasks (`quiz.coderun.tasks`) call `run_tests` and store what it
returns. Each result is a plain dict (stored as JSON and shown to graders):
`{index, input, expected, actual, status, stderr, cpu_seconds, wall_seconds, memory_kb}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from quiz.coderun.sandbox import Execution, Limits, execute, interpreter
from quiz.question_types.code import CodeSpec, CodeTest, display, judge

STDERR_EXCERPT = 2000
ACTUAL_EXCERPT = 2000
_MEMORY_WORDS = ("heap out of memory", "Reached heap limit", "MemoryError", "Cannot allocate memory",
                 "allocation failed")


def _harness(name: str) -> str:
    return resources.files("quiz.coderun.harness").joinpath(name).read_text(encoding="utf-8")


def sandbox_limits(spec: CodeSpec) -> Limits:
    return Limits(cpu_seconds=spec.limits.cpu_seconds, wall_seconds=spec.limits.wall_seconds,
                  memory_mb=spec.limits.memory_mb, output_bytes=spec.limits.output_kb * 1024)


def _argv(spec: CodeSpec) -> list[str]:
    tail = [spec.mode] + ([spec.function] if spec.function else [])
    if spec.language == "python":
        return [str(interpreter("python")), "-I", "-S", "-B", "/code/harness.py", "{result_fd}", *tail]
    memory = spec.limits.memory_mb
    return [str(interpreter("javascript")), f"--max-old-space-size={memory}", "--stack-size=2048",
            "/code/harness.js", "{result_fd}", *tail]


def _files(spec: CodeSpec, source: str, test: CodeTest) -> dict[str, str]:
    if spec.language == "python":
        files = {"harness.py": _harness("harness.py"), "solution.py": source}
    else:
        files = {"harness.js": _harness("harness.js"), "solution.js": source}
    if spec.mode == "function":
        files["input.json"] = json.dumps(test.input)
    return files


def _report(execution: Execution) -> dict[str, Any]:
    for line in reversed(execution.result.strip().splitlines()):
        try:
            report = json.loads(line)
        except ValueError:
            continue
        if isinstance(report, dict) and isinstance(report.get("status"), str):
            return report
    return {}


def outcome_of(execution: Execution, limits: Limits) -> dict[str, Any]:
    """What the sandbox saw -> `{status, value?, stdout, error}` for `judge` (status `ok` = finished)."""
    report = _report(execution)
    stderr = execution.stderr
    if execution.output_exceeded:
        status = "output_limit"
    elif execution.wall_timeout or execution.cpu_exceeded or float(report.get("cpu") or 0) > limits.cpu_seconds:
        status = "time_limit"
    elif report.get("status") == "memory_limit" or any(word in stderr for word in _MEMORY_WORDS) \
            or int(report.get("rss_kb") or 0) > limits.memory_mb * 1024:
        status = "memory_limit"
    elif report.get("status") in ("ok", "syntax_error", "runtime_error"):
        status = report["status"]
        if status == "ok" and execution.exit_code not in (0, None):
            status = "runtime_error"
    else:
        status = "runtime_error"  # died without a report: a signal, a crash, or exit() in function mode
    outcome: dict[str, Any] = {"status": status, "stdout": execution.stdout, "error": report.get("error") or ""}
    if "value" in report:
        outcome["value"] = report["value"]
    return outcome


def run_one(spec: CodeSpec, source: str, test: CodeTest, index: int) -> dict[str, Any]:
    limits = sandbox_limits(spec)
    execution = execute(spec.language, _files(spec, source, test), _argv(spec), test.input if spec.mode == "stdin"
                        else "", limits)
    outcome = outcome_of(execution, limits)
    status = judge(spec, test, outcome)
    if spec.mode == "function":
        actual = display(spec, outcome["value"]) if "value" in outcome else ""
    else:
        actual = execution.stdout
    stderr = "\n".join(part for part in (outcome["error"], execution.stderr) if part)
    stderr = "\n".join(line for line in stderr.splitlines() if "node:internal" not in line)
    report = _report(execution)
    return {"index": index, "input": display(spec, test.input), "expected": display(spec, test.expected),
            "actual": actual[:ACTUAL_EXCERPT], "status": status, "stderr": stderr[-STDERR_EXCERPT:],
            # measured by the harness inside the sandbox; unknown when the run was killed before it reported
            "cpu_seconds": round(float(report["cpu"]), 3) if "cpu" in report else None,
            "wall_seconds": round(execution.wall_seconds, 3),
            "memory_kb": int(report["rss_kb"]) if "rss_kb" in report else None}


def run_tests(spec: CodeSpec, source: str, tests: Sequence[CodeTest]) -> list[dict[str, Any]]:
    return [run_one(spec, source, test, index) for index, test in enumerate(tests)]
