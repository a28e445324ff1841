"""`quiz stats`, `quiz calibrate`, `quiz rescore --dry-run`, `quiz simulate`: psychometrics from the terminal.

Registered on the `quiz` group by `quiz.cli` (one line there), so the commands share its
`--instance` option and database context.
"""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.admin.rescoring import rescore
from quiz.admin.simulation import simulate_candidates
from quiz.admin.statistics import ITEM_COLUMNS, StatisticsError, calibrate, item_rows, load_calibration
from quiz.admin.statistics import statistics_report
from quiz.assessment.errors import AssessmentError
from quiz.clock import SystemClock
from quiz.db import immediate_transactions
from quiz.models import Assessment


def _assessment(session: Session, key: str) -> Assessment:
    found = session.scalar(select(Assessment).where(Assessment.key == key))
    if found is None:
        keys = ", ".join(session.scalars(select(Assessment.key).order_by(Assessment.key)))
        raise click.ClickException(f"no assessment {key!r} (there are: {keys})")
    return found


def _number(value: float | None, places: int = 2) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{places}f}"


def register(main: click.Group, pass_context) -> None:  # type: ignore[no-untyped-def]
    @main.command()
    @click.argument("assessment")
    @click.option("--csv", "csv_path", type=click.Path(dir_okay=False, path_type=Path),
                  help="Also write the item table to this CSV file ('-' for standard output).")
    @pass_context
    def stats(ctx, assessment: str, csv_path: Path | None) -> None:  # type: ignore[no-untyped-def]
        """Item statistics and flags of ASSESSMENT (its key, e.g. general-starter)."""
        ctx.require_schema()
        with ctx.session() as session:
            report = statistics_report(session, _assessment(session, assessment))
            rows = item_rows(report)
        if csv_path is not None:
            handle = sys.stdout if str(csv_path) == "-" else csv_path.open("w", newline="", encoding="utf-8")
            writer = csv.writer(handle)
            writer.writerow(ITEM_COLUMNS)
            writer.writerows(["" if v is None else v for v in row] for row in rows)
            if handle is not sys.stdout:
                handle.close()
                click.echo(f"Wrote {len(rows)} items to {csv_path}")
            else:
                return
        form = report.form
        click.echo(f"{report.assessment.title}: {form.candidates} graded attempts, {form.items} items, "
                   f"{form.form_length:.1f} per form; alpha {_number(form.alpha, 3)}, SD {_number(form.sd_percent)}%, "
                   f"SEM {_number(form.sem_percent)}%"
                   + (f", IRT reliability {report.irt_reliability:.3f}" if report.irt_reliability else ""))
        if report.moodle is not None:
            m = report.moodle
            click.echo(f"Moodle-compatible (fixed form): mean {m.mean_percent:.2f}%, SD {m.sd_percent:.2f}%, "
                       f"CIC {m.coefficient_of_internal_consistency:.2f}%, error ratio {m.error_ratio:.2f}%, "
                       f"standard error {m.standard_error:.2f}%")
        click.echo(f"{'question':<28} {'n':>5} {'facil':>6} {'discr':>6} {'pbis':>6} {'effic':>6} {'expos':>6} "
                   f"{'a':>6} {'b':>6}  state")
        for row, table_row in zip(rows, report.rows):
            key, _, _, _, _, n, facility, _, discrimination, pbis, efficiency, exposure, a, b, state, flags = row
            colour = {"flagged": "red", "too_few": "yellow"}.get(state)
            click.secho(f"{key[:28]:<28} {n:>5} {_number(facility):>6} {_number(discrimination):>6} "
                        f"{_number(pbis):>6} {_number(efficiency):>6} {_number(exposure):>6} {_number(a):>6} "
                        f"{_number(b):>6}  {state}{': ' + flags if flags else ''}", fg=colour)

    @main.command("calibrate")
    @click.argument("assessment")
    @click.option("--anchor", type=int, help="Keep the items of this calibration fixed (fixed-item calibration).")
    @pass_context
    def calibrate_command(ctx, assessment: str, anchor: int | None) -> None:  # type: ignore[no-untyped-def]
        """Calibrate ASSESSMENT's closed items (2PL by marginal maximum likelihood) and store the result."""
        ctx.require_schema()
        tolerance = 1e-5
        with immediate_transactions(), ctx.session() as session:
            target = _assessment(session, assessment)
            with click.progressbar(length=1000, label="Calibrating (EM)", show_eta=False) as bar:
                state = {"first": None, "shown": 0}

                def progress(iteration: int, change: float) -> None:
                    # progress is how far the largest change has fallen, on a log scale, towards the tolerance
                    first = state["first"] = state["first"] or max(change, tolerance * 10)
                    done = math.log10(first / max(change, tolerance)) / math.log10(first / tolerance)
                    target_shown = int(1000 * min(1.0, max(0.0, done)))
                    if target_shown > state["shown"]:
                        bar.update(target_shown - state["shown"])
                        state["shown"] = target_shown
                    bar.label = f"Calibrating (EM iteration {iteration})"

                try:
                    anchor_row = load_calibration(session, target, anchor) if anchor is not None else None
                    result = calibrate(session, target, None, SystemClock().now(), anchor=anchor_row,
                                       progress=progress)
                except StatisticsError as exc:
                    raise click.ClickException(str(exc)) from None
                bar.update(1000 - state["shown"])
            session.commit()
        click.echo(f"Calibration #{result.id}: {len(result.parameters)} items, {result.candidates} candidates, "
                   f"{result.responses} responses; {result.iterations} iterations in {result.seconds:.2f} s, "
                   f"{'converged' if result.converged else 'NOT converged'}; log-likelihood "
                   f"{result.log_likelihood:.2f}, gradient norm {result.gradient_norm:.1e}")

    @main.command("rescore")
    @click.argument("assessment")
    @click.option("--dry-run", is_flag=True, help="List the decisions θ scoring would change (required).")
    @click.option("--calibration", type=int, help="Use this calibration (default: the one in use, or the latest).")
    @pass_context
    def rescore_command(ctx, assessment: str, dry_run: bool,  # type: ignore[no-untyped-def]
                        calibration: int | None) -> None:
        """List which past decisions of ASSESSMENT would change under θ scoring. Writes nothing."""
        if not dry_run:
            raise click.ClickException("past decisions change only when an admin confirms each one on the "
                                       "statistics page; run with --dry-run to list them")
        ctx.require_schema()
        with ctx.session() as session:
            try:
                result = rescore(session, _assessment(session, assessment), calibration)
            except StatisticsError as exc:
                raise click.ClickException(str(exc)) from None
            click.echo(f"Calibration #{result.calibration.id}, θ cut {result.cut:.3f}: "
                       f"{len(result.changed)} of {len(result.rows)} decided attempts would change.")
            for row in result.changed:
                p = row.placement
                click.echo(f"  attempt #{row.attempt.id}: {row.attempt.score_percent}% {row.attempt.decision} -> "
                           f"{row.by_theta} (θ {p.theta:.2f} ± {p.theta_sd:.2f}, P(θ ≥ cut) {p.p_above_cut:.2f})")

    @main.command()
    @click.argument("assessment")
    @click.option("--candidates", type=click.IntRange(1, 100_000), default=1000, show_default=True)
    @click.option("--seed", type=int, default=1, show_default=True)
    @pass_context
    def simulate(ctx, assessment: str, candidates: int, seed: int) -> None:  # type: ignore[no-untyped-def]
        """Create simulated candidates who take ASSESSMENT (known 2PL parameters, a few bad items).

        It writes real rows: use it on a fresh database or a copy, never on production data."""
        ctx.require_schema()
        with immediate_transactions(), ctx.session() as session:
            target = _assessment(session, assessment)
            with click.progressbar(length=candidates, label="Simulating candidates") as bar:
                shown = [0]

                def progress(done: int) -> None:
                    bar.update(done - shown[0])
                    shown[0] = done

                try:
                    report = simulate_candidates(session, target, candidates, seed, SystemClock().now(),
                                                 float(ctx.config["ANSWER_GRACE_SECONDS"]), progress=progress)
                except AssessmentError as exc:  # e.g. a specialist: simulated candidates passed no starter
                    raise click.ClickException(f"cannot simulate {assessment}: {exc}") from None
            session.commit()
        click.echo(f"{report.candidates} simulated candidates, {report.decided} decided.")
        for key, kind in report.bad.items():
            click.echo(f"  deliberately bad: {key} ({kind.replace('_', ' ')})")
