from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from quiz.assessment.errors import AlreadyStarted, AssessmentError
from quiz.assessment.services import check_can_start, start_attempt
from quiz.assessment.timing import allowed_seconds
from quiz.auth.decorators import candidate_required
from quiz.candidates.forms import ApplicationForm, PracticeForm, StartForm
from quiz.candidates.practice import check_practice, page_values, practice_question, practice_types
from quiz.candidates.services import ApplicationLocked, assessment_question_types, has_started_an_attempt
from quiz.candidates.services import dashboard as dashboard_state
from quiz.candidates.services import save_application
from quiz.extensions import commit, db_session, now
from quiz.models import Assessment
from quiz.question_types import get_type

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
    # With its track (the start checks and draws from it) and tier (the page names it): one query.
    found = db_session().scalar(select(Assessment).where(Assessment.key == key)
                                .options(joinedload(Assessment.track), joinedload(Assessment.tier)))
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
        except AlreadyStarted as exc:  # another tab or click started it: this is the attempt to go on with
            flash("This assessment was already started (in another tab or window): you are back in that attempt.",
                  "info")
            return redirect(url_for("assessment.question", attempt_id=exc.attempt_id, position=1))
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
    types = assessment_question_types(session, target)
    return render_template("candidates/instructions.html", assessment=target, form=form, blocked=blocked,
                           factor=factor, allowed_seconds=allowed_seconds(target.time_limit_minutes, factor),
                           types=[get_type(name) for name in types],
                           graded_by_people=target.requires_confirmation or any(get_type(n).manual for n in types))


@bp.route("/assessments/<key>/practice", defaults={"type_name": None}, methods=["GET"])
@bp.route("/assessments/<key>/practice/<type_name>", methods=["GET", "POST"])
@candidate_required
def practice(key: str, type_name: str | None) -> str | Response:
    """A practice question before the start: the attempt's controls, nothing stored, nothing graded."""
    target = _assessment(key)
    types = practice_types(assessment_question_types(db_session(), target))
    if not types:
        abort(404)
    if type_name is None:
        return redirect(url_for("candidates.practice", key=key, type_name=types[0]))
    if type_name not in types:
        abort(404)
    form, result = PracticeForm(), None
    if form.validate_on_submit():
        question, result = check_practice(type_name, request.form.to_dict(flat=False))
    else:
        question = practice_question(type_name)
    return render_template("candidates/practice.html", assessment=target, form=form, question=question,
                           result=result, types=[get_type(name) for name in types], **page_values(question))
