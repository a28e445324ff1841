"""The admin area's blueprint and home. Each part adds its routes in its own module (see routes.py)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from quiz.admin.grading import decisions_awaiting_confirmation, grading_queue
from quiz.auth.decorators import role_required
from quiz.assessment.services import sweep_expired
from quiz.bank.sample import sample_bank_use
from quiz.extensions import commit, db_session, now
from quiz.models import Question

bp = Blueprint("admin", __name__, url_prefix="/admin")

staff_required = role_required("admin", "grader")
MAX_PAGE = 100_000  # a page number beyond any list, so a huge one in the URL is clamped, not an error
admin_required = role_required("admin")


def finalise_expired_attempts(session) -> None:  # type: ignore[no-untyped-def]
    """Abandoned attempts reach the grading queue even where no cron runs `quiz sweep`."""
    if sweep_expired(session, now(), float(current_app.config["ANSWER_GRACE_SECONDS"])):
        commit()


@bp.get("/")
@staff_required
def home() -> str:
    session = db_session()
    finalise_expired_attempts(session)
    counts = {
        "open_items": len(grading_queue(session, current_user)),
        "to_confirm": len(decisions_awaiting_confirmation(session)) if current_user.role == "admin" else 0,
        "questions": session.scalar(select(func.count()).select_from(Question).where(Question.status == "active")),
    }
    sample = sample_bank_use(session) if current_user.role == "admin" else None
    return render_template("admin/home.html", counts=counts, sample=sample)
