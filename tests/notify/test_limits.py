"""Telegram's limits are kept by the dispatcher itself: 1 msg/s per chat, ~30 msg/s overall."""

from __future__ import annotations

import itertools
import random

import pytest
from telegram.ext import ExtBot

from bot.domain.models import NotificationStatus
from bot.notify import OutboxLimiter, backoff_delay
from bot.services.context import ServiceContext
from tests.fakebot import FakeBotApi
from tests.notify.support import (
    FakeTime,
    add,
    drain,
    make_dispatcher,
    pending,
    rows,
    sends,
    texts,
)

# PTB itself warns inside RetryAfter.__init__ unless PTB_TIMEDELTA is set; not ours to fix here.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def busiest_second(times: list[float]) -> int:
    """Most sends inside any half-open one-second window [t, t + 1)."""
    times = sorted(times)
    return max(sum(1 for u in times if t <= u < t + 1.0 - 1e-9) for t in times)


async def test_one_message_per_second_per_chat_without_holding_up_others(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    for text in ("x1", "x2", "x3"):
        await add(ctx, 101, text)
    for text in ("g1", "g2"):
        await add(ctx, -100500, text)
    await add(ctx, 102, "y1")

    assert await make_dispatcher(ctx, bot, fake_time).run_once() == 6

    assert texts(api, 101) == ["x1", "x2", "x3"]  # a chat's messages keep their order
    assert texts(api, -100500) == ["g1", "g2"]
    at_101 = [c.at for c in sends(api, 101)]
    at_group = [c.at for c in sends(api, -100500)]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(at_101))
    assert all(b - a >= 3.0 for a, b in itertools.pairwise(at_group))  # 20/min
    # 102 and the group did not queue behind 101's second and third messages.
    assert sends(api, 102)[0].at < at_101[1]
    assert at_group[0] < at_101[1]
    assert max(fake_time.slept) <= 3.0


async def test_forty_chats_never_more_than_thirty_sends_in_a_second(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    ctx = sqlite_ctx
    chats = list(range(2001, 2041))
    for chat_id in chats:
        api.user(chat_id)
        await add(ctx, chat_id, f"aviso {chat_id}")

    assert await make_dispatcher(ctx, bot, fake_time).run_once() == 40

    times = [c.at for c in sends(api)]
    assert len(times) == 40
    assert busiest_second(times) == 30  # the burst is used, never exceeded
    assert max(times) - min(times) >= 1.0
    assert all(texts(api, c) == [f"aviso {c}"] for c in chats)


async def test_long_flood_wait_ends_the_run_and_leaves_rows_pending(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """A 30 s flood wait must not pin the job: stop, keep everything pending, resume later."""
    ctx = sqlite_ctx
    for chat_id in (101, 102, 103):
        await add(ctx, chat_id, "depois do flood")
    api.inject_fault("sendMessage", status=429, retry_after=30)
    dispatcher = make_dispatcher(ctx, bot, fake_time)

    assert await dispatcher.run_once() == 0
    assert len(sends(api)) == 1
    assert len(await pending(ctx)) == 3
    assert sum(fake_time.slept) < 1

    fake_time.advance(10)
    assert await dispatcher.run_once() == 0  # still paused: nothing is even tried
    assert len(sends(api)) == 1

    fake_time.advance(20)
    assert await dispatcher.run_once() == 3
    assert {n.status for n in (await rows(ctx)).values()} == {NotificationStatus.SENT}
    assert [len(texts(api, c)) for c in (101, 102, 103)] == [1, 1, 1]


def test_sliding_window_allows_rate_per_window_exactly() -> None:
    now = [0.0]
    limiter = OutboxLimiter(global_rate=3, per_chat_interval=1.0, monotonic=lambda: now[0])
    for chat_id in (1, 2, 3):
        assert limiter.wait_time(chat_id) == 0
        limiter.record(chat_id)
        now[0] += 0.1
    assert limiter.wait_time(4) == pytest.approx(0.7)  # first send leaves the window at 1.0
    assert limiter.wait_time(1) == pytest.approx(0.7)
    now[0] = 1.0
    assert limiter.wait_time(4) == 0
    limiter.pause(5, chat_id=4)
    assert limiter.wait_time(5) == 5
    assert limiter.wait_time(-7) == 5


def test_group_chats_get_a_longer_interval() -> None:
    now = [0.0]
    limiter = OutboxLimiter(per_chat_interval=1.0, group_interval=3.0, monotonic=lambda: now[0])
    limiter.record(-100)
    limiter.record(100)
    assert (limiter.wait_time(-100), limiter.wait_time(100)) == (3.0, 1.0)


def test_backoff_is_exponential_jittered_and_capped() -> None:
    rng = random.Random(1)
    for attempt, nominal in [(1, 5), (2, 10), (3, 20), (4, 40)]:
        delays = [backoff_delay(attempt, base=5, cap=900, rng=rng) for _ in range(50)]
        assert all(nominal / 2 <= d <= nominal for d in delays)
        assert len(set(delays)) > 40  # jittered
    assert 450 <= backoff_delay(500, base=5, cap=900, rng=rng) <= 900


async def test_a_flood_does_not_use_up_the_attempts(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """Seven 429s and then one 500: the 429s were Telegram's pacing, not the notification's
    fault, so the row is retried, not given up."""
    ctx = sqlite_ctx
    n = await add(ctx, 101, "depois da enxurrada")
    api.inject_fault("sendMessage", status=429, retry_after=1, times=7, chat_id=101)
    api.inject_fault("sendMessage", status=500, chat_id=101)
    dispatcher = make_dispatcher(ctx, bot, fake_time)

    await drain(ctx, dispatcher, fake_time)

    row = (await rows(ctx))[n]
    assert row.status is NotificationStatus.SENT
    assert row.attempts == 2  # the 500 and the success; the 429s counted nothing
    assert texts(api, 101) == ["depois da enxurrada"]
    assert len(sends(api, 101)) == 9


async def test_limits_hold_with_many_sends_in_flight(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """Eight sends at once, 12 private chats and two groups with several rows each: per chat
    1 a second, per group 20 a minute (one every 3 s), never more than 30 in any second."""
    ctx = sqlite_ctx
    chats = [*range(2001, 2013), -100500, -100600]
    api.group(-100600, "Técnicos")
    for chat_id in chats[:12]:
        api.user(chat_id)
    for i in range(6):
        for chat_id in chats:
            await add(ctx, chat_id, f"{chat_id}:{i}")

    await drain(ctx, make_dispatcher(ctx, bot, fake_time, concurrency=8), fake_time)

    for chat_id in chats:
        assert texts(api, chat_id) == [f"{chat_id}:{i}" for i in range(6)]
        at = [c.at for c in sends(api, chat_id)]
        gap = 3.0 if chat_id < 0 else 1.0
        assert all(b - a >= gap - 1e-9 for a, b in itertools.pairwise(at))
    assert busiest_second([c.at for c in sends(api)]) <= 30


async def test_a_busy_chats_backlog_does_not_hold_up_another_chat(
    sqlite_ctx: ServiceContext, api: FakeBotApi, bot: ExtBot[None], fake_time: FakeTime
) -> None:
    """Sixty rows for one chat written first, then one for another chat: the other chat's row
    goes out at once, not after the first chat's minute of one-a-second messages."""
    ctx = sqlite_ctx
    for i in range(60):
        await add(ctx, 101, f"lote {i}")
    await add(ctx, 102, "urgente")

    await drain(ctx, make_dispatcher(ctx, bot, fake_time), fake_time)

    assert sends(api, 102)[0].at < sends(api, 101)[1].at
    assert texts(api, 101) == [f"lote {i}" for i in range(60)]
