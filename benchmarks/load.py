"""Start storm: N candidates log in and start the same starter within a minute, then save answers.

Runs against a real `quiz serve` (gunicorn, as a user runs it) on a fresh instance, on SQLite (the
default) or PostgreSQL (`--postgres URL`: a server where a database may be created). Prints, per
endpoint: requests, errors, throughput, p50/p95/p99; the autosave capacity beside a bare Flask route
(`/livez`) measured in the same run by the same server; and, from the database afterwards, answers
acknowledged vs stored (lost must be 0).

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/load.py --candidates 300
    .venv/bin/python benchmarks/load.py --candidates 1000 --postgres postgresql://postgres@127.0.0.1/test

The figures are for the machine they ran on; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quiz.config import normalise_database_url  # noqa: E402
from quiz.db import make_engine, make_session_factory  # noqa: E402

PASSWORD = "storm-password-1"
TIMELINE_SLICE = 20.0  # seconds per line of the storm's timeline
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ATTEMPT = re.compile(r"/attempts/(\d+)/q/(\d+)")


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: dict[str, str] = field(default_factory=dict)
    acknowledged: list[tuple[int, int, int, Any]] = field(default_factory=list)  # attempt, position, seq, fields
    arrival_to_started: list[float] = field(default_factory=list)
    timeline: list[tuple[float, str, float]] = field(default_factory=list)  # (sent at, endpoint, latency)

    def record(self, name: str, started: float, ok: bool, detail: str = "") -> None:
        latency = time.perf_counter() - started
        self.latencies[name].append(latency)
        self.timeline.append((started, name, latency))
        if not ok:
            self.errors[name] += 1
            self.error_samples.setdefault(name, detail[:200])


class Reply:
    """What a request got back, read in full (aiohttp's response is only valid inside its `async with`)."""

    def __init__(self, status_code: int, text_: str, headers: Any) -> None:
        self.status_code, self.text, self.headers = status_code, text_, headers

    def json(self) -> Any:
        return json.loads(self.text)


class Browser:
    """One candidate's browser: its own cookies and keep-alive connection. aiohttp rather than httpx:
    the load runs on the server's own 2 cores, and httpx spent about 1.3 ms of CPU per request against
    aiohttp's 0.15 ms (measured here), so httpx alone took a third of the machine."""

    ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)

    def __init__(self, base: str, n: int) -> None:
        address = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        # unsafe=True: keep cookies of a host that is an IP address (127.0.0.1)
        self.http = aiohttp.ClientSession(base_url=base, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                          headers={"X-Forwarded-For": address},
                                          timeout=aiohttp.ClientTimeout(total=120))

    async def request(self, method: str, url: str, **kwargs: Any) -> Reply:
        async with self.http.request(method, url, allow_redirects=False, **kwargs) as response:
            return Reply(response.status, await response.text(), response.headers)

    async def get(self, url: str, **kwargs: Any) -> Reply:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Reply:
        return await self.request("POST", url, **kwargs)

    async def aclose(self) -> None:
        await self.http.close()

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()


def client_for(base: str, n: int) -> Browser:
    return Browser(base, n)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(session_id: int | None = None, command: str | None = None) -> float:
    """CPU time (user + system) of every process in a session (the server and its workers), or of
    every process whose name is `command` (PostgreSQL's backends), from /proc."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text_ = stat.read_text()
        except OSError:  # the process ended meanwhile
            continue
        name = text_[text_.index("(") + 1:text_.rindex(")")]
        fields = text_[text_.rindex(")") + 2:].split()
        if (session_id is not None and int(fields[3]) == session_id) or (command is not None and name == command):
            total += int(fields[11]) + int(fields[12])
    return total / _TICK


class CpuMeter:
    """CPU spent between `start` and `stop` by the app server, the database server and this script."""

    def __init__(self, server_session: int, database: str | None) -> None:
        self.server_session, self.database = server_session, database

    def read(self) -> tuple[float, float, float]:
        database = cpu_seconds(command="postgres") if self.database else 0.0
        return cpu_seconds(session_id=self.server_session), database, time.process_time()

    def start(self) -> None:
        self.began = self.read()

    def stop(self) -> tuple[float, float, float]:
        return tuple(after - before for after, before in zip(self.read(), self.began))  # type: ignore[return-value]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def fields_for(type_name: str, count: int, step: int) -> dict[str, Any]:
    """A plausible answer of each type, different at each step (so each save changes something)."""
    token = str(step % max(count, 1) + 1)
    if type_name == "true_false":
        return {"choice": "true" if step % 2 else "false"}
    if type_name == "single_choice":
        return {"choice": token}
    if type_name == "multiple_choice":
        return {"choice": [token]}
    if type_name == "numeric":
        return {"value": str(step)}
    if type_name == "short_text":
        return {"value": f"answer {step}"}
    if type_name == "ordering":
        ranks = list(range(1, count + 1))
        random.Random(step).shuffle(ranks)
        return {f"rank_{n}": str(rank) for n, rank in enumerate(ranks, start=1)}
    if type_name == "comparison":
        return {"better": "a" if step % 2 else "b", "rating_a": "3", "rating_b": "4",
                "justification": f"Response A is clearer, step {step}."}
    return {"text": f"My essay, revision {step}. " * 5}


class Scenario:
    def __init__(self, base: str, assessment_key: str, sessions: Any, stats: Stats, saves: int,
                 save_interval: float) -> None:
        self.base, self.key, self.sessions, self.stats = base, assessment_key, sessions, stats
        self.saves, self.save_interval = saves, save_interval

    async def call(self, client: Browser, name: str, method: str, url: str, **kwargs: Any) -> Reply | None:
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except Browser.ERRORS as exc:
            self.stats.record(name, started, False, repr(exc))
            return None
        ok = response.status_code < 400
        self.stats.record(name, started, ok, f"{response.status_code} {response.text[:150]}")
        return response

    def items_of(self, attempt_id: int) -> list[tuple[int, str, int]]:
        from quiz.models import AttemptItem, QuestionVersion

        with self.sessions() as session:
            rows = session.execute(select(AttemptItem.position, QuestionVersion.type, QuestionVersion.definition)
                                   .join(QuestionVersion).where(AttemptItem.attempt_id == attempt_id)
                                   .order_by(AttemptItem.position)).all()
        return [(position, type_name, len(definition.get("options", definition.get("items", []))))
                for position, type_name, definition in rows]

    async def candidate(self, n: int, delay: float) -> None:
        email = f"storm{n}@example.com"
        await asyncio.sleep(delay)
        arrived = time.perf_counter()
        async with client_for(self.base, n) as client:
            page = await self.call(client, "GET /login", "GET", "/login")
            if page is None or not CSRF.search(page.text):
                return
            login = await self.call(client, "POST /login", "POST", "/login",
                                    data={"csrf_token": CSRF.search(page.text).group(1), "email": email,
                                          "password": PASSWORD})
            if login is None or login.status_code != 302:
                return
            page = await self.call(client, "GET instructions", "GET", f"/assessments/{self.key}")
            if page is None or not CSRF.search(page.text):
                return
            csrf = CSRF.search(page.text).group(1)
            start = await self.call(client, "POST start", "POST", f"/assessments/{self.key}",
                                    data={"csrf_token": csrf, "understood": "y"})
            if start is None or start.status_code != 302 or not ATTEMPT.search(start.headers.get("location", "")):
                if start is not None:
                    self.stats.errors["POST start"] += 1
                    self.stats.error_samples.setdefault("POST start", f"{start.status_code} "
                                                        f"{start.headers.get('location')}")
                return
            attempt_id = int(ATTEMPT.search(start.headers["location"]).group(1))
            self.stats.arrival_to_started.append(time.perf_counter() - arrived)
            items = await asyncio.to_thread(self.items_of, attempt_id)
            headers = {"X-CSRFToken": csrf, "Accept": "application/json"}
            position = 1
            await self.call(client, "GET question", "GET", f"/attempts/{attempt_id}/q/{position}")
            seqs: dict[int, int] = defaultdict(int)
            last_poll = time.perf_counter()
            for step in range(1, self.saves + 1):
                await asyncio.sleep(random.uniform(0.5, 1.5) * self.save_interval)
                if step % 4 == 0:  # the candidate moves on, as "Save and next" or the grid does
                    position = position % len(items) + 1
                    await self.call(client, "GET question", "GET", f"/attempts/{attempt_id}/q/{position}")
                _, type_name, count = items[position - 1]
                seqs[position] += 1
                body = {"fields": fields_for(type_name, count, step), "seq": seqs[position]}
                response = await self.call(client, "POST autosave", "POST",
                                           f"/attempts/{attempt_id}/answers/{position}", json=body, headers=headers)
                if response is not None and response.status_code == 200 and response.json().get("saved"):
                    self.stats.acknowledged.append((attempt_id, position, seqs[position], body["fields"]))
                if time.perf_counter() - last_poll > 30:
                    last_poll = time.perf_counter()
                    await self.call(client, "GET state", "GET", f"/attempts/{attempt_id}/state",
                                    headers={"Accept": "application/json"})
            page = await self.call(client, "GET review", "GET", f"/attempts/{attempt_id}/review")
            if page is not None and CSRF.search(page.text):
                await self.call(client, "POST submit", "POST", f"/attempts/{attempt_id}/submit",
                                data={"csrf_token": CSRF.search(page.text).group(1), "confirm": "y"})


async def saturate(base: str, path: str, concurrency: int, seconds: float, *, method: str = "GET",
                   body_for: Any = None, headers_for: Any = None,
                   clients: list[Browser] | None = None) -> tuple[int, int, list[float]]:
    """Closed loop: `concurrency` clients send requests back to back for `seconds`."""
    done, errors, latencies = 0, 0, []
    samples: dict[Any, str] = {}
    stop = time.perf_counter() + seconds

    async def loop(n: int) -> None:
        nonlocal done, errors
        client = clients[n] if clients else client_for(base, 2_000_000 + n)
        step = 0
        try:
            while time.perf_counter() < stop:
                step += 1
                started = time.perf_counter()
                try:
                    if method == "GET":
                        response = await client.get(path if isinstance(path, str) else path(n))
                    else:
                        response = await client.post(path(n), json=body_for(n, step), headers=headers_for(n))
                    ok = response.status_code < 400
                    if not ok:
                        samples.setdefault(response.status_code, response.text[:150])
                except Browser.ERRORS as exc:
                    ok = False
                    samples.setdefault(type(exc).__name__, str(exc)[:150])
                latencies.append(time.perf_counter() - started)
                done += 1
                errors += 0 if ok else 1
        finally:
            if not clients:
                await client.aclose()

    await asyncio.gather(*(loop(n) for n in range(concurrency)))
    for kind, sample in samples.items():
        print(f"  first error {kind} of {path if isinstance(path, str) else 'autosave'}: {sample}")
    return done, errors, latencies


def prepare(instance: Path, database_url: str | None, candidates: int, capacity_clients: int) -> tuple[str, Any]:
    env = dict(os.environ, QUIZ_INSTANCE_PATH=str(instance))
    if database_url:
        env["DATABASE_URL"] = database_url
    subprocess.run([str(Path(sys.executable).parent / "quiz"), "init"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    url = database_url or f"sqlite:///{instance / 'quiz.sqlite3'}"
    engine = make_engine(normalise_database_url(url))
    sessions = make_session_factory(engine)

    from quiz.auth.passwords import hash_password
    from quiz.models import Assessment, CandidateApplication, User

    password_hash = hash_password(PASSWORD)  # production cost: log-in in the storm verifies it for real
    with sessions() as session:
        emails = [f"storm{n}@example.com" for n in range(candidates)]
        emails += [f"capacity{n}@example.com" for n in range(capacity_clients)]
        for n, email in enumerate(emails):
            user = User(email=email, password_hash=password_hash, role="candidate")
            mark_verified(user)
            user.application = CandidateApplication(full_name=f"Storm {n}", country="Spain", time_zone="UTC",
                                                    education="bachelor", expertise=[], languages=[],
                                                    hours_per_week=20)
            session.add(user)
        session.commit()
        key = session.scalar(select(Assessment.key).where(Assessment.kind == "starter")
                             .where(Assessment.key.like("general%")))
    return key, sessions


def mark_verified(user: Any) -> None:
    """Accounts made before the window have verified their address, as real candidates would have."""
    for name in ("email_verified_at", "verified_at"):
        if hasattr(type(user), name):
            from datetime import UTC, datetime

            setattr(user, name, datetime.now(UTC))


def count_lost(sessions: Any, acknowledged: list[tuple[int, int, int, Any]]) -> tuple[int, int]:
    from quiz.models import AttemptItem

    newest: dict[tuple[int, int], int] = {}
    for attempt_id, position, seq, _fields in acknowledged:
        newest[(attempt_id, position)] = max(seq, newest.get((attempt_id, position), 0))
    lost = 0
    with sessions() as session:
        stored = {(a, p): s for a, p, s in session.execute(
            select(AttemptItem.attempt_id, AttemptItem.position, AttemptItem.answer_seq))}
    for key, seq in newest.items():
        if stored.get(key, 0) < seq:
            lost += 1
    return len(acknowledged), lost


def serve(instance: Path, database_url: str | None, port: int, workers: int, threads: int,
          access_log: bool) -> subprocess.Popen[str]:
    # Candidates come from many addresses: each client sends its own X-Forwarded-For through one
    # trusted "proxy", so the per-address log-in limits apply as they would in production.
    env = dict(os.environ, QUIZ_INSTANCE_PATH=str(instance), QUIZ_TRUSTED_PROXIES="1")
    if database_url:
        env["DATABASE_URL"] = database_url
    # The server's log goes to a file: a pipe nobody reads would fill and stall the server.
    with open(instance / "serve.log", "w") as log:
        process = subprocess.Popen([str(Path(sys.executable).parent / "quiz"), "serve", "--port", str(port),
                                    "--workers", str(workers), "--threads", str(threads),
                                    "--access-log" if access_log else "--no-access-log"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not come up: " + (instance / "serve.log").read_text())


def report(stats: Stats, window: float) -> None:
    print(f"\n{'endpoint':<18}{'requests':>9}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for name, values in sorted(stats.latencies.items()):
        print(f"{name:<18}{len(values):>9}{stats.errors[name]:>8}{len(values) / window:>9.1f}"
              f"{percentile(values, .5) * 1000:>9.0f}{percentile(values, .95) * 1000:>9.0f}"
              f"{percentile(values, .99) * 1000:>9.0f}")
    for name, sample in stats.error_samples.items():
        print(f"  first error of {name}: {sample}")
    if stats.timeline:
        # When in the storm the time went: the peak minute is where the p99 comes from.
        first = min(sent for sent, _, _ in stats.timeline)
        slices: dict[int, list[tuple[str, float]]] = defaultdict(list)
        for sent, name, latency in stats.timeline:
            slices[int((sent - first) // TIMELINE_SLICE)].append((name, latency))
        print(f"\nby {TIMELINE_SLICE:.0f} s of the storm: requests/s, autosave p50 / p99 ms, all requests p99 ms, "
              "log-ins and starts")
        for index in sorted(slices):
            rows = slices[index]
            saves = [latency for name, latency in rows if name == "POST autosave"]
            entries = sum(1 for name, _ in rows if name in ("POST /login", "POST start"))
            print(f"  {index * TIMELINE_SLICE:5.0f}-{(index + 1) * TIMELINE_SLICE:<5.0f}{len(rows) / TIMELINE_SLICE:8.1f}"
                  f"{percentile(saves, .5) * 1000 if saves else 0:8.0f}{percentile(saves, .99) * 1000 if saves else 0:7.0f}"
                  f"{percentile([latency for _, latency in rows], .99) * 1000:8.0f}{entries:7d}")
    if stats.arrival_to_started:
        print(f"arrival -> started attempt: median {statistics.median(stats.arrival_to_started):.2f} s, "
              f"p99 {percentile(stats.arrival_to_started, .99):.2f} s")


async def start_as(base: str, key: str, n: int) -> tuple[Browser, int, str]:
    email = f"capacity{n}@example.com"
    client = client_for(base, 1_000_000 + n)
    page = await client.get("/login")
    await client.post("/login", data={"csrf_token": CSRF.search(page.text).group(1), "email": email,
                                      "password": PASSWORD})
    page = await client.get(f"/assessments/{key}")
    csrf = CSRF.search(page.text).group(1)
    start = await client.post(f"/assessments/{key}", data={"csrf_token": csrf, "understood": "y"})
    return client, int(ATTEMPT.search(start.headers["location"]).group(1)), csrf


async def capacity(base: str, key: str, scenario: Scenario, concurrency: int, seconds: float,
                   meter: CpuMeter) -> None:
    """Autosave capacity beside the bare route, by the same server, in the same run: closed loops of
    `concurrency` clients, each on an attempt of its own (started before the measurement)."""
    meter.start()
    bare_done, bare_errors, bare_lat = await saturate(base, "/livez", concurrency, seconds)
    bare_cpu = meter.stop()
    started = [await start_as(base, key, n) for n in range(concurrency)]
    clients = [client for client, _, _ in started]
    targets = []
    for _client, attempt_id, _csrf in started:
        _position, type_name, count = (await asyncio.to_thread(scenario.items_of, attempt_id))[0]
        targets.append((attempt_id, type_name, count))
    meter.start()
    save_done, save_errors, save_lat = await saturate(
        base, lambda n: f"/attempts/{targets[n][0]}/answers/1", concurrency, seconds, method="POST",
        clients=clients, body_for=lambda n, step: {"fields": fields_for(targets[n][1], targets[n][2], step),
                                                    "seq": step},
        headers_for=lambda n: {"X-CSRFToken": started[n][2], "Accept": "application/json"})
    save_cpu = meter.stop()
    for client in clients:
        await client.aclose()
    print(f"\ncapacity ({concurrency} clients back to back, {seconds:.0f} s each; CPU ms per request of "
          "app server / database / this load generator):")
    for label, done, errors, latencies, cpu in (("bare route /livez", bare_done, bare_errors, bare_lat, bare_cpu),
                                                 ("autosave", save_done, save_errors, save_lat, save_cpu)):
        per_request = " / ".join(f"{part / max(done, 1) * 1000:.2f}" for part in cpu)
        print(f"  {label + ':':<19}{done / seconds:8.1f} req/s  p50 {percentile(latencies, .5) * 1000:.0f} ms  "
              f"p99 {percentile(latencies, .99) * 1000:.0f} ms  errors {errors}  CPU ms {per_request}")
    if bare_done:
        print(f"  autosave / bare route = {save_done / bare_done:.2f} (throughput), "
              f"{save_cpu[0] / max(save_done, 1) / (bare_cpu[0] / bare_done):.1f}x the app server's CPU per request")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which candidates arrive")
    parser.add_argument("--saves", type=int, default=40, help="answers each candidate saves")
    parser.add_argument("--save-interval", type=float, default=3.0, help="mean seconds between saves")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn workers of `quiz serve` (default: its own for the engine)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--no-access-log", action="store_true", help="`quiz serve --no-access-log`")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL (a database is created on it)")
    parser.add_argument("--capacity-seconds", type=float, default=10.0)
    parser.add_argument("--capacity-clients", type=int, default=32)
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="quiz-storm-"))
    database_url = None
    admin = None
    if args.postgres:
        server = make_url(normalise_database_url(args.postgres))
        name = f"quiz_storm_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        database_url = server.set(database=name).render_as_string(hide_password=False)
    key, sessions = prepare(instance, database_url, args.candidates, args.capacity_clients)
    port = free_port()
    if args.workers is None:
        from quiz.cli import default_workers

        args.workers = default_workers(database_url or "sqlite://")
    process = serve(instance, database_url, port, args.workers, args.threads, not args.no_access_log)
    base = f"http://127.0.0.1:{port}"
    engine_name = "PostgreSQL" if database_url else "SQLite"
    print(f"{engine_name}, {args.workers} workers x {args.threads} threads"
          f"{', no access log' if args.no_access_log else ''}, {args.candidates} candidates arriving over {args.window:.0f} s, "
          f"{args.saves} saves each (mean {args.save_interval:.1f} s apart), assessment {key}")
    stats = Stats()
    scenario = Scenario(base, key, sessions, stats, args.saves, args.save_interval)
    meter = CpuMeter(process.pid, database_url)
    meter.start()
    started = time.perf_counter()
    try:
        async def storm() -> None:
            await asyncio.gather(*(scenario.candidate(n, random.uniform(0, args.window))
                                   for n in range(args.candidates)))

        asyncio.run(storm())
        elapsed = time.perf_counter() - started
        storm_cpu = meter.stop()
        report(stats, elapsed)
        print("CPU used in the storm (share of the machine's {cores} cores over {elapsed:.0f} s): app server {0:.0%}, "
              "database {1:.0%}, this load generator {2:.0%}".format(
                  *(part / elapsed / (os.cpu_count() or 1) for part in storm_cpu), cores=os.cpu_count(),
                  elapsed=elapsed))
        acknowledged, lost = count_lost(sessions, stats.acknowledged)
        print(f"answers acknowledged {acknowledged}, newest per question lost: {lost}")
        asyncio.run(capacity(base, key, scenario, args.capacity_clients, args.capacity_seconds, meter))
        problems = [line for line in (instance / "serve.log").read_text().splitlines()
                    if "[ERROR]" in line or "[CRITICAL]" in line or "Traceback" in line]
        print(f"server log {instance / 'serve.log'}: {len(problems)} error lines" +
              "".join(f"\n  {line[:200]}" for line in problems[:5]))
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a job worker still finishing: the figures are in already
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database_url).database}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
