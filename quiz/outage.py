"""While the database cannot be reached: 503 with Retry-After, JSON for scripts, a page that needs no database.

An outage shows itself as a driver error on whatever statement comes first, most often Flask-Login's
lazy user lookup. The page that answers must therefore never look the user up itself: it marks
the request as anonymous before rendering (so `current_user` in a template loads nothing) and its
template leaves out the account navigation. Recovery needs nothing here: nothing is cached, the
request's session is closed at teardown, and the engine (quiz.db) checks a pooled PostgreSQL
connection before use and replaces connections a dropped server left dead; SQLite opens the file
again as soon as it can.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

#: How long clients are asked to wait before trying again (the attempt page retries with its own backoff).
RETRY_AFTER_SECONDS = 5

#: Errors that say "the database is not there right now", not "this request is wrong": server down,
#: connection refused or dropped, SQLite's file locked past the busy timeout, unreadable, or failing I/O,
#: and every pooled connection in use for longer than the pool waits.
OUTAGE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)

MESSAGE = ("The service is briefly unavailable: its database cannot be reached. Answers you saw as saved "
           "are safe. Please try again in a moment.")
JSON_MESSAGE = "Not saved: the server's database is briefly unavailable. Your page keeps trying."


def is_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def wants_json() -> bool:
    """The page's scripts (autosave, flags, signals, state polls) send or ask for JSON."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def outage_response(error: BaseException) -> Response:
    # The driver's own message: SQLAlchemy's would add the statement and its parameters (answers, emails).
    reason = str(getattr(error, "orig", None) or error).strip()
    current_app.logger.warning("database unavailable, answering 503: %s: %s", type(error).__name__, reason)
    if "_login_user" not in g:
        # Flask-Login would otherwise load the user while rendering, from the database that is gone.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    if wants_json():
        response = jsonify(error=JSON_MESSAGE, unavailable=True, retry_after=RETRY_AFTER_SECONDS)
    else:
        response = current_app.make_response(render_template("outage.html", message=MESSAGE))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    return response


def error_page(error: BaseException, code: int, message: str) -> Response | tuple[str, int]:
    """The error page for `code`, or the outage page when the error, or rendering it, hit a database outage."""
    if is_outage(getattr(error, "original_exception", None)):
        return outage_response(error.original_exception)  # type: ignore[attr-defined, arg-type]
    try:
        return render_template("error.html", code=code, message=message), code
    except OUTAGE_ERRORS as outage:  # the page's account navigation looked the user up
        return outage_response(outage)


def init_outage_handling(app: Flask) -> None:
    for error_class in OUTAGE_ERRORS:
        app.register_error_handler(error_class, outage_response)
