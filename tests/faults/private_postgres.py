"""A throw-away PostgreSQL cluster of the test's own, on a free port in a temporary folder, that the
test may stop and start at will (the machine's shared server on 5432 is never touched).

initdb and the server refuse to run as root: as root (CI), they run as the `postgres` user
through runuser, in a folder that user owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.faults.harness import free_port


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI runs the PostgreSQL fault tests too: {reason}")
    pytest.skip(f"PostgreSQL fault tests skipped: {reason}")


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    def __init__(self, root: Path, bin_dir: Path, as_user: list[str]) -> None:
        self.root, self.bin_dir, self.as_user = root, bin_dir, as_user
        self.data, self.log, self.port = root / "data", root / "server.log", free_port()

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [*self.as_user, str(self.bin_dir / args[0]), *args[1:]]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout}{result.stderr}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """fast: sessions are ended (requests in flight lose their connection); immediate: as a crash."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


def private_postgres() -> Iterator[PrivatePostgres]:
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "pg_ctl").exists():
        _unavailable("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="quiz-faults-pg-"))
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root)
            _unavailable("running as root and there is no `postgres` user to run the server as")
        os.chown(root, owner.pw_uid, owner.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    cluster = PrivatePostgres(root, bin_dir, as_user)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if cluster.running():
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)
