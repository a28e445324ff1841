"""Property-based fuzzing (hypothesis) of the endpoints that take input from outside: never a 500,
never a partial write. Each property runs a modest number of examples so the suite stays fast."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.web.conftest import app, clock, make_app  # noqa: F401 - the web tests' app, on SQLite

#: One app (and database) per property, shared by its examples: each example compares the database
#: before and after its own request, so what earlier examples legitimately saved does not matter.
settings.register_profile("fuzz", max_examples=60, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FUZZ = settings.get_profile("fuzz")
