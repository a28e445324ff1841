"""Running untrusted code in a bubblewrap sandbox, with resource limits and a wall-clock kill.

What the sandboxed process gets (see docs/code-questions.md):
- new user, network (no interface but a down loopback), PID, IPC, UTS, cgroup and mount namespaces
  (`--unshare-all`), no further user namespaces inside, no capabilities, its own session (no terminal
  injection), killed with its parent;
- an empty environment but PATH/HOME/LANG; read-only /usr (and the /bin, /lib* links), a /proc of its
  own PID namespace, a minimal /dev, and nothing of /etc but the loader cache;
- the interpreter's own prefix, read-only, with every site-packages folder hidden under an empty tmpfs;
- the code (read-only at /code) and a private writable tmpfs of bounded size at /tmp (its home);
  everything else, the root included, is read-only;
- rlimits (prlimit, run inside the sandbox): CPU seconds, address space, processes, file size, open
  files, no core files.

When the worker runs as root, the sandbox does not: the run gets a uid of its own (setpriv), because
the kernel does not apply RLIMIT_NPROC to root, and a fork bomb must hit the limit. Root first
bind-mounts the interpreter's prefix into a private mount namespace, so that uid needs no access to
paths such as /root/.pyenv.

No Flask, no database: the worker calls it with plain values.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

# The root-only staging area inside the private mount namespace (a tmpfs over /mnt).
_STAGE = "/mnt"
# Uids for runs started by root: each run its own, so one run's processes never count against another's.
_RUN_UIDS = (100_000, 199_999)
# V8 reserves address space far beyond what it uses: JavaScript gets this much on top of its memory
# limit, and its heap is bounded by --max-old-space-size instead (plus the resident-size check).
_NODE_ADDRESS_SPACE_ALLOWANCE_MB = 1024


class SandboxUnavailable(RuntimeError):
    """bubblewrap (or an interpreter) is missing: code items are refused, never run unsandboxed."""


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    wall_seconds: float = 5.0
    memory_mb: int = 256
    output_bytes: int = 64_000
    processes: int = 16
    file_size_mb: int = 8
    open_files: int = 64
    tmpfs_mb: int = 32


@dataclass(frozen=True)
class Execution:
    """What happened to one sandboxed process."""

    exit_code: int | None  # None when killed by a signal
    signal: int | None
    stdout: str
    stderr: str
    result: str  # what the harness wrote on its result channel
    wall_seconds: float
    cpu_seconds: float
    max_rss_kb: int  # of the wrappers (bwrap does not pass its child's usage on): the harness measures the code
    wall_timeout: bool  # killed by the wall clock
    output_exceeded: bool  # killed for writing more than the output cap

    @property
    def cpu_exceeded(self) -> bool:
        return self.signal in (signal.SIGXCPU, signal.SIGKILL) and not self.wall_timeout \
            and not self.output_exceeded


def bwrap_path() -> str | None:
    return shutil.which("bwrap")


def python_interpreter() -> Path:
    """The real python3 behind the app's interpreter (a venv's python is a link to it)."""
    return Path(os.path.realpath(sys.executable))


def node_interpreter() -> Path | None:
    path = shutil.which("node", path="/usr/bin:/bin")
    return Path(os.path.realpath(path)) if path else None


def interpreter(language: str) -> Path:
    if language == "python":
        return python_interpreter()
    if language == "javascript":
        node = node_interpreter()
        if node is None:
            raise SandboxUnavailable("Node.js is not installed (Debian package nodejs): JavaScript items cannot run")
        return node
    raise SandboxUnavailable(f"no interpreter for {language!r}")


def unavailable_reason(language: str | None = None) -> str | None:
    """Why code cannot run on this machine, or None when it can."""
    if sys.platform != "linux":
        return "code items need Linux (bubblewrap sandbox)"
    if bwrap_path() is None:
        return "bubblewrap is not installed (Debian package bubblewrap): code items cannot run"
    for tool in ("prlimit", "setpriv", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} (util-linux) is not installed: code items cannot run"
    try:
        for name in (language,) if language else ("python", "javascript"):
            interpreter(name)
    except SandboxUnavailable as exc:
        return str(exc)
    return None


def _python_prefix() -> Path | None:
    """The interpreter's installation prefix when it is not under /usr (which is bound anyway)."""
    prefix = Path(os.path.realpath(sys.base_prefix))
    return None if prefix == Path("/usr") or Path("/usr") in prefix.parents else prefix


def _hidden_site_dirs() -> list[str]:
    """Every site-packages folder the bound system folders hold: the sandbox sees none of them."""
    candidates = set(site.getsitepackages()) | {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    base = sys.base_prefix
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates |= {f"{base}/lib/{version}/site-packages", "/usr/lib/python3/dist-packages",
                   f"/usr/local/lib/{version}/dist-packages", f"/usr/lib/{version}/site-packages"}
    roots = [Path("/usr")] + ([p] if (p := _python_prefix()) else [])
    hidden = []
    for entry in sorted(candidates):
        real = Path(os.path.realpath(entry))
        if real.is_dir() and any(real == r or r in real.parents for r in roots):
            hidden.append(str(real))
    return hidden


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    if Path("/etc/ld.so.cache").exists():
        args += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return args


def bwrap_command(code_dir: str, argv: list[str], limits: Limits, *, python_prefix_source: str | None) -> list[str]:
    """The bwrap invocation; `python_prefix_source` is where the interpreter's prefix is read from."""
    # --disable-userns: no nested user namespace, where the code would hold capabilities of its own
    args = [bwrap_path() or "bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
            "--new-session", "--clearenv",
            "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp", "--setenv", "LANG", "C.UTF-8",
            "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--hostname", "sandbox",
            *_system_binds(), "--proc", "/proc", "--dev", "/dev",
            # /dev is a tmpfs of bwrap's own: read-only, or /dev/shm would be an unbounded /tmp
            "--remount-ro", "/dev"]
    prefix = _python_prefix()
    if prefix is not None and python_prefix_source is not None:
        args += ["--ro-bind", python_prefix_source, str(prefix)]
    for hidden in _hidden_site_dirs():
        args += ["--tmpfs", hidden, "--remount-ro", hidden]
    args += ["--size", str(limits.tmpfs_mb * 1024 * 1024), "--tmpfs", "/tmp",
             "--ro-bind", code_dir, "/code", "--remount-ro", "/", "--chdir", "/tmp", "--", *argv]
    return args


def _rlimits(limits: Limits, language: str) -> list[str]:
    memory_mb = limits.memory_mb + (_NODE_ADDRESS_SPACE_ALLOWANCE_MB if language == "javascript" else 0)
    cpu = max(1, int(limits.cpu_seconds + 0.999))
    return ["/usr/bin/prlimit", f"--cpu={cpu}", f"--as={memory_mb * 1024 * 1024}", f"--nproc={limits.processes}",
            f"--fsize={limits.file_size_mb * 1024 * 1024}", f"--nofile={limits.open_files}", "--core=0", "--"]


def full_command(code_dir: str, argv: list[str], limits: Limits, language: str) -> list[str]:
    """(As root) a private mount namespace and a uid of the run's own, then bwrap, then prlimit inside it.

    The limits are set inside the sandbox, after its user namespace exists: the kernel then counts the
    processes limit against the sandbox's own processes, not against every process of the service user
    (whose web and worker threads alone may exceed it)."""
    argv = _rlimits(limits, language) + argv
    if os.geteuid() != 0:
        return bwrap_command(code_dir, argv, limits, python_prefix_source=str(_python_prefix() or ""))
    uid = random.randint(*_RUN_UIDS)
    prefix = _python_prefix()
    inner = bwrap_command(code_dir, argv, limits, python_prefix_source=f"{_STAGE}/python" if prefix else None)
    # The code folder is staged too: the run's uid could not reach a root-only temporary folder.
    inner = [f"{_STAGE}/code" if part == code_dir else part for part in inner]
    stage = [f"mount -t tmpfs -o size=64k,mode=755 quiz-stage {_STAGE}",
             f"mkdir {_STAGE}/code {_STAGE}/python",
             f'mount --bind -o ro "$1" {_STAGE}/code']
    if prefix:
        stage.append(f'mount --bind -o ro "$2" {_STAGE}/python')
    setpriv = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
               "--bounding-set=-all", "--no-new-privs", "--"]
    script = " && ".join(stage) + ' && shift 2 && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "stage",
                      code_dir, str(prefix or ""), *setpriv, *inner]


class _CappedReader(threading.Thread):
    """Reads a pipe up to a cap; past it, tells the runner to kill the process and drains the rest."""

    def __init__(self, stream, cap: int, on_exceeded) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream, self.cap, self.on_exceeded = stream, cap, on_exceeded
        self.chunks: list[bytes] = []
        self.size = 0
        self.exceeded = False

    def run(self) -> None:
        while chunk := self.stream.read1(65536):
            if self.size < self.cap:
                self.chunks.append(chunk[: self.cap - self.size])
            self.size += len(chunk)
            if self.size > self.cap and not self.exceeded:
                self.exceeded = True
                self.on_exceeded()
        self.stream.close()

    def text(self) -> str:
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def execute(language: str, files: dict[str, str], argv_in_sandbox: list[str], stdin: str, limits: Limits) -> Execution:
    """Run `argv_in_sandbox` (paths under /code) with `files` written to /code, under `limits`.

    The harness reports on a pipe of its own, whose number replaces `{result_fd}` in the argv; stdout and stderr are captured up to the output cap.
    """
    reason = unavailable_reason(language)
    if reason:
        raise SandboxUnavailable(reason)
    with tempfile.TemporaryDirectory(prefix="quiz-run-") as code_dir:
        os.chmod(code_dir, 0o755)
        for name, content in files.items():
            path = Path(code_dir) / name
            path.write_text(content, encoding="utf-8")
            path.chmod(0o644)
        result_read, result_write = os.pipe()
        argv = [part.replace("{result_fd}", str(result_write)) for part in argv_in_sandbox]
        command = full_command(code_dir, argv, limits, language)
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(result_write,), start_new_session=True, close_fds=True,
                env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        finally:
            os.close(result_write)
        return _supervise(process, result_read, stdin, limits, started)


def _supervise(process: subprocess.Popen[bytes], result_read: int, stdin: str, limits: Limits,
               started: float) -> Execution:
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        try:
            os.killpg(process.pid, signal.SIGKILL)  # the whole group; the sandbox dies with its parent
        except ProcessLookupError:
            pass

    out = _CappedReader(process.stdout, limits.output_bytes, kill)
    err = _CappedReader(process.stderr, limits.output_bytes, kill)
    channel = _CappedReader(os.fdopen(result_read, "rb"), limits.output_bytes, lambda: None)
    for reader in (out, err, channel):
        reader.start()
    feeder = threading.Thread(target=_feed, args=(process, stdin), daemon=True)
    feeder.start()
    timer = threading.Timer(limits.wall_seconds, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    wall = time.monotonic() - started
    wall_timeout = killed.is_set() and not (out.exceeded or err.exceeded)
    try:
        os.killpg(process.pid, signal.SIGKILL)  # anything the run left behind in its group
    except (ProcessLookupError, PermissionError):
        pass
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in (out, err, channel):
        reader.join(timeout=2)
    exit_code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if exit_code is not None and exit_code >= 128 and sig is None:
        # the sandboxed process's signal, reported by the wrappers as 128 + n
        sig, exit_code = exit_code - 128, None
    return Execution(exit_code, sig, out.text(), err.text(), channel.text(), wall,
                     usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss), wall_timeout,
                     out.exceeded or err.exceeded)


def _feed(process: subprocess.Popen[bytes], stdin: str) -> None:
    try:
        assert process.stdin is not None
        process.stdin.write(stdin.encode("utf-8"))
        process.stdin.close()
    except (BrokenPipeError, OSError):
        pass
