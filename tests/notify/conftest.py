"""Dispatcher tests: a real PTB ExtBot talking HTTP to the fake Bot API, over a real database.

Time is fake wherever the dispatcher lets us inject it: :class:`FakeTime` drives both the
services' clock (``next_attempt_at``) and the rate limiter's monotonic clock, and its ``sleep``
advances them instead of waiting. The fake server's call log is stamped with that same time, so
rate-limit assertions read the times at which the fake Telegram saw each request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import ExtBot

from bot.services.context import ServiceContext
from tests.conftest import make_ctx
from tests.fakebot import FakeBotApi
from tests.notify.support import FakeTime, StampedCalls, make_bot
from tests.support.clock import FakeClock


@pytest.fixture
def fake_time(clock: FakeClock) -> FakeTime:
    return FakeTime(clock)


@pytest.fixture
async def api(fake_time: FakeTime) -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        fake.calls = StampedCalls(fake_time.monotonic)
        for chat_id in (101, 102, 103, 104, 105):
            fake.user(chat_id, f"Staff {chat_id}")
        fake.group(-100500, "Equipe")
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[ExtBot[None]]:
    ext_bot = await make_bot(api)
    try:
        yield ext_bot
    finally:
        await ext_bot.shutdown()


@pytest.fixture
def sqlite_ctx(sqlite_engine: AsyncEngine, clock: FakeClock) -> ServiceContext:
    """An empty migrated SQLite database (the outbox needs no demo data)."""
    return make_ctx(sqlite_engine, clock)


@pytest.fixture
def any_ctx(engine: AsyncEngine, clock: FakeClock) -> ServiceContext:
    """An empty migrated database on every backend (SQLite; PostgreSQL when configured)."""
    return make_ctx(engine, clock)
