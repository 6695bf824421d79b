"""Outbox drain speed against a fake Bot API that enforces Telegram's limits with 429s.

Run: ``python -m tests.bench_outbox``. Not a test (nothing asserts): the numbers the outbox
targets are "within 10 % of the theoretical minimum, no 429" for 300 notifications to 30
private chats, with the rows alternating between chats and with each chat's rows together.

The fake answers 429 (``retry_after`` 1) to a ``sendMessage`` past 30 accepted in the last
second overall, past one a second per private chat, or past 20 a minute per group. The
dispatcher runs as ``contractbot run`` runs it: production settings, the Application's
ExtBot behind the interactive rate limiter, real time, a SQLite database on disk.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram.ext import ApplicationBuilder

from bot.domain.models import Notification, NotificationStatus
from bot.jobs import build_dispatcher
from bot.notify import InteractiveRateLimiter, OutgoingMessage
from bot.services.context import ServiceContext
from storage.db import create_engine, migrate, session_factory
from storage.uow import uow_factory

TOKEN = "123456:BENCH"
GLOBAL_RATE = 30
MESSAGES, CHATS = 300, 30


class PacedTelegram:
    """The smallest Bot API that answers like Telegram under load: getMe and sendMessage."""

    def __init__(self) -> None:
        self.accepted: list[tuple[float, int]] = []
        self.too_many = 0
        self._recent: deque[float] = deque()
        self._by_chat: dict[int, deque[float]] = defaultdict(deque)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(f"/bot{TOKEN}/getMe", self.get_me)
        app.router.add_post(f"/bot{TOKEN}/sendMessage", self.send_message)
        return app

    async def get_me(self, request: web.Request) -> web.Response:
        user = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        return web.json_response({"ok": True, "result": user})

    async def send_message(self, request: web.Request) -> web.Response:
        form: Any = await request.post() if request.content_type != "application/json" else None
        params = dict(form) if form is not None else await request.json()
        chat_id = int(params["chat_id"])
        now = time.monotonic()
        if self._over_limit(chat_id, now):
            self.too_many += 1
            body = {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
            return web.json_response(body, status=429)
        self._recent.append(now)
        self._by_chat[chat_id].append(now)
        self.accepted.append((now, chat_id))
        message = {
            "message_id": len(self.accepted),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            "text": params.get("text", ""),
        }
        return web.json_response({"ok": True, "result": message})

    def _over_limit(self, chat_id: int, now: float) -> bool:
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        chat = self._by_chat[chat_id]
        period, allowed = (60.0, 20) if chat_id < 0 else (1.0, 1)
        while chat and chat[0] <= now - period:
            chat.popleft()
        return len(self._recent) >= GLOBAL_RATE or len(chat) >= allowed


async def _compose(n: Notification) -> list[OutgoingMessage]:
    return [OutgoingMessage(n.chat_id, n.payload["text"])]


async def drain(order: str) -> tuple[float, float, int]:
    """(theoretical minimum, measured seconds, 429 count) for one order of the rows."""
    fake = PacedTelegram()
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        await migrate(engine)
        ctx = ServiceContext(uow=uow_factory(session_factory(engine)))
        chats = [1000 + c for c in range(CHATS)]
        per_chat = MESSAGES // CHATS
        if order == "alternating":
            targets = [chats[i % CHATS] for i in range(MESSAGES)]
        else:
            targets = [chats[i // per_chat] for i in range(MESSAGES)]
        async with ctx.uow() as uow:
            for i, chat_id in enumerate(targets):
                await uow.notifications.add(
                    chat_id=chat_id, kind="bench", payload={"text": f"aviso {i}"}, now=ctx.now()
                )
            await uow.commit()
        app = (
            ApplicationBuilder()
            .token(TOKEN)
            .base_url(f"http://127.0.0.1:{port}/bot")
            .rate_limiter(InteractiveRateLimiter())
            .build()
        )
        async with app:
            dispatcher = build_dispatcher(ctx, app.bot, _compose)
            stop = asyncio.Event()
            start = time.monotonic()
            task = asyncio.create_task(dispatcher.run_forever(stop))
            while not await _all_sent(ctx):
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - start
            stop.set()
            await task
        await engine.dispose()
    await runner.cleanup()
    minimum = max(MESSAGES / GLOBAL_RATE, float(MESSAGES // CHATS))
    return minimum, elapsed, fake.too_many


async def _all_sent(ctx: ServiceContext) -> bool:
    async with ctx.uow() as uow:
        rows = await uow.notifications.all()
    return all(n.status is NotificationStatus.SENT for n in rows)


async def main() -> None:
    print(f"outbox: {MESSAGES} notifications to {CHATS} private chats, fake Telegram with 429s")
    for order in ("alternating", "grouped"):
        minimum, elapsed, too_many = await drain(order)
        print(
            f"  {order:<12} minimum={minimum:6.2f} s  measured={elapsed:6.2f} s"
            f"  ratio={elapsed / minimum:5.2f}  429s={too_many}"
        )


if __name__ == "__main__":
    asyncio.run(main())
