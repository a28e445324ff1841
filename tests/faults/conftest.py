"""Fixtures of the fault tests: a private PostgreSQL cluster that a test may stop and start."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.faults.private_postgres import PrivatePostgres, private_postgres


@pytest.fixture(scope="session")
def private_cluster() -> Iterator[PrivatePostgres]:
    yield from private_postgres()
