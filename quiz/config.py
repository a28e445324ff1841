"""Configuration: defaults, then instance/config.py, then QUIZ_* environment, then DATABASE_URL.

No Flask import: the CLI and the tests read configuration the same way the app does.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEV_SECRET_KEY = "dev-only-insecure-secret-key"

DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": DEV_SECRET_KEY,
    # None means: a SQLite file `quiz.sqlite3` in the instance folder.
    "DATABASE_URL": None,
    "SQLITE_BUSY_TIMEOUT_MS": 15000,
    # None means: the question_bank/ folder shipped with the package.
    "QUESTION_BANK_PATH": None,
    "ANSWER_GRACE_SECONDS": 5,
    "REVIEW_WINDOW_MINUTES": 30,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": "quiz@localhost",
    # The outbox (quiz.notifications): a failed send is retried after 1, 2, 4 ... minutes, at most an
    # hour apart, and marked failed after MAIL_MAX_ATTEMPTS tries (about 5 hours with these values).
    "MAIL_MAX_ATTEMPTS": 10,
    "MAIL_RETRY_BASE_SECONDS": 60,
    "MAIL_RETRY_MAX_SECONDS": 3600,
    # A worker that claimed a mail and died is presumed gone after this long; the mail is then sent again.
    "MAIL_SEND_LEASE_SECONDS": 300,
    # Where candidates reach the app, for the links in mail (a mail may be composed by `quiz sweep`,
    # outside any request, so there is no request host to build them from).
    "BASE_URL": "http://localhost:8000",
    # Empty: a SQLite file `ratelimits.sqlite3` in the instance folder (the workers of one machine count
    # together). redis://HOST:PORT/DB: several machines count together.
    "RATELIMIT_STORAGE_URI": "",
    # Background jobs (mail, code runs). Empty: a SQLite file `queue.sqlite3` in the instance folder
    # (one machine). redis://HOST:PORT/DB: app and worker machines share one queue.
    "QUEUE_URL": "",
    # Code questions: example runs a candidate may start per attempt and minute; a run "running" (or
    # "queued") this long is put back on the queue (its worker died); tries before a run is "failed".
    "CODE_RUNS_PER_MINUTE": 6,
    "CODE_RUN_STUCK_SECONDS": 300,
    "CODE_RUN_MAX_TRIES": 3,
    # CSRF tokens live as long as the login session: an attempt may last hours (2x extra time),
    # and an autosave must never fail because a token aged out mid-attempt.
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # Set true when served over HTTPS (behind a TLS proxy): the session cookie then never travels in clear.
    "SESSION_COOKIE_SECURE": False,
    # Behind N reverse proxies, trust that many X-Forwarded-For/-Proto hops (rate limits then see the
    # client's address, not the proxy's). 0: no proxy, trust nothing.
    "TRUSTED_PROXIES": 0,
    # No request body needs more (the bank import raises its own limit for its uploads).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    # Accounts (docs/accounts.md). A session ends after this long without a request; an attempt page
    # saves or polls every 30 s, so a running attempt never idles out.
    "SESSION_IDLE_MINUTES": 60,
    # ...and at the latest this long after log-in, busy or not: longer than the longest possible
    # attempt (600 minutes x 4 extra time = 40 h), so no running attempt is cut off.
    "SESSION_LIFETIME_HOURS": 48,
    "EMAIL_VERIFICATION_HOURS": 48,
    "PASSWORD_RESET_MINUTES": 60,
    "REMEMBER_COOKIE_HTTPONLY": True,
}

ENV_PREFIX = "QUIZ_"
#: Flask's own switches: not in DEFAULTS (Flask sets them), but typed when given as QUIZ_DEBUG=false.
_FLASK_BOOLEANS = {"DEBUG": False, "TESTING": False}


class ConfigError(ValueError):
    pass


def _coerce(name: str, raw: str, default: Any) -> Any:
    """Environment values are text; give them the type of the default they replace."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{ENV_PREFIX}{name}={raw!r}: expected true or false")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name}={raw!r}: expected a whole number") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"{ENV_PREFIX}{name}={raw!r}: expected a number") from None
    return raw


def normalise_database_url(url: str) -> str:
    """Plain `postgresql://` (and Heroku-style `postgres://`) URLs use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def load_config(instance_path: Path, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)

    instance_file = instance_path / "config.py"
    if instance_file.is_file():
        values = runpy.run_path(str(instance_file))
        config.update({k: v for k, v in values.items() if k.isupper()})

    for key, value in environ.items():
        if key.startswith(ENV_PREFIX) and key != f"{ENV_PREFIX}INSTANCE_PATH":
            name = key[len(ENV_PREFIX):]
            config[name] = _coerce(name, value, DEFAULTS.get(name, _FLASK_BOOLEANS.get(name, config.get(name))))

    if environ.get("DATABASE_URL"):
        config["DATABASE_URL"] = environ["DATABASE_URL"]
    if not config["DATABASE_URL"]:
        config["DATABASE_URL"] = sqlite_url(instance_path / "quiz.sqlite3")
    config["DATABASE_URL"] = normalise_database_url(config["DATABASE_URL"])
    return config
