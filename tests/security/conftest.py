"""The web tests' app (SQLite), and for the route inventory a variant on each engine."""

from tests.web.conftest import app, client, clock, make_app  # noqa: F401 - fixtures shared with tests/web
