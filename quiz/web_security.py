"""HTTP headers that keep pages from being framed, scripted from elsewhere, or cached.

The policy allows scripts and styles from this site's own files only: templates carry no inline
script, event handler or style attribute (tests/security/test_templates.py checks every one), so
injected markup that escaped sanitising still could not run.
"""

from __future__ import annotations

from flask import Response, request

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Frame-Options", "DENY")  # Submit, Void and Confirm are not to be framed
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        # Every page is someone's: their attempt, their results, candidates' data, or at least a form
        # carrying their session's CSRF token. A shared computer's back button or a proxy must not
        # show it to the next person, so nothing but the static files may be stored.
        response.cache_control.no_store = True
    return response
