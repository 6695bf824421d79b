"""SQL side of :class:`bot.services.approval_ports.ApprovalRepo`: one approval per action and
its decision, written once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.approval import Approval, ApprovalDecision
from bot.domain.money import Money
from bot.domain.safe_text import strip_bidi_or_none
from storage import orm


def _approval(row: orm.ActionApprovalRow) -> Approval:
    return Approval(
        id=row.id,
        action_id=row.action_id,
        list_price=Money(row.list_price_cents),
        value=Money(row.value_cents),
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        decision=ApprovalDecision(row.decision) if row.decision else None,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=strip_bidi_or_none(row.reason),
    )


class SqlApprovalRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def add(
        self,
        *,
        action_id: int,
        list_price: Money,
        value: Money,
        requested_by: int,
        now: datetime,
    ) -> Approval:
        row = orm.ActionApprovalRow(
            action_id=action_id,
            list_price_cents=list_price.cents,
            value_cents=value.cents,
            requested_by=requested_by,
            requested_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        return _approval(row)

    async def for_action(self, action_id: int) -> Approval | None:
        row = await self.s.scalar(
            select(orm.ActionApprovalRow).where(orm.ActionApprovalRow.action_id == action_id)
        )
        return _approval(row) if row is not None else None

    async def for_actions(self, action_ids: Sequence[int]) -> dict[int, Approval]:
        if not action_ids:
            return {}
        table = orm.ActionApprovalRow
        rows = await self.s.scalars(select(table).where(table.action_id.in_(set(action_ids))))
        return {r.action_id: _approval(r) for r in rows}

    async def decide(
        self,
        approval_id: int,
        *,
        decision: ApprovalDecision,
        staff_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        table = orm.ActionApprovalRow
        result = await self.s.execute(
            update(table)
            .where(table.id == approval_id, table.decision.is_(None))
            .values(
                decision=decision.value,
                decided_by=staff_id,
                decided_at=now,
                reason=strip_bidi_or_none(reason),
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]
