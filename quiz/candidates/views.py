from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from quiz.assessment.errors import AlreadyAttempted, AssessmentError
from quiz.assessment.services import check_can_start, live_attempt, start_attempt
from quiz.assessment.timing import allowed_seconds
from quiz.auth.decorators import candidate_required
from quiz.candidates.forms import ApplicationForm, StartForm
from quiz.candidates.services import ApplicationLocked, dashboard as dashboard_state, has_started_an_attempt
from quiz.candidates.services import save_application
from quiz.extensions import commit, db_session, now
from quiz.models import Assessment

bp = Blueprint("candidates", __name__)


@bp.get("/dashboard")
@candidate_required
def dashboard() -> str:
    config = current_app.config
    board = dashboard_state(db_session(), current_user, now(), config["ANSWER_GRACE_SECONDS"],
                            config["REVIEW_WINDOW_MINUTES"])
    commit()  # an attempt whose time ran out may just have been finalised
    return render_template("candidates/dashboard.html", board=board)


@bp.route("/application", methods=["GET", "POST"])
@candidate_required
def application() -> str | Response:
    session = db_session()
    locked = has_started_an_attempt(session, current_user)
    form = ApplicationForm()
    if form.validate_on_submit() and not locked:
        try:
            save_application(session, current_user, form.values(), now())
        except ApplicationLocked as exc:
            flash(str(exc), "error")
        else:
            commit()
            flash("Your application is saved.", "success")
            return redirect(url_for("candidates.dashboard"))
    elif not form.is_submitted() and current_user.application is not None:
        form.fill(current_user.application)
    return render_template("candidates/application.html", form=form, locked=locked)


def _assessment(key: str) -> Assessment:
    found = db_session().scalar(select(Assessment).where(Assessment.key == key))
    if found is None:
        abort(404)
    return found


@bp.route("/assessments/<key>", methods=["GET", "POST"])
@candidate_required
def instructions(key: str) -> str | Response:
    """The instructions, and an explicit confirmation before Start."""
    session, target = db_session(), _assessment(key)
    form = StartForm()
    if form.validate_on_submit():
        try:
            attempt = start_attempt(session, current_user, target, now())
        except AlreadyAttempted as exc:
            flash(str(exc), "error")
            existing = live_attempt(session, current_user, target)
            return redirect(url_for("assessment.question", attempt_id=existing.id, position=1)
                            if existing is not None and existing.status == "in_progress"
                            else url_for("candidates.dashboard"))
        except AssessmentError as exc:
            flash(str(exc), "error")
            return redirect(url_for("candidates.dashboard"))
        commit()
        return redirect(url_for("assessment.question", attempt_id=attempt.id, position=1))
    try:
        check_can_start(session, current_user, target)
        blocked = None
    except AssessmentError as exc:
        blocked = str(exc)
    factor = current_user.accommodation_factor
    return render_template("candidates/instructions.html", assessment=target, form=form, blocked=blocked,
                           factor=factor, allowed_seconds=allowed_seconds(target.time_limit_minutes, factor))
