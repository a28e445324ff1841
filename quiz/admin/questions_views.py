"""Admin routes: see quiz/admin/routes.py."""

from quiz.admin.views import bp  # noqa: F401
