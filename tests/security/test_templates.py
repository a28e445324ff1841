"""No template carries inline script, event handlers, javascript: links or inline styles, and the
policy headers that rely on it are sent."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from quiz.paths import templates_dir
from tests.security.inline_code import inline_code
from tests.web.support import candidate, post_json, save, staff, start

# Mail is not served under the policy, and mail readers want inline styles.
TEMPLATES = sorted(path for path in templates_dir().rglob("*.html") if "mail" not in path.relative_to(templates_dir()).parts)


def _without_jinja(source: str) -> str:
    """Jinja blocks and expressions become neutral text, so the HTML parser sees the markup."""
    source = re.sub(r"\{#.*?#\}", "", source, flags=re.S)
    return re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "x", source, flags=re.S)


def test_there_are_templates_to_check() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(templates_dir())))
def test_no_template_has_inline_code_or_style(template) -> None:  # type: ignore[no-untyped-def]
    assert inline_code(_without_jinja(template.read_text())) == [], (
        "The Content-Security-Policy refuses inline script, handlers and style attributes: move the code to "
        "static/*.js and the style to a class in static/quiz.css")


def test_the_checker_finds_what_it_looks_for() -> None:
    assert len(inline_code('<p style="x" onclick="y"><a href="javascript:z">a</a></p><script>go()</script>')) == 4
    assert inline_code('<script src="/static/attempt.js" defer></script><a href="/x">x</a>') == []


def test_every_page_sends_the_full_policy(app: Flask) -> None:
    response = app.test_client().get("/")
    policy, page_text = response.headers["Content-Security-Policy"], response.get_data(as_text=True)
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    nonce = re.search(r'<meta name="csp-nonce" content="([^"]+)">', page_text).group(1)
    assert directives["style-src"] == ["'self'", f"'nonce-{nonce}'"]  # the code editor's own <style>
    assert nonce not in app.test_client().get("/").headers["Content-Security-Policy"]  # never reused
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]


def test_pages_and_attempt_json_are_never_stored_but_static_files_may_be(app: Flask) -> None:
    client = candidate(app, "ada@example.com")
    attempt_id = start(client, "alpha-starter")
    responses = {
        "dashboard": client.get("/dashboard"),
        "question": client.get(f"/attempts/{attempt_id}/q/1"),
        "save": save(client, attempt_id, 1, {"choice": "a"}, 1),
        "flag": post_json(client, f"/attempts/{attempt_id}/flags/1", {"flagged": True}),
        "state": client.get(f"/attempts/{attempt_id}/state"),
        "admin": staff(app, "boss@example.com", "admin").get("/admin/candidates"),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert "no-store" in response.headers.get("Cache-Control", ""), name
    assert "no-store" not in client.get("/static/quiz.css").headers.get("Cache-Control", "")
