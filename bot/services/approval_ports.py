"""The storage port for discount approvals (``bot.domain.approval``); part of the unit of work."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.approval import Approval, ApprovalDecision
from bot.domain.money import Money


class ApprovalRepo(Protocol):
    async def add(
        self,
        *,
        action_id: int,
        list_price: Money,
        value: Money,
        requested_by: int,
        now: datetime,
    ) -> Approval: ...
    async def for_action(self, action_id: int) -> Approval | None: ...
    async def for_actions(self, action_ids: Sequence[int]) -> dict[int, Approval]:
        """The approvals of many actions at once, by action id (absent: none needed)."""
        ...

    async def decide(
        self,
        approval_id: int,
        *,
        decision: ApprovalDecision,
        staff_id: int,
        now: datetime,
        reason: str | None = None,
    ) -> bool:
        """Record the decision only if none was recorded yet; False when another came first."""
        ...
