"""Admin routes for candidates (search, page, accommodation, void) and records (audit log, CSV exports).

Thin views: parse with a form, call a service of `quiz.admin.people` / `quiz.admin.records`, commit once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from quiz.admin import people, records
from quiz.admin.people_forms import AccommodationForm, AuditFilterForm, CandidateSearchForm, OTHER, VoidForm
from quiz.admin.views import MAX_PAGE, admin_required, bp
from quiz.audit import record
from quiz.extensions import commit, db_session, now
from quiz.models import User

CANDIDATES_PER_PAGE = 25


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)


def _actor() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _show_error(form: FlaskForm, error: people.PeopleError) -> None:
    """A service's message goes next to the field it names, else into a flash."""
    name = error.field
    if name == "factor" and isinstance(form, AccommodationForm) and form.factor.data == OTHER:
        name = "other_factor"
    target = getattr(form, name, None) if name else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        flash(str(error), "error")


# --- candidates ----------------------------------------------------------------------------------

@bp.get("/candidates")
@admin_required
def candidates() -> str:
    form = CandidateSearchForm(formdata=request.args, meta={"csrf": False})
    valid = form.validate()
    text = (form.q.data or "").strip() if valid else ""
    with_signals = bool(form.signals.data) if valid else False
    page = _page()
    found = people.candidates_page(db_session(), text, page, CANDIDATES_PER_PAGE, with_signals=with_signals)
    return render_template("admin/people/candidates.html", form=form, users=found.users, total=found.total,
                           text=text, page=page, per_page=CANDIDATES_PER_PAGE, with_signals=with_signals,
                           signal_counts=found.signal_counts)


def _candidate_or_404(candidate_id: int) -> User:
    try:
        return people.load_candidate(db_session(), candidate_id)
    except LookupError:
        abort(404)


def _candidate_page(candidate: User, form: AccommodationForm) -> str:
    return render_template("admin/people/candidate.html", overview=people.candidate_overview(db_session(), candidate),
                           form=form)


@bp.get("/candidates/<int:candidate_id>")
@admin_required
def candidate(candidate_id: int) -> str:
    found = _candidate_or_404(candidate_id)
    form = AccommodationForm()
    form.fill(found.accommodation_factor, found.accommodation_reason)
    return _candidate_page(found, form)


@bp.post("/candidates/<int:candidate_id>/accommodation")
@admin_required
def accommodation(candidate_id: int) -> str | Response:
    found = _candidate_or_404(candidate_id)
    form = AccommodationForm()
    if form.validate_on_submit():
        try:
            people.set_accommodation(db_session(), _actor(), found, form.chosen(), form.reason.data or "", now())
        except people.PeopleError as exc:
            _show_error(form, exc)
        else:
            commit()
            flash(f"Extra-time factor set to {found.accommodation_factor}× for attempts started from now on.",
                  "success")
            return redirect(url_for("admin.candidate", candidate_id=found.id))
    return _candidate_page(found, form)


@bp.route("/attempts/<int:attempt_id>/void", methods=["GET", "POST"], endpoint="void_attempt")
@admin_required
def void_attempt_page(attempt_id: int) -> str | Response:
    """GET: the consequences and the reason form (the confirmation step). POST: void it."""
    session = db_session()
    try:
        attempt = people.load_attempt_for_admin(session, attempt_id, for_update=request.method == "POST")
    except LookupError:
        abort(404)
    form = VoidForm()
    if form.validate_on_submit():
        try:
            people.void_attempt(session, _actor(), attempt, form.reason.data, now())
        except people.PeopleError as exc:
            _show_error(form, exc)
        else:
            commit()
            flash(f"The attempt is void. {attempt.user.email} may start it once more.", "success")
            return redirect(url_for("admin.candidate", candidate_id=attempt.user_id))
    return render_template("admin/people/void.html", attempt=attempt, form=form,
                           consequences=people.void_consequences(attempt))


# --- records -------------------------------------------------------------------------------------

@bp.get("/audit")
@admin_required
def audit_log() -> str:
    session = db_session()
    form = AuditFilterForm(formdata=request.args, meta={"csrf": False})
    choices = records.audit_filter_choices(session)
    form.set_choices(choices.actors, choices.actions, choices.target_types)
    valid, page = form.validate(), _page()
    log = records.audit_log_page(session, **form.filters(), page=page) if valid else records.AuditPage([], 0)
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("admin/records/audit.html", form=form, log=log, valid=valid, page=page,
                           per_page=records.AUDIT_PER_PAGE, filters=filters)


@bp.get("/exports")
@admin_required
def exports() -> str:
    attempts, responses = records.export_counts(db_session())
    return render_template("admin/records/exports.html", attempts=attempts, responses=responses,
                           attempt_columns=records.ATTEMPT_COLUMNS, response_columns=records.RESPONSE_COLUMNS)


def _csv_download(name: str, header: Iterable[str], rows: Iterator[Any]) -> Response:
    """Rows are read and written as the client downloads them, never all held in memory."""
    filename = f"quiz-{name}-{now().strftime('%Y%m%d-%H%M%S')}.csv"
    # Personal data leaves the system: who took it, and when, is on the record.
    record(db_session(), current_user, "export.csv", "export", name, at=now())
    commit()
    response = Response(stream_with_context(records.csv_lines(header, rows)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/exports/attempts.csv")
@admin_required
def export_attempts_csv() -> Response:
    return _csv_download("attempts", records.ATTEMPT_COLUMNS, records.attempt_rows(db_session()))


@bp.get("/exports/responses.csv")
@admin_required
def export_responses_csv() -> Response:
    return _csv_download("responses", records.RESPONSE_COLUMNS, records.response_rows(db_session()))
