"""Hostile code through the real sandbox: each attack is contained and recorded with the right status."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from quiz.coderun.runner import run_tests
from quiz.question_types import get_type

pytestmark = pytest.mark.usefixtures("sandbox")
CODE = get_type("code")


def _run(source: str, *, language: str = "python", stdin: str = "", expected: str = "",
         limits: dict[str, Any] | None = None) -> dict[str, Any]:
    definition = {"prompt": "p", "explanation": "e", "language": language, "mode": "stdin", "reference": source,
                  "examples": [{"input": stdin, "expected": expected}],
                  "tests": [{"input": stdin, "expected": expected}],
                  "limits": limits or {"cpu_seconds": 1, "wall_seconds": 2, "memory_mb": 128, "output_kb": 64}}
    spec = CODE.parse_definition(definition)
    return run_tests(spec, source, spec.tests)[0]


@pytest.fixture
def app_port() -> Any:
    """A listening socket standing for the app (gunicorn) on loopback."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


def test_no_network_not_even_to_the_databases_or_the_app_on_loopback(app_port: int) -> None:
    source = f"""
import socket
for port in (5432, 6379, {app_port}):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1)
        print(port, "open")
    except OSError as exc:
        print(port, "blocked")
try:
    socket.getaddrinfo("example.com", 80)
    print("dns works")
except OSError:
    print("no dns")
"""
    result = _run(source, expected=f"5432 blocked\n6379 blocked\n{app_port} blocked\nno dns\n")
    assert result["status"] == "passed", result


def test_nothing_of_the_app_is_visible(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SECRET_KEY = 'do-not-leak'\n")
    (instance / "quiz.sqlite3").write_text("database")
    monkeypatch.setenv("QUIZ_SECRET_KEY", "do-not-leak")
    checkout = Path(__file__).resolve().parents[2]
    paths = [instance / "config.py", instance / "quiz.sqlite3", checkout / "pyproject.toml", "/etc/shadow",
             "/etc/passwd", "/root/.bash_history"]
    source = f"""
import os
for path in {[str(p) for p in paths]!r}:
    try:
        open(path).read()
        print("READ", path)
    except OSError:
        print("hidden")
print(sorted(os.environ))
print(open("/proc/1/environ").read(), file=__import__("sys").stderr)  # the sandbox's own pid 1: clean
import sys
print([p for p in sys.path if "site-packages" in p or "dist-packages" in p])
try:
    os.listdir("{checkout}")
    print("checkout visible")
except OSError:
    print("no checkout")
"""
    result = _run(source)
    lines = result["actual"].splitlines()
    assert lines[: len(paths)] == ["hidden"] * len(paths), result
    assert lines[len(paths)] == "['HOME', 'LANG', 'PATH', 'PWD', 'PYTHONDONTWRITEBYTECODE']"
    assert lines[len(paths) + 1:] == ["[]", "no checkout"]
    assert "do-not-leak" not in result["actual"] + result["stderr"]


def test_only_its_own_bounded_tmpfs_is_writable() -> None:
    source = """
import os
for path in ("/usr/evil", "/code/evil", "/evil", "/etc/evil", "/proc/evil", "/dev/evil", "/dev/shm/evil"):
    try:
        open(path, "w").write("x")
        print("WROTE", path)
    except OSError:
        print("refused")
open("/tmp/ok", "w").write("fine")
try:
    with open("/tmp/big", "wb") as handle:
        for _ in range(200):
            handle.write(b"x" * (1 << 20))
    print("WROTE 200 MB")
except OSError as exc:
    print("bounded")
"""
    result = _run(source, expected="refused\n" * 7 + "bounded\n")
    assert result["status"] == "passed", result


def test_no_new_namespaces_or_privileges_inside() -> None:
    source = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("new user namespace" if libc.unshare(0x10000000) == 0 else "refused")  # CLONE_NEWUSER
print(open("/proc/self/status").read().split("CapEff:")[1].split()[0])
"""
    result = _run(source, expected="refused\n0000000000000000\n")
    assert result["status"] == "passed", result


def test_fork_bomb_is_contained_and_others_keep_running() -> None:
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    results: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: results.update(bomb=_run(bomb)))
    thread.start()
    time.sleep(0.3)
    results["other"] = _run("print(6 * 7)", expected="42")  # another candidate's run meanwhile
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert results["other"]["status"] == "passed"
    assert results["bomb"]["status"] == "time_limit"
    assert results["bomb"]["wall_seconds"] < 6


def test_memory_bomb_is_a_memory_limit() -> None:
    assert _run("blocks = []\nwhile True:\n    blocks.append(bytearray(10 << 20))\n")["status"] == "memory_limit"
    result = _run("let a = []; while (true) a.push(new Array(1e6).fill(1));", language="javascript",
                  limits={"cpu_seconds": 3, "wall_seconds": 5, "memory_mb": 128})
    assert result["status"] == "memory_limit", result


def test_infinite_loop_hits_the_cpu_limit() -> None:
    result = _run("while True:\n    pass\n")
    assert result["status"] == "time_limit"
    assert _run("while (true) {}", language="javascript")["status"] == "time_limit"


def test_sleeping_past_the_wall_limit_is_killed() -> None:
    started = time.monotonic()
    result = _run("import time\ntime.sleep(60)\n")
    assert result["status"] == "time_limit"
    assert time.monotonic() - started < 10


def test_gigabytes_of_output_are_cut_at_the_cap() -> None:
    started = time.monotonic()
    result = _run("import sys\nblock = 'x' * (1 << 20)\nfor _ in range(4096):\n    sys.stdout.write(block)\n")
    assert result["status"] == "output_limit"
    assert len(result["actual"]) <= 64 * 1024
    assert time.monotonic() - started < 10


def test_killing_its_parent_only_ends_its_own_run() -> None:
    source = "import os, signal\nfor pid in (os.getppid(), 1, -1):\n    try:\n        os.kill(pid, signal.SIGKILL)\n" \
             "    except OSError:\n        pass\nprint('still here')\n"
    result = _run(source)
    assert result["status"] in ("runtime_error", "passed", "wrong_answer")
    assert os.getpid() > 0 and _run("print(1)", expected="1")["status"] == "passed"  # we are alive and running


def _sleepers(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_child_left_behind_dies_with_the_run() -> None:
    marker = "987654"
    source = f"""
import os, subprocess
subprocess.Popen(["/bin/sleep", "{marker}"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    os.execv("/bin/sleep", ["/bin/sleep", "{marker}1"])
print("left")
"""
    result = _run(source, expected="left")
    assert result["status"] == "passed"
    time.sleep(0.5)
    assert _sleepers(marker) == []
