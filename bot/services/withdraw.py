"""Withdrawing what an action put before the client, shared by cancelling an action and by a
supervisor refusing its discount."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import AcceptanceStatus
from bot.services.ports import UnitOfWork


async def close_open_acceptance(uow: UnitOfWork, action_id: int, now: datetime) -> None:
    """Cancel the action's acceptance link if the client has not answered it yet: the client
    must not accept terms the office has withdrawn."""
    acceptance = await uow.acceptances.latest_for_action(action_id)
    if acceptance is not None and acceptance.status is AcceptanceStatus.PENDING:
        await uow.acceptances.decide(acceptance.id, to=AcceptanceStatus.CANCELLED, now=now)
