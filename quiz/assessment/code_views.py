"""Run examples, for code items: the web process enqueues a run of the visible tests and the page polls
it. Nothing here runs code; nothing here changes the answer, the grade or the clock."""

from __future__ import annotations

from flask import current_app, jsonify, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quiz.assessment.services import finalise_if_expired
from quiz.assessment.timing import seconds_left
from quiz.assessment.payload import PayloadRefused
from quiz.assessment.views import _attempt, _grace, _item, _json_error, _json_object, bp
from quiz.auth.decorators import candidate_required
from quiz.coderun.services import RunRateLimited, RunRefused, candidate_run, request_example_run
from quiz.extensions import commit, db_session, now
from quiz.question_types import AnswerError
from quiz.question_types.code import STATUS_LABELS


@bp.post("/<int:attempt_id>/q/<int:position>/runs")
@candidate_required
def run_examples(attempt_id: int, position: int) -> Response | tuple[Response, int]:
    """{"code": "..."} -> 202 {run_id, poll_url}; 429 when rate-limited, 409 once the attempt is closed."""
    session = db_session()
    # Whose attempt it is comes first (404 for another's), then the body, read within bounds.
    attempt = _attempt(attempt_id, for_update=True)  # one request at a time per attempt: the limit holds
    item = _item(attempt, position)
    expected = "Send JSON like {\"code\": \"...\"}."
    try:
        payload = _json_object(expected)
    except PayloadRefused as exc:
        return _json_error(str(exc), exc.status)
    if not isinstance(payload.get("code"), str):
        return _json_error(expected, 400)
    if finalise_if_expired(session, attempt, now(), _grace()) or attempt.status != "in_progress":
        commit()
        return _json_error("This attempt is submitted: examples can no longer run.", 409, closed=True)
    try:
        run = request_example_run(session, attempt, item, payload["code"], now(),
                                  int(current_app.config["CODE_RUNS_PER_MINUTE"]))
    except RunRateLimited as exc:
        return _json_error(str(exc), 429)
    except (RunRefused, AnswerError) as exc:
        return _json_error(str(exc), 422)
    commit()
    return jsonify(run_id=run.id, status=run.status, seconds_left=seconds_left(attempt.deadline_at, now()),
                   poll_url=url_for("assessment.example_run", attempt_id=attempt_id, run_id=run.id)), 202


@bp.get("/<int:attempt_id>/runs/<int:run_id>")
@candidate_required
def example_run(attempt_id: int, run_id: int) -> Response | tuple[Response, int]:
    try:
        run = candidate_run(db_session(), current_user, attempt_id, run_id)
    except LookupError:
        return _json_error("No such run.", 404)
    results = [{**result, "label": STATUS_LABELS.get(result["status"], result["status"])}
               for result in run.results or []]
    return jsonify(status=run.status, results=results,
                   error="The examples could not be run; try again in a moment." if run.status == "failed" else None)
