"""Configuration precedence: defaults -> instance/config.py -> QUIZ_* -> DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from quiz.config import DEFAULTS, ConfigError, load_config, normalise_database_url


def test_defaults_use_a_sqlite_file_in_the_instance_folder(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    assert config["ANSWER_GRACE_SECONDS"] == DEFAULTS["ANSWER_GRACE_SECONDS"]


def test_each_layer_overrides_the_one_before(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text(
        "SECRET_KEY = 'from-file'\nANSWER_GRACE_SECONDS = 9\nREVIEW_WINDOW_MINUTES = 45\n"
        "DATABASE_URL = 'sqlite:///file.db'\nlowercase_ignored = 1\n")
    environ = {"QUIZ_ANSWER_GRACE_SECONDS": "3", "QUIZ_DATABASE_URL": "sqlite:///env.db",
               "DATABASE_URL": "postgresql://u:p@db:5432/quiz"}
    config = load_config(tmp_path, environ=environ)
    assert config["SECRET_KEY"] == "from-file"
    assert config["REVIEW_WINDOW_MINUTES"] == 45  # file beats default
    assert config["ANSWER_GRACE_SECONDS"] == 3  # env beats file, typed like the default
    assert config["DATABASE_URL"] == "postgresql+psycopg://u:p@db:5432/quiz"  # DATABASE_URL beats QUIZ_*
    assert "lowercase_ignored" not in config


def test_quiz_database_url_is_used_without_database_url(tmp_path: Path) -> None:
    config = load_config(tmp_path, environ={"QUIZ_DATABASE_URL": "sqlite:///env.db"})
    assert config["DATABASE_URL"] == "sqlite:///env.db"


@pytest.mark.parametrize(("raw", "expected"), [
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_postgres_urls_use_psycopg3(raw: str, expected: str) -> None:
    assert normalise_database_url(raw) == expected


@pytest.mark.parametrize(("name", "value", "message"), [
    ("ANSWER_GRACE_SECONDS", "five", "expected a whole number"),
    ("MAIL_USE_TLS", "maybe", "expected true or false"),
])
def test_bad_environment_values_say_what_is_wrong(tmp_path: Path, name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path, environ={f"QUIZ_{name}": value})


def test_boolean_environment_values(tmp_path: Path) -> None:
    assert load_config(tmp_path, environ={"QUIZ_MAIL_USE_TLS": "yes"})["MAIL_USE_TLS"] is True
    assert load_config(tmp_path, environ={"QUIZ_MAIL_USE_TLS": "0"})["MAIL_USE_TLS"] is False


def test_flask_switches_from_the_environment_are_booleans(tmp_path: Path) -> None:
    # a string "false" would be truthy and switch debug on
    config = load_config(tmp_path, environ={"QUIZ_DEBUG": "false", "QUIZ_TESTING": "0"})
    assert config["DEBUG"] is False and config["TESTING"] is False
