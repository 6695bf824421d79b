"""How the dispatcher runs: no overlapping runs, safe beside a second dispatcher (with a claiming
repository), beside a real Application, and as a loop that survives errors and stops on request."""

from __future__ import annotations

import asyncio
import logging
import random
from typing import Any

import pytest
from telegram.ext import ExtBot

from bot.domain.models import Notification, NotificationStatus
from bot.notify import Dispatcher, InteractiveRateLimiter, OutgoingMessage
from bot.services.context import ServiceContext
from tests.fakebot import FakeBotApi
from tests.notify.support import (
    FakeTime,
    add,
    compose_text,
    make_dispatcher,
    rows,
    sends,
    texts,
)


async def test_overlapping_runs_of_one_dispatcher_do_not_double_send(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    for chat_id in (101, 102, 103):
        await add(ctx, chat_id, "uma vez")

    async def slow_compose(n: Notification) -> list[OutgoingMessage]:
        await asyncio.sleep(0.01)
        return await compose_text(n)

    dispatcher = make_dispatcher(ctx, bot, fake_time, slow_compose)
    results = await asyncio.gather(dispatcher.run_once(), dispatcher.run_once())

    assert sorted(results) == [0, 3]
    assert [texts(api, c) for c in (101, 102, 103)] == [["uma vez"]] * 3


async def test_two_dispatchers_send_each_once(
    any_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """Two processes' worth of dispatchers on one database, racing for the same rows."""
    ctx = any_ctx
    chats = list(range(2001, 2013))
    for chat_id in chats:
        api.user(chat_id)
        await add(ctx, chat_id, f"oi {chat_id}")

    async def yielding_compose(n: Notification) -> list[OutgoingMessage]:
        await asyncio.sleep(0)
        return await compose_text(n)

    first = make_dispatcher(ctx, bot, fake_time, yielding_compose)
    second = make_dispatcher(ctx, bot, fake_time, yielding_compose)
    results = await asyncio.gather(first.run_once(), second.run_once())

    assert sum(results) == len(chats)
    assert len(sends(api)) == len(chats)
    assert all(texts(api, c) == [f"oi {c}"] for c in chats)
    assert {n.status for n in (await rows(ctx)).values()} == {NotificationStatus.SENT}


async def test_runs_beside_a_real_application_built_with_its_rate_limiter(
    sqlite_ctx: ServiceContext, api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Real time here: the continuous sender on the Application's own ExtBot, behind the
    interactive rate limiter as in production; every message goes out once, in chat order."""
    ctx = sqlite_ctx
    for text in ("p1", "p2", "p3"):
        await add(ctx, 101, text)
    await add(ctx, 102, "q1")
    await add(ctx, -100500, "g1")
    app = api.app_builder().rate_limiter(InteractiveRateLimiter()).build()
    dispatcher = Dispatcher(ctx, app.bot, compose_text, per_chat_interval=0.2, concurrency=4)
    stop = asyncio.Event()

    with caplog.at_level(logging.WARNING):
        async with app:
            loop = asyncio.create_task(dispatcher.run_forever(stop, interval=0.05))
            await api.wait_for(lambda: len(texts(api, 101)) == 3, timeout=5)
            await asyncio.sleep(0.2)  # a few more passes: nothing is sent again
            stop.set()
            await asyncio.wait_for(loop, timeout=2)

    assert texts(api, 101) == ["p1", "p2", "p3"]
    assert texts(api, 102) == ["q1"]
    assert texts(api, -100500) == ["g1"]
    assert {n.status for n in (await rows(ctx)).values()} == {NotificationStatus.SENT}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_run_forever_survives_a_database_error_and_stops_on_request(
    sqlite_ctx: ServiceContext,
    api: FakeBotApi,
    bot: ExtBot[None],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    down = {"left": 1}

    def flaky_uow() -> Any:
        if down["left"]:
            down["left"] -= 1
            raise ConnectionError("database unavailable")
        return sqlite_ctx.uow()

    async def sleep(seconds: float) -> None:
        fake_time.advance(seconds)
        await asyncio.sleep(0.005)

    await add(sqlite_ctx, 101, "no loop")
    ctx = ServiceContext(uow=flaky_uow, clock=sqlite_ctx.clock)
    dispatcher = Dispatcher(
        ctx, bot, compose_text, sleep=sleep, monotonic=fake_time.monotonic, rng=random.Random(3)
    )
    stop = asyncio.Event()

    with caplog.at_level(logging.ERROR, logger="bot.notify"):
        loop = asyncio.create_task(dispatcher.run_forever(stop, interval=1.0))
        await api.wait_for(lambda: texts(api, 101) == ["no loop"], timeout=5)
        await add(sqlite_ctx, 102, "depois")
        await api.wait_for(lambda: texts(api, 102) == ["depois"], timeout=5)
        stop.set()
        await asyncio.wait_for(loop, timeout=2)

    assert any("run failed" in r.getMessage() for r in caplog.records)
    assert {n.status for n in (await rows(sqlite_ctx)).values()} == {NotificationStatus.SENT}
