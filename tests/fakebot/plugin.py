"""Optional pytest fixtures: register with ``pytest_plugins = ["tests.fakebot.plugin"]``.

Why: conversation tests across the project need the same two fixtures; a
plugin avoids copy-pasting them (works in strict and auto asyncio modes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest_asyncio

from .server import FakeBotApi

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

__all__ = ["fake_api"]


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """A started :class:`FakeBotApi` on a random 127.0.0.1 port, stopped after the test."""
    async with FakeBotApi() as api:
        yield api
