"""The overview's batch reads agree with the one-by-one reads, and the digest's day can be
claimed once, also by two transactions at the same time (SQLite, and PostgreSQL when set)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from bot.services.acceptance import resend_acceptance
from bot.services.context import ServiceContext
from bot.services.overview_ports import ActionQuery
from bot.services.plan_update import create_plan_update
from tests.support.builders import plan_change, world


async def test_batch_reads_match_single_reads(ctx: ServiceContext) -> None:
    w = await world(ctx)
    change = await plan_change(ctx, w.contract, ticket_assignee=w.technician.id)
    created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
    await resend_acceptance(ctx, w.operator.id, created.action.id)  # two requests now
    async with ctx.uow() as uow:
        actions, total = await uow.overview.open_actions(ActionQuery(), offset=0, limit=10)
        assert (total, [a.id for a in actions]) == (1, [created.action.id])
        ids = [created.action.id]
        contracts = await uow.overview.contracts([w.contract.id, w.contract.id])
        clients = await uow.clients.by_ids([w.contract.client_id])
        requests = await uow.overview.acceptances(ids)
        tickets = await uow.overview.tickets(ids)
        assert contracts == {w.contract.id: await uow.contracts.get(w.contract.id)}
        assert clients == {w.contract.client_id: await uow.clients.get(w.contract.client_id)}
        assert requests == {created.action.id: await uow.acceptances.for_action(created.action.id)}
        assert len(requests[created.action.id]) == 2
        single = await uow.tickets.for_action(created.action.id)
        assert single is not None
        assert tickets[created.action.id].id == single.id
        assert await uow.overview.contracts([]) == {}
        # Filters: someone else's, and created before a moment that is earlier than the action.
        for query in (
            ActionQuery(owner=w.operator2.id),
            ActionQuery(created_before=ctx.now() - timedelta(seconds=1)),
        ):
            assert await uow.overview.open_actions(query, offset=0, limit=10) == ([], 0)
        old = await uow.overview.open_tickets(ctx.now() + timedelta(seconds=1))
        assert [t.id for t in old] == [single.id]
        assert await uow.overview.open_tickets(ctx.now()) == []


async def test_the_digest_day_is_claimed_once(ctx: ServiceContext) -> None:
    day = date(2026, 11, 27)
    async with ctx.uow() as uow:
        assert await uow.overview.claim_digest_day(day, ctx.now())
        # not committed: rolled back, so the day is still free
    async with ctx.uow() as uow:
        assert await uow.overview.claim_digest_day(day, ctx.now())
        await uow.commit()
    async with ctx.uow() as uow:
        assert not await uow.overview.claim_digest_day(day, ctx.now())
        assert await uow.overview.claim_digest_day(day + timedelta(days=1), ctx.now())


async def test_two_transactions_claiming_the_same_day_one_wins(ctx: ServiceContext) -> None:
    day = date(2026, 11, 28)

    async def claim() -> bool:
        async with ctx.uow() as uow:
            won = await uow.overview.claim_digest_day(day, ctx.now())
            await asyncio.sleep(0)  # let the other one reach its insert too
            await uow.commit()
            return won

    assert sorted(await asyncio.gather(*(claim() for _ in range(5)))) == [False] * 4 + [True]
