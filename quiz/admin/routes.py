"""Loads every module that adds routes to the admin blueprint, then hands the blueprint out."""

from quiz.admin import (  # noqa: F401
    bank_views, code_runs_views, grading_views, outbox_views, people_views, questions_views, statistics_views)
from quiz.admin.views import bp

__all__ = ["bp"]
