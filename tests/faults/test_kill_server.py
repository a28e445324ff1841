"""kill -9 of a real `quiz serve` (gunicorn master and workers) while candidates autosave: after the
restart, every answer the server acknowledged is stored. SQLite and PostgreSQL, a few short trials."""

from __future__ import annotations

import time
from pathlib import Path

from tests.faults.harness import Browser, Ledger, Load, Server, prepare_database, stored_answers

TRIALS = 2
CANDIDATES = 3
LOAD_SECONDS = 1.0


def test_kill_9_during_autosave_loses_no_acknowledged_answer(db_url: str, tmp_path: Path) -> None:
    takers = prepare_database(db_url, tmp_path, CANDIDATES)
    server = Server(db_url, tmp_path / "instance", tmp_path / "server.log")
    ledger = Ledger()
    server.start()
    try:
        browsers = [(Browser(server), taker) for taker in takers]
        for browser, taker in browsers:
            browser.log_in(taker)
        for _trial in range(TRIALS):
            with Load(browsers, ledger):
                time.sleep(LOAD_SECONDS)
                server.kill()  # mid-load: saves in flight get no answer at all
                time.sleep(0.2)
            server.start()  # the same instance again, as systemd or an operator would
        with Load(browsers, ledger):  # it serves again
            time.sleep(0.3)
    finally:
        server.kill()
    lost = ledger.lost(stored_answers(db_url))
    print(f"\nkill -9 [{db_url.split(':')[0]}]: {TRIALS} trials, {ledger.acks} saves acknowledged, "
          f"{len(lost)} lost; outcomes {dict(ledger.outcomes)}")
    assert not lost, lost
    assert ledger.acks > 0 and ledger.outcomes["200"] == ledger.acks
    unexpected = {k: v for k, v in ledger.outcomes.items() if k not in ("200", "no answer")}
    assert not unexpected, (unexpected, server.log_tail())
