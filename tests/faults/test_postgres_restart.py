"""PostgreSQL stopped and started again under load, the app left running: while it is down every
save is answered 503 with Retry-After (JSON) and pages get the outage page; once it is back the same
server processes save again; nothing acknowledged is lost. On a private cluster (see private_postgres)."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from quiz.outage import RETRY_AFTER_SECONDS
from tests.faults.harness import Browser, Ledger, Load, Server, prepare_database, stored_answers
from tests.faults.private_postgres import PrivatePostgres

CANDIDATES = 3
OUTAGE_SECONDS = 1.5
STOP_MODES = ("fast", "immediate")  # an operator's restart (sessions ended), then as a crash


def _database(cluster: PrivatePostgres) -> str:
    admin = create_engine(cluster.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS quiz_faults WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE quiz_faults"))
    admin.dispose()
    return make_url(cluster.url).set(database="quiz_faults").render_as_string(hide_password=False)


def _wait_for(condition, seconds: float) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_postgres_stopped_and_restarted_under_load(private_cluster: PrivatePostgres, tmp_path: Path) -> None:
    url = _database(private_cluster)
    takers = prepare_database(url, tmp_path, CANDIDATES)
    server = Server(url, tmp_path / "instance", tmp_path / "server.log")
    server.start()
    pid = server.process.pid
    ledger = Ledger()
    recoveries = []
    try:
        browsers = [(Browser(server), taker) for taker in takers]
        for browser, taker in browsers:
            browser.log_in(taker)
        with Load(browsers, ledger):
            _wait_for(lambda: ledger.acks >= 20, 15)
            for mode in STOP_MODES:
                refused_before = ledger.outcomes["503"]
                private_cluster.stop(mode)
                time.sleep(OUTAGE_SECONDS)
                dashboard = browsers[0][0].request("/dashboard")
                assert dashboard.status == 503, (dashboard.status, dashboard.body[:300], server.log_tail())
                assert dashboard.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
                assert "Briefly unavailable" in dashboard.body
                assert ledger.outcomes["503"] > refused_before  # the saves during the outage
                acks_before = ledger.acks
                private_cluster.start()
                recoveries.append(_wait_for(lambda: ledger.acks > acks_before + 5, 20))
        assert server.process is not None and server.process.poll() is None and server.process.pid == pid
    finally:
        server.kill()
    lost = ledger.lost(stored_answers(url))
    print(f"\nPostgreSQL stopped and started {len(STOP_MODES)} times ({', '.join(STOP_MODES)}): "
          f"{ledger.acks} saves acknowledged, {len(lost)} lost, {ledger.outcomes['503']} answered 503; "
          f"saving again {', '.join(f'{s:.1f}' for s in recoveries)} s after each start; "
          f"outcomes {dict(ledger.outcomes)}")
    assert not lost, lost
    unexpected = {k: v for k, v in ledger.outcomes.items() if k not in ("200", "503")}
    assert not unexpected, (unexpected, server.log_tail())
    assert "database unavailable, answering 503" in server.log.read_text()  # what the operator sees
