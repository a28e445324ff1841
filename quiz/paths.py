"""Where the content folders are: inside the package in a wheel, at the repository root in a checkout."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
_WHEEL_DATA = PACKAGE_DIR / "_data"
_CHECKOUT_ROOT = PACKAGE_DIR.parent


def _content(name: str) -> Path:
    for candidate in (_WHEEL_DATA / name, _CHECKOUT_ROOT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"{name}/ not found in {_WHEEL_DATA} or {_CHECKOUT_ROOT}: the installation is incomplete")


def templates_dir() -> Path:
    return _content("templates")


def static_dir() -> Path:
    return _content("static")


def migrations_dir() -> Path:
    return _content("migrations")


def question_bank_dir() -> Path:
    return _content("question_bank")


def default_instance_path() -> Path:
    """QUIZ_INSTANCE_PATH, else `instance/` beside a checkout, else `./instance` for an installed wheel."""
    if os.environ.get("QUIZ_INSTANCE_PATH"):
        return Path(os.environ["QUIZ_INSTANCE_PATH"]).resolve()
    if not _WHEEL_DATA.is_dir() and (_CHECKOUT_ROOT / "pyproject.toml").is_file():
        return _CHECKOUT_ROOT / "instance"
    return Path.cwd() / "instance"
