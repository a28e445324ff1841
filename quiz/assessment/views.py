"""Taking an attempt: one question per page, JSON autosave, review, submit, and the one-time results review."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quiz.assessment.errors import AttemptClosed, ReviewUnavailable
from quiz.assessment.forms import SubmitForm, choices_for, display_order, is_answered, raw_answer
from quiz.assessment.payload import PayloadRefused, json_body
from quiz.assessment.placement import stored_placement
from quiz.assessment.review import (
    check_review,
    finish_review,
    open_review,
    review_closes_at,
    review_content,
    review_state,
)
from quiz.assessment.services import (
    MAX_SEQ,
    AttemptNotFound,
    answer_notice,
    finalise_if_expired,
    load_attempt,
    record_signal,
    save_answer,
    set_flag,
    submit_attempt,
)
from quiz.assessment.autosave import (PageItem, QuestionPage, attempt_clock, load_question_page,
                                      load_save_target_by_session, save_if_newer, save_in_transaction)
from quiz.assessment.timing import accepts_answers, seconds_left
from quiz.auth.decorators import candidate_required
from quiz.auth.web_sessions import accept_session_row, check_login_session, logged_in_session_hash
from quiz.db import begin_autocommit, end_autocommit, immediate_transactions
from quiz.extensions import commit, db_session, login_manager, now
from quiz.models import Attempt, AttemptItem
from quiz.question_types import AnswerError
from quiz.question_types.base import format_number

bp = Blueprint("assessment", __name__, url_prefix="/attempts")


def _grace() -> float:
    return float(current_app.config["ANSWER_GRACE_SECONDS"])


def _window() -> float:
    return float(current_app.config["REVIEW_WINDOW_MINUTES"])


def _attempt(attempt_id: int, *, for_update: bool = False, versions: bool = True) -> Attempt:
    try:
        return load_attempt(db_session(), current_user, attempt_id, for_update=for_update, versions=versions)
    except AttemptNotFound:
        abort(404)


def _item(attempt: Attempt, position: int) -> AttemptItem:
    item = next((i for i in attempt.items if i.position == position), None)
    if item is None:
        abort(404)
    return item


def _finalise_under_lock(attempt_id: int) -> Attempt:
    """A page that began as a reader (READ_FIRST_ENDPOINTS in quiz.app) found the attempt's time up:
    finalise it in a transaction of its own that takes SQLite's write lock when it begins."""
    db_session().rollback()
    with immediate_transactions():
        attempt = _attempt(attempt_id, for_update=True)
        finalise_if_expired(db_session(), attempt, now(), _grace())
        commit()
    return attempt


def _closed_redirect(attempt: Attempt) -> Response:
    commit()
    if attempt.status == "voided":
        message = "This attempt was voided by an administrator; you may start the assessment once more."
    elif attempt.submit_reason in ("deadline", "sweep"):
        message = "Time is up: your attempt was submitted at the deadline with every answer saved before it."
    else:
        message = "This attempt is submitted: its answers can no longer change."
    flash(message, "info")
    return redirect(url_for("candidates.dashboard"))


def _page(attempt: Attempt | QuestionPage, item: AttemptItem | PageItem, error: str | None = None) -> str:
    version = item.question_version
    definition = version.definition
    return render_template(
        "assessment/question.html", attempt=attempt, item=item, version=version, definition=definition,
        choices=choices_for(version.type, definition, item.option_order, item.answer),
        number_value=format_number(item.answer) if version.type == "numeric" and item.answer is not None else "",
        answered={i.position: is_answered(i.answer) for i in attempt.items}, notice=answer_notice(item),
        seconds_left=seconds_left(attempt.deadline_at, now()), error=error, total=len(attempt.items))


def _raw(item: AttemptItem, fields: dict[str, list[str]]) -> Any:
    version = item.question_version
    return raw_answer(version.type, fields, display_order(version.definition, item.option_order))


@bp.route("/<int:attempt_id>/q/<int:position>", methods=["GET", "POST"])
@candidate_required
def question(attempt_id: int, position: int) -> str | Response | tuple[str, int]:
    """One question. The POST is the no-JavaScript path: save, flag, then go where the button says."""
    session = db_session()
    showing = request.method in ("GET", "HEAD")  # Flask answers HEAD with the GET view: it must never save
    if showing:
        found = load_question_page(session, current_user.id, attempt_id, position)
        if found is None:
            abort(404)
        page, current = found
        if page.status == "in_progress" and accepts_answers(page.deadline_at, now(), _grace()):
            return _page(page, current)
        # closed, or its time is up: the path below finalises it and says so
    attempt = _attempt(attempt_id, for_update=not showing, versions=not showing)
    item = _item(attempt, position)
    if showing and attempt.status == "in_progress" and not accepts_answers(attempt.deadline_at, now(), _grace()):
        attempt = _finalise_under_lock(attempt_id)
    if finalise_if_expired(session, attempt, now(), _grace()) or attempt.status != "in_progress":
        return _closed_redirect(attempt)
    if showing:
        return _page(attempt, item)
    try:
        raw = _raw(item, request.form.to_dict(flat=False))
        saved = save_answer(session, attempt, position, raw, item.answer_seq + 1, now(), _grace())
        set_flag(session, attempt, position, "flagged" in request.form, now(), _grace())
    except AnswerError as exc:
        session.rollback()
        attempt = _attempt(attempt_id)
        return _page(attempt, _item(attempt, position), error=str(exc)), 422
    except AttemptClosed:
        return _closed_redirect(attempt)
    commit()
    go = request.form.get("go", "next")
    if saved.notice and go != str(position):
        flash(f"Question {position}: {saved.notice}", "info")  # kept, and said where it is seen next
    if go == "review":
        return redirect(url_for("assessment.review", attempt_id=attempt_id))
    target = position - 1 if go == "previous" else position + 1 if go == "next" else position
    if go.isascii() and go.isdecimal() and len(go) < 4:
        target = int(go)
    if not 1 <= target <= len(attempt.items):
        return redirect(url_for("assessment.review", attempt_id=attempt_id))
    return redirect(url_for("assessment.question", attempt_id=attempt_id, position=target))


def _json_error(message: str, status: int, **extra: Any) -> tuple[Response, int]:
    return jsonify(error=message, **extra), status


def _json_object(expected: str) -> dict[str, Any]:
    """The JSON object of the body, read within bounds (size, nesting); PayloadRefused otherwise.
    Called after the attempt is loaded, so a body aimed at someone else's attempt is a 404 whatever
    it holds. `expected` says what the endpoint takes."""
    payload = json_body(request.get_data(cache=True), expected)
    if not isinstance(payload, dict):
        raise PayloadRefused(expected)
    return payload


def _refused_save() -> Response:
    """Why an autosave's own query found nothing, told as any other view would: logged out (401),
    not a candidate (403), or not this candidate's question (404)."""
    check_login_session()
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role != "candidate":
        abort(403)
    abort(404)


@bp.post("/<int:attempt_id>/answers/<int:position>")
def save(attempt_id: int, position: int) -> Response | tuple[Response, int]:
    """Autosave: {"fields": {...}, "seq": n}. 409 once the time (with grace) is over: nothing changes.

    The busiest request of a start storm checks its log-in session itself, in the query that reads
    the question (see quiz.auth.web_sessions.SELF_CHECKED_ENDPOINTS), with the same rules as
    `candidate_required`."""
    # Whose attempt it is comes first: another candidate's id is a 404 whatever the body holds,
    # and no body is parsed on behalf of an attempt that is not the caller's.
    session = db_session()
    # Two statements, each its own transaction (no BEGIN and COMMIT round trips, SQLite's write lock
    # held for the UPDATE only): the question read with the log-in session, and the self-checking
    # UPDATE. Anything else (an older save, a closed attempt) takes the full path in a transaction.
    begin_autocommit(session)
    session_hash = logged_in_session_hash()
    found = load_save_target_by_session(session, session_hash, attempt_id, position) if session_hash else None
    if found is None:
        return _refused_save()
    login, target = found
    if not accept_session_row(login):
        return login_manager.unauthorized()
    if login.role != "candidate":
        abort(403)
    expected = "Send JSON with the question's fields and a sequence number."
    try:
        payload = _json_object(expected)
    except PayloadRefused as exc:
        return _json_error(str(exc), exc.status)
    if not isinstance(payload.get("fields"), dict):
        return _json_error(expected, 400)
    fields = {k: v if isinstance(v, list) else [v] for k, v in payload["fields"].items()}
    if not all(isinstance(v, str) for values in fields.values() for v in values):
        return _json_error("Field values must be text.", 400)
    seq = payload.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        return _json_error(f"seq must be a whole number from 1 to {MAX_SEQ}", 400)
    try:
        raw = raw_answer(target.type_name, fields, display_order(target.definition, target.option_order))
        moment, grace = now(), _grace()
        result = save_if_newer(session, target, raw, seq, moment, grace)
        if result is None:
            end_autocommit(session)
            result = save_in_transaction(session, login.user_id, target, raw, seq, moment, grace)
            commit()
        # else: its statements committed themselves, and there is nothing more to commit
    except AnswerError as exc:
        return _json_error(str(exc), 422, seconds_left=seconds_left(target.deadline_at, now()))
    except ValueError as exc:
        return _json_error(str(exc), 400)
    except AttemptClosed as exc:
        commit()  # a lazily finalised attempt stays finalised
        return _json_error(str(exc), 409, closed=True)
    return jsonify(saved=result.saved, seq=result.seq, answered=is_answered(result.answer),
                   saved_at=result.saved_at.isoformat() if result.saved_at else None,
                   saved_at_display=result.saved_at.strftime("%H:%M:%S UTC") if result.saved_at else None,
                   seconds_left=result.seconds_left, notice=result.notice)


@bp.post("/<int:attempt_id>/flags/<int:position>")
@candidate_required
def flag(attempt_id: int, position: int) -> Response | tuple[Response, int]:
    attempt = _attempt(attempt_id, for_update=True)  # ownership before the body (see save)
    _item(attempt, position)
    expected = "Send JSON like {\"flagged\": true}."
    try:
        payload = _json_object(expected)
    except PayloadRefused as exc:
        return _json_error(str(exc), exc.status)
    try:
        set_flag(db_session(), attempt, position, bool(payload.get("flagged")), now(), _grace())
    except AttemptClosed as exc:
        commit()
        return _json_error(str(exc), 409, closed=True)
    commit()
    return jsonify(flagged=bool(payload.get("flagged")), seconds_left=seconds_left(attempt.deadline_at, now()))


@bp.post("/<int:attempt_id>/signals")
@candidate_required
def signal(attempt_id: int) -> Response | tuple[Response, int]:
    attempt = _attempt(attempt_id)  # ownership before the body (see save)
    expected = "Send JSON like {\"kind\": \"tab_hidden\", \"position\": 1}."
    try:
        payload = _json_object(expected)
    except PayloadRefused as exc:
        return _json_error(str(exc), exc.status)
    position = payload.get("position")
    if isinstance(position, int) and not 1 <= position <= len(attempt.items):
        position = None
    length = payload.get("length")
    detail = {"length": length} if isinstance(length, int) and not isinstance(length, bool) else None
    try:
        recorded = record_signal(db_session(), attempt, str(payload.get("kind")),
                                 position if isinstance(position, int) else None, detail, now())
    except ValueError as exc:
        return _json_error(str(exc), 400)
    commit()
    return jsonify(recorded=recorded)


@bp.get("/<int:attempt_id>/state")
@candidate_required
def state(attempt_id: int) -> Response:
    """The page's poll every 30 s: reads two columns, and finalises only an attempt whose time is up."""
    try:
        status, deadline_at = attempt_clock(db_session(), current_user.id, attempt_id)
    except AttemptNotFound:
        abort(404)
    if status == "in_progress" and not accepts_answers(deadline_at, now(), _grace()):
        status = _finalise_under_lock(attempt_id).status
    return jsonify(status=status, seconds_left=seconds_left(deadline_at, now()))


@bp.get("/<int:attempt_id>/review")
@candidate_required
def review(attempt_id: int) -> str | Response:
    """Before the submit: what is answered and what is flagged. Reads first (READ_FIRST_ENDPOINTS in
    quiz.app): a thousand candidates submitting within a minute must not each hold SQLite's write
    lock while their page renders."""
    attempt = _attempt(attempt_id)
    if attempt.status == "in_progress" and not accepts_answers(attempt.deadline_at, now(), _grace()):
        attempt = _finalise_under_lock(attempt_id)
    if attempt.status != "in_progress":
        return _closed_redirect(attempt)
    return render_template("assessment/review.html", attempt=attempt, form=SubmitForm(),
                           answered={i.position: is_answered(i.answer) for i in attempt.items},
                           seconds_left=seconds_left(attempt.deadline_at, now()))


@bp.post("/<int:attempt_id>/submit")
@candidate_required
def submit(attempt_id: int) -> str | Response | tuple[str, int]:
    """The confirmed submit, or the page's own submit when the countdown reaches zero."""
    session = db_session()
    attempt = _attempt(attempt_id, for_update=True)
    form = SubmitForm()
    at_deadline = request.form.get("reason") == "deadline" and now() >= attempt.deadline_at
    if not at_deadline and not form.validate_on_submit():
        if attempt.status != "in_progress":
            return _closed_redirect(attempt)
        return render_template("assessment/review.html", attempt=attempt, form=form,
                               answered={i.position: is_answered(i.answer) for i in attempt.items},
                               seconds_left=seconds_left(attempt.deadline_at, now())), 422
    try:
        submit_attempt(session, attempt, now(), _grace())
    except AttemptClosed:
        return _closed_redirect(attempt)
    commit()
    opening = ("Time ran out: your attempt was submitted automatically with every answer saved before the deadline. "
               if attempt.submit_reason == "deadline" else "Your attempt is submitted. ")
    flash(opening + ("Your result is on your dashboard." if attempt.decision
                     else "You will be emailed when the decision is made."), "success")
    return redirect(url_for("candidates.dashboard"))


@bp.get("/<int:attempt_id>/results")
@candidate_required
def confirm_results(attempt_id: int) -> str | Response:
    """Before the one review is claimed: what opening it means, and a confirmed Open."""
    attempt = _attempt(attempt_id)
    state = review_state(attempt, now(), _window())
    if state != "available":
        flash({"open": "Your review is already open in another tab or device.",
               "used": "You have already used your one review of these results.",
               "not_decided": "Your results can be reviewed once a decision has been made."}[state], "info")
        return redirect(url_for("candidates.dashboard"))
    return render_template("assessment/results_confirm.html", attempt=attempt, window_minutes=_window())


@bp.post("/<int:attempt_id>/results/open")
@candidate_required
def open_results(attempt_id: int) -> Response:
    attempt = _attempt(attempt_id)
    try:
        token = open_review(db_session(), attempt, now(), _window())
    except ReviewUnavailable as exc:
        db_session().rollback()
        flash(str(exc), "error")
        return redirect(url_for("candidates.dashboard"))
    commit()
    return redirect(url_for("assessment.results", attempt_id=attempt_id, token=token))


@bp.get("/<int:attempt_id>/results/<token>")
@candidate_required
def results(attempt_id: int, token: str) -> str | tuple[str, int]:
    attempt = _attempt(attempt_id)
    try:
        check_review(attempt, token, now(), _window())
    except ReviewUnavailable as exc:
        return render_template("assessment/results_closed.html", attempt=attempt, message=str(exc)), 409
    return render_template("assessment/results.html", attempt=attempt, token=token, content=review_content(attempt),
                           closes_at=review_closes_at(attempt, _window()),
                           ability=stored_placement(db_session(), attempt))


@bp.post("/<int:attempt_id>/results/<token>/finish")
@candidate_required
def finish_results(attempt_id: int, token: str) -> Response:
    attempt = _attempt(attempt_id)
    if "done" not in request.form:  # closing the one review is final: only with the box ticked
        flash("Tick the box to confirm that you have finished: the review cannot be reopened.", "error")
        return redirect(url_for("assessment.results", attempt_id=attempt_id, token=token))
    try:
        finish_review(db_session(), attempt, token, now(), _window())
    except ReviewUnavailable as exc:
        flash(str(exc), "error")
        return redirect(url_for("candidates.dashboard"))
    commit()
    flash("Your review is finished. Your decision, tier and rate stay on your dashboard.", "info")
    return redirect(url_for("candidates.dashboard"))


from quiz.assessment import code_views  # noqa: E402,F401  (Run examples: routes on this blueprint)
