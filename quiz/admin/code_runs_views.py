"""Code runs for staff: the queued, running and failed runs (admins re-run them), and the per-test
results of a code item (graders of the attempt and admins). Blind, like every grading page."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quiz.admin.views import admin_required, bp, staff_required
from quiz.audit import record
from quiz.coderun.services import (
    RunRefused,
    code_item_for_staff,
    code_spec,
    latest_graded_run,
    rerun,
    run_by_id,
    runs_needing_attention,
)
from quiz.extensions import commit, db_session, now
from quiz.question_types.code import STATUS_LABELS


@bp.get("/code-runs")
@admin_required
def code_runs() -> str:
    return render_template("admin/code_runs/list.html", rows=runs_needing_attention(db_session()))


@bp.post("/code-runs/<int:run_id>/rerun")
@admin_required
def rerun_code_run(run_id: int) -> Response:
    session = db_session()
    try:
        run = run_by_id(session, run_id)
        before = {"status": run.status, "tries": run.tries, "error": run.error}
        rerun(session, run, now())
    except LookupError:
        abort(404)
    except RunRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.code_runs"))
    record(session, current_user, "code_run.rerun", "code_run", run_id, before=before, after={"status": "queued"},
           at=now())
    commit()
    flash(f"Run #{run_id} is queued again.", "success")
    return redirect(url_for("admin.code_runs"))


@bp.get("/grading/items/<int:item_id>/code")
@staff_required
def code_results(item_id: int) -> str:
    try:
        item = code_item_for_staff(db_session(), current_user, item_id)
    except LookupError:
        abort(404)
    return render_template("admin/code_runs/results.html", item=item, spec=code_spec(item),
                           run=latest_graded_run(item), labels=STATUS_LABELS)
