"""Odd input is a clear 4xx, never a 500; staff land in their area; pages refuse to be framed."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.web.support import candidate, post_json, start


def test_huge_ids_and_pages_are_not_found_not_errors(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    assert client.get("/attempts/99999999999999999999999/q/1").status_code == 404
    assert client.get("/attempts/1/q/99999999999999999999").status_code == 404


def test_flag_and_signal_payloads_must_be_objects(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    for url in (f"/attempts/{attempt_id}/flags/1", f"/attempts/{attempt_id}/signals"):
        for payload in ([1], "x", 5):
            assert post_json(client, url, payload).status_code == 400
    response = post_json(client, f"/attempts/{attempt_id}/signals", {"kind": "paste", "position": 10**30})
    assert response.status_code == 200  # an impossible position is dropped, the signal kept


def test_an_unusual_digit_is_refused_cleanly(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = client.post(f"/attempts/{attempt_id}/q/1", data={"choice": "²", "go": "²"})
    assert response.status_code == 422 and "not one of the options" in response.get_data(as_text=True)


def test_nul_characters_are_refused(client: FlaskClient) -> None:
    response = client.post("/signup", data={"email": "a\x00@example.com", "password": "x" * 12, "confirm": "x" * 12})
    assert response.status_code == 400


def test_pages_refuse_to_be_framed(client: FlaskClient) -> None:
    headers = client.get("/").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_staff_land_in_their_area_after_log_in(app: Flask) -> None:
    from tests.web.support import login, location, staff

    staff(app, "boss@example.com", "admin")
    client = app.test_client()
    response = login(client, "boss@example.com")
    assert response.status_code == 302 and location(response) == "/admin/"


def test_csv_downloads_are_on_the_record(app: Flask) -> None:
    from sqlalchemy import select

    from quiz.extensions import session_factory
    from quiz.models import AuditEntry
    from tests.web.support import staff

    admin = staff(app, "boss@example.com", "admin")
    assert admin.get("/admin/exports/attempts.csv").status_code == 200
    with session_factory(app)() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.target_type == "export")).all()
    assert actions == ["export.csv"]


def test_going_to_another_question_without_javascript_saves_this_one(app: Flask) -> None:
    from tests.web.support import answer_form, stored

    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    response = answer_form(client, attempt_id, 1, {"choice": "a"}, go="3")  # a question button of the panel
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt_id}/q/3")
    assert stored(app, attempt_id)["items"][1][0] == "a"
