"""A real SMTP server on loopback (aiosmtpd) for tests that send mail, a slow one, and a port nothing listens on."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """A port nothing listens on (once the probe socket is closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, int]]:
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


class SlowCollector(Collector):
    """A relay that holds the first `hold` messages until `release` is set (at most `hold_seconds`),
    then answers them `held_answer`; later messages are accepted at once. A slow or stuck SMTP server.
    `started` counts the messages it began to receive."""

    def __init__(self, hold: int | None = None, held_answer: str = "250 Message accepted for delivery",
                 hold_seconds: float = 30) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = 0
        self.hold, self.held_answer, self.hold_seconds = hold, held_answer, hold_seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.started += 1
        if self.hold is not None and self.started > self.hold:
            return await super().handle_DATA(server, session, envelope)
        waited = 0.0
        while not self.release.is_set() and waited < self.hold_seconds:
            await asyncio.sleep(0.02)
            waited += 0.02
        if not self.held_answer.startswith("250"):
            return self.held_answer
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp_server() -> Iterator[tuple[SlowCollector, int]]:
    handler = SlowCollector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        handler.release.set()
        controller.stop()
