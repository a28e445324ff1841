"""Code runs go through the real bubblewrap sandbox: without it these tests skip with the reason,
except in CI, where they fail (`.ci/run` installs bubblewrap and nodejs)."""

from __future__ import annotations

import pytest

from quiz.coderun.sandbox import unavailable_reason
from tests.conftest import IN_CI


@pytest.fixture
def sandbox() -> None:
    reason = unavailable_reason()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"CI runs code in the real sandbox: {reason}")
    pytest.skip(f"sandbox tests skipped: {reason}")
