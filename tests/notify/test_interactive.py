"""The Application's rate limiter, as ``contractbot run`` builds it: interactive replies are
held only by Telegram's per-chat limits, never behind notifications or other users' taps."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.app import Core, build_application
from bot.config import Settings
from bot.notify import OUTBOX_SEND, InteractiveRateLimiter
from bot.services.context import ServiceContext


def app_limiter(engine: AsyncEngine, ctx: ServiceContext, tmp_path: Path) -> BaseRateLimiter[Any]:
    settings = Settings(
        bot_token="123456:TEST",
        database_url="sqlite+aiosqlite://",
        public_url="https://aceite.provedor.test",
        data_dir=tmp_path / "var",
    )
    app = build_application(Core(settings, engine, ctx))
    limiter = app.bot.rate_limiter
    assert limiter is not None
    return limiter


class Calls:
    """Callbacks that record which requests reached Telegram."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    def callback(self, name: str) -> Any:
        async def call() -> bool:
            self.reached.append(name)
            return True

        return call


def submit(
    limiter: BaseRateLimiter[Any],
    calls: Calls,
    name: str,
    endpoint: str,
    data: dict[str, Any],
    rate_limit_args: Any = None,
) -> asyncio.Task[Any]:
    return asyncio.create_task(
        limiter.process_request(calls.callback(name), (), {}, endpoint, data, rate_limit_args)
    )


async def settle() -> None:
    """Let every task run as far as it can without time passing."""
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_tap_is_answered_at_once_behind_a_burst_of_notifications_and_replies(
    sqlite_engine: AsyncEngine, sqlite_ctx: ServiceContext, tmp_path: Path
) -> None:
    limiter = app_limiter(sqlite_engine, sqlite_ctx, tmp_path)
    calls = Calls()
    tasks = [
        submit(limiter, calls, f"aviso {c}", "sendMessage", {"chat_id": c}, OUTBOX_SEND)
        for c in range(1, 61)
    ]
    tasks += [
        submit(limiter, calls, f"edit {c}", "editMessageText", {"chat_id": c})
        for c in range(101, 161)
    ]
    tasks.append(submit(limiter, calls, "tap", "answerCallbackQuery", {"callback_query_id": "42"}))

    await settle()

    # PTB's AIORateLimiter would have let 30 through and held the rest for a second.
    assert len(calls.reached) == 121
    assert "tap" in calls.reached
    await asyncio.gather(*tasks)


async def test_a_group_chat_gets_twenty_interactive_messages_a_minute(
    sqlite_engine: AsyncEngine, sqlite_ctx: ServiceContext, tmp_path: Path
) -> None:
    limiter = app_limiter(sqlite_engine, sqlite_ctx, tmp_path)
    calls = Calls()
    group = [
        submit(limiter, calls, f"g{i}", "sendMessage", {"chat_id": -100500}) for i in range(21)
    ]
    private = submit(limiter, calls, "private", "sendMessage", {"chat_id": 101})
    other_group = submit(limiter, calls, "other group", "sendMessage", {"chat_id": "-100600"})

    await settle()

    assert [c for c in calls.reached if c.startswith("g")] == [f"g{i}" for i in range(20)]
    assert {"private", "other group"} <= set(calls.reached)
    for task in group:
        task.cancel()
    await asyncio.gather(*group, private, other_group, return_exceptions=True)


async def test_outbox_sends_pass_straight_through_even_to_a_busy_group() -> None:
    limiter = InteractiveRateLimiter(group_rate=1, group_period=60)
    calls = Calls()
    first = submit(limiter, calls, "reply", "sendMessage", {"chat_id": -1})
    held = submit(limiter, calls, "second reply", "sendMessage", {"chat_id": -1})
    outbox = submit(limiter, calls, "notification", "sendMessage", {"chat_id": -1}, OUTBOX_SEND)

    await settle()

    assert calls.reached == ["reply", "notification"]
    held.cancel()
    await asyncio.gather(first, held, outbox, return_exceptions=True)


async def test_a_short_flood_wait_is_retried_once_a_long_one_reaches_the_handler() -> None:
    limiter = InteractiveRateLimiter(max_retry_after=5)
    answers: list[int] = []

    def flooding(waits: list[int]) -> Any:
        async def call() -> bool:
            answers.append(len(answers))
            if waits:
                raise RetryAfter(waits.pop(0))
            return True

        return call

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        assert await limiter.process_request(flooding([0]), (), {}, "editMessageText", {}, None)
        assert len(answers) == 2
        with pytest.raises(RetryAfter):
            await limiter.process_request(flooding([30]), (), {}, "editMessageText", {}, None)
        assert len(answers) == 3  # not retried: the handler decides
        with pytest.raises(RetryAfter):
            await limiter.process_request(flooding([0, 0]), (), {}, "editMessageText", {}, None)
