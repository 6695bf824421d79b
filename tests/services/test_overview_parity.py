"""The overview repository on the in-memory fake and on SQL (SQLite; PostgreSQL when set):
the same open actions for each query, in the same order, and the same batch reads."""

from __future__ import annotations

from datetime import date, timedelta

from bot.domain.models import AcceptanceChannel, ActionStatus, Priority, TicketStatus
from bot.services.context import ServiceContext
from bot.services.overview_ports import ActionQuery
from tests.services.test_ports_parity import add_data, impl
from tests.support.clock import FakeClock

__all__ = ["impl"]  # the fake / sqlite / postgres fixture


async def test_open_actions_batch_reads_and_the_digest_day(
    impl: ServiceContext, clock: FakeClock
) -> None:
    d = await add_data(impl)
    async with impl.uow() as uow:
        first = await uow.actions.add(
            contract_id=d.contract_a.id,
            base_version=1,
            change=d.change,
            created_by=d.operator.id,
            now=impl.now(),
        )
        clock.advance(days=2)
        second = await uow.actions.add(
            contract_id=d.contract_b.id,
            base_version=1,
            change=d.change,
            created_by=d.operator2.id,
            now=impl.now(),
        )
        assert await uow.actions.move(
            second.id, from_status=ActionStatus.PENDING, to=ActionStatus.SCHEDULED
        )
        for channel in (AcceptanceChannel.WEB, AcceptanceChannel.IN_PERSON):
            await uow.acceptances.add(
                action_id=first.id,
                channel=channel,
                token_hash=None,
                expires_at=impl.now() + timedelta(days=1),
                now=impl.now(),
            )
        ttype = (await uow.catalog.ticket_types())[0]
        dept = (await uow.catalog.departments())[0]
        ticket = await uow.tickets.add(
            client_id=d.a.id,
            contract_id=d.contract_a.id,
            action_id=first.id,
            type_id=ttype.id,
            department_id=dept.id,
            assignee_id=None,
            priority=Priority.NORMAL,
            description="x",
            now=impl.now(),
        )
        await uow.commit()
    clock.advance(hours=1)
    async with impl.uow() as uow:

        async def listed(query: ActionQuery, offset: int = 0, limit: int = 10) -> list[int]:
            actions, total = await uow.overview.open_actions(query, offset=offset, limit=limit)
            everything, _ = await uow.overview.open_actions(query, offset=0, limit=99)
            assert total == len(everything)
            return [a.id for a in actions]

        assert await listed(ActionQuery()) == [first.id, second.id]  # the demo has none open
        assert await listed(ActionQuery(first_for=d.operator2.id)) == [second.id, first.id]
        assert await listed(ActionQuery(owner=d.operator2.id)) == [second.id]
        assert await listed(ActionQuery(statuses=(ActionStatus.PENDING,))) == [first.id]
        before = impl.now() - timedelta(days=1)
        assert await listed(ActionQuery(created_before=before)) == [first.id]
        assert await listed(ActionQuery(), offset=1, limit=1) == [second.id]

        contracts = await uow.overview.contracts([d.contract_a.id, d.contract_b.id])
        assert contracts == {c.id: c for c in (d.contract_a, d.contract_b)}
        assert await uow.clients.by_ids([d.a.id]) == {d.a.id: d.a}
        requests = await uow.overview.acceptances([first.id, second.id])
        assert list(requests) == [first.id]
        assert [r.channel for r in requests[first.id]] == ["web", "in_person"]
        tickets = await uow.overview.tickets([first.id, second.id])
        assert {k: (t.id, t.status) for k, t in tickets.items()} == {
            first.id: (ticket.id, TicketStatus.OPEN)
        }
        assert ticket.id in [t.id for t in await uow.overview.open_tickets(impl.now())]
        assert await uow.overview.open_tickets(ticket.created_at) == []

        day = date(2026, 12, 1)
        assert await uow.overview.claim_digest_day(day, impl.now())
        assert not await uow.overview.claim_digest_day(day, impl.now())
