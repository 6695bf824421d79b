"""Nothing is lost across a restart: all state is in the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine
from telegram.ext import ExtBot

from bot.domain.models import Notification, NotificationStatus
from bot.notify import OutgoingMessage
from bot.services.context import ServiceContext
from storage.db import create_engine
from tests.conftest import make_ctx
from tests.fakebot import FakeBotApi
from tests.notify.support import (
    Delegate,
    FakeTime,
    add,
    compose_text,
    drain,
    make_bot,
    make_dispatcher,
    rows,
    sends,
    texts,
    with_repo,
)
from tests.support.clock import FakeClock


class Crash(BaseException):
    """The process dying: nothing in the dispatcher gets to handle it."""


@pytest.fixture
async def second_engine(engine: AsyncEngine) -> AsyncIterator[AsyncEngine]:
    """A fresh engine on the same database, as a restarted process would open."""
    fresh = create_engine(engine.url.render_as_string(hide_password=False))
    try:
        yield fresh
    finally:
        await fresh.dispose()


async def test_new_dispatcher_continues_after_a_crash_mid_batch(
    engine: AsyncEngine,
    second_engine: AsyncEngine,
    clock: FakeClock,
    api: FakeBotApi,
    bot: ExtBot[None],
    fake_time: FakeTime,
) -> None:
    ctx = make_ctx(engine, clock)
    chats = [101, 102, 103, 104, 105, -100500]
    for chat_id in chats:
        await add(ctx, chat_id, f"para {chat_id}")
    api.inject_fault("sendMessage", status=500, chat_id=101)  # pending with a retry time
    composed: list[int] = []

    async def compose_then_die(n: Notification) -> list[OutgoingMessage]:
        composed.append(n.id)
        if len(composed) == 4:
            raise Crash
        return await compose_text(n)

    with pytest.raises(Crash):
        await make_dispatcher(ctx, bot, fake_time, compose_then_die).run_once()
    before = await rows(ctx)
    assert sum(n.status is NotificationStatus.SENT for n in before.values()) == 2
    assert sum(n.status is NotificationStatus.PENDING for n in before.values()) == 4

    # "Restart": new engine, context, bot and dispatcher; only the database carries over.
    restarted_ctx = make_ctx(second_engine, clock)
    restarted_bot = await make_bot(api)
    try:
        restarted = make_dispatcher(restarted_ctx, restarted_bot, fake_time)
        await drain(restarted_ctx, restarted, fake_time)
    finally:
        await restarted_bot.shutdown()

    assert all(texts(api, c) == [f"para {c}"] for c in chats)
    assert {n.status for n in (await rows(restarted_ctx)).values()} == {NotificationStatus.SENT}


class DieOnMarkSent(Delegate):
    async def mark_sent(self, *args: Any, **kwargs: Any) -> None:
        raise Crash


async def test_crash_between_send_and_mark_sends_again_after_restart(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """The documented at-least-once edge: Telegram got it, the process died before recording."""
    ctx = sqlite_ctx
    n = await add(ctx, 101, "talvez duas vezes")

    with pytest.raises(Crash):
        await make_dispatcher(with_repo(ctx, DieOnMarkSent), bot, fake_time).run_once()
    assert (await rows(ctx))[n].status is NotificationStatus.PENDING

    # The dead dispatcher's claim hides the row until its lease ends, then it goes again.
    assert await make_dispatcher(ctx, bot, fake_time).run_once() == 0
    fake_time.advance(121)
    assert await make_dispatcher(ctx, bot, fake_time).run_once() == 1
    assert texts(api, 101) == ["talvez duas vezes", "talvez duas vezes"]
    assert (await rows(ctx))[n].status is NotificationStatus.SENT


async def test_failed_mark_in_a_live_process_is_not_sent_twice(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """The database blinks right after Telegram accepted the message: the dispatcher remembers
    it delivered and only records the outcome on the next run."""
    ctx = sqlite_ctx
    failures = {"left": 1}

    class FlakyMarkSent(Delegate):
        async def mark_sent(self, *args: Any, **kwargs: Any) -> None:
            if failures["left"]:
                failures["left"] -= 1
                raise ConnectionError("database unavailable")
            await self._inner.mark_sent(*args, **kwargs)

    n = await add(ctx, 101, "uma vez só")
    dispatcher = make_dispatcher(with_repo(ctx, FlakyMarkSent), bot, fake_time)

    with pytest.raises(ConnectionError):
        await dispatcher.run_once()
    assert await dispatcher.run_once() == 1

    assert texts(api, 101) == ["uma vez só"]
    assert len(sends(api, 101)) == 1
    assert (await rows(ctx))[n].status is NotificationStatus.SENT
