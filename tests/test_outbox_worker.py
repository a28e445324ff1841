"""A real `quiz worker` killed with SIGKILL while it is sending: the mail is still sent, once, by the
next worker (its claim runs out), and nothing of it is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from huey.storage import MemoryStorage
from sqlalchemy import select

from quiz import jobs, migrate
from quiz.config import DEFAULTS
from quiz.db import make_engine, make_session_factory
from quiz.mail import Mail
from quiz.mail_jobs import enqueue_committed
from quiz.models import OutboxMail
from quiz.notifications import queue_mail
from tests.smtp import Controller, SlowCollector, free_port

LEASE_SECONDS = 2


@pytest.fixture
def stuck_relay() -> Iterator[tuple[SlowCollector, int]]:
    """Holds the first message without ever accepting it; accepts every later one at once."""
    handler = SlowCollector(hold=1, held_answer="451 4.3.0 try again later", hold_seconds=60)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    handler.release.set()
    controller.stop()


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def _start_worker(instance: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    quiz = Path(sys.executable).parent / "quiz"
    return subprocess.Popen([str(quiz), "--instance", str(instance), "worker", "--threads", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_a_worker_killed_while_sending_leaves_the_mail_to_the_next_worker(
        db_url: str, tmp_path: Path, stuck_relay: tuple[SlowCollector, int]) -> None:
    handler, port = stuck_relay
    instance = tmp_path / "instance"
    engine = make_engine(db_url)
    migrate.upgrade(engine)
    sessions = make_session_factory(engine)
    jobs.configure_queue({**DEFAULTS}, instance)  # the worker's queue: instance/queue.sqlite3
    try:
        with sessions() as session:
            queue_mail(session, Mail(to="ada@example.com", subject="Your result", body="You passed.\n"))
            session.commit()
            mail_id = session.scalar(select(OutboxMail.id))
            assert enqueue_committed(session) == 1
    finally:
        jobs.huey.storage = MemoryStorage(jobs.QUEUE_NAME)

    def row() -> OutboxMail:
        with sessions() as session:
            return session.get(OutboxMail, mail_id)

    env = {k: v for k, v in os.environ.items() if not k.startswith("QUIZ_")}
    env.update(DATABASE_URL=db_url, QUIZ_MAIL_SERVER="127.0.0.1", QUIZ_MAIL_PORT=str(port),
               QUIZ_MAIL_SEND_LEASE_SECONDS=str(LEASE_SECONDS))
    first = _start_worker(instance, env)
    outputs = []
    try:
        _wait_for(lambda: handler.started == 1, "the first worker to start sending")
        os.killpg(first.pid, signal.SIGKILL)  # mid-conversation: the relay has not answered yet
        outputs.append(first.communicate(timeout=30)[0])
        claimed = row()
        assert (claimed.status, claimed.attempts, handler.envelopes) == ("sending", 1, []), outputs
        _wait_for(lambda: claimed.lease_expires_at < datetime.now(timezone.utc),
                  "the dead worker's claim to run out", seconds=LEASE_SECONDS + 5)

        second = _start_worker(instance, env)
        try:
            _wait_for(lambda: row().status == "sent", "the next worker to send the mail")
        finally:
            second.send_signal(signal.SIGINT)
            outputs.append(second.communicate(timeout=30)[0])
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        engine.dispose()

    sent = row()
    assert (sent.status, sent.attempts) == ("sent", 2), outputs
    [envelope] = handler.envelopes  # once: the killed try never reached the relay's acceptance
    assert envelope.rcpt_tos == ["ada@example.com"]
    assert f"<{sent.message_token}@localhost>".encode() in envelope.content
