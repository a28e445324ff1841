"""`quiz serve` on a fresh instance initialises itself and answers on / through gunicorn."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_initialises_a_fresh_instance_and_answers(tmp_path: Path) -> None:
    port = _free_port()
    quiz = Path(sys.executable).parent / "quiz"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_") and k != "DATABASE_URL"}
    process = subprocess.Popen(
        [str(quiz), "--instance", str(tmp_path / "instance"), "serve", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    lines: list[str] = []  # read as they come: the job worker may announce itself after the first page
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        body = ""
        for _ in range(150):  # up to ~30 s on a loaded machine
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    assert response.status == 200
                    body = response.read().decode()
                    break
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)
        for _ in range(150):
            if any("quiz worker: 2 threads on" in line for line in lines) or process.poll() is not None:
                break
            time.sleep(0.2)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(lines)
    assert "Choose your track" in body, output
    assert "Started quiz worker" in output and "quiz worker: 2 threads on" in output, output
    assert f"http://localhost:{port}/" in output
    assert "SECRET_KEY" in (tmp_path / "instance" / "config.py").read_text()
    assert (tmp_path / "instance" / "quiz.sqlite3").is_file()


def test_two_servers_on_one_host_keep_their_own_control_socket(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """gunicorn's default control socket is one per user: each instance now has its own."""
    import importlib

    import quiz.serving

    paths = []
    for name in ("one", "two"):
        monkeypatch.setenv("QUIZ_INSTANCE_PATH", str(tmp_path / name))
        paths.append(importlib.reload(quiz.serving).control_socket)
    assert paths == [str(tmp_path / "one" / "gunicorn.ctl"), str(tmp_path / "two" / "gunicorn.ctl")]


def test_the_access_log_is_on_by_default_and_can_be_turned_off(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from click.testing import CliRunner

    import quiz.cli

    launched: list[list[str]] = []
    monkeypatch.setattr(quiz.cli.os, "execv", lambda _path, argv: launched.append(argv))
    monkeypatch.setenv("QUIZ_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("QUIZ_SECRET_KEY", "a-test-secret-key-that-is-long-enough-1234")
    for options in ([], ["--no-access-log"]):
        result = CliRunner().invoke(quiz.cli.main, ["serve", *options])
        assert result.exit_code == 0, result.output
    assert [("--access-logfile" in argv) for argv in launched] == [True, False]


def test_the_default_worker_count_follows_the_cores_and_the_engine(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from quiz import cli

    postgres, sqlite = "postgresql+psycopg://quiz@db/quiz", "sqlite:////srv/quiz/quiz.sqlite3"
    for cores, on_postgres, on_sqlite in ((1, 2, 2), (2, 4, 2), (3, 6, 3), (8, 16, 8), (64, 16, 16)):
        monkeypatch.setattr(cli.os, "sched_getaffinity", lambda _pid, n=cores: set(range(n)), raising=False)
        assert (cli.default_workers(postgres), cli.default_workers(sqlite)) == (on_postgres, on_sqlite)
