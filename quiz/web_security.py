"""HTTP headers that keep pages from being framed, scripted from elsewhere, or cached.

The policy allows scripts and styles from this site's own files only: templates carry no inline
script, event handler or style attribute (tests/security/test_templates.py checks every one), so
injected markup that escaped sanitising still could not run.
"""

from __future__ import annotations

import secrets

from flask import Response, g, request

def content_security_policy(style_nonce: str) -> str:
    """Scripts only from this site's files. Styles too, and the <style> elements of the code editor
    (CodeMirror injects its own), which carry this response's nonce (`csp_nonce`, in base.html)."""
    return _POLICY_BEFORE_NONCE + style_nonce + _POLICY_AFTER_NONCE


_POLICY_BEFORE_NONCE, _POLICY_AFTER_NONCE = "; ".join([  # every response sends it: joined once
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'nonce-{nonce}'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]).split("{nonce}")


def csp_nonce() -> str:
    """This request's style nonce, made on first use (a fresh one per response, never reused)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Frame-Options", "DENY")  # Submit, Void and Confirm are not to be framed
    response.headers.setdefault("Content-Security-Policy", content_security_policy(csp_nonce()))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Every page is someone's: their attempt, their results, candidates' data, or at least a form
        # carrying their session's CSRF token. A shared computer's back button or a proxy must not
        # show it to the next person, so nothing but the static files may be stored.
        response.cache_control.no_store = True
    return response
