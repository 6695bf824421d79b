"""Writing notifications into the outbox, inside the caller's transaction.

Delivery happens later (``bot.notify``), after the commit: a rolled-back operation never
tells anyone anything, and a crash after commit loses nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain.models import Notification, NotificationStatus
from bot.services.context import ServiceContext
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


async def skip(ctx: ServiceContext, notification: Notification, reason: str) -> None:
    """Mark a pending notification skipped: its news was overtaken and it must not go out."""
    async with ctx.uow() as uow:
        await uow.notifications.mark_skipped(notification.id, reason=reason)
        await uow.commit()


async def delivery_of(
    ctx: ServiceContext, chat_id: int, kind: str, **match: Any
) -> NotificationStatus | None:
    """How the latest ``kind`` notification to ``chat_id`` whose payload has ``match`` ended
    (sent, failed, skipped or still pending), or None when none was ever queued."""
    async with ctx.uow() as uow:
        rows = await uow.notifications.for_chat(chat_id, kind)
    wanted = [n for n in rows if all(n.payload.get(k) == v for k, v in match.items())]
    return wanted[-1].status if wanted else None
