"""Mail bodies from Jinja templates in templates/mail/, rendered without Flask.

Mail is composed where it is queued (in services, inside the transaction that decides to send it),
which may be a web request, `quiz sweep` or a test, and never in the worker: the row then holds the
exact words the candidate gets, fixed when the decision was made, and the worker only delivers bytes.
A plain Jinja environment serves all those callers alike; Flask's `render_template` would need an
app context that `quiz sweep` does not have.

Each mail is a pair: `NAME.txt` (plain text, not escaped) and `NAME.html` (autoescaped).
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from quiz.paths import templates_dir


def _percent(value: Decimal | float | None) -> str:
    """52.39 -> "52.39 %", 70.00 -> "70 %"."""
    if value is None:
        return "—"
    number = Decimal(value).normalize()
    return f"{number:f} %"


def _money(value: Decimal | float) -> str:
    return f"${Decimal(value):.2f}"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(templates_dir() / "mail"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,  # a misspelt name fails the test, not the candidate's mail
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["percent"] = _percent
    environment.filters["money"] = _money
    return environment


def render_mail(template: str, /, **context: Any) -> tuple[str, str]:
    """(plain text, HTML) of the mail `template`."""
    environment = _environment()
    return (environment.get_template(f"{template}.txt").render(**context),
            environment.get_template(f"{template}.html").render(**context))
