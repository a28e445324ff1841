"""What every route of the app answers to each role: the table the route inventory asserts.

A route the table does not list fails the inventory, which names it: add its URL arguments to
ROUTE_ARGUMENTS and one expected answer per role to EXPECTED.

Each request is sent with a valid CSRF token and no other data (forms are then incomplete, so a
POST that an allowed role makes changes nothing or is refused as invalid). The answers:
  an integer: that status, with no redirect;
  "login": 302 to the log-in page (anonymous on a page that needs an account);
  "-> /path": 302 to that path (or a path starting with it, when it ends in "*").
"""

from __future__ import annotations

from typing import Any

# (endpoint) -> URL arguments; values naming objects are keys of World.ids
ROUTE_ARGUMENTS: dict[str, dict[str, Any]] = {
    "static": {"filename": "quiz.css"},
    "main.index": {}, "main.healthz": {},
    "auth.login": {}, "auth.signup": {}, "auth.logout": {},
    "candidates.dashboard": {}, "candidates.application": {},
    "candidates.instructions": {"key": "beta-starter"},
    "assessment.question": {"attempt_id": "running", "position": 1},
    "assessment.save": {"attempt_id": "running", "position": 1},
    "assessment.flag": {"attempt_id": "running", "position": 1},
    "assessment.signal": {"attempt_id": "running"},
    "assessment.state": {"attempt_id": "running"},
    "assessment.review": {"attempt_id": "running"},
    "assessment.submit": {"attempt_id": "running"},
    "assessment.open_results": {"attempt_id": "decided"},
    "assessment.results": {"attempt_id": "decided", "token": "token"},
    "assessment.finish_results": {"attempt_id": "decided", "token": "token"},
    "admin.home": {}, "admin.grading_queue": {}, "admin.decisions": {}, "admin.questions": {},
    "admin.question_new": {}, "admin.settings": {}, "admin.candidates": {}, "admin.audit_log": {},
    "admin.exports": {}, "admin.export_attempts_csv": {}, "admin.export_responses_csv": {},
    "admin.bank_import": {}, "admin.bank_import_confirm": {}, "admin.bank_import_cancel": {},
    "admin.bank_export_all": {}, "admin.bank_export_tracks": {},
    "admin.bank_export": {"track_key": "alpha"},
    "admin.grade_item": {"item_id": "essay_item"},
    "admin.attempt_grades": {"attempt_id": "graded"},
    "admin.confirm": {"attempt_id": "graded"},
    "admin.void_attempt": {"attempt_id": "running"},
    "admin.candidate": {"candidate_id": "owner"},
    "admin.accommodation": {"candidate_id": "owner"},
    "admin.question_edit": {"key": "a-1"}, "admin.question_history": {"key": "a-1"},
    "admin.question_preview": {"key": "a-1"}, "admin.question_retire": {"key": "a-1"},
    "admin.question_restore": {"key": "a-1"},
    "admin.assessment_edit": {"key": "alpha-starter"}, "admin.tier_edit": {"key": "basic"},
    "admin.track_edit": {"key": "alpha"},
    "main.livez": {},
    "auth.signup_sent": {}, "auth.forgot_password": {}, "auth.forgot_sent": {}, "auth.change_password": {},
    "auth.resend_verification": {},
    "auth.verify_email": {"token": "not-a-real-token"}, "auth.reset_password": {"token": "not-a-real-token"},
    "admin.outbox": {}, "admin.resend_mail": {"mail_id": 999999},
    "admin.statistics": {}, "admin.assessment_statistics": {"key": "alpha-starter"},
    "admin.statistics_csv": {"key": "alpha-starter"}, "admin.calibrate_assessment": {"key": "alpha-starter"},
    "admin.set_assessment_scoring": {"key": "alpha-starter"}, "admin.set_assessment_exposure": {"key": "alpha-starter"},
    "admin.rescore_dry_run": {"key": "alpha-starter"},
    "admin.rescore_attempt": {"key": "alpha-starter", "attempt_id": "graded"},
    "candidates.practice": {"key": "beta-starter", "type_name": "single_choice"},
    "assessment.confirm_results": {"attempt_id": "decided"},
    "assessment.run_examples": {"attempt_id": "running", "position": 1},
    "assessment.example_run": {"attempt_id": "running", "run_id": 999999},
    "admin.code_runs": {}, "admin.rerun_code_run": {"run_id": 999999}, "admin.code_results": {"item_id": "essay_item"},
}

LOGIN = "login"


def public(answer: Any = 200, *, signed_in: Any = None, staff: Any = None) -> dict[str, Any]:
    """Open to everyone; `signed_in` for candidates and `staff` for graders/admins when they differ."""
    candidates = answer if signed_in is None else signed_in
    staff = candidates if staff is None else staff
    return {"anonymous": answer, "candidate": candidates, "other_candidate": candidates, "grader": staff,
            "admin": staff}


def candidates_only(answer: Any = 200) -> dict[str, Any]:
    """Any candidate's own page (no object id): both candidates get it, staff 403."""
    return {"anonymous": LOGIN, "candidate": answer, "other_candidate": answer, "grader": 403, "admin": 403}


def owner_only(answer: Any = 200, *, anonymous: Any = LOGIN) -> dict[str, Any]:
    """A route naming the owner's attempt: another candidate gets 404, as for an id that does not exist."""
    return {"anonymous": anonymous, "candidate": answer, "other_candidate": 404, "grader": 403, "admin": 403}


def admin_only(answer: Any = 200) -> dict[str, Any]:
    return {"anonymous": LOGIN, "candidate": 403, "other_candidate": 403, "grader": 403, "admin": answer}


def staff_only(answer: Any = 200) -> dict[str, Any]:
    return {"anonymous": LOGIN, "candidate": 403, "other_candidate": 403, "grader": answer, "admin": answer}


_ADMIN_PAGES = ["home", "grading_queue", "decisions", "questions", "question_new", "settings", "candidates",
                "audit_log", "exports", "export_attempts_csv", "export_responses_csv", "bank_import",
                "bank_export_all", "bank_export_tracks", "bank_export", "grade_item", "attempt_grades",
                "void_attempt", "candidate", "question_edit", "question_history", "question_preview",
                "question_retire", "question_restore", "assessment_edit", "tier_edit", "track_edit"]
_STAFF_PAGES = {"home", "grading_queue", "grade_item"}

EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    ("static", "GET"): public(),
    ("main.index", "GET"): public(),
    ("main.healthz", "GET"): public(),
    # signed-in people are sent to their home instead of the log-in and sign-up forms
    ("auth.login", "GET"): public(signed_in="-> /dashboard", staff="-> /admin/"),
    ("auth.login", "POST"): public(signed_in="-> /dashboard", staff="-> /admin/"),
    ("auth.signup", "GET"): public(signed_in="-> /dashboard", staff="-> /admin/"),
    ("auth.signup", "POST"): public(signed_in="-> /dashboard", staff="-> /admin/"),
    ("auth.logout", "POST"): public("-> /"),
    ("candidates.dashboard", "GET"): candidates_only(),
    ("candidates.application", "GET"): candidates_only(),
    ("candidates.application", "POST"): candidates_only(200),  # the empty form comes back with its errors
    ("candidates.instructions", "GET"): candidates_only(),
    ("candidates.instructions", "POST"): candidates_only(200),  # not confirmed: the instructions again
    ("assessment.question", "GET"): owner_only(),
    ("assessment.question", "POST"): owner_only("-> /attempts/*"),  # saved (nothing chosen), next question
    ("assessment.review", "GET"): owner_only(),
    ("assessment.state", "GET"): owner_only(),
    ("assessment.submit", "POST"): owner_only(422),  # not confirmed
    # JSON routes: anonymous gets a JSON 401 (the page shows "logged out"), never a redirect
    ("assessment.save", "POST"): owner_only(400, anonymous=401),  # {} has no fields
    ("assessment.flag", "POST"): owner_only(200, anonymous=401),
    ("assessment.signal", "POST"): owner_only(400, anonymous=401),  # {} has no kind
    ("assessment.open_results", "POST"): owner_only("-> /dashboard"),  # already open in another tab
    ("assessment.results", "GET"): owner_only(),
    ("assessment.finish_results", "POST"): owner_only("-> /attempts/*"),  # not confirmed: back to the review
    **{(f"admin.{name}", "GET"): (staff_only() if name in _STAFF_PAGES else admin_only()) for name in _ADMIN_PAGES},
    ("admin.grade_item", "POST"): staff_only(200),  # no points given: the form again
    ("admin.accommodation", "POST"): admin_only("-> /admin/candidates/*"),  # refused, said on the page
    ("admin.assessment_edit", "POST"): admin_only(200),
    ("admin.tier_edit", "POST"): admin_only(200),
    ("admin.track_edit", "POST"): admin_only("-> /admin/settings"),
    ("admin.bank_import", "POST"): admin_only(422),  # no files: the errors, nothing written
    ("admin.bank_import_confirm", "POST"): admin_only("-> /admin/bank/import"),  # nothing pending
    ("admin.bank_import_cancel", "POST"): admin_only("-> /admin/bank/import"),
    ("admin.confirm", "POST"): admin_only(200),
    ("admin.void_attempt", "POST"): admin_only(200),  # no reason given
    ("admin.question_edit", "POST"): admin_only(422),  # an empty form: its errors
    ("admin.question_new", "POST"): admin_only(200),
    ("admin.question_retire", "POST"): admin_only("-> /admin/questions/a-1/history"),
    ("admin.question_restore", "POST"): admin_only("-> /admin/questions/a-1/history"),
    ("main.livez", "GET"): public(),
    # accounts: the pages a person without a session needs answer everyone the same
    ("auth.signup_sent", "GET"): public(),
    ("auth.forgot_password", "GET"): public(),
    ("auth.forgot_password", "POST"): public(200),  # no address given: the form again
    ("auth.forgot_sent", "GET"): public(),
    ("auth.verify_email", "GET"): public(400),  # a forged link
    ("auth.reset_password", "GET"): public(400),
    ("auth.reset_password", "POST"): public(400),
    ("auth.change_password", "GET"): public(LOGIN, signed_in=200),
    ("auth.change_password", "POST"): public(LOGIN, signed_in=200),  # no passwords given: the form again
    ("auth.resend_verification", "POST"): public(LOGIN, signed_in="-> /dashboard", staff="-> /admin/"),
    ("admin.outbox", "GET"): admin_only(),
    ("admin.resend_mail", "POST"): admin_only(404),  # no such mail
    # psychometrics: a tiny bank with a handful of attempts has too little data for any of it
    ("admin.statistics", "GET"): admin_only(),
    ("admin.assessment_statistics", "GET"): admin_only(),
    ("admin.statistics_csv", "GET"): admin_only(),
    ("admin.calibrate_assessment", "POST"): admin_only(200),  # "not enough data", on the page
    ("admin.set_assessment_scoring", "POST"): admin_only(200),  # no choice made: the form again
    ("admin.set_assessment_exposure", "POST"): admin_only(200),  # no minimum given: the form again
    ("admin.rescore_dry_run", "GET"): admin_only("-> /admin/statistics/alpha-starter"),  # not calibrated
    ("admin.rescore_attempt", "POST"): admin_only("-> /admin/statistics/alpha-starter/rescore"),
    # a practice question: nothing stored, no attempt
    ("candidates.practice", "GET"): candidates_only(),
    ("candidates.practice", "POST"): candidates_only(),
    ("assessment.confirm_results", "GET"): owner_only("-> /dashboard"),  # the review is open in another tab
    # code questions (the world's attempt has none: question 1 is not a code item)
    ("assessment.run_examples", "POST"): owner_only(400, anonymous=401),  # {} holds no code
    ("assessment.example_run", "GET"): owner_only(404),  # no such run
    ("admin.code_runs", "GET"): admin_only(),
    ("admin.rerun_code_run", "POST"): admin_only(404),  # no such run
    ("admin.code_results", "GET"): staff_only(404),  # not a code item
}
