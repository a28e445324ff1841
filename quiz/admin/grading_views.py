"""Grading queue, grading one item (and re-grading), decisions awaiting confirmation.

Blind: no grading page names the candidate; an attempt is "Attempt #<id>". Identity lives on the
candidate pages of the admin area.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quiz.admin.grading import (
    GradingError,
    attempt_grades as load_attempt_grades,
    awaiting_decision_summaries,
    confirm_decision,
    grade_open_item,
    item_for_grading,
    load_item_for_grading,
    next_open_item,
    queue_rows,
)
from quiz.admin.grading_forms import DecisionForm, grade_form
from quiz.admin.people import load_attempt_for_admin
from quiz.admin.views import admin_required, bp, finalise_expired_attempts, staff_required
from quiz.assessment.placement import placement_for, stored_placement
from quiz.extensions import commit, db_session, now


@bp.get("/grading")
@staff_required
def grading_queue() -> str:
    finalise_expired_attempts(db_session())
    return render_template("admin/grading/queue.html", rows=queue_rows(db_session(), current_user))


def _back_to_attempt() -> bool:
    return request.args.get("back") == "attempt" and current_user.role == "admin"


@bp.route("/grading/items/<int:item_id>", methods=["GET", "POST"])
@staff_required
def grade_item(item_id: int) -> str | Response:
    session = db_session()
    try:
        item = load_item_for_grading(session, current_user, item_id, for_update=request.method == "POST")
    except LookupError:
        abort(404)
    view = item_for_grading(item, current_user)
    form = grade_form(view.rubric, **({} if request.method == "POST" else
                                      {"scores": item.manual_scores, "comment": item.grader_comment}))
    form_error = None
    if form.validate_on_submit():
        try:
            result = grade_open_item(session, item, current_user, form.scores(), form.comment.data or "", now())
        except GradingError as exc:
            form_error = str(exc)
        else:
            commit()
            return _after_grading(item.attempt_id, item.position, result.decision, result.awaiting_confirmation,
                                  view.regrading)
    return render_template("admin/grading/item.html", view=view, form=form, form_error=form_error,
                           back_to_attempt=_back_to_attempt())


def _after_grading(attempt_id: int, position: int, decision: str | None, awaiting: bool, regrading: bool) -> Response:
    what = f"Attempt #{attempt_id}, question {position}"
    if regrading:
        flash(f"Grade changed: {what}. " + (f"The decision is now {decision}; the candidate is emailed."
                                            if decision else "The decision stays the same."), "success")
    elif decision:
        flash(f"Grade saved: {what}. The attempt is complete and was decided automatically: {decision}.", "success")
    elif awaiting:
        flash(f"Grade saved: {what}. The attempt is complete and waits for an admin to confirm the decision.",
              "success")
    else:
        flash(f"Grade saved: {what}.", "success")
    if regrading or _back_to_attempt():
        return redirect(url_for("admin.attempt_grades", attempt_id=attempt_id))
    following = next_open_item(db_session(), current_user)
    if following is None:
        flash("All done: no open items are waiting.", "info")
        return redirect(url_for("admin.grading_queue"))
    return redirect(url_for("admin.grade_item", item_id=following.id))


@bp.get("/decisions")
@admin_required
def decisions() -> str:
    return _decisions_page({})


def _decisions_page(forms: dict[int, DecisionForm]) -> str:
    summaries = awaiting_decision_summaries(db_session())
    waiting = {summary.attempt.id for summary in summaries}
    for attempt_id in set(forms) - waiting:
        flash(f"Attempt #{attempt_id} does not wait for a confirmation (any more).", "error")
    for summary in summaries:
        attempt_id = summary.attempt.id
        if attempt_id not in forms:
            forms[attempt_id] = DecisionForm(prefix=f"attempt-{attempt_id}", formdata=None,
                                             data={"decision": summary.computed})
    placements = {s.attempt.id: placement_for(db_session(), s.attempt) for s in summaries}
    return render_template("admin/grading/decisions.html", summaries=summaries, forms=forms, placements=placements)


@bp.post("/decisions/<int:attempt_id>")
@admin_required
def confirm(attempt_id: int) -> str | Response:
    session = db_session()
    try:
        attempt = load_attempt_for_admin(session, attempt_id)
    except LookupError:
        abort(404)
    form = DecisionForm(prefix=f"attempt-{attempt_id}")
    if form.validate_on_submit():
        try:
            confirm_decision(session, attempt, current_user, form.decision.data, form.reason.data or "", now())
        except GradingError as exc:
            if exc.field is None:
                flash(f"Attempt #{attempt_id}: {exc}", "error")
                return redirect(url_for("admin.decisions"))
            getattr(form, exc.field).errors.append(str(exc))
        else:
            commit()
            flash(f"Attempt #{attempt_id} is decided: {attempt.decision}. The candidate is emailed.", "success")
            return redirect(url_for("admin.decisions"))
    return _decisions_page({attempt_id: form})


@bp.get("/attempts/<int:attempt_id>/grades")
@admin_required
def attempt_grades(attempt_id: int) -> str:
    try:
        grades = load_attempt_grades(db_session(), current_user, attempt_id)
    except LookupError:
        abort(404)
    return render_template("admin/grading/attempt.html", grades=grades,
                           ability=stored_placement(db_session(), grades.attempt))
