"""Each deliverable notification reaches its chat once, whatever the fake Telegram throws."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta
from typing import Any, cast

import pytest
from telegram import Bot
from telegram.error import ChatMigrated
from telegram.ext import ExtBot

from bot.domain.models import Notification, NotificationStatus
from bot.notify import OutgoingMessage
from bot.services.context import ServiceContext
from tests.fakebot import FakeBotApi
from tests.notify.support import (
    FakeTime,
    add,
    drain,
    make_bot,
    make_dispatcher,
    pending,
    rows,
    sends,
    texts,
)

# PTB itself warns inside RetryAfter.__init__ unless PTB_TIMEDELTA is set; not ours to fix here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

SENT, FAILED = NotificationStatus.SENT, NotificationStatus.FAILED
PENDING = NotificationStatus.PENDING


async def test_delivered_once_through_5xx_and_429(
    any_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """500/502 retry with backoff, 429 comes back exactly ``retry_after`` later; no duplicates."""
    ctx = any_ctx
    ids = {
        "a1": await add(ctx, 101, "a1"),
        "b1": await add(ctx, 102, "b1"),
        "c1": await add(ctx, 103, "c1"),
        "a2": await add(ctx, 101, "a2"),
        "d1": await add(ctx, 104, "d1"),
    }
    api.inject_fault("sendMessage", status=500, times=2, chat_id=101)
    api.inject_fault("sendMessage", status=502, chat_id=103)
    api.inject_fault("sendMessage", status=429, retry_after=2, chat_id=104)
    dispatcher = make_dispatcher(ctx, bot, fake_time)

    assert await dispatcher.run_once() == 1  # only b1 got through on the first run
    after_first = await rows(ctx)
    flood = sends(api, 104)[0]
    flood_at = fake_time.clock.now - timedelta(seconds=fake_time.t - flood.at)
    retry_in = after_first[ids["d1"]].next_attempt_at - flood_at
    assert abs(retry_in - timedelta(seconds=2)) < timedelta(milliseconds=1)
    assert "retry in 2 seconds" in (after_first[ids["d1"]].last_error or "").lower()
    # The 429 paused everyone: the next send (a2 to 101) waited the 2 s out.
    later = [c.at for c in sends(api) if c.at > flood.at]
    assert later and min(later) >= flood.at + 2

    await drain(ctx, dispatcher, fake_time)

    for chat_id, expected in {101: ["a1", "a2"], 102: ["b1"], 103: ["c1"], 104: ["d1"]}.items():
        assert Counter(texts(api, chat_id)) == Counter(expected)
    assert {c: len(sends(api, c)) for c in (101, 102, 103, 104)} == {101: 4, 102: 1, 103: 2, 104: 2}
    final = await rows(ctx)
    assert {n.status for n in final.values()} == {SENT}
    assert {name: final[i].attempts for name, i in ids.items()} == {
        "a1": 2,
        "b1": 1,
        "c1": 2,
        "a2": 2,
        "d1": 1,  # the 429 was a pause, not an attempt
    }


async def test_read_timeout_is_retried_at_least_once(
    sqlite_ctx: ServiceContext, api: FakeBotApi, fake_time: FakeTime
) -> None:
    """A read timeout is ambiguous: the slow request still reached Telegram. We retry (never
    lose it), so that chat gets a second copy; the row is sent once, the others are unaffected."""
    ctx = sqlite_ctx
    slow_bot = await make_bot(api, read_timeout=0.5)
    try:
        slow = await add(ctx, 101, "devagar")
        other = await add(ctx, 102, "normal")
        api.inject_delay("sendMessage", 0.9, chat_id=101)
        dispatcher = make_dispatcher(ctx, slow_bot, fake_time)

        assert await dispatcher.run_once() == 1
        state = await rows(ctx)
        assert state[slow].status is PENDING
        assert (state[slow].last_error or "").startswith("TimedOut")
        assert state[other].status is SENT
        await api.wait_for(lambda: texts(api, 101) == ["devagar"], timeout=3)

        await drain(ctx, dispatcher, fake_time)
    finally:
        await slow_bot.shutdown()
    assert texts(api, 101) == ["devagar", "devagar"]
    assert texts(api, 102) == ["normal"]
    assert (await rows(ctx))[slow].status is SENT


async def test_blocked_chat_fails_for_good_and_is_logged(
    sqlite_ctx: ServiceContext,
    api: FakeBotApi,
    bot: ExtBot[None],
    fake_time: FakeTime,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ctx = sqlite_ctx
    api.block_chat(103)
    ids = [await add(ctx, chat, f"oi {chat}") for chat in (101, 102, 103, 104)]
    dispatcher = make_dispatcher(ctx, bot, fake_time)

    with caplog.at_level(logging.WARNING, logger="bot.notify"):
        assert await dispatcher.run_once() == 3
    fake_time.advance(3600)
    assert await dispatcher.run_once() == 0

    state = await rows(ctx)
    assert [state[i].status for i in ids] == [SENT, SENT, FAILED, SENT]
    assert "blocked" in (state[ids[2]].last_error or "")
    assert state[ids[2]].attempts == 1
    assert len(sends(api, 103)) == 1  # never retried
    assert [texts(api, c) for c in (101, 102, 104)] == [["oi 101"], ["oi 102"], ["oi 104"]]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"notification {ids[2]}" in w and "chat 103" in w for w in warnings)


async def test_bad_request_fails_with_telegram_error(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    unknown = await add(ctx, 424242, "ninguém")  # the person never started the bot
    broken = await add(ctx, 101, "<b>sem fechar")
    fine = await add(ctx, 102, "<b>ok</b> &amp; certo")

    assert await make_dispatcher(ctx, bot, fake_time).run_once() == 1

    state = await rows(ctx)
    assert state[unknown].status is FAILED
    assert "chat not found" in (state[unknown].last_error or "").lower()
    assert state[broken].status is FAILED
    assert "parse entities" in (state[broken].last_error or "").lower()
    assert state[fine].status is SENT
    assert texts(api, 102) == ["ok & certo"]


async def test_gives_up_after_max_attempts_with_growing_backoff(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    doomed = await add(ctx, 101, "nunca")
    api.inject_fault("sendMessage", status=500, times=100, chat_id=101)
    dispatcher = make_dispatcher(ctx, bot, fake_time, max_attempts=4, backoff_base=10)

    waits: list[float] = []
    for _ in range(3):
        started = ctx.now()
        await dispatcher.run_once()
        (row,) = await pending(ctx)
        waits.append((row.next_attempt_at - started).total_seconds())
        fake_time.advance(waits[-1])
    await dispatcher.run_once()

    # Equal jitter: retry n waits between half and all of 10 * 2**(n-1) seconds.
    for n, wait in enumerate(waits, start=1):
        assert 10 * 2 ** (n - 1) / 2 <= wait <= 10 * 2 ** (n - 1)
    row = (await rows(ctx))[doomed]
    assert row.status is FAILED
    assert row.attempts == 4
    assert (row.last_error or "").startswith("gave up after 4 attempts: NetworkError")
    assert len(sends(api, 101)) == 4
    assert texts(api, 101) == []


async def test_compose_can_drop_and_compose_errors_are_retried(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    dropped = await add(ctx, 101, "obsoleto", drop=True)
    flaky = await add(ctx, 102, "depois")
    failures = {"left": 1}

    async def compose(n: Notification) -> list[OutgoingMessage]:
        if n.payload.get("drop"):
            return []
        if failures["left"]:
            failures["left"] -= 1
            raise LookupError("action card not found")
        return [OutgoingMessage(n.chat_id, n.payload["text"])]

    dispatcher = make_dispatcher(ctx, bot, fake_time, compose)
    assert await dispatcher.run_once() == 0
    state = await rows(ctx)
    assert state[dropped].status is FAILED
    assert state[dropped].last_error == "dropped: nothing to send"
    assert state[flaky].status is PENDING
    assert "LookupError" in (state[flaky].last_error or "")

    await drain(ctx, dispatcher, fake_time)
    assert (await rows(ctx))[flaky].status is SENT
    assert texts(api, 102) == ["depois"]
    assert sends(api, 101) == []


async def test_retry_skips_recipients_already_served(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """Owner got it, the staff group hit a 500: the retry goes to the group only."""
    ctx = sqlite_ctx
    both = await add(ctx, 101, "aceite recebido", also=[-100500])
    api.inject_fault("sendMessage", status=500, chat_id=-100500)
    dispatcher = make_dispatcher(ctx, bot, fake_time)

    await drain(ctx, dispatcher, fake_time)

    assert texts(api, 101) == ["aceite recebido"]
    assert texts(api, -100500) == ["aceite recebido"]
    row = (await rows(ctx))[both]
    assert (row.status, row.attempts) == (SENT, 2)


async def test_one_recipient_rejected_still_counts_as_sent(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    api.block_chat(101)
    both = await add(ctx, 101, "aviso", also=[-100500])

    assert await make_dispatcher(ctx, bot, fake_time).run_once() == 1

    assert texts(api, -100500) == ["aviso"]
    assert (await rows(ctx))[both].status is SENT


class MigratingBot:
    """Stands in for Telegram answering "group chat was upgraded to a supergroup"."""

    rate_limiter = None  # like an ExtBot built without one

    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, *, chat_id: int, text: str, **_: Any) -> None:
        if chat_id == -100500:
            raise ChatMigrated(-1009999)
        self.sent.append((chat_id, text))


async def test_migrated_group_gets_the_message_at_its_new_id(
    sqlite_ctx: ServiceContext, fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    n = await add(ctx, -100500, "grupo")
    bot = MigratingBot()

    assert await make_dispatcher(ctx, cast(Bot, bot), fake_time).run_once() == 1

    assert bot.sent == [(-1009999, "grupo")]
    assert (await rows(ctx))[n].status is SENT
