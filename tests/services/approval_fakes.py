"""The in-memory :class:`~bot.services.approval_ports.ApprovalRepo` of the fake unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.domain.approval import Approval, ApprovalDecision
from bot.domain.errors import Conflict
from bot.domain.money import Money

if TYPE_CHECKING:
    from tests.services.fakes import FakeStore, FakeUnitOfWork


class FakeApprovalRepo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def db(self) -> FakeStore:
        return self._uow.work

    async def add(
        self,
        *,
        action_id: int,
        list_price: Money,
        value: Money,
        requested_by: int,
        now: datetime,
    ) -> Approval:
        if await self.for_action(action_id) is not None:
            raise Conflict("errors.conflict")  # the SQL table's unique action_id
        return self.db.insert(
            "approvals",
            lambda i: Approval(i, action_id, list_price, value, requested_by, now),
        )

    async def for_action(self, action_id: int) -> Approval | None:
        return next((a for a in self.db.approvals.values() if a.action_id == action_id), None)

    async def for_actions(self, action_ids: Sequence[int]) -> dict[int, Approval]:
        wanted = set(action_ids)
        return {a.action_id: a for a in self.db.approvals.values() if a.action_id in wanted}

    async def decide(
        self,
        approval_id: int,
        *,
        decision: ApprovalDecision,
        staff_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        current = self.db.approvals.get(approval_id)
        if current is None or current.decided:
            return False
        self.db.approvals[approval_id] = replace(
            current, decision=decision, decided_by=staff_id, decided_at=now, reason=reason
        )
        return True
