"""The app factory, the placeholder catalogue page, health and error pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from quiz.app import InsecureConfiguration, create_app
from quiz.bank.load import load_bank
from quiz.bank.sync import sync_bank
from quiz.config import DEV_SECRET_KEY
from quiz.extensions import session_factory
from tests.conftest import BANK_DIR


def _app(tmp_path: Path, url: str, **config: object) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(tmp_path / "instance"),
                       **config})


def test_refuses_the_development_secret_key_outside_debug_and_testing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("QUIZ_SECRET_KEY", raising=False)
    with pytest.raises(InsecureConfiguration, match="QUIZ_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": DEV_SECRET_KEY})
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "a-real-secret-of-enough-length"})
    assert not app.testing


def test_instance_config_file_is_read(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("QUIZ_SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    (tmp_path / "config.py").write_text("SECRET_KEY = 'instance-secret-0123456789'\n")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SECRET_KEY"] == "instance-secret-0123456789"
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'quiz.sqlite3'}"
    assert app.instance_path == str(tmp_path)


def test_catalogue_lists_tracks_with_rates_and_what_is_open(tmp_path: Path, sqlite_engine, sqlite_url) -> None:
    bank = tmp_path / "bank"
    shutil.copytree(BANK_DIR, bank)
    (bank / "law.yaml").write_text("format: 1\ntrack: law\nquestions: []\n")  # a track not ready yet
    app = _app(tmp_path, sqlite_url)
    with session_factory(app)() as session:
        sync_bank(session, load_bank(bank))
        session.commit()
    page = app.test_client().get("/").get_data(as_text=True)
    assert "only once" in page
    assert "General" in page and "$20/h" in page
    assert "Law" in page and "$50/h" in page
    assert page.count("coming soon") == 1
    assert page.count('class="tag">open') == 11


def test_catalogue_empty_state(tmp_path: Path, sqlite_engine, sqlite_url) -> None:
    page = _app(tmp_path, sqlite_url).test_client().get("/").get_data(as_text=True)
    assert "quiz init" in page


def test_health_and_not_found(tmp_path: Path, sqlite_engine, sqlite_url) -> None:
    client = _app(tmp_path, sqlite_url).test_client()
    assert client.get("/healthz").get_json() == {"status": "ok"}
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "nothing at this address" in response.get_data(as_text=True)


@pytest.mark.parametrize("environ", [{"QUIZ_DEBUG": "false"}, {"QUIZ_TESTING": "0"}, {"QUIZ_SECRET_KEY": ""},
                                     {"QUIZ_SECRET_KEY": "short"}])
def test_no_environment_spelling_starts_with_a_weak_key(tmp_path: Path, monkeypatch, environ) -> None:
    monkeypatch.delenv("QUIZ_SECRET_KEY", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InsecureConfiguration):
        create_app({"INSTANCE_PATH": str(tmp_path)})
