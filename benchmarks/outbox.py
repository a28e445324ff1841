"""How fast the outbox is on this machine: the cost a request pays to write and enqueue a mail, and
how many mails one worker thread delivers a second to an SMTP server on loopback.

    .venv/bin/python benchmarks/outbox.py [--mails 300] [--database-url URL]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from huey.storage import MemoryStorage  # noqa: E402

from quiz import jobs, migrate  # noqa: E402
from quiz.clock import SystemClock  # noqa: E402
from quiz.config import DEFAULTS  # noqa: E402
from quiz.db import make_engine, make_session_factory  # noqa: E402
from quiz.mail import Mail  # noqa: E402
from quiz.mail_jobs import deliver_due, enqueue_committed  # noqa: E402
from quiz.notifications import queue_mail  # noqa: E402
from tests.smtp import Collector, free_port  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mails", type=int, default=300)
    parser.add_argument("--database-url", default=None, help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url = args.database_url or f"sqlite:///{instance / 'quiz.sqlite3'}"
        engine = make_engine(url)
        migrate.upgrade(engine)
        sessions = make_session_factory(engine)
        jobs.configure_queue({**DEFAULTS}, instance)  # the default queue: a SQLite file

        per_request = []
        for n in range(args.mails):
            started = time.perf_counter()
            with sessions() as session:
                queue_mail(session, Mail(to=f"c{n}@example.com", subject="Your result", body="You passed.\n" * 20,
                                         html="<p>You passed.</p>" * 20))
                session.commit()
                enqueue_committed(session)
            per_request.append((time.perf_counter() - started) * 1000)
        jobs.huey.storage = MemoryStorage(jobs.QUEUE_NAME)

        handler, port = Collector(), free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            config = {**DEFAULTS, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port}
            started = time.perf_counter()
            sent = 0
            while sent < args.mails:
                sent += sum(o.sent for o in deliver_due(sessions, config, instance, SystemClock()))
            elapsed = time.perf_counter() - started
        finally:
            controller.stop()
            engine.dispose()
    quantiles = statistics.quantiles(per_request, n=20)
    print(f"database: {engine.dialect.name}; {args.mails} mails")
    print(f"write + commit + enqueue one mail: p50 {statistics.median(per_request):.2f} ms, "
          f"p95 {quantiles[18]:.2f} ms")
    print(f"delivery by one worker thread over SMTP: {sent / elapsed:.0f} mails/s "
          f"({len(handler.envelopes)} received)")


if __name__ == "__main__":
    main()
