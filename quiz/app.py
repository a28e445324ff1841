"""The application factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, render_template

from quiz import __version__
from quiz.config import DEV_SECRET_KEY, load_config
from quiz.extensions import init_db
from quiz.paths import default_instance_path, templates_dir


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
    app = Flask(__name__, instance_path=str(instance_path), template_folder=str(templates_dir()))
    app.config.update(load_config(instance_path))
    app.config.update(test_config)

    secret = app.config.get("SECRET_KEY") or ""
    if (secret == DEV_SECRET_KEY or len(secret) < MIN_SECRET_KEY_LENGTH) and not (app.debug or app.testing):
        raise InsecureConfiguration(SECRET_KEY_HELP)

    init_db(app)

    from quiz.main.views import bp as main_bp

    app.register_blueprint(main_bp)
    _register_error_pages(app)
    app.jinja_env.globals["quiz_version"] = __version__
    return app


def _register_error_pages(app: Flask) -> None:
    messages = {
        403: "You do not have access to this page.",
        404: "There is nothing at this address.",
        405: "This page does not accept that kind of request.",
        409: "That conflicts with the current state; reload the page and try again.",
        500: "Something went wrong on our side. Your saved answers are safe; please try again.",
    }
    for code, message in messages.items():
        def handler(_error: Exception, code: int = code, message: str = message) -> tuple[str, int]:
            return render_template("error.html", code=code, message=message), code

        app.register_error_handler(code, handler)
