"""The database as the web app sees it: one engine per app, one session per request.

Plain SQLAlchemy rather than Flask-SQLAlchemy: models, services, the CLI and the
tests then use the same engine and Session objects with no app context (see
docs/decisions.md).
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from quiz.db import make_engine, make_session_factory

_ENGINE = "quiz.engine"
_SESSIONS = "quiz.sessions"


def init_db(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"], busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
    app.extensions[_ENGINE] = engine
    app.extensions[_SESSIONS] = make_session_factory(engine)

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
