"""gunicorn settings for `quiz serve`: a `quiz worker` for background jobs lives and dies with the server.

gunicorn reads this module (`--config python:quiz.serving`); its hooks run in the master process.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

logger = logging.getLogger("quiz.serve")
_job_worker: subprocess.Popen[bytes] | None = None

# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), so two servers
# on one host would take each other's. Each instance gets its own, beside its database; a path too
# long for a Unix socket (about 100 bytes) turns the control socket off rather than share one.
_CONTROL_SOCKET = Path(os.environ.get("QUIZ_INSTANCE_PATH", "instance")).resolve() / "gunicorn.ctl"
if len(str(_CONTROL_SOCKET).encode()) < 100:
    control_socket = str(_CONTROL_SOCKET)
else:
    control_socket_disable = True


# With --threads (gunicorn's gthread workers) connections are kept alive between requests. gunicorn's
# default of 2 s is shorter than the few seconds between a candidate's autosaves, so nearly every save
# opened a new connection, and a save sent as the server closed its idle one failed ("server
# disconnected"). 75 s is nginx's default; browsers keep idle connections longer still.
keepalive = 75


def on_starting(server: Any) -> None:
    global _job_worker
    if os.environ.get("QUIZ_SERVE_JOB_WORKER", "1") != "1":
        return
    # The same interpreter and instance folder as the server (QUIZ_INSTANCE_PATH is inherited).
    _job_worker = subprocess.Popen([sys.executable, "-m", "quiz.cli", "worker"])
    server.log.info("Started quiz worker (pid %s) for background jobs", _job_worker.pid)


def on_exit(server: Any) -> None:
    if _job_worker is None or _job_worker.poll() is not None:
        return
    # SIGINT is huey's graceful stop: jobs already running finish, nothing new starts.
    _job_worker.send_signal(signal.SIGINT)
    try:
        _job_worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        _job_worker.kill()
    server.log.info("Stopped quiz worker")
