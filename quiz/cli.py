"""The `quiz` command: set-up, bank tools, users, serving."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import click
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import ArgumentError, InterfaceError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from quiz import __version__, migrate
from quiz.admin.people import PeopleError, create_user
from quiz.auth.passwords import InvalidCredentialInput
from quiz.bank.export import export_bank
from quiz.bank.load import load_bank
from quiz.bank.sample import sample_bank_use
from quiz.bank.specs import Bank
from quiz.bank.sync import BankConflict, SyncReport, sync_bank
from quiz.config import DEV_SECRET_KEY, ConfigError, load_config
from quiz.assessment.services import sweep_expired
from quiz.clock import SystemClock
from quiz.db import immediate_transactions, is_sqlite, make_engine, make_session_factory
from quiz.notifications import mail_session_info
from quiz.main.services import catalogue
from quiz.models import Question, QuestionVersion, Tier
from quiz.paths import default_instance_path, question_bank_dir


@dataclass
class Context:
    instance_path: Path

    @cached_property
    def config(self) -> dict:
        try:
            return load_config(self.instance_path)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.config["DATABASE_URL"], busy_timeout_ms=self.config["SQLITE_BUSY_TIMEOUT_MS"])

    def sessions(self) -> sessionmaker[Session]:
        factory = make_session_factory(self.engine)
        factory.configure(info=mail_session_info(self.config))
        return factory

    def session(self) -> Session:
        return self.sessions()()

    def bank_path(self) -> Path:
        configured = self.config.get("QUESTION_BANK_PATH")
        return Path(configured) if configured else question_bank_dir()

    def require_schema(self) -> None:
        if not migrate.is_up_to_date(self.engine):
            raise click.ClickException("the database is not set up or not up to date: run `quiz init` first")


pass_context = click.make_pass_decorator(Context)
INIT_LOCK_ID = 7_164_921_380  # any constant; names the "quiz init" advisory lock


class QuizGroup(click.Group):
    """Turns the failures an operator can fix (database unreachable, bad URL, bank conflicts)
    into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except BankConflict as exc:
            raise click.ClickException(f"{exc} Nothing was imported.") from None
        except (OperationalError, InterfaceError) as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise click.ClickException(f"cannot use the database: {reason}") from None
        except (ArgumentError, NoSuchModuleError, ModuleNotFoundError) as exc:
            raise click.ClickException(
                f"DATABASE_URL is not usable ({exc}); use sqlite:///PATH or postgresql://USER@HOST/DB") from None


@click.group(cls=QuizGroup)
@click.version_option(__version__, prog_name="quiz")
@click.option("--instance", "instance_path", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Instance folder (config.py, SQLite file). Default: QUIZ_INSTANCE_PATH or ./instance.")
@click.pass_context
def main(ctx: click.Context, instance_path: Path | None) -> None:
    """quiz: a self-hosted assessment engine."""
    if instance_path is not None:
        os.environ["QUIZ_INSTANCE_PATH"] = str(instance_path.resolve())
    ctx.obj = Context(instance_path.resolve() if instance_path else default_instance_path())


def _print_issues(bank: Bank) -> None:
    for issue in bank.issues:
        colour = "red" if issue.severity == "error" else "yellow"
        click.secho(str(issue), fg=colour, err=issue.severity == "error")


def _print_report(report: SyncReport, *, verbose: bool = True) -> None:
    click.echo(report.summary())
    if verbose:
        for label, keys in (("added", report.added), ("new version", report.new_versions),
                            ("retired", report.retired), ("restored", report.restored),
                            ("moved to another track", report.moved)):
            for key in keys:
                click.echo(f"  {label}: {key}")
        for item in report.settings_changed:
            click.echo(f"  settings: {item}")


def _ensure_secret_key(ctx: Context) -> None:
    """A fresh install gets its own random key, so `quiz serve` works with nothing to configure."""
    if ctx.config["SECRET_KEY"] != DEV_SECRET_KEY:
        return
    ctx.instance_path.mkdir(parents=True, exist_ok=True, mode=0o700)
    config_file = ctx.instance_path / "config.py"
    # Created private from the first byte, never readable by others even for a moment.
    descriptor = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(f"# Written by `quiz init`: keep it secret, keep it stable (it signs sessions;\n"
                     f"# several servers sharing one database need the same key).\n"
                     f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
    del ctx.config  # re-read with the new key
    click.echo(f"Wrote a new SECRET_KEY to {config_file}")


def _counts(session: Session) -> str:
    questions = dict(session.execute(select(Question.status, func.count()).group_by(Question.status)).all())
    versions = session.scalar(select(func.count()).select_from(QuestionVersion))
    tiers = session.scalar(select(func.count()).select_from(Tier))
    offered = [(track, entries) for track, entries in catalogue(session)]
    lines = [f"{tiers} tiers, {len(offered)} tracks, {questions.get('active', 0)} active questions "
             f"({questions.get('retired', 0)} retired, {versions} versions)"]
    for track, entries in offered:
        states = ", ".join(f"{e.assessment.kind} {'offered' if e.offered else 'NOT offered (bank too small)'}"
                           for e in entries)
        lines.append(f"  {track.name:<10} {track.tier.name:<13} {states}")
    return "\n".join(lines)


@contextmanager
def _init_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, servers starting together run init one after another, not at once."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({INIT_LOCK_ID})")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({INIT_LOCK_ID})")
            connection.commit()


def run_init(ctx: Context) -> None:
    _ensure_secret_key(ctx)
    click.echo(f"Database: {ctx.engine.url.render_as_string(hide_password=True)}")
    with _init_lock(ctx.engine):
        _migrate_and_load(ctx)


def _migrate_and_load(ctx: Context) -> None:
    migrate.upgrade(ctx.engine)
    click.echo(f"Schema at revision {migrate.current_revision(ctx.engine)}")
    bank = load_bank(ctx.bank_path())
    if not bank.ok:
        _print_issues(bank)
        raise click.ClickException(f"the question bank in {ctx.bank_path()} has errors; nothing was imported")
    with ctx.session() as session:
        report = sync_bank(session, bank)
        session.commit()
        click.echo(f"Question bank {ctx.bank_path()}: ", nl=False)
        _print_report(report, verbose=False)
        click.echo(_counts(session))
        _warn_if_public_sample_bank(ctx, session)


def _warn_if_public_sample_bank(ctx: Context, session: Session) -> None:
    sample = sample_bank_use(session)
    if sample.in_use and not ctx.config.get("DEBUG"):
        click.secho(f"Warning: {sample.warning()}", fg="yellow", err=True)


@main.command()
@pass_context
def init(ctx: Context) -> None:
    """Create or upgrade the database and load the question bank. Safe to run again."""
    run_init(ctx)


@main.group()
def bank() -> None:
    """Validate, import and export question banks."""


@bank.command("validate")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def bank_validate(path: Path) -> None:
    """Check a bank folder; list every error and warning. Exit status 1 on any error."""
    loaded = load_bank(path)
    _print_issues(loaded)
    click.echo(f"{len(loaded.questions)} questions in {len(loaded.tracks)} tracks: "
               f"{len(loaded.errors)} errors, {len(loaded.warnings)} warnings")
    if not loaded.ok:
        sys.exit(1)


@bank.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@pass_context
def bank_import(ctx: Context, path: Path, dry_run: bool) -> None:
    """Import a bank folder: new keys added, changed questions versioned, missing keys retired."""
    ctx.require_schema()
    loaded = load_bank(path)
    _print_issues(loaded)
    if not loaded.ok:
        raise click.ClickException(f"{len(loaded.errors)} error(s); nothing was imported")
    with ctx.session() as session:
        report = sync_bank(session, loaded)
        if dry_run:
            session.rollback()
            click.echo("Dry run, nothing written. Would be: ", nl=False)
        else:
            session.commit()
        _print_report(report)


@bank.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def bank_export(ctx: Context, directory: Path) -> None:
    """Write the bank in the database to DIRECTORY (tracks.yaml + one file per track)."""
    ctx.require_schema()
    with ctx.session() as session:
        files = export_bank(session, directory)
    click.echo(f"Wrote {len(files)} files to {directory}")


def _create_user(ctx: Context, email: str, role: str, password_stdin: bool) -> None:
    ctx.require_schema()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with ctx.session() as session:
        try:
            user = create_user(session, email, password, role)
        except InvalidCredentialInput as exc:
            raise click.ClickException(str(exc)) from None
        except PeopleError as exc:
            raise click.ClickException(str(exc)) from None
        session.commit()
        click.echo(f"Created {role} {user.email}")


@main.command("create-admin")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def create_admin(ctx: Context, email: str, password_stdin: bool) -> None:
    """Create an administrator account."""
    _create_user(ctx, email, "admin", password_stdin)


@main.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(["grader", "admin", "candidate"]), default="grader", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_context
def create_user_command(ctx: Context, email: str, role: str, password_stdin: bool) -> None:
    """Create a grader (or another role) account."""
    _create_user(ctx, email, role, password_stdin)


@main.command()
@pass_context
def sweep(ctx: Context) -> None:
    """Submit every attempt whose time and grace are over (run it from cron, e.g. every minute)."""
    ctx.require_schema()
    from quiz import jobs
    from quiz.mail_jobs import enqueue_committed

    jobs.configure_queue(ctx.config, ctx.instance_path)
    with immediate_transactions(), ctx.session() as session:
        finalised = sweep_expired(session, SystemClock().now(), float(ctx.config["ANSWER_GRACE_SECONDS"]))
        session.commit()
        queued = enqueue_committed(session)
    click.echo(f"Finalised {len(finalised)} expired attempt(s); {queued} mail(s) queued for the job worker.")


def _needs_init(ctx: Context) -> bool:
    if not migrate.is_up_to_date(ctx.engine):
        return True
    with ctx.session() as session:
        return session.scalar(select(func.count()).select_from(Tier)) == 0


@main.command()
@click.option("--threads", default=2, show_default=True, type=click.IntRange(1, 64),
              help="Jobs run at once by this worker (mail, code runs).")
@pass_context
def worker(ctx: Context, threads: int) -> None:
    """Run background jobs (mail, code runs) from the queue until stopped. `quiz serve` starts one."""
    ctx.require_schema()
    import logging

    from quiz import jobs

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    jobs.configure_worker(ctx.config, ctx.instance_path, ctx.engine, ctx.sessions())
    click.echo(f"quiz worker: {threads} threads on {jobs.describe_queue(ctx.config, ctx.instance_path)}")
    sys.stdout.flush()
    jobs.huey.create_consumer(workers=threads, worker_type="thread", periodic=True,
                              check_worker_health=True).run()


def default_workers(database_url: str) -> int:
    """PostgreSQL: twice the cores this server may use (2 to 16), since a sync worker waiting on the
    database leaves its core to another (on 2 cores, 4 workers instead of 2 cut a 1,000-candidate start
    storm's autosave p99 from about 3 s to 1.2-3 s, benchmarks/load.py). SQLite: the cores (2 to 16),
    since its writers take turns at one lock and 4 workers on 2 cores served fewer autosaves than 2."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return min(max(cores, 2) if is_sqlite(database_url) else max(2 * cores, 2), 16)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              show_default="the cores on SQLite, 2 x the cores on PostgreSQL (2 to 16)",
              help="Server worker processes (they share the database).")
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker process (more than 1 uses gunicorn's gthread workers).")
@click.option("--no-job-worker", is_flag=True,
              help="Do not start a `quiz worker` beside the server (run workers elsewhere).")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="Log every request on standard output. Behind a proxy that logs them, turning it off "
                   "saves about 10 % of the server CPU a request.")
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int | None, threads: int, no_job_worker: bool,
          access_log: bool) -> None:
    """Serve the app through gunicorn (runs `quiz init` first when the database needs it), with a job worker."""
    workers = workers or default_workers(ctx.config["DATABASE_URL"])
    if ctx.config["SECRET_KEY"] == DEV_SECRET_KEY or _needs_init(ctx):
        run_init(ctx)
    gunicorn = shutil.which("gunicorn", path=os.pathsep.join([str(Path(sys.executable).parent),
                                                                os.environ.get("PATH", "")]))
    if gunicorn is None:
        raise click.ClickException("gunicorn is not installed in this environment")
    os.environ["QUIZ_INSTANCE_PATH"] = str(ctx.instance_path)
    os.environ["QUIZ_SERVE_JOB_WORKER"] = "0" if no_job_worker else "1"
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    job_note = "no job worker" if no_job_worker else "1 job worker"
    click.echo(f"Serving quiz on http://{shown_host}:{port}/  ({workers} workers, {job_note}; Ctrl+C stops)")
    sys.stdout.flush()
    os.execv(gunicorn, [gunicorn, "--config", "python:quiz.serving", "--bind", f"{host}:{port}",
                        "--workers", str(workers), "--threads", str(threads),
                        *(["--access-logfile", "-"] if access_log else []), "quiz.app:create_app()"])


# Psychometrics: `quiz stats`, `quiz calibrate`, `quiz rescore`, `quiz simulate` (quiz/cli_stats.py).
from quiz.cli_stats import register as _register_psychometrics  # noqa: E402 - needs `main` defined above

_register_psychometrics(main, pass_context)

if __name__ == "__main__":
    main()
