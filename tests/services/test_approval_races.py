"""Two admins deciding one discount at the same moment end with exactly one decision, on
SQLite and on PostgreSQL: the loser is told who won, and the owner hears about one decision."""

from __future__ import annotations

import asyncio

from bot.domain.approval import ApprovalDecision
from bot.domain.models import Role
from bot.domain.money import Money
from bot.services.approval import Decided, decide_approval
from bot.services.context import ServiceContext
from bot.services.plan_update import cancel_action, create_plan_update
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock

ROUNDS = 10


async def _admins(ctx: ServiceContext, clock: FakeClock) -> tuple[int, int]:
    async with ctx.uow() as uow:
        ana = await uow.staff.add(910000001, "Ana Supervisora", Role.ADMIN, "pt_BR", clock())
        carlos = await uow.staff.add(910000002, "Carlos Gerente", Role.ADMIN, "pt_BR", clock())
        await uow.commit()
    return ana.id, carlos.id


async def test_two_admins_at_once_record_one_decision(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    ana, carlos = await _admins(ctx, clock)
    change = await plan_change(
        ctx, w.contract, value=Money(9990), channel=None, with_ticket=False, loyalty_months=None
    )
    for _ in range(ROUNDS):
        created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
        action_id = created.action.id
        results = await asyncio.gather(
            decide_approval(ctx, ana, action_id, approve=True),
            decide_approval(ctx, carlos, action_id, approve=False, reason="Fora da política"),
        )
        assert all(isinstance(r, Decided) for r in results)
        winners = [r for r in results if not r.already]
        assert len(winners) == 1, results
        won = winners[0].view.approval
        assert [r.view.approval for r in results] == [won, won]  # the loser sees the winner's
        assert won.decided_by == (ana if won.decision is ApprovalDecision.APPROVED else carlos)
        async with ctx.uow() as uow:
            told = [
                n
                for n in await uow.notifications.all()
                if n.payload.get("action_id") == action_id
                and n.kind.startswith("approval_")
                and n.kind != "approval_requested"
            ]
        assert [n.kind for n in told] == [f"approval_{won.decision.value}"]
        await cancel_action(ctx, w.operator.id, action_id, "próxima rodada")
