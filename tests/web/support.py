"""Helpers for the web tests: drive the real pages the way a browser (with or without JavaScript) does."""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.test import TestResponse

from quiz.auth.passwords import hash_password
from quiz.extensions import session_factory
from quiz.models import Attempt, AttemptItem, User
from tests.outbox import eml_files, run_outbox

PASSWORD = "correct horse battery"
APPLICATION = {
    "full_name": "Ada Candidate",
    "country": "Portugal",
    "time_zone": "UTC",
    "education": "Master's degree",
    "expertise": "statistics, Python",
    "languages-0-language": "English",
    "languages-0-proficiency": "fluent",
    "hours_per_week": "20",
}
_META_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_ATTEMPT_URL = re.compile(r"/attempts/(\d+)/q/1$")


def page(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def text(response: TestResponse) -> str:
    """The page with HTML entities decoded (messages quote with ' and $ signs)."""
    return html.unescape(page(response))


def flashes(response: TestResponse) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="flash [a-z]+" role="[a-z]+">(.*?)</p>', page(response))]


def field_errors(response: TestResponse, field_id: str) -> list[str]:
    """The error list rendered next to one field (see templates/_form.html)."""
    found = re.search(rf'<ul id="{re.escape(field_id)}-errors" class="errors">(.*?)</ul>', page(response), re.S)
    return [html.unescape(e) for e in re.findall(r"<li>(.*?)</li>", found.group(1))] if found else []


def location(response: TestResponse) -> str:
    return response.headers.get("Location", "")


def login_next(response: TestResponse) -> str | None:
    """The `next` of a redirect to the log-in page (None when it is not one)."""
    parts = urlsplit(location(response))
    if response.status_code != 302 or parts.path != "/login":
        return None
    return parse_qs(parts.query).get("next", [None])[0]


def csrf_token(client: FlaskClient) -> str:
    found = _META_TOKEN.search(page(client.get("/")))
    assert found, "no CSRF token in the page"
    return found.group(1)


def _with_token(client: FlaskClient, data: dict[str, Any]) -> dict[str, Any]:
    if client.application.config.get("WTF_CSRF_ENABLED", True) and "csrf_token" not in data:
        return {**data, "csrf_token": csrf_token(client)}
    return data


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
    """A form post, with the CSRF token a real page would carry when CSRF is on."""
    return client.post(url, data=_with_token(client, dict(data or {})), **kwargs)


def post_json(client: FlaskClient, url: str, payload: Any, **kwargs: Any) -> TestResponse:
    headers = dict(kwargs.pop("headers", {}) or {})
    if client.application.config.get("WTF_CSRF_ENABLED", True) and "X-CSRFToken" not in headers:
        headers["X-CSRFToken"] = csrf_token(client)
    return client.post(url, json=payload, headers=headers, **kwargs)


def signup(client: FlaskClient, email: str, password: str = PASSWORD, confirm: str | None = None) -> TestResponse:
    return post(client, "/signup", {"email": email, "password": password,
                                    "confirm": password if confirm is None else confirm})


def login(client: FlaskClient, email: str, password: str = PASSWORD, next_url: str | None = None) -> TestResponse:
    url = "/login" if next_url is None else f"/login?next={next_url}"
    return client.post(url, data=_with_token(client, {"email": email, "password": password}))


def apply(client: FlaskClient, **overrides: str) -> TestResponse:
    return post(client, "/application", {**APPLICATION, **overrides})


def take_mail(app: Flask, to: str, subject: str) -> EmailMessage:
    """The newest mail to `to` with `subject`, removed from the outbox (as read by its owner), so
    tests that count the outbox see only the mail their own steps caused."""
    run_outbox(app)
    folder = Path(app.instance_path) / "outbox"
    for path in sorted(folder.glob("*.eml"), reverse=True) if folder.is_dir() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to and message["Subject"] == subject:
            path.unlink()
            return message  # type: ignore[return-value]
    raise AssertionError(f"no mail {subject!r} to {to} in {[m['Subject'] for m in outbox(app)]}")


def discard_mail(app: Flask, to: str, subject: str) -> None:
    """Drop such mails from the outbox unsent (and any .eml already written), so tests that count
    mail see only what their own steps caused."""
    from sqlalchemy import delete

    from quiz.models import OutboxMail

    with session_factory(app)() as session:
        session.execute(delete(OutboxMail).where(OutboxMail.to_address == to, OutboxMail.subject == subject))
        session.commit()
    folder = Path(app.instance_path) / "outbox"
    for path in folder.glob("*.eml") if folder.is_dir() else []:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        if message["To"] == to and message["Subject"] == subject:
            path.unlink()


def verification_token(app: Flask, address: str) -> str:
    """The token the confirmation mail's link carries, made the same way, whatever carries the mail."""
    from quiz.auth.tokens import VERIFY_EMAIL, make_token

    with app.app_context(), session_factory(app)() as session:
        from quiz.extensions import now

        user = session.scalar(select(User).where(User.email == address))
        return make_token(app.config["SECRET_KEY"], VERIFY_EMAIL, user, now())


def mail_link(message: EmailMessage, path_prefix: str) -> str:
    """The path of the first link in a mail that starts with `path_prefix` (e.g. /account/verify/)."""
    found = re.search(rf"http://localhost({re.escape(path_prefix)}\S+)", message.get_content())
    assert found, message.get_content()
    return found.group(1)


def candidate(app: Flask, email: str, *, applied: bool = True, verified: bool = True) -> FlaskClient:
    """A new browser in which a new candidate signed up, opened the link of the confirmation mail
    (unless `verified=False`), logged in and applied, through the real pages."""
    client = app.test_client()
    response = signup(client, email)
    assert response.status_code == 302 and location(response) == "/signup/check-email", page(response)
    address = email.strip().lower()
    discard_mail(app, address, "Confirm your email address")  # tests that count mail see only their own
    if verified:
        response = client.get(f"/account/verify/{verification_token(app, address)}")
        assert response.status_code == 302, page(response)
    response = login(client, email)
    assert response.status_code == 302 and location(response) == "/dashboard", page(response)
    if applied:
        response = apply(client)
        assert response.status_code == 302 and location(response) == "/dashboard", page(response)
    return client


def staff(app: Flask, email: str, role: str) -> FlaskClient:
    """A grader or admin account (made in the database, as an admin would), logged in."""
    with session_factory(app)() as session:
        session.add(User(email=email, password_hash=hash_password(PASSWORD), role=role))
        session.commit()
    client = app.test_client()
    response = login(client, email)
    assert response.status_code == 302, page(response)
    return client


def start(client: FlaskClient, key: str) -> int:
    response = post(client, f"/assessments/{key}", {"understood": "y"})
    found = _ATTEMPT_URL.search(location(response))
    assert response.status_code == 302 and found, (response.status_code, location(response), page(response))
    return int(found.group(1))


def save(client: FlaskClient, attempt_id: int, position: int, fields: dict[str, Any], seq: int,
         **kwargs: Any) -> TestResponse:
    if isinstance(fields, dict):
        fields = tokens(client, attempt_id, position, fields)
    return post_json(client, f"/attempts/{attempt_id}/answers/{position}", {"fields": fields, "seq": seq}, **kwargs)


def answer_form(client: FlaskClient, attempt_id: int, position: int, fields: dict[str, Any], *,
                go: str = "next", flagged: bool = False, **kwargs: Any) -> TestResponse:
    data = {**tokens(client, attempt_id, position, fields), "go": go}
    if flagged:
        data["flagged"] = "on"
    return post(client, f"/attempts/{attempt_id}/q/{position}", data, **kwargs)


def submit(client: FlaskClient, attempt_id: int, **kwargs: Any) -> TestResponse:
    return post(client, f"/attempts/{attempt_id}/submit", {"confirm": "y"}, **kwargs)


def with_attempt(app: Flask, attempt_id: int, read: Callable[[Attempt], Any]) -> Any:
    """Read the stored attempt in a session of its own, closed before the next request."""
    with session_factory(app)() as session:
        attempt = session.scalar(select(Attempt).where(Attempt.id == attempt_id).options(
            selectinload(Attempt.items).selectinload(AttemptItem.question_version)))
        return read(attempt)


def stored(app: Flask, attempt_id: int) -> dict[str, Any]:
    """The attempt as the database holds it: status, reason, times, and each item's answer/flag/seq."""
    return with_attempt(app, attempt_id, lambda a: {
        "status": a.status, "submit_reason": a.submit_reason, "decision": a.decision,
        "deadline_at": a.deadline_at, "submitted_at": a.submitted_at, "user_id": a.user_id,
        "review_opened_at": a.review_opened_at,
        "items": {i.position: (i.answer, i.flagged, i.answer_seq) for i in a.items}})


def item_types(app: Flask, attempt_id: int) -> dict[int, str]:
    return with_attempt(app, attempt_id, lambda a: {i.position: i.question_version.type for i in a.items})


def attempt_count(app: Flask) -> int:
    with session_factory(app)() as session:
        return len(session.scalars(select(Attempt.id)).all())


def answer_all(client: FlaskClient, app: Flask, attempt_id: int, right: bool = True) -> None:
    """Answer every closed item (right: "a", wrong: "b") and every essay, through JSON saves."""
    for position, kind in item_types(app, attempt_id).items():
        fields = {"text": "An essay answer."} if kind == "essay" else {"choice": "a" if right else "b"}
        response = save(client, attempt_id, position, fields, 1)
        assert response.status_code == 200 and response.get_json()["saved"], page(response)


def take_alpha(client: FlaskClient, app: Flask, right: bool = True) -> int:
    """Start the alpha starter, answer it, submit it: decided at once (closed items only)."""
    attempt_id = start(client, "alpha-starter")
    answer_all(client, app, attempt_id, right)
    response = submit(client, attempt_id)
    assert response.status_code == 302 and location(response) == "/dashboard", page(response)
    return attempt_id


def outbox(app: Flask, kind: str | None = "decision") -> list[EmailMessage]:
    """The mail of `kind` the candidate got so far (decisions by default; None: every kind), after
    running the outbox as the job worker would."""
    return eml_files(app, kind)


# --- options travel as tokens (display positions), never as bank ids ---------------------------

def _order(client: FlaskClient, attempt_id: int, position: int) -> tuple[str, list[str]]:
    from quiz.assessment.forms import display_order

    def read(attempt: Attempt) -> tuple[str, list[str]]:
        item = next(i for i in attempt.items if i.position == position)
        version = item.question_version
        return version.type, display_order(version.definition, item.option_order)

    return with_attempt(client.application, attempt_id, read)


def tokens(client: FlaskClient, attempt_id: int, position: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Tests speak in bank ids; the page sends tokens. Ids this item does not have pass unchanged
    (so a test can still send an unknown option and see it refused)."""
    try:
        type_name, order = _order(client, attempt_id, position)
    except (AttributeError, StopIteration):  # no such attempt or question: the app will say so
        return fields
    if type_name not in ("single_choice", "multiple_choice", "ordering"):
        return fields
    token = {ident: str(n) for n, ident in enumerate(order, start=1)}
    converted: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "choice":
            values = value if isinstance(value, list) else [value]
            mapped = [token.get(v, f"unknown-{v}") if isinstance(v, str) else v for v in values]
            converted[name] = mapped if isinstance(value, list) else mapped[0]
        elif name.startswith("rank_") and name[5:] in token:
            converted[f"rank_{token[name[5:]]}"] = value
        else:
            converted[name] = value
    return converted


def ids_of(client: FlaskClient, attempt_id: int, position: int, shown: list[str]) -> list[str]:
    """Bank ids of the tokens a page shows (e.g. the checked ones)."""
    _type, order = _order(client, attempt_id, position)
    return [order[int(t) - 1] for t in shown]
