"""Helpers for the dispatcher tests: fake time, a stamped call log, queue/inspect helpers."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from bot.domain.models import Notification, NotificationStatus
from bot.notify import Compose, Dispatcher, OutgoingMessage
from bot.services.context import ServiceContext
from tests.fakebot import ApiCall, FakeBotApi
from tests.support.clock import FakeClock

TOKEN = "123456:TEST"


class FakeTime:
    """One fake timeline for the dispatcher: datetime clock, monotonic clock and sleep."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.t = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
        self.clock.advance(seconds=seconds)

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


class StampedCalls(list[ApiCall]):
    """``api.calls`` whose timestamps come from the fake timeline instead of the wall clock."""

    def __init__(self, now: Callable[[], float]) -> None:
        super().__init__()
        self._now = now

    def append(self, call: ApiCall) -> None:
        super().append(call._replace(at=self._now()))


async def make_bot(api: FakeBotApi, read_timeout: float = 5.0) -> ExtBot[None]:
    """An initialized ExtBot (what a PTB Application hands out) pointed at the fake server."""
    request = HTTPXRequest(connection_pool_size=8, read_timeout=read_timeout)
    bot: ExtBot[None] = ExtBot(TOKEN, base_url=api.base_url, request=request)
    await bot.initialize()
    return bot


async def compose_text(n: Notification) -> list[OutgoingMessage]:
    """The trivial compose: the payload's text to the row's chat and to any ``also`` chats."""
    chats = [n.chat_id, *n.payload.get("also", [])]
    return [OutgoingMessage(chat_id, n.payload["text"]) for chat_id in chats]


def make_dispatcher(
    ctx: ServiceContext,
    bot: Bot,
    fake_time: FakeTime,
    compose: Compose = compose_text,
    **knobs: Any,
) -> Dispatcher:
    return Dispatcher(
        ctx,
        bot,
        compose,
        rng=random.Random(7),
        sleep=fake_time.sleep,
        monotonic=fake_time.monotonic,
        **knobs,
    )


async def add(ctx: ServiceContext, chat_id: int, text: str, **payload: Any) -> int:
    """Queue a notification the way services do: through the repository, committed."""
    async with ctx.uow() as uow:
        n = await uow.notifications.add(
            chat_id=chat_id, kind="test", payload={"text": text, **payload}, now=ctx.now()
        )
        await uow.commit()
    return n.id


async def rows(ctx: ServiceContext) -> dict[int, Notification]:
    async with ctx.uow() as uow:
        return {n.id: n for n in await uow.notifications.all()}


async def pending(ctx: ServiceContext) -> list[Notification]:
    return [n for n in (await rows(ctx)).values() if n.status is NotificationStatus.PENDING]


async def drain(ctx: ServiceContext, dispatcher: Dispatcher, fake_time: FakeTime) -> int:
    """Run until nothing is pending, jumping the clock to the next retry; return runs made."""
    for runs in range(1, 60):
        await dispatcher.run_once()
        waiting = await pending(ctx)
        if not waiting:
            return runs
        due = min(n.next_attempt_at for n in waiting)
        fake_time.advance(max((due - ctx.now()) / timedelta(seconds=1), 0.0) + 0.001)
    raise AssertionError(f"still pending after 60 runs: {await pending(ctx)}")


def texts(api: FakeBotApi, chat_id: int) -> list[str]:
    """What the person in ``chat_id`` sees, oldest first."""
    return [m.text or "" for m in api.chat(chat_id).messages]


def sends(api: FakeBotApi, chat_id: int | None = None) -> list[ApiCall]:
    """sendMessage requests the fake received (failed ones included)."""
    calls = api.calls_for("sendMessage")
    return [c for c in calls if chat_id is None or c.params.get("chat_id") == chat_id]


class Delegate:
    """Base for repository wrappers: everything not overridden goes to the real repository."""

    def __init__(self, inner: Any, uow: Any) -> None:
        self._inner = inner
        self._uow = uow

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class WrappedUow:
    """A real SQL unit of work whose ``notifications`` repository is wrapped by ``wrap``."""

    def __init__(self, inner: Any, wrap: Callable[[Any, Any], Any]) -> None:
        self._inner = inner
        self._wrap = wrap

    async def __aenter__(self) -> WrappedUow:
        await self._inner.__aenter__()
        self.notifications = self._wrap(self._inner.notifications, self._inner)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.__aexit__(*exc)

    async def commit(self) -> None:
        await self._inner.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def with_repo(ctx: ServiceContext, wrap: Callable[[Any, Any], Any]) -> ServiceContext:
    """The same database, seen through a wrapped notifications repository."""
    return replace(ctx, uow=lambda: WrappedUow(ctx.uow(), wrap))
