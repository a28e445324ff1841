"""Rate limits live on the log-in and account views only; every other request skips the limiter."""

from __future__ import annotations

from flask import Flask
from flask_limiter.util import get_qualified_name

from quiz.extensions import LIMITED_BLUEPRINTS, limiter
from tests.web.conftest import AppFactory
from tests.web.support import candidate, start


def _limited_endpoints(app: Flask) -> set[str]:
    return {endpoint for endpoint, view in app.view_functions.items()
            if limiter.limit_manager.decorated_limits(get_qualified_name(view))}


def test_every_rate_limited_view_is_in_a_limited_blueprint(app: Flask) -> None:
    limited = _limited_endpoints(app)
    assert "auth.login" in limited and "auth.signup" in limited
    outside = sorted(endpoint for endpoint in limited if endpoint.split(".")[0] not in LIMITED_BLUEPRINTS)
    assert outside == [], f"limits outside {sorted(LIMITED_BLUEPRINTS)} would be skipped: add their blueprint"


def test_an_autosave_skips_the_limiter_and_a_log_in_does_not(make_app: AppFactory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    app = make_app(RATELIMIT_ENABLED=True)
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    resolved: list[str | None] = []
    original = limiter.limit_manager.resolve_limits

    def spy(flask_app, endpoint, *args, **kwargs):  # type: ignore[no-untyped-def]
        resolved.append(endpoint)
        return original(flask_app, endpoint, *args, **kwargs)

    monkeypatch.setattr(limiter.limit_manager, "resolve_limits", spy)
    assert client.post(f"/attempts/{attempt_id}/answers/1", json={"fields": {"choice": "1"}, "seq": 1}).status_code == 200
    assert resolved == []
    app.test_client().post("/login", data={"email": "nobody@example.com", "password": "wrong password!"})
    assert "auth.login" in resolved


def test_a_limit_set_for_every_route_still_applies_outside_the_limited_blueprints(make_app: AppFactory) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    statuses = [client.get(f"/attempts/{attempt_id}/state").status_code for _ in range(4)]
    assert statuses[-1] == 429, statuses
