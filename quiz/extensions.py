"""The database as the web app sees it: one engine per app, one session per request.

Plain SQLAlchemy rather than Flask-SQLAlchemy: models, services, the CLI and the
tests then use the same engine and Session objects with no app context (see
docs/decisions.md).
"""

from __future__ import annotations

from pathlib import Path


from flask import Flask, current_app, flash, g, jsonify, redirect, request, url_for
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from quiz.db import make_engine, make_session_factory
from quiz.notifications import mail_session_info

_ENGINE = "quiz.engine"
_SESSIONS = "quiz.sessions"


def init_db(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions[_ENGINE] = engine
    app.extensions[_SESSIONS] = make_session_factory(engine)
    app.extensions[_SESSIONS].configure(info=mail_session_info(app.config))

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            # Anything not committed by the view is discarded: one commit per request.
            session.close()


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions[_ENGINE]


def session_factory(app: Flask | None = None) -> sessionmaker[Session]:
    return (app or current_app).extensions[_SESSIONS]


def db_session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = session_factory()()
    return g.db_session


# --- the rest of the web extensions, unbound until create_app ---------------------------------

from flask_limiter import Limiter  # noqa: E402
from flask_limiter.util import get_remote_address  # noqa: E402
from flask_login import LoginManager  # noqa: E402
from flask_wtf.csrf import CSRFProtect  # noqa: E402

from quiz.clock import Clock, SystemClock  # noqa: E402
from quiz.mail import Mail  # noqa: E402
from quiz.mail_jobs import enqueue_committed  # noqa: E402
from quiz.notifications import queue_mail  # noqa: E402
from quiz.outage import wants_json  # noqa: E402
from quiz.ratelimit_storage import default_storage_uri  # noqa: E402 - also registers the quiz+sqlite storage

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to continue."
# Storage comes from RATELIMIT_STORAGE_URI: a SQLite file in the instance folder by default (all workers
# of one machine count together, see quiz.ratelimit_storage), redis://… so limits hold across machines.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
#: The blueprints whose views carry rate limits (log-in, sign-up and account mail). There are no
#: default or application-wide limits, so every other request skips the limiter's per-request work:
#: it was 8 % of a server's CPU under a start storm of autosaves that no limit applies to.
#: tests/web/test_rate_limits_scope.py fails if a limit is added elsewhere without updating this.
LIMITED_BLUEPRINTS = frozenset({"auth"})


@limiter.request_filter
def _outside_limited_blueprints() -> bool:
    # Limits an operator sets for every route (RATELIMIT_DEFAULT, RATELIMIT_APPLICATION) still apply.
    config = current_app.config
    if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
        return False
    return request.blueprint not in LIMITED_BLUEPRINTS

_CLOCK = "quiz.clock"


def init_web(app: Flask) -> None:
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = default_storage_uri(Path(app.instance_path))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    app.extensions.setdefault(_CLOCK, SystemClock())

    @login_manager.unauthorized_handler
    def _unauthorized():  # type: ignore[no-untyped-def]
        # An autosave whose session is gone must fail visibly, not follow a redirect to an HTML page.
        ended = g.get("session_ended")  # why the server refused the session; its message is flashed already
        if wants_json():
            return jsonify(error="You are logged out. Log in again in another tab; your answers so far are saved.",
                           logged_out=True, reason=ended or "not_logged_in"), 401
        if ended is None:
            flash(login_manager.login_message, "info")
        return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))

    @login_manager.user_loader
    def _load_user(user_id: str):  # type: ignore[no-untyped-def]
        from quiz.auth.web_sessions import user_for_request

        return user_for_request(user_id)

    from quiz.auth.web_sessions import init_sessions

    init_sessions(app)


def clock() -> Clock:
    return current_app.extensions[_CLOCK]


def set_clock(app: Flask, new_clock: Clock) -> None:
    """Tests (and demonstrations) drive time by hand."""
    app.extensions[_CLOCK] = new_clock


def now():  # type: ignore[no-untyped-def]
    return clock().now()


def commit() -> None:
    """One commit per request; then the mail its decisions wrote to the outbox goes to the job queue
    (never before the commit, and never sent inside the request)."""
    session = db_session()
    session.commit()
    enqueue_committed(session)


def send_one(mail: Mail) -> None:
    """Queue one mail in the request's transaction: it goes out after the view's `commit()`."""
    queue_mail(db_session(), mail)
