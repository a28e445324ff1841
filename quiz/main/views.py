from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from quiz.extensions import db_session
from quiz.main.services import catalogue

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    return render_template("main/index.html", catalogue=catalogue(db_session()))


@bp.get("/livez")
def livez():  # type: ignore[no-untyped-def]
    """Liveness: the process answers, nothing more (no database). Also the ceiling of benchmarks/load.py."""
    return jsonify(status="alive")


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    db_session().execute(text("SELECT 1"))
    return jsonify(status="ok")
