"""The outbox page: every outgoing mail with its state, and resending a failed one (admins only).

Bodies are never shown: a password-reset or verification mail holds a secret link.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from quiz import notifications
from quiz.admin.views import MAX_PAGE, admin_required, bp
from quiz.extensions import commit, db_session, now
from quiz.models.mail import OUTBOX_STATUSES

OUTBOX_PER_PAGE = 50


class OutboxFilterForm(FlaskForm):
    """A GET form: build it with `formdata=request.args` and `meta={"csrf": False}`."""

    status = SelectField("Status", validators=[Optional()],
                         choices=[SelectChoice("", "Any status")] + [SelectChoice(s) for s in OUTBOX_STATUSES])


class ResendForm(FlaskForm):
    """Only the CSRF token: the mail is named by the URL."""


@bp.get("/outbox")
@admin_required
def outbox() -> str:
    form = OutboxFilterForm(formdata=request.args, meta={"csrf": False})
    valid = form.validate()
    status = (form.status.data or None) if valid else None
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    listing = notifications.outbox_page(db_session(), status, page, OUTBOX_PER_PAGE)
    return render_template("admin/records/outbox.html", form=form, valid=valid, listing=listing, page=page,
                           per_page=OUTBOX_PER_PAGE, filters={"status": status} if status else {},
                           resend_form=ResendForm(), now=now())


@bp.post("/outbox/<int:mail_id>/resend")
@admin_required
def resend_mail(mail_id: int) -> Response:
    if not ResendForm().validate_on_submit():
        abort(400)
    try:
        row = notifications.resend(db_session(), current_user._get_current_object(), mail_id, now())  # type: ignore[attr-defined]
    except LookupError:
        abort(404)
    except notifications.OutboxError as exc:
        flash(str(exc), "error")
    else:
        commit()
        flash(f"Mail #{row.id} to {row.to_address} is queued again.", "success")
    return redirect(url_for("admin.outbox", **({"status": request.args["status"]}
                                               if request.args.get("status") in OUTBOX_STATUSES else {})))
