"""The admin area's blueprint and home. Each part adds its routes in its own module (see routes.py)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from quiz.admin.grading import decisions_awaiting_confirmation, grading_queue
from quiz.auth.decorators import role_required
from quiz.extensions import db_session
from quiz.models import Question

bp = Blueprint("admin", __name__, url_prefix="/admin")

staff_required = role_required("admin", "grader")
admin_required = role_required("admin")


@bp.get("/")
@staff_required
def home() -> str:
    session = db_session()
    counts = {
        "open_items": len(grading_queue(session, current_user)),
        "to_confirm": len(decisions_awaiting_confirmation(session)) if current_user.role == "admin" else 0,
        "questions": session.scalar(select(func.count()).select_from(Question).where(Question.status == "active")),
    }
    return render_template("admin/home.html", counts=counts)
