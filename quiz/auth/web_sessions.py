"""The web side of server-side sessions: check the cookie's session on every request, the device
cookie, and logging a browser in and out. Services live in quiz.auth.sessions.

The check runs before the view, as the first read of the request's own transaction (one query that
also loads the user); the UPDATE of `last_seen_at`, at most once a minute, runs on a short connection
of its own that takes SQLite's write lock at once (see quiz.db on SQLite locks). The autosave checks
its session itself, in the query that reads its question (`SELF_CHECKED_ENDPOINTS`).
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from flask import Flask, current_app, flash, g, request, session
from flask_login import login_user, logout_user

from quiz.auth.sessions import (
    SessionLimits,
    SessionRow,
    check_session,
    end_session,
    session_verdict,
    token_hash,
    touch_session,
)
from quiz.db import immediate_transactions, takes_write_lock
from quiz.extensions import db_session, now, session_factory
from quiz.models import User

SESSION_KEY = "quiz_session"
DEVICE_COOKIE = "quiz_device"
DEVICE_COOKIE_MAX_AGE = timedelta(days=400)  # the longest browsers keep a cookie
_DEVICE_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_LOGIN_KEYS = ("_user_id", "_fresh", "_id", SESSION_KEY)


def session_limits() -> SessionLimits:
    config = current_app.config
    return SessionLimits(idle=timedelta(minutes=float(config["SESSION_IDLE_MINUTES"])),
                         lifetime=timedelta(hours=float(config["SESSION_LIFETIME_HOURS"])))


def ended_message(reason: str) -> str:
    limits = session_limits()
    idle_minutes = round(limits.idle.total_seconds() / 60)
    lifetime_hours = round(limits.lifetime.total_seconds() / 3600)
    return {
        "logout": "This session was logged out. Log in again to continue.",
        "password_changed": "Your password was changed, which logged out this session. Log in with the new password.",
        "password_reset": "Your password was reset, which logged out this session. Log in with the new password.",
        "idle": f"You were logged out after {idle_minutes} minutes without activity. Log in again to continue; "
                "your saved answers are kept.",
        "expired": f"Your session ended after {lifetime_hours} hours, the longest a session lasts. Log in again "
                   "to continue; your saved answers are kept.",
    }.get(reason, "Your session has ended. Log in again to continue.")


def device_token() -> str:
    """This browser's long-lived random id: the cookie's, or a new one set on this response."""
    token = request.cookies.get(DEVICE_COOKIE, "")
    if _DEVICE_TOKEN.match(token):
        return token
    if "new_device_token" not in g:
        g.new_device_token = secrets.token_urlsafe(32)
    return g.new_device_token


def _forget_login(reason: str) -> None:
    for key in _LOGIN_KEYS:
        session.pop(key, None)
    g.session_ended, g.session_ended_message = reason, ended_message(reason)
    flash(g.session_ended_message, "info")


#: Views that check the log-in session themselves, in their own first query (`accept_session_row`):
#: the autosave, the busiest request of a start storm. Every other request is checked before its view.
SELF_CHECKED_ENDPOINTS = frozenset({"assessment.save"})


def _check_before_view() -> None:
    if request.endpoint not in SELF_CHECKED_ENDPOINTS:
        check_login_session()


def logged_in_session_hash() -> str | None:
    """The SHA-256 of this request's session token, for a self-checked view's query (None: no log-in)."""
    token = session.get(SESSION_KEY)
    return token_hash(token) if token and "_user_id" in session else None


def accept_session_row(row: SessionRow) -> bool:
    """For a self-checked view: the same rule, and the same effects, as the check before other views.
    False when the session is over (the browser's log-in is forgotten) or its user is disabled."""
    moment = now()
    ended, due = session_verdict(row.created_at, row.last_seen_at, row.ended_at, row.end_reason, moment,
                                 session_limits())
    if ended is not None or str(row.user_id) != str(session.get("_user_id")):
        _forget_login(ended or "unknown")
        return False
    if not row.user_active:
        return False  # as Flask-Login treats a disabled user: not logged in
    g.login_session_user_id, g.login_session_id = row.user_id, row.id
    if due:
        touch_session(db_session(), row.id, moment)  # the autosave's statements commit as they run
    return True


def check_login_session() -> None:
    """Check the cookie's session on the server; Flask-Login's `current_user` then sees its user."""
    if request.endpoint == "static" or "_user_id" not in session:
        return
    moment = now()
    # In the request's own transaction (its write-lock mode is already set): the record comes with its
    # user, so Flask-Login's loader finds the user in the session's identity map without a query.
    check = check_session(db_session(), session.get(SESSION_KEY), moment, session_limits())
    record = check.record
    if record is None or str(record.user_id) != str(session.get("_user_id")):
        _forget_login(check.ended_because or "unknown")
        return
    g.login_session_user_id, g.login_session_id = record.user_id, record.id
    g.login_session_user = record.user  # loaded with the record; Flask-Login's loader takes it from here
    if check.needs_touch and takes_write_lock():
        # This request already holds SQLite's write lock: a second connection would wait for it. The
        # touch is committed at once, before the view's own work begins (in a transaction of its own).
        touch_session(db_session(), record.id, moment)
        db_session().commit()
    elif check.needs_touch:
        with immediate_transactions(), session_factory()() as writer:
            touch_session(writer, record.id, moment)
            writer.commit()


def user_for_request(user_id: str) -> User | None:
    """Flask-Login's user loader: only the user whose server-side session this request checked."""
    from quiz.auth.services import load_active_user

    if str(g.get("login_session_user_id")) != str(user_id):
        return None
    user = g.get("login_session_user")
    if user is not None and str(user.id) == str(user_id):
        return user if user.is_active else None
    return load_active_user(db_session(), user_id)


def log_browser_in(user: User, token: str) -> None:
    """After the view's service opened a session (`quiz.auth.services.log_in`): a fresh cookie session,
    so nothing set before the log-in survives it, the CSRF token included."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF's per-request cache of the old token
    login_user(user)
    session[SESSION_KEY] = token
    g.login_session_user_id = user.id


def log_browser_out() -> None:
    end_session(db_session(), session.get(SESSION_KEY), now())
    logout_user()
    session.clear()
    g.pop("csrf_token", None)


def current_session_token() -> str | None:
    return session.get(SESSION_KEY)


def init_sessions(app: Flask) -> None:
    app.before_request(_check_before_view)

    @app.after_request
    def _set_device_cookie(response):  # type: ignore[no-untyped-def]
        token = g.get("new_device_token")
        if token is None and request.endpoint != "static" and not _DEVICE_TOKEN.match(
                request.cookies.get(DEVICE_COOKIE, "")):
            token = device_token()
        if token is not None:
            response.set_cookie(DEVICE_COOKIE, token, max_age=int(DEVICE_COOKIE_MAX_AGE.total_seconds()),
                                httponly=True, samesite="Lax", secure=bool(app.config.get("SESSION_COOKIE_SECURE")))
        return response
