"""The route inventory: every route of the URL map, for every role, answers as the table says;
every state-changing route refuses a missing or foreign CSRF token."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.security.conftest import ROLES, World, token_of
from tests.security.routes import EXPECTED, ROUTE_ARGUMENTS

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
#: routes whose JSON body is read by the view (the token then travels in the X-CSRFToken header)
JSON_ENDPOINTS = {"assessment.save", "assessment.flag", "assessment.signal", "assessment.run_examples"}


def route_methods(app: Flask) -> list[tuple[str, str]]:
    return sorted((rule.endpoint, method) for rule in app.url_map.iter_rules()
                  for method in rule.methods - {"HEAD", "OPTIONS"})


def url_of(world: World, endpoint: str) -> str:
    arguments = {name: world.ids.get(value, value) if isinstance(value, str) else value
                 for name, value in ROUTE_ARGUMENTS[endpoint].items()}
    with world.app.test_request_context():
        return url_for(endpoint, **arguments)


def send(client: FlaskClient, endpoint: str, method: str, url: str, token: str | None) -> TestResponse:
    if method == "GET":
        response = client.get(url)
    elif endpoint in JSON_ENDPOINTS:
        headers = {"X-CSRFToken": token} if token is not None else {}
        response = client.open(url, method=method, json={}, headers=headers)
    else:
        response = client.open(url, method=method, data={"csrf_token": token} if token is not None else {})
    response.get_data()  # streamed downloads (CSV) finish inside the request they belong to
    response.close()
    return response


def answer(response: TestResponse) -> Any:
    """The response as the table spells it."""
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response.headers["Location"]).path
        return "login" if path == "/login" else f"-> {path}"
    return response.status_code


def matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, str) and expected.endswith("*") and isinstance(actual, str):
        return actual.startswith(expected[:-1])
    return expected == actual


def walk_order(app: Flask) -> list[tuple[str, str]]:
    """Pages first, then the POSTs (an allowed POST may move the owner's attempt on, e.g. to question 2)."""
    return sorted(route_methods(app), key=lambda pair: (pair[1] != "GET", pair))


def test_every_route_of_the_url_map_is_in_the_table(app: Flask) -> None:
    missing = [f"{endpoint} {method}" for endpoint, method in route_methods(app)
               if (endpoint, method) not in EXPECTED or endpoint not in ROUTE_ARGUMENTS]
    assert not missing, (
        f"New routes without expectations: {', '.join(missing)}. Add each one's URL arguments to ROUTE_ARGUMENTS "
        "and its expected answer for every role to EXPECTED in tests/security/routes.py")
    stale = sorted(set(EXPECTED) - set(route_methods(app)))
    assert not stale, f"EXPECTED lists routes the app no longer has: {stale}"
    for key, answers in EXPECTED.items():
        assert set(answers) == set(ROLES), (key, "needs one answer for each of", ROLES)


def test_every_role_gets_the_expected_answer_from_every_route(world: World) -> None:
    from tests.security.inline_code import inline_code

    wrong, scripted = [], []
    for role in ("anonymous", "other_candidate", "grader", "admin", "candidate"):  # the owner last
        client = world.login(role)
        token = token_of(client)
        for endpoint, method in walk_order(world.app):
            response = send(client, endpoint, method, url_of(world, endpoint), token)
            expected, actual = EXPECTED[(endpoint, method)][role], answer(response)
            if not matches(expected, actual):
                wrong.append(f"{endpoint} {method} as {role}: expected {expected!r}, got {actual!r}")
            if response.mimetype == "text/html" and (found := inline_code(response.get_data(as_text=True))):
                scripted.append(f"{endpoint} {method} as {role}: {found}")
            if endpoint == "auth.logout":  # log back in for the routes after it
                client = world.login(role)
                token = token_of(client)
    assert not wrong, "\n".join(wrong)
    assert not scripted, "\n".join(scripted)


def _database_rows(world: World) -> dict[str, list[tuple[Any, ...]]]:
    from sqlalchemy import select

    from quiz.extensions import session_factory
    from quiz.models.base import Base

    with session_factory(world.app)() as session:
        return {table.name: sorted(map(tuple, session.execute(select(table)).all()), key=repr)
                for table in Base.metadata.sorted_tables}


def test_every_state_changing_route_refuses_a_missing_or_foreign_csrf_token(world: World) -> None:
    routes = [(endpoint, method) for endpoint, method in route_methods(world.app) if method in STATE_CHANGING]
    assert len(routes) >= 20
    foreign = token_of(world.app.test_client())  # valid, but for another browser's session
    clients = {role: world.login(role) for role in ROLES}  # before the snapshot: logging in may write
    before = _database_rows(world)
    accepted = []
    for role, client in clients.items():
        for endpoint, method in routes:
            url = url_of(world, endpoint)
            for label, token in (("no token", None), ("a foreign token", foreign)):
                response = send(client, endpoint, method, url, token)
                body = response.get_data(as_text=True)
                if response.status_code != 400 or "sent from elsewhere" not in body:
                    accepted.append(f"{endpoint} {method} as {role} with {label}: {response.status_code}")
    assert not accepted, "\n".join(accepted)
    assert _database_rows(world) == before  # nothing written by any refused request
