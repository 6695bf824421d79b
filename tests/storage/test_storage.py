"""Storage on SQLite and PostgreSQL: migrations, the one-pending-action rule, atomic finalize."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from bot.domain.errors import Conflict
from bot.domain.models import ActionStatus
from bot.services import tickets
from bot.services.acceptance import record_in_person
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update, finalize_action
from storage import orm
from storage.db import current_revision, migrate
from storage.uow import SqlUnitOfWork
from tests.support.builders import plan_change, world
from tests.support.db import migrated_engine


async def test_migrations_up_down_up(backend: str, tmp_path: Path) -> None:
    async with migrated_engine(backend, tmp_path) as engine:
        assert await current_revision(engine) is not None
        await migrate(engine, "downgrade", "base")
        assert await current_revision(engine) is None
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        assert "contracts" not in tables
        await migrate(engine, "upgrade", "head")
        async with engine.connect() as conn:
            tables = await conn.run_sync(lambda c: c.dialect.get_table_names(c))
        assert {"contracts", "contract_actions", "notifications", "staff"} <= set(tables)


async def test_sqlite_pragmas(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    async with sqlite_engine.connect() as conn:
        assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 30000


async def test_database_allows_one_pending_action_per_contract(ctx: ServiceContext) -> None:
    w = await world(ctx)
    change = await plan_change(ctx, w.contract)
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    # Bypassing the service: the database itself refuses a second pending action.
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        uow.session.add(
            orm.ContractActionRow(
                contract_id=w.contract.id,
                kind="plan_update",
                status="pending",
                base_version=1,
                change=change.to_json(),
                created_by=w.operator.id,
                created_at=ctx.now(),
            )
        )
        with pytest.raises(IntegrityError):
            await uow.session.flush()
    async with ctx.uow() as uow:
        with pytest.raises(Conflict):
            await uow.actions.add(
                contract_id=w.contract.id,
                base_version=1,
                change=change,
                created_by=w.operator.id,
                now=ctx.now(),
            )
    # Once it is no longer pending, a new one may be created.
    async with ctx.uow() as uow:
        assert await uow.actions.finish(
            created.action.id,
            finalized=False,
            staff_id=w.operator.id,
            now=ctx.now(),
            reason="teste",
        )
        again = await uow.actions.add(
            contract_id=w.contract.id,
            base_version=1,
            change=change,
            created_by=w.operator.id,
            now=ctx.now(),
        )
        await uow.commit()
    assert again.status is ActionStatus.PENDING


async def test_twenty_concurrent_finalizes_apply_once(ctx: ServiceContext) -> None:
    w = await world(ctx)
    change = await plan_change(ctx, w.contract, ticket_assignee=w.technician.id)
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    await record_in_person(ctx, w.operator.id, created.action.id, "Assinou na loja")
    assert created.ticket is not None
    await tickets.close_ticket(ctx, w.technician.id, created.ticket.id, "ONU trocada")

    results = await asyncio.gather(
        *[
            finalize_action(ctx, (w.operator if i % 2 else w.operator2).id, created.action.id)
            for i in range(20)
        ]
    )

    assert sum(not r.already for r in results) == 1
    assert all(r.action.status is ActionStatus.FINALIZED for r in results)
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        revisions = await uow.session.scalar(
            select(func.count())
            .select_from(orm.ContractRevisionRow)
            .where(orm.ContractRevisionRow.contract_id == w.contract.id)
        )
        contract = await uow.contracts.get(w.contract.id)
    assert revisions == 1
    assert contract is not None
    assert contract.version == w.contract.version + 1
    assert contract.plan_id == change.plan_id
    assert contract.value == change.value
