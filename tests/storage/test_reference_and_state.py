"""The in-memory staff/catalog copy and the conversation-state rows, on SQLite and PostgreSQL
(the ``ctx`` fixture has the demo ISP loaded)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import PersonKind, Role
from bot.services import staff as staff_service
from bot.services.context import ServiceContext
from bot.services.reference import ReferenceCache
from conversations.persistence import DbPersistence
from storage import orm
from storage.bot_state import BotStateStore
from storage.db import session_factory
from storage.repositories import bump_reference_version
from storage.uow import SqlUnitOfWork
from tests.support.db import sql_statements

NOW = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_a_plan_added_elsewhere_shows_after_the_check_interval(ctx: ServiceContext) -> None:
    ticks = Ticks()
    cache = ReferenceCache(check_every=5.0, monotonic=ticks)
    before = (await cache.get(ctx.uow)).catalog(PersonKind.PF)
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        group = before.groups[0]
        uow.session.add(
            orm.PlanRow(
                group_id=group.id,
                name="Fibra 2 Giga",
                download_mbps=2000,
                upload_mbps=1000,
                price_cents=29990,
                active=True,
            )
        )
        await bump_reference_version(uow.session)  # what an import does with its writes
        await uow.commit()
    assert "Fibra 2 Giga" not in {p.name for p in (await cache.get(ctx.uow)).plans}
    ticks.now += 5.0
    assert "Fibra 2 Giga" in {p.name for p in (await cache.get(ctx.uow)).plans}


async def test_a_staff_change_through_the_service_is_seen_at_once(ctx: ServiceContext) -> None:
    member = await staff_service.add_staff(ctx, None, 777000111, "Nova Atendente", Role.OPERATOR)
    assert await staff_service.staff_by_telegram_id(ctx, 777000111) == member
    await staff_service.deactivate(ctx, None, 777000111)
    found = await staff_service.staff_by_telegram_id(ctx, 777000111)
    assert found is not None and not found.active


async def test_a_fresh_copy_is_not_read_again(ctx: ServiceContext, engine: AsyncEngine) -> None:
    await ctx.reference()
    with sql_statements(engine) as statements:
        for _ in range(20):
            await staff_service.staff_by_telegram_id(ctx, 900000011)  # a seeded operator
    assert statements == []


async def test_persistence_writes_a_run_in_one_transaction(engine: AsyncEngine) -> None:
    """python-telegram-bot hands every user's data and conversation state at once: one
    transaction, an upsert and a delete, and the rows read back as written."""
    store = BotStateStore(session_factory(engine))
    persistence = DbPersistence(store, lambda: NOW)
    await persistence.update_user_data(1, {"wizard": {"draft": {"a": 1}}})
    begins: list[int] = []
    statements: list[str] = []
    event.listen(engine.sync_engine, "begin", lambda *_: begins.append(1))
    event.listen(
        engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(str(a[2]))
    )
    await asyncio.gather(
        persistence.update_user_data(1, {"wizard": {"draft": {"a": 2}}}),
        persistence.update_user_data(2, {"wizard": {"draft": {"b": 1}}}),
        persistence.update_conversation("plan_update", (1, 1), "value"),
        persistence.drop_user_data(3),
    )
    assert len(begins) == 1
    writes = [s for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT"))]
    assert len(writes) == 2, writes
    fresh = DbPersistence(store, lambda: NOW)
    assert await fresh.get_user_data() == {
        1: {"wizard": {"draft": {"a": 2}}},
        2: {"wizard": {"draft": {"b": 1}}},
    }
    assert await fresh.get_conversations("plan_update") == {(1, 1): "value"}
    await fresh.update_conversation("plan_update", (1, 1), None)
    assert await fresh.get_conversations("plan_update") == {}
