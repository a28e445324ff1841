"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from quiz import __version__
from quiz.assessment.timing import format_duration
from quiz.config import DEV_SECRET_KEY, load_config
from quiz.db import set_immediate_transactions
from quiz.extensions import init_db, init_web
from quiz.jobs import configure_queue
from quiz.outage import error_page, init_outage_handling
from quiz.paths import default_instance_path, static_dir, templates_dir
from quiz.question_types.base import format_number
from quiz.rendering import render_markdown, topic_name
from quiz.web_security import add_security_headers, csp_nonce


#: The admin area's navigation: (endpoint, label, roles that see it). Each part of the area adds its line.
ADMIN_NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("admin.grading_queue", "Grading queue", ("admin", "grader")),
    ("admin.decisions", "Decisions", ("admin",)),
    ("admin.questions", "Questions", ("admin",)),
    ("admin.bank_import", "Import / export", ("admin",)),
    ("admin.settings", "Tracks and tiers", ("admin",)),
    ("admin.candidates", "Candidates", ("admin",)),
    ("admin.audit_log", "Audit log", ("admin",)),
    ("admin.exports", "CSV exports", ("admin",)),
    ("admin.outbox", "Outbox", ("admin",)),
    ("admin.statistics", "Statistics", ("admin",)),
    ("admin.code_runs", "Code runs", ("admin",)),
]


#: GET pages that may write: they finalise attempts whose time ran out (see quiz.db on SQLite locks).
WRITING_GET_ENDPOINTS = {"candidates.dashboard", "admin.home", "admin.grading_queue", "admin.export_attempts_csv",
                         "admin.export_responses_csv",
                         "auth.verify_email"}  # opening the link marks the address confirmed


#: Attempt pages that read first and take SQLite's write lock only to finalise an attempt whose time
#: is up (quiz.assessment.views._finalise_under_lock): a question page rendered under the lock held up
#: every autosave of a start storm.
READ_FIRST_ENDPOINTS = {"assessment.question", "assessment.state", "assessment.review"}

#: Forms whose POST reads first and takes SQLite's write lock only for the writes at its end: the
#: log-in checks a password (about 20 ms of Argon2) that no autosave of a start storm should wait for.
READ_FIRST_POST_ENDPOINTS = {"auth.login"}


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs):  # type: ignore[no-untyped-def]  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class InsecureConfiguration(RuntimeError):
    pass


MIN_SECRET_KEY_LENGTH = 16
SECRET_KEY_HELP = (
    f"quiz refuses to start outside debug or testing with the development SECRET_KEY or one shorter "
    f"than {MIN_SECRET_KEY_LENGTH} characters. Several servers sharing a database need the same key. "
    "Run `quiz init` (it writes a random key to instance/config.py), or set one yourself: "
    "export QUIZ_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    test_config = dict(test_config or {})
    instance_path = Path(test_config.pop("INSTANCE_PATH", None) or default_instance_path())
    app = Flask(__name__, instance_path=str(instance_path), template_folder=str(templates_dir()),
                static_folder=str(static_dir()))
    app.config.update(load_config(instance_path))
    app.config.update(test_config)

    secret = app.config.get("SECRET_KEY") or ""
    if (secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH) and not (app.debug or app.testing):
        raise InsecureConfiguration(SECRET_KEY_HELP)

    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    init_db(app)
    init_web(app)
    configure_queue(app.config, instance_path)
    # Ids in URLs fit the database's integers: a 30-digit id is a 404, not an overflow error.
    app.url_map.converters["int"] = BoundedIntConverter

    from quiz.admin.routes import bp as admin_bp
    from quiz.assessment.views import bp as assessment_bp
    from quiz.auth.views import bp as auth_bp
    from quiz.candidates.views import bp as candidates_bp
    from quiz.main.views import bp as main_bp

    for blueprint in (main_bp, auth_bp, candidates_bp, assessment_bp, admin_bp):
        app.register_blueprint(blueprint)
    _register_error_pages(app)
    init_outage_handling(app)
    app.jinja_env.globals["quiz_version"] = __version__
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["number"] = lambda value: format_number(float(value))  # 50, 67.5: never rounded away
    app.jinja_env.filters["duration"] = format_duration  # seconds -> "1 minute 30 seconds"
    app.jinja_env.filters["topic_name"] = topic_name  # "fact_checking" -> "Fact checking"
    app.jinja_env.globals["admin_nav"] = ADMIN_NAV
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions

    def _sqlite_write_lock_for_writers() -> None:
        # Requests that may write take SQLite's write lock when their transaction begins, so
        # concurrent writers queue instead of failing (see quiz.db). Attempt pages and the
        # dashboard write too: they finalise attempts whose time ran out.
        reading = request.method in ("GET", "HEAD")
        set_immediate_transactions((not reading and request.endpoint not in READ_FIRST_POST_ENDPOINTS)
                                   or (request.blueprint == "assessment" and request.endpoint not in READ_FIRST_ENDPOINTS)
                                   or request.endpoint in WRITING_GET_ENDPOINTS)

    # First of all: the server-side session check reads in the request's transaction, which must
    # already know whether it takes SQLite's write lock.
    app.before_request_funcs.setdefault(None, []).insert(0, _sqlite_write_lock_for_writers)

    @app.before_request
    def _refuse_nul_characters() -> None:
        # A NUL byte is never meaningful in this app's input, and PostgreSQL text refuses it.
        values = [*request.args.values(), *request.form.values()]
        if request.is_json:
            values.append(request.get_data(as_text=True))
        if any("\x00" in value or "\\u0000" in value for value in values):
            abort(400)

    app.after_request(add_security_headers)

    @app.teardown_request
    def _reset_write_lock_mode(_exc: BaseException | None) -> None:
        set_immediate_transactions(False)  # never leaks into whatever runs next in this thread

    return app


def _register_error_pages(app: Flask) -> None:
    messages = {
        403: "You do not have access to this page.",
        404: "There is nothing at this address.",
        400: "The request could not be understood. If you submitted a form, reload the page and try again.",
        405: "This page does not accept that kind of request.",
        409: "That conflicts with the current state; reload the page and try again.",
        500: "Something went wrong on our side. Your saved answers are safe; please try again.",
    }
    for code, message in messages.items():
        def handler(error: Exception, code: int = code, message: str = message) -> Response | tuple[str, int]:
            return error_page(error, code, message)

        app.register_error_handler(code, handler)

    @app.errorhandler(429)
    def _too_many(error: Exception) -> Response | tuple[str, int]:
        message = ("Too many attempts in a short time. Please wait a minute and try again "
                   f"(limit: {getattr(error, 'description', 'exceeded')}).")
        return error_page(error, 429, message)

    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> Response | tuple[str, int]:
        message = "This form has expired or was sent from elsewhere. Reload the page and try again."
        return error_page(error, 400, message)
