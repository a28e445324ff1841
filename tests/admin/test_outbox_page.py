"""The admin's outbox page: what every mail is doing, no bodies, and resending a failed one."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from quiz.mail import Mail
from quiz.models import Attempt, AuditEntry, OutboxMail
from quiz.notifications import queue_mail
from tests.outbox import run_outbox
from tests.smtp import free_port

SECRET = "https://quiz.example.org/reset/s3cr3t-token"


def _page(client: FlaskClient, **args: str) -> str:
    response = client.get("/admin/outbox", query_string=args)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _failed_reset_mail(app: Flask, db: Session) -> OutboxMail:
    queue_mail(db, Mail(to="cand@example.com", subject="Reset your password", body=f"Open {SECRET}\n",
                        html=f'<a href="{SECRET}">Reset</a>', kind="password_reset"))
    db.commit()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=1)
    run_outbox(app)
    row = db.scalar(select(OutboxMail).where(OutboxMail.kind == "password_reset"))
    db.refresh(row)
    assert row.status == "failed"
    return row


def test_the_outbox_shows_each_mail_state_without_bodies(app: Flask, admin_client: FlaskClient, db: Session,
                                                          make_submitted: Callable[..., Attempt]) -> None:
    make_submitted()  # a receipt, queued
    row = _failed_reset_mail(app, db)
    page = _page(admin_client)
    assert "queued: 0" in page and "failed: 2" in page  # the receipt failed too (MAIL_MAX_ATTEMPTS=1)
    assert "Reset your password" in page and "We received your Beta starter" in page
    assert "cannot reach 127.0.0.1" in page and "password_reset" in page
    assert SECRET not in page and "s3cr3t" not in page
    assert f'action="/admin/outbox/{row.id}/resend"' in page
    assert "Reset your password" in _page(admin_client, status="failed")
    assert "No sent mail." in _page(admin_client, status="sent")
    assert "Choose a status from the list." in _page(admin_client, status="bogus")
    assert '<a href="/admin/outbox"' in page  # in the admin navigation


def test_graders_and_candidates_may_not_see_the_outbox(app: Flask, grader_client: FlaskClient,
                                                       make_submitted: Callable[..., Attempt]) -> None:
    from tests.admin.conftest import login

    make_submitted()
    assert grader_client.get("/admin/outbox").status_code == 403
    assert grader_client.post("/admin/outbox/1/resend").status_code == 403
    assert login(app, "cand@example.com").get("/admin/outbox").status_code == 403
    assert '"/admin/outbox"' not in grader_client.get("/admin/").get_data(as_text=True)


def test_an_admin_resends_a_failed_mail_and_it_is_audited(app: Flask, admin_client: FlaskClient,
                                                          db: Session) -> None:
    row = _failed_reset_mail(app, db)
    response = admin_client.post(f"/admin/outbox/{row.id}/resend", query_string={"status": "failed"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/outbox?status=failed"
    db.rollback()  # end this session's read snapshot: see what the request committed
    db.refresh(row)
    assert (row.status, row.attempts) == ("queued", 0)
    [entry] = db.scalars(select(AuditEntry).where(AuditEntry.action == "mail.resend")).all()
    assert entry.target_type == "outbox_mail" and entry.target_id == str(row.id)
    assert SECRET not in str(entry.before) + str(entry.after)
    assert f"Mail #{row.id} to cand@example.com is queued again." in _page(admin_client)

    again = admin_client.post(f"/admin/outbox/{row.id}/resend", follow_redirects=True)
    assert "only failed mail can be sent again" in html.unescape(again.get_data(as_text=True))
    assert admin_client.post("/admin/outbox/999999/resend").status_code == 404

    app.config.update(MAIL_SERVER=None)  # the relay is fixed: the next run delivers it
    [outcome] = run_outbox(app)
    assert outcome.sent and outcome.mail_id == row.id
    assert SECRET in next(Path(app.instance_path, "outbox").glob("*.eml")).read_text()
