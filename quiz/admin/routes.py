"""Loads every module that adds routes to the admin blueprint, then hands the blueprint out."""

from quiz.admin import bank_views, code_runs_views, grading_views, people_views, questions_views  # noqa: F401
from quiz.admin.views import bp

__all__ = ["bp"]
