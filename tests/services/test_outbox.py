"""The outbox: claimed once, retried with backoff while SMTP is down, sent when it is back, failed
after the last try, resent by an admin. Time comes from a FrozenClock: nothing sleeps for a backoff."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from quiz.clock import FrozenClock
from quiz.config import DEFAULTS
from quiz.db import make_session_factory
from quiz.mail import Mail, send_mail
from quiz.mail_jobs import deliver, deliver_due
from quiz.models import AuditEntry, OutboxMail, User
from quiz.notifications import (
    OutboxError,
    RetryPolicy,
    claim,
    committed_mail_ids,
    mark_not_sent,
    mark_sent,
    queue_mail,
    resend,
)
from tests.services.conftest import T0
from tests.smtp import Collector, free_port


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def _config(port: int, **overrides: Any) -> dict[str, Any]:
    return {**DEFAULTS, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
            "MAIL_DEFAULT_SENDER": "Quiz <quiz@example.org>", **overrides}


def _queue(sessions: sessionmaker[Session], *recipients: str) -> list[int]:
    with sessions() as session:
        for to in recipients:
            queue_mail(session, Mail(to=to, subject=f"For {to}", body="Hello.\n", html="<p>Hello.</p>"))
        session.commit()
        return committed_mail_ids(session)


def _rows(sessions: sessionmaker[Session]) -> list[OutboxMail]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


class _Relay:
    """An SMTP server that can be down (not listening) and come back on the same port."""

    def __init__(self, handler: Collector | None = None) -> None:
        self.port = free_port()
        self.handler = handler or Collector()
        self._controller: Controller | None = None

    def up(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def relay() -> Iterator[_Relay]:
    server = _Relay()
    yield server
    server.down()


def test_only_rows_of_the_committed_transaction_are_handed_to_the_queue(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        kept = queue_mail(session, Mail(to="kept@example.com", subject="s", body="b"))
        savepoint = session.begin_nested()
        queue_mail(session, Mail(to="dropped@example.com", subject="s", body="b"))
        savepoint.rollback()
        session.commit()
        assert committed_mail_ids(session) == [kept.id]
        assert committed_mail_ids(session) == []  # handed over once
    assert [row.to_address for row in _rows(sessions)] == ["kept@example.com"]


def test_smtp_down_is_retried_with_backoff_and_nothing_is_lost_when_it_is_back(
        sessions: sessionmaker[Session], clock: FrozenClock, relay: _Relay, tmp_path: Path) -> None:
    config = _config(relay.port)
    _queue(sessions, "a@example.com", "b@example.com", "c@example.com")

    expected_delays = [60, 120, 240, 480]
    for tries, delay in enumerate(expected_delays, start=1):
        outcomes = deliver_due(sessions, config, tmp_path, clock)
        assert [o.sent for o in outcomes] == [False] * 3 and "cannot reach" in (outcomes[0].error or "")
        assert {(r.status, r.attempts, r.next_attempt_at) for r in _rows(sessions)} == {
            ("queued", tries, clock.now() + timedelta(seconds=delay))}
        clock.advance(seconds=delay - 1)
        assert deliver_due(sessions, config, tmp_path, clock) == []  # not due yet: not tried
        clock.advance(seconds=1)

    relay.up()
    assert [o.sent for o in deliver_due(sessions, config, tmp_path, clock)] == [True] * 3
    assert sorted(e.rcpt_tos[0] for e in relay.handler.envelopes) == ["a@example.com", "b@example.com",
                                                                       "c@example.com"]
    rows = _rows(sessions)
    assert {(r.status, r.attempts, r.sent_at) for r in rows} == {("sent", 5, clock.now())}
    assert all("cannot reach" in (r.last_error or "") for r in rows)  # what went wrong before stays visible
    clock.advance(hours=1)
    assert deliver_due(sessions, config, tmp_path, clock) == []  # each sent once
    assert len(relay.handler.envelopes) == 3


def test_backoff_is_capped_and_the_last_try_marks_the_mail_failed(
        sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path) -> None:
    policy = RetryPolicy(max_attempts=12, base_seconds=60, max_seconds=3600)
    assert [policy.delay_after(n).total_seconds() for n in range(1, 12)] == [
        60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600, 3600]
    config = _config(free_port(), MAIL_MAX_ATTEMPTS=3)
    [mail_id] = _queue(sessions, "a@example.com")
    for _ in range(3):
        [outcome] = deliver_due(sessions, config, tmp_path, clock)
        assert not outcome.sent
        clock.advance(hours=1)
    [row] = _rows(sessions)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert deliver_due(sessions, config, tmp_path, clock) == []  # failed mail waits for an admin
    assert deliver(sessions, config, tmp_path, mail_id, clock) is None


class _Refusing(Collector):
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,  # noqa: N802
                          rcpt_options: list[str]) -> str:
        return "550 5.1.1 no such mailbox"


def test_a_permanent_refusal_fails_at_once(sessions: sessionmaker[Session], clock: FrozenClock,
                                           tmp_path: Path) -> None:
    server = _Relay(_Refusing())
    server.up()
    try:
        _queue(sessions, "nobody@example.com")
        [outcome] = deliver_due(sessions, _config(server.port), tmp_path, clock)
    finally:
        server.down()
    assert not outcome.sent and "550" in (outcome.error or "")
    [row] = _rows(sessions)
    assert (row.status, row.attempts) == ("failed", 1)


def test_a_mail_that_cannot_be_built_fails_and_does_not_stop_the_others(
        sessions: sessionmaker[Session], clock: FrozenClock, tmp_path: Path) -> None:
    _queue(sessions, "bad@example.com\nBcc: everyone@example.com", "good@example.com")
    outcomes = deliver_due(sessions, {**DEFAULTS}, tmp_path, clock)  # no MAIL_SERVER: .eml files
    assert [o.sent for o in outcomes] == [False, True]
    assert [r.status for r in _rows(sessions)] == ["failed", "sent"]
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


def test_a_claim_is_taken_once_and_a_worker_whose_claim_ran_out_records_nothing(
        sessions: sessionmaker[Session], clock: FrozenClock) -> None:
    [mail_id] = _queue(sessions, "a@example.com")
    policy = RetryPolicy(lease_seconds=300)
    with sessions() as first, sessions() as second:
        assert claim(first, mail_id, clock.now(), policy) is not None
        first.commit()
        assert claim(second, mail_id, clock.now(), policy) is None  # the other worker has it
        second.rollback()
        clock.advance(seconds=300)
        assert claim(second, mail_id, clock.now(), policy) is not None  # the first one is presumed dead
        second.commit()
        # the first worker comes back late: its outcome is not recorded over the second's claim
        assert mark_sent(first, mail_id, 1, clock.now()) is False
        assert mark_not_sent(first, mail_id, 1, "late", clock.now(), policy) is None
        first.commit()
    [row] = _rows(sessions)
    assert (row.status, row.attempts, row.last_error) == ("sending", 2, None)


def test_a_failed_try_schedules_its_retry_on_the_queue(sessions: sessionmaker[Session], clock: FrozenClock,
                                                        tmp_path: Path) -> None:
    [mail_id] = _queue(sessions, "a@example.com")
    scheduled: list[tuple[int, float]] = []
    outcome = deliver(sessions, _config(free_port()), tmp_path, mail_id, clock,
                      schedule_retry=lambda ident, delay: scheduled.append((ident, delay)))
    assert outcome is not None and not outcome.sent
    assert scheduled == [(mail_id, 60.0)]


def test_a_worker_that_died_after_the_server_accepted_sends_again_with_the_same_message_id(
        sessions: sessionmaker[Session], clock: FrozenClock, relay: _Relay, tmp_path: Path) -> None:
    """At least once: the claim ran out, so the mail goes again; both copies carry one Message-ID."""
    relay.up()
    config = _config(relay.port, MAIL_SEND_LEASE_SECONDS=300)
    [mail_id] = _queue(sessions, "a@example.com")
    with sessions() as session:  # what a worker does up to its death: claim, commit, send...
        row = claim(session, mail_id, clock.now(), RetryPolicy.from_config(config))
        assert row is not None
        session.commit()
        send_mail(config, tmp_path, Mail(to=row.to_address, subject=row.subject, body=row.body_text),
                  token=row.message_token, date=row.created_at)
    # ... and it never records the outcome. Until the claim runs out nobody else sends it:
    clock.advance(seconds=299)
    assert deliver_due(sessions, config, tmp_path, clock) == []
    clock.advance(seconds=1)
    [outcome] = deliver_due(sessions, config, tmp_path, clock)
    assert outcome.sent
    ids = [email.message_from_bytes(e.content, policy=email.policy.default)["Message-ID"]
           for e in relay.handler.envelopes]
    assert len(ids) == 2 and ids[0] == ids[1]
    [row] = _rows(sessions)
    assert (row.status, row.attempts) == ("sent", 2)


def test_an_admin_resends_a_failed_mail_audited(sessions: sessionmaker[Session], clock: FrozenClock,
                                                 tmp_path: Path) -> None:
    [mail_id] = _queue(sessions, "a@example.com")
    deliver_due(sessions, _config(free_port(), MAIL_MAX_ATTEMPTS=1), tmp_path, clock)
    with sessions() as session:
        admin = User(email="admin@example.com", password_hash="x", role="admin")
        session.add(admin)
        session.flush()
        resend(session, admin, mail_id, clock.now())
        session.commit()
        assert committed_mail_ids(session) == [mail_id]
        [entry] = session.scalars(select(AuditEntry).where(AuditEntry.action == "mail.resend")).all()
        assert entry.actor_id == admin.id and entry.target_id == str(mail_id)
        assert entry.before["status"] == "failed" and "cannot reach" in entry.before["last_error"]
        with pytest.raises(OutboxError, match="only failed mail"):
            resend(session, admin, mail_id, clock.now())
    [outcome] = deliver_due(sessions, {**DEFAULTS}, tmp_path, clock)  # sent now (as an .eml file)
    assert outcome.sent and [r.status for r in _rows(sessions)] == ["sent"]
