"""Scheduled plan changes on the real database (SQLite, and PostgreSQL when it is there): the
one-open-action rule covers scheduled actions, and two processes running the job at the same
moment apply a scheduled change once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from bot.domain.models import ActionStatus
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update, finalize_action
from bot.services.scheduled import Outcome, apply_due
from storage.db import create_engine
from storage.orm import ContractActionRow
from storage.uow import SqlUnitOfWork
from tests.conftest import make_ctx
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.support.db import postgres_url

EFFECTIVE = date(2026, 12, 1)


async def _scheduled(ctx: ServiceContext) -> tuple[int, int]:
    """A change without gates, effective on 01/12, finalized on 20/11: (action, contract)."""
    w = await world(ctx)
    change = await plan_change(
        ctx,
        w.contract,
        channel=None,
        require_acceptance=False,
        with_ticket=False,
        require_ticket_closed=False,
        loyalty_months=None,
    )
    change = replace(change, effective_on=EFFECTIVE)
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    result = await finalize_action(ctx, w.operator.id, created.action.id)
    assert result.scheduled
    return created.action.id, w.contract.id


async def test_the_database_allows_one_open_action_per_contract(ctx: ServiceContext) -> None:
    _, contract_id = await _scheduled(ctx)
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        uow.session.add(
            ContractActionRow(
                contract_id=contract_id,
                kind="plan_update",
                status=ActionStatus.PENDING.value,
                base_version=1,
                change={},
                created_by=1,
                created_at=ctx.now(),
            )
        )
        with pytest.raises(IntegrityError):
            await uow.session.flush()


def _same_database(backend: str, tmp_path: Path) -> str:
    """The URL of the database ``ctx`` uses (see tests/services/conftest.py)."""
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    url = postgres_url()
    assert url is not None
    return url


async def test_two_processes_apply_a_scheduled_change_once(
    ctx: ServiceContext, backend: str, tmp_path: Path, clock: FakeClock
) -> None:
    action_id, contract_id = await _scheduled(ctx)
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 00:00 of 01/12 in São Paulo
    other = create_engine(_same_database(backend, tmp_path))
    try:
        second = make_ctx(other, clock)  # another process: its own engine and connections
        first_run, second_run = await asyncio.gather(apply_due(ctx), apply_due(second))
    finally:
        await other.dispose()
    assert sorted(first_run + second_run, key=lambda o: o.action_id) == [
        Outcome(action_id, applied=True)
    ]
    async with ctx.uow() as uow:
        contract = await uow.contracts.get(contract_id)
        revisions = await uow.revisions.for_contract(contract_id)
        action = await uow.actions.get(action_id)
    assert contract is not None and contract.version == 2
    assert [r.action_id for r in revisions] == [action_id]
    assert action is not None and action.status is ActionStatus.FINALIZED
    assert action.applied_at == clock.now
