"""Writing notifications into the outbox, inside the caller's transaction.

Delivery happens later (``bot.notify``), after the commit: a rolled-back operation never
tells anyone anything, and a crash after commit loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.services.ports import UnitOfWork


async def notify_staff(
    uow: UnitOfWork, staff_id: int, kind: str, now: datetime, **payload: Any
) -> None:
    """Queue a message for an active staff member."""
    staff = await uow.staff.get(staff_id)
    if staff is None or not staff.active:
        return
    await uow.notifications.add(
        chat_id=staff.telegram_id, kind=kind, payload={"staff_id": staff.id, **payload}, now=now
    )
