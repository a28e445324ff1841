"""The statistics page of an assessment: item table, flags, charts, calibration, scoring, rescoring."""

from __future__ import annotations

import math

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from quiz.admin import statistics_charts as charts
from quiz.admin.people import load_attempt_for_admin
from quiz.admin.records import csv_lines
from quiz.admin.rescoring import apply_rescore, rescore, set_exposure, set_scoring
from quiz.admin.statistics import ITEM_COLUMNS, StatisticsError, calibrate, calibrations, item_rows, load_calibration
from quiz.admin.statistics import statistics_report
from quiz.admin.statistics_forms import CalibrateForm, ExposureForm, RescoreForm, ScoringForm
from quiz.admin.views import admin_required, bp
from quiz.extensions import commit, db_session, now
from quiz.models import Assessment, Calibration

SORTS = {
    "key": lambda r: r.key, "responses": lambda r: r.report.statistics.responses,
    "facility": lambda r: r.report.statistics.facility, "discrimination": lambda r: r.report.statistics.discrimination,
    "efficiency": lambda r: r.report.statistics.efficiency, "exposure": lambda r: r.exposure,
    "a": lambda r: r.a, "b": lambda r: r.b, "state": lambda r: r.report.state,
}


def _assessment(key: str) -> Assessment:
    found = db_session().scalar(select(Assessment).where(Assessment.key == key))
    if found is None:
        abort(404)
    return found


def _sorted(rows: list, sort: str, descending: bool) -> list:  # type: ignore[type-arg]
    key = SORTS.get(sort, SORTS["key"])

    def ordering(row):  # type: ignore[no-untyped-def]
        value = key(row)
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        return (missing, value if not missing else 0)

    present = sorted(rows, key=ordering, reverse=descending)
    # missing values (no calibration, too few data) stay at the end in both directions
    return [r for r in present if not ordering(r)[0]] + [r for r in present if ordering(r)[0]]


@bp.get("/statistics")
@admin_required
def statistics() -> str:
    assessments = db_session().scalars(select(Assessment).order_by(Assessment.track_id, Assessment.kind.desc()))
    return render_template("admin/statistics/index.html", assessments=list(assessments))


def _calibration_choices(found: list[Calibration], first: str) -> list[tuple[str, str]]:
    return [("", first)] + [(str(c.id), f"#{c.id} of {c.created_at:%Y-%m-%d %H:%M} UTC: {len(c.parameters)} items, "
                                        f"{c.candidates} candidates") for c in found]


def _page(assessment: Assessment, *, calibrate_form: CalibrateForm | None = None,
          scoring_form: ScoringForm | None = None, exposure_form: ExposureForm | None = None) -> str:
    session = db_session()
    report = statistics_report(session, assessment)
    sort, descending = request.args.get("sort", "key"), request.args.get("order") == "desc"
    rows = _sorted(report.rows, sort, descending)
    selected = next((r for r in report.rows if str(r.version.id) == request.args.get("item")), None)
    if selected is None:  # the first flagged item, else the first item
        selected = next((r for r in report.rows if r.report.state == "flagged"), next(iter(report.rows), None))
    settings = report.settings
    calibrate_form = calibrate_form or CalibrateForm(formdata=None)
    calibrate_form.anchor.choices = _calibration_choices(report.calibrations, "No: estimate every item")
    scoring_form = scoring_form or ScoringForm(formdata=None,
                                               data={"scoring": settings.scoring if settings else "percent"})
    scoring_form.calibration.choices = _calibration_choices(report.calibrations, "The latest calibration")
    exposure_form = exposure_form or ExposureForm(formdata=None, data={
        "exposure_cap": settings.exposure_cap if settings else None,
        "min_responses": settings.min_responses if settings else 30})
    information, cut = charts.test_information(session, report)
    return render_template(
        "admin/statistics/assessment.html", report=report, rows=rows, sort=sort, descending=descending,
        selected=selected, icc=charts.item_characteristic(selected) if selected else None,
        distribution=charts.score_distribution(report), item_map=charts.item_map(report), information=information,
        cut=cut, calibrate_form=calibrate_form, scoring_form=scoring_form, exposure_form=exposure_form)


@bp.get("/statistics/<key>")
@admin_required
def assessment_statistics(key: str) -> str:
    return _page(_assessment(key))


@bp.get("/statistics/<key>/items.csv")
@admin_required
def statistics_csv(key: str) -> Response:
    """The item table (no personal data: item statistics only)."""
    rows = item_rows(statistics_report(db_session(), _assessment(key)))
    response = Response(csv_lines(ITEM_COLUMNS, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="quiz-{key}-items-{now():%Y%m%d-%H%M%S}.csv"'
    return response


def _to_page(key: str) -> Response:
    return redirect(url_for("admin.assessment_statistics", key=key))


@bp.post("/statistics/<key>/calibrate")
@admin_required
def calibrate_assessment(key: str) -> str | Response:
    session, assessment = db_session(), _assessment(key)
    form = CalibrateForm()
    form.anchor.choices = _calibration_choices(calibrations(session, assessment), "")
    if form.validate_on_submit():
        try:
            anchor = load_calibration(session, assessment, int(form.anchor.data)) if form.anchor.data else None
            result = calibrate(session, assessment, current_user, now(), anchor=anchor)
        except StatisticsError as exc:
            form.anchor.errors.append(str(exc))
        else:
            commit()
            flash(f"Calibration #{result.id} stored: {len(result.parameters)} items, {result.candidates} candidates, "
                  f"{result.iterations} iterations, {'converged' if result.converged else 'NOT converged'}.", "success")
            return _to_page(key)
    return _page(assessment, calibrate_form=form)


@bp.post("/statistics/<key>/scoring")
@admin_required
def set_assessment_scoring(key: str) -> str | Response:
    session, assessment = db_session(), _assessment(key)
    form = ScoringForm()
    form.calibration.choices = _calibration_choices(calibrations(session, assessment), "")
    if form.validate_on_submit():
        try:
            settings = set_scoring(session, assessment, current_user, form.scoring.data, now(),
                                   int(form.calibration.data) if form.calibration.data else None)
        except StatisticsError as exc:
            form.scoring.errors.append(str(exc))
        else:
            commit()
            flash(f"{assessment.title} now decides by {'θ' if settings.scoring == 'theta' else 'percent'}"
                  + (f" (θ cut {settings.theta_cut:.2f}, calibration #{settings.calibration_id})"
                     if settings.scoring == "theta" else "") + ".", "success")
            return _to_page(key)
    return _page(assessment, scoring_form=form)


@bp.post("/statistics/<key>/exposure")
@admin_required
def set_assessment_exposure(key: str) -> str | Response:
    session, assessment = db_session(), _assessment(key)
    form = ExposureForm()
    if form.validate_on_submit():
        try:
            set_exposure(session, assessment, current_user, form.exposure_cap.data, form.min_responses.data, now())
        except StatisticsError as exc:
            form.exposure_cap.errors.append(str(exc))
        else:
            commit()
            flash("Exposure and data settings saved.", "success")
            return _to_page(key)
    return _page(assessment, exposure_form=form)


@bp.get("/statistics/<key>/rescore")
@admin_required
def rescore_dry_run(key: str) -> str | Response:
    assessment = _assessment(key)
    try:
        result = rescore(db_session(), assessment)
    except StatisticsError as exc:
        flash(str(exc), "error")
        return _to_page(key)
    return render_template("admin/statistics/rescore.html", assessment=assessment, result=result, form=RescoreForm())


@bp.post("/statistics/<key>/rescore/<int:attempt_id>")
@admin_required
def rescore_attempt(key: str, attempt_id: int) -> Response:
    session, assessment = db_session(), _assessment(key)
    form = RescoreForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        attempt = load_attempt_for_admin(session, attempt_id, for_update=True)
        decision = apply_rescore(session, assessment, attempt, current_user, now())
    except LookupError:
        abort(404)
    except StatisticsError as exc:
        flash(str(exc), "error")
    else:
        commit()
        flash(f"Attempt #{attempt_id} is now decided {decision} by θ; the candidate is emailed.", "success")
    return redirect(url_for("admin.rescore_dry_run", key=key))
