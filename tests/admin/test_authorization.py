"""Every admin and grader route, walked as anonymous, candidate, grader and admin."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from tests.admin.conftest import login

#: The only admin-area pages a grader may use; everything else there is for admins.
GRADER_ENDPOINTS = {"admin.home", "admin.grading_queue", "admin.grade_item", "admin.code_results"}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every admin route, with placeholder arguments."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin."):
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, url))
    return found


def test_the_admin_area_has_every_part_of_the_navigation(app: Flask) -> None:
    from quiz.app import ADMIN_NAV

    endpoints = {endpoint for endpoint, _method, _url in _routes(app)}
    assert {endpoint for endpoint, _label, _roles in ADMIN_NAV} <= endpoints
    assert GRADER_ENDPOINTS <= endpoints


def test_anonymous_users_are_sent_to_log_in(app: Flask) -> None:
    client = app.test_client()
    for endpoint, method, url in _routes(app):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (endpoint, method)


def test_candidates_never_see_the_admin_area(app: Flask, db) -> None:  # type: ignore[no-untyped-def]
    from tests.admin.conftest import PASSWORD
    from quiz.auth.passwords import hash_password
    from tests.services.conftest import candidate

    user = candidate(db, "walker@example.com")
    user.password_hash = hash_password(PASSWORD)
    db.commit()
    client = login(app, "walker@example.com")
    for endpoint, method, url in _routes(app):
        assert client.open(url, method=method).status_code == 403, (endpoint, method)


@pytest.mark.parametrize("role", ["grader", "admin"])
def test_staff_reach_exactly_their_part(app: Flask, role: str) -> None:
    client = login(app, f"{role}@example.com")
    for endpoint, method, url in _routes(app):
        status = client.open(url, method=method).status_code
        if role == "admin" or endpoint in GRADER_ENDPOINTS:
            assert status not in (401, 403), (endpoint, method, status)
            assert status < 500, (endpoint, method, status)
        else:
            assert status == 403, (endpoint, method, status)
