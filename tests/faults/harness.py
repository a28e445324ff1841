"""A real `quiz serve` (gunicorn, two workers) on a prepared database, candidates who save answers
with sequence numbers over HTTP, and the ledger of what the server acknowledged.

The ledger is the judge: after a fault, every (attempt, question) must hold an answer at least as
new as the newest one the server answered 200 for, and that answer must be the one sent with the
sequence number stored.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from quiz import migrate
from quiz.assessment.forms import display_order
from quiz.assessment.services import start_attempt
from quiz.auth.passwords import hash_password
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.db import make_engine, make_session_factory
from quiz.models import Attempt, AttemptItem
from tests.services.conftest import assessment, candidate, write_small_bank

PASSWORD = "correct horse battery"
SECRET_KEY = "faults-" + "k" * 32
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
OPTIONS = ("1", "2", "3")  # single-choice tokens: the page sends display positions


def token_for(seq: int) -> str:
    """The option a save with this sequence number chooses (so a stored answer tells which save it was)."""
    return OPTIONS[seq % len(OPTIONS)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database -----------------------------------------------------------------------------------


@dataclass
class Taker:
    email: str
    attempt_id: int
    positions: tuple[int, ...]


def prepare_database(url: str, folder: Path, candidates: int) -> list[Taker]:
    """Migrate, load the small bank, and start one alpha attempt for each of `candidates` candidates."""
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        loaded = load_bank(write_small_bank(folder / "bank"))
        assert loaded.ok, loaded.errors
        takers = []
        with make_session_factory(engine)() as session:
            sync_bank(session, loaded)
            for number in range(candidates):
                user = candidate(session, f"load{number}@example.org")
                user.password_hash = hash_password(PASSWORD)
                attempt = start_attempt(session, user, assessment(session, "alpha-starter"),
                                        datetime.now(timezone.utc))
                session.flush()
                takers.append(Taker(user.email, attempt.id, tuple(i.position for i in attempt.items)))
            session.commit()
        return takers
    finally:
        engine.dispose()


def stored_answers(url: str) -> dict[tuple[int, int], tuple[int, str | None]]:
    """(attempt, position) -> (stored sequence number, token of the stored option)."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            attempts = session.scalars(select(Attempt).options(
                selectinload(Attempt.items).selectinload(AttemptItem.question_version))).all()
            found = {}
            for attempt in attempts:
                for item in attempt.items:
                    order = display_order(item.question_version.definition, item.option_order)
                    shown = str(order.index(item.answer) + 1) if item.answer in order else None
                    found[(attempt.id, item.position)] = (item.answer_seq, shown)
            return found
    finally:
        engine.dispose()


# --- the server -----------------------------------------------------------------------------------


class Server:
    """`quiz serve` as an operator runs it, in its own process group so kill -9 takes master and workers."""

    def __init__(self, url: str, instance: Path, log: Path, workers: int = 2) -> None:
        self.url, self.instance, self.log, self.workers = url, instance, log, workers
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_") and k != "DATABASE_URL"}
        env.update(DATABASE_URL=self.url, QUIZ_SECRET_KEY=SECRET_KEY)
        quiz = Path(sys.executable).parent / "quiz"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(quiz), "--instance", str(self.instance), "serve", "--port", str(self.port),
                 "--workers", str(self.workers)],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/login", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log_tail()}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, sig)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


# --- a candidate's browser, without the browser -------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> dict:
        return json.loads(self.body)


class Browser:
    def __init__(self, server: Server) -> None:
        self.server = server
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def request(self, path: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        request = urllib.request.Request(self.server.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=10) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode(errors="replace"))

    def log_in(self, taker: Taker) -> None:
        self.csrf = _META_TOKEN.search(self.request("/login").body).group(1)
        form = urllib.parse.urlencode({"email": taker.email, "password": PASSWORD, "csrf_token": self.csrf})
        answer = self.request("/login", data=form.encode())
        assert answer.status == 200 and "Log out" in answer.body, (answer.status, answer.body[:500])
        self.csrf = _META_TOKEN.search(self.request(f"/attempts/{taker.attempt_id}/q/1").body).group(1)

    def save(self, attempt_id: int, position: int, seq: int) -> Answer:
        body = json.dumps({"fields": {"choice": token_for(seq)}, "seq": seq}).encode()
        return self.request(f"/attempts/{attempt_id}/answers/{position}", data=body, headers={
            "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": self.csrf})


# --- the load and its ledger --------------------------------------------------------------------------


@dataclass
class Ledger:
    acknowledged: dict[tuple[int, int], int] = field(default_factory=dict)  # newest seq answered 200
    acks: int = 0
    last_seq: Counter = field(default_factory=Counter)  # per attempt, across loads: a restart never resets it
    outcomes: Counter = field(default_factory=Counter)  # "200", "503", "503 without Retry-After", "refused", ...
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, key: tuple[int, int], seq: int, outcome: str) -> None:
        with self.lock:
            self.outcomes[outcome] += 1
            if outcome == "200":
                self.acks += 1
                self.acknowledged[key] = max(seq, self.acknowledged.get(key, 0))

    def lost(self, stored: dict[tuple[int, int], tuple[int, str | None]]) -> list[str]:
        """Every acknowledged answer that is not in the database (or not the one its sequence number sent)."""
        problems = []
        for key, seq in sorted(self.acknowledged.items()):
            stored_seq, shown = stored.get(key, (0, None))
            if stored_seq < seq:
                problems.append(f"{key}: acknowledged seq {seq}, stored {stored_seq}")
            elif shown != token_for(stored_seq):
                problems.append(f"{key}: stored seq {stored_seq} holds option {shown}, not {token_for(stored_seq)}")
        return problems


def _outcome(answer: Answer) -> str:
    if answer.status == 200:
        return "200" if answer.json().get("saved") else "200 not saved"
    if answer.status == 503:
        json_body = answer.headers.get("Content-Type", "").startswith("application/json")
        return "503" if answer.headers.get("Retry-After") and json_body else "503 without Retry-After or JSON"
    return str(answer.status)


class Load:
    """Each candidate saves its questions in turn, each save with the next sequence number, until stopped."""

    def __init__(self, browsers: list[tuple[Browser, Taker]], ledger: Ledger) -> None:
        self.browsers, self.ledger = browsers, ledger
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def __enter__(self) -> Load:
        self.stopping.clear()
        self.threads = [threading.Thread(target=self._run, args=pair, daemon=True) for pair in self.browsers]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def _run(self, browser: Browser, taker: Taker) -> None:
        while not self.stopping.is_set():
            self.ledger.last_seq[taker.attempt_id] += 1  # one thread per attempt: no race here
            seq = self.ledger.last_seq[taker.attempt_id]
            position = taker.positions[seq % len(taker.positions)]
            try:
                outcome = _outcome(browser.save(taker.attempt_id, position, seq))
            except (OSError, http.client.HTTPException):  # server killed or restarting: the page retries
                outcome = "no answer"
            self.ledger.note((taker.attempt_id, position), seq, outcome)
            if outcome != "200":
                time.sleep(0.05)
