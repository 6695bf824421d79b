"""``make bench`` part: the wizard's cost per tap, side by side with a bare python-telegram-bot
Application answering the same taps the same way (answer the query, edit the message).

Both talk to an instant in-process Bot API (no HTTP), so what is left is our own cost: the
handlers, rendering, persistence and the database. Printed as ratios, because these machines
are shared and noisy. Not a test: nothing here asserts.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event
from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ConversationHandler,
)
from telegram.request import BaseRequest, RequestData

from bot.app import Core, build_application
from bot.config import Settings
from bot.domain.models import Role
from bot.services import staff as staff_service
from bot.services.context import ServiceContext
from storage.db import create_engine, migrate, session_factory
from storage.uow import uow_factory
from tests.conftest import seed
from tests.support.clock import FakeClock

TOKEN = "123456:BENCH"
BOT_ID = 123456
STAFF_BASE_ID = 910000000
CONTRACT_NUMBER = "10000"


class InstantBotApi(BaseRequest):
    """Answers every Bot API method from memory, as Telegram would, with no network."""

    def __init__(self) -> None:
        self._ids = itertools.count(1000)
        self.edited: dict[int, asyncio.Event] = {}
        self.calls = 0

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        self.calls += 1
        name = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if name == "getMe":
            result = {"id": BOT_ID, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
        elif name in ("sendMessage", "editMessageText"):
            chat_id = int(params.get("chat_id", 0))
            message_id = int(params.get("message_id") or next(self._ids))
            result = {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": str(params.get("text", "")),
            }
            if params.get("reply_markup"):
                markup = params["reply_markup"]
                result["reply_markup"] = json.loads(markup) if isinstance(markup, str) else markup
            self.edited.setdefault(chat_id, asyncio.Event()).set()
        return 200, json.dumps({"ok": True, "result": result}).encode()


@dataclass
class Counter:
    """SQL statements and transactions seen by an engine."""

    statements: int = 0
    transactions: int = 0

    def attach(self, engine: Any) -> None:
        @event.listens_for(engine.sync_engine, "before_cursor_execute")
        def _statement(*_: Any) -> None:
            self.statements += 1

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(*_: Any) -> None:
            self.transactions += 1


@dataclass
class Operator:
    """One staff member's chat: the wizard message and the taps that walk it to the review."""

    user_id: int
    message_id: int = 0
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def update(self, bot: Any, data: str) -> Update:
        """A tap on this user's wizard message, as Telegram would deliver it."""
        user = {"id": self.user_id, "is_bot": False, "first_name": "Operador"}
        message = {
            "message_id": self.message_id,
            "date": int(time.time()),
            "chat": {"id": self.user_id, "type": "private"},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bench"},
            "text": "…",
        }
        query = {
            "id": str(next(self.ids)),
            "from": user,
            "chat_instance": "bench",
            "message": message,
            "data": data,
        }
        update = Update.de_json({"update_id": next(_UPDATE_IDS), "callback_query": query}, bot)
        assert update is not None
        return update


_UPDATE_IDS = itertools.count(1)


def wizard_taps(group_id: int, plan_id: int) -> list[str]:
    """From the review back to the first step, then no acceptance, keep loyalty, another plan
    at its price, its services, main split, effective on finalizing, no ticket: the review
    again. Every tap only
    changes the draft. (The demo has one template per kind: that step is skipped.)"""
    return [
        "w:rv:edit",
        "w:ed:channel",
        "w:ch:no",
        "w:loy:0",
        f"w:grp:{group_id}",
        f"w:pl:{plan_id}",
        "w:val:keep",
        "w:svd",
        "w:sp:main",
        "w:ef:now",
        "w:tk:0",
    ]


async def setup(tmp: Path, url: str | None = None) -> tuple[Core, Counter, int, int, int]:
    url = url or f"sqlite+aiosqlite:///{tmp}/bench.db"
    engine = (
        create_engine(url, pool_size=60) if url.startswith("postgresql") else create_engine(url)
    )
    if url.startswith("postgresql"):
        from sqlalchemy import text

        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await migrate(engine)
    clock = FakeClock()
    ctx = ServiceContext(uow=uow_factory(session_factory(engine)), clock=clock)
    await seed(ctx)
    for i in range(50):
        await staff_service.add_staff(ctx, None, STAFF_BASE_ID + i, f"Operador {i}", Role.OPERATOR)
    async with ctx.uow() as uow:
        contract = await uow.contracts.by_number(CONTRACT_NUMBER)
        plans = await uow.catalog.plans()
    assert contract is not None
    plan = next(p for p in plans if p.name == "Fibra 500 Mega")
    settings = Settings(bot_token=TOKEN, database_url=url, data_dir=tmp / "var")
    counter = Counter()
    counter.attach(engine)
    return Core(settings, engine, ctx), counter, contract.id, plan.group_id, plan.id


async def _begin(
    app: Application[Any, Any, Any, Any, Any, Any], op: Operator, contract_id: int
) -> None:
    op.message_id = 1
    await app.process_update(op.update(app.bot, f"pu:go:{contract_id}"))
    data = app.user_data[op.user_id]["wizard"]
    op.message_id = int(data["msg"])


async def per_update(tmp: Path) -> dict[str, float]:
    """Sequential taps through ``process_update``: ms handling an update, ms of one persistence
    write (python-telegram-bot writes every second, all users' changes in one transaction; here
    after every tap, the worst case), and statements and transactions per tap."""
    core, counter, contract_id, group_id, plan_id = await setup(tmp)
    api = InstantBotApi()
    app = build_application(core, rate_limit=False, request=api)
    await app.initialize()
    op = Operator(STAFF_BASE_ID)
    handling: list[float] = []
    writing: list[float] = []
    statements = transactions = taps = 0
    await _begin(app, op, contract_id)
    for data in wizard_taps(group_id, plan_id)[2:]:
        await app.process_update(op.update(app.bot, data))
    await app.update_persistence()
    for _ in range(40):
        for data in wizard_taps(group_id, plan_id):
            before = (counter.statements, counter.transactions)
            edited = api.edited.setdefault(op.user_id, asyncio.Event())
            edited.clear()
            start = time.perf_counter()
            await app.process_update(op.update(app.bot, data))
            handled = time.perf_counter()
            if not edited.is_set():  # refused: the path above no longer matches the wizard
                raise RuntimeError(f"the wizard did not take {data!r}: update wizard_taps")
            await app.update_persistence()
            handling.append((handled - start) * 1000)
            writing.append((time.perf_counter() - handled) * 1000)
            statements += counter.statements - before[0]
            transactions += counter.transactions - before[1]
            taps += 1
    await app.shutdown()
    await core.close()
    return {
        "handling": statistics.median(handling),
        "writing": statistics.median(writing),
        "statements": statements / taps,
        "transactions": transactions / taps,
    }


def bare_application(api: InstantBotApi, states: int) -> Application[Any, Any, Any, Any, Any, Any]:
    """python-telegram-bot alone: a ConversationHandler with as many states, each tap answered
    and the message edited with a keyboard, like the wizard does."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    async def tap(update: Update, context: Any) -> int:
        query = update.callback_query
        assert query is not None
        await query.answer()
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Opção", callback_data="w:a:1")]])
        await query.edit_message_text("Etapa", reply_markup=keyboard)
        return (int(context.user_data.get("n", 0)) + 1) % states

    async def begin(update: Update, context: Any) -> int:
        return await tap(update, context)

    handler = ConversationHandler(
        entry_points=[CallbackQueryHandler(begin, pattern=r"^pu:")],
        states={i: [CallbackQueryHandler(tap, pattern=r"^w:")] for i in range(states)},
        fallbacks=[],
    )
    app = Application.builder().token(TOKEN).request(api).get_updates_request(api).build()
    app.add_handler(handler)
    return app


async def bare_per_update(states: int) -> float:
    api = InstantBotApi()
    app = bare_application(api, states)
    await app.initialize()
    op = Operator(STAFF_BASE_ID, message_id=1)
    await app.process_update(op.update(app.bot, "pu:go:1"))
    samples = []
    for _ in range(320):
        start = time.perf_counter()
        await app.process_update(op.update(app.bot, "w:a:1"))
        samples.append((time.perf_counter() - start) * 1000)
    await app.shutdown()
    return statistics.median(samples)


async def fifty_staff(tmp: Path, url: str | None, build: Callable[..., Any]) -> float:
    """50 operators walking the wizard at once through the running Application (update queue,
    persistence every second, rate limiter as ``build`` makes it): p95 ms from an update's
    arrival to the edit of that user's message."""
    core, _, contract_id, group_id, plan_id = await setup(tmp, url)
    api = InstantBotApi()
    app = build(core, api)
    latencies: list[float] = []
    async with app:
        await app.start()
        operators = [Operator(STAFF_BASE_ID + i) for i in range(50)]
        for op in operators:
            await _begin(app, op, contract_id)
            for data in wizard_taps(group_id, plan_id)[2:]:
                await app.process_update(op.update(app.bot, data))

        async def walk(op: Operator) -> None:
            for data in wizard_taps(group_id, plan_id) * 3:
                edited = api.edited.setdefault(op.user_id, asyncio.Event())
                edited.clear()
                start = time.perf_counter()
                await app.update_queue.put(op.update(app.bot, data))
                await asyncio.wait_for(edited.wait(), timeout=30)  # a tap the wizard refused
                latencies.append((time.perf_counter() - start) * 1000)

        await asyncio.gather(*(walk(op) for op in operators))
        await app.stop()
    await core.close()
    latencies.sort()
    return latencies[int(len(latencies) * 0.95) - 1]


def as_run_builds_it(core: Core, api: InstantBotApi) -> Any:
    return build_application(core, request=api)


async def main(postgres_url: str | None = None) -> None:
    from conversations.plan_update.steps import STEPS

    states = len(STEPS)
    print("\nwizard (instant in-process Bot API; ratios against a bare python-telegram-bot app):")
    with tempfile.TemporaryDirectory() as tmp:
        ours = await per_update(Path(tmp))
    bare = await bare_per_update(states)
    handling, worst = ours["handling"], ours["handling"] + ours["writing"]
    print(
        f"  per wizard tap: contractbot {handling:.2f} ms ({1000 / handling:.0f}/s) vs bare"
        f" python-telegram-bot {bare:.2f} ms ({1000 / bare:.0f}/s): {handling / bare:.1f}×"
    )
    print(
        f"  with the persistence write after every tap (worst case; it runs once a second for"
        f" all users): {worst:.2f} ms ({1000 / worst:.0f}/s), {worst / bare:.1f}× bare"
    )
    print(
        f"  per wizard tap: {ours['transactions']:.2f} transactions,"
        f" {ours['statements']:.2f} SQL statements"
    )
    targets = [("sqlite", None)] + ([("postgres", postgres_url)] if postgres_url else [])
    for name, url in targets:
        with tempfile.TemporaryDirectory() as tmp:
            p95 = await fifty_staff(Path(tmp), url, as_run_builds_it)
        print(
            f"  50 staff at once ({name}, built as `contractbot run` builds it): p95 {p95:.1f} ms"
        )


if __name__ == "__main__":
    import os

    asyncio.run(main(os.environ.get("BENCH_POSTGRES_URL")))
