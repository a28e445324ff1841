"""Admin routes: import and export the question bank; tier, track and assessment settings."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from quiz.admin import bank_import as bank_files
from quiz.admin import settings as bank_settings
from quiz.admin.bank_admin import BankAdminError
from quiz.admin.bank_forms import AssessmentForm, ImportForm, TierForm, TokenForm, TrackForm
from quiz.admin.bank_import import MAX_UPLOAD_BYTES
from quiz.admin.views import admin_required, bp
from quiz.bank.sync import BankConflict
from quiz.extensions import commit, db_session, now

YAML_MIMETYPE = "application/yaml"


def _imports_root() -> Path:
    return Path(current_app.instance_path) / "imports"


def _limit_upload_size() -> None:
    # Runs before every other before-request function, so CSRF checking never parses an oversized upload.
    if request.endpoint == "admin.bank_import":
        request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024  # the files, plus the form around them


@bp.record_once
def _install_upload_limit(state) -> None:  # type: ignore[no-untyped-def]
    app: Flask = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_upload_size)


@bp.app_errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    message = "The request is too large."
    if request.endpoint == "admin.bank_import":
        message = (f"The upload is too large: at most {MAX_UPLOAD_BYTES // (1024 * 1024)} MB of bank files at a "
                   "time. Nothing was imported.")
    return render_template("error.html", code=413, message=message), 413


def _render_import(form: ImportForm, **context: object) -> str:
    return render_template("admin/bank/import.html", form=form, exports=bank_files.export_listing(db_session()),
                           **context)


@bp.route("/bank/import", methods=["GET", "POST"])
@admin_required
def bank_import() -> str | tuple[str, int]:
    """Upload bank files; see the dry run (or every error) before anything is written."""
    form = ImportForm()
    if request.method == "GET":
        return _render_import(form)
    if not form.validate_on_submit():
        return _render_import(form), 422
    try:
        preview = bank_files.stage_import(db_session(), _imports_root(), form.uploads(), actor_id=current_user.id,
                                          now=now())
    except bank_files.UploadTooLarge as exc:
        form.files.errors.append(str(exc))
        return _render_import(form), 413
    except BankAdminError as exc:
        form.files.errors.append(str(exc))
        return _render_import(form), 422
    # refused files (errors, or a conflict with what the database keeps) are a 422, with every problem listed
    return render_template("admin/bank/preview.html", preview=preview), 422 if preview.errors or preview.conflict else 200


@bp.post("/bank/import/confirm")
@admin_required
def bank_import_confirm() -> str | Response:
    form = TokenForm()
    if not form.validate_on_submit():
        flash("This preview has no token: upload the files again.", "error")
        return redirect(url_for("admin.bank_import"))
    try:
        preview = bank_files.confirm_import(db_session(), _imports_root(), form.token.data, actor_id=current_user.id,
                                            now=now())
    except BankAdminError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.bank_import"))
    except BankConflict as exc:
        flash(f"Nothing was imported: {exc}", "error")
        return redirect(url_for("admin.bank_import"))
    if not preview.applied:
        return render_template("admin/bank/preview.html", preview=preview)
    commit()
    flash(f"Imported {', '.join(preview.files)}: {preview.report.summary()}.", "success")  # type: ignore[union-attr]
    return redirect(url_for("admin.bank_import"))


@bp.post("/bank/import/cancel")
@admin_required
def bank_import_cancel() -> Response:
    form = TokenForm()
    if form.validate_on_submit():
        bank_files.cancel_import(_imports_root(), form.token.data, actor_id=current_user.id)
    flash("The import was cancelled; nothing was written.", "success")
    return redirect(url_for("admin.bank_import"))


def _download(name: str, text: str) -> Response:
    return send_file(io.BytesIO(text.encode("utf-8")), mimetype=YAML_MIMETYPE, as_attachment=True,
                     download_name=name, max_age=0)


@bp.get("/bank/export/<track_key>")
@admin_required
def bank_export(track_key: str) -> Response:
    """A track's bank file, exactly as `quiz bank export` writes it."""
    exported = bank_files.export_track(db_session(), track_key)
    if exported is None:
        abort(404)
    return _download(*exported)


@bp.get("/bank/tracks.yaml")
@admin_required
def bank_export_tracks() -> Response:
    return _download(*bank_files.export_tracks_file(db_session()))


@bp.get("/bank/export.zip")
@admin_required
def bank_export_all() -> Response:
    return send_file(io.BytesIO(bank_files.export_bank_zip(db_session())), mimetype="application/zip",
                     as_attachment=True, download_name="question_bank.zip", max_age=0)


# --- settings --------------------------------------------------------------------------------------

@bp.get("/settings")
@admin_required
def settings() -> str:
    tiers, tracks = bank_settings.settings_overview(db_session())
    return render_template("admin/bank/settings.html", tiers=tiers, tracks=tracks,
                           review_short=bank_settings.REVIEW_SHORT)


def _tier_choices() -> list[SelectChoice]:
    return [SelectChoice(t.key, f"{t.name} (${t.hourly_rate:.2f}/h)") for t in bank_settings.tiers(db_session())]


def _saved(changed: list[str], what: str) -> Response:
    commit()
    flash(f"Saved {what}: {', '.join(name.replace('_', ' ') for name in changed)} changed." if changed
          else f"Nothing changed in {what}.", "success")
    return redirect(url_for("admin.settings"))


@bp.route("/settings/assessments/<key>", methods=["GET", "POST"])
@admin_required
def assessment_edit(key: str) -> str | Response:
    session = db_session()
    assessment = bank_settings.assessment_by_key(session, key) or abort(404)
    if request.method == "GET":
        form = AssessmentForm(data=AssessmentForm.data_from(bank_settings.assessment_settings(assessment)))
        for _ in range(2):
            form.blueprint.append_entry()
    else:
        form = AssessmentForm()
    form.tier.choices = _tier_choices()
    if request.method == "POST" and request.form.get("add_row"):
        if len(form.blueprint.entries) < form.blueprint.max_entries:  # type: ignore[operator]
            form.blueprint.append_entry()
    elif form.validate_on_submit():
        try:
            changed = bank_settings.update_assessment(session, current_user, assessment, form.settings())
        except BankAdminError as exc:
            flash(str(exc), "error")
        else:
            return _saved(changed, f"the settings of {assessment.title}")
    rows = [AssessmentForm.row_stratum(entry.form) for entry in form.blueprint.entries]
    return render_template("admin/bank/assessment_edit.html", form=form, assessment=assessment,
                           available=bank_settings.available_counts(session, assessment.track_id, rows),
                           shortfalls=bank_settings.fill_shortfalls(session, assessment),
                           topics=bank_settings.topic_table(session, assessment.track_id))


@bp.route("/settings/tiers/<key>", methods=["GET", "POST"])
@admin_required
def tier_edit(key: str) -> str | Response:
    session = db_session()
    tier = bank_settings.tier_by_key(session, key) or abort(404)
    form = TierForm(obj=tier)
    if form.validate_on_submit():
        try:
            changed = bank_settings.update_tier(session, current_user, tier, name=form.name.data,
                                                hourly_rate=form.hourly_rate.data, rank=form.rank.data)
        except BankAdminError as exc:
            flash(str(exc), "error")
        else:
            return _saved(changed, f"the tier {tier.name}")
    return render_template("admin/bank/tier_edit.html", form=form, tier=tier)


@bp.route("/settings/tracks/<key>", methods=["GET", "POST"])
@admin_required
def track_edit(key: str) -> str | Response:
    session = db_session()
    track = bank_settings.track_by_key(session, key) or abort(404)
    form = TrackForm(data={"name": track.name, "description": track.description, "tier": track.tier.key})
    form.tier.choices = _tier_choices()
    if form.validate_on_submit():
        try:
            changed = bank_settings.update_track(session, current_user, track, name=form.name.data,
                                                 description=form.description.data or "", tier_key=form.tier.data)
        except BankAdminError as exc:
            flash(str(exc), "error")
        else:
            return _saved(changed, f"the track {track.name}")
    return render_template("admin/bank/track_edit.html", form=form, track=track)
