"""Cancel a plan-update action: pending or scheduled, with its acceptance request and ticket.

Split out of :mod:`bot.services.plan_update`, which still re-exports these names."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.domain.errors import InvalidInput
from bot.domain.gates import Blocker
from bot.domain.models import ActionStatus, ContractAction, TicketStatus
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.finalize import FinalizeBlocked
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork
from bot.services.withdraw import close_open_acceptance

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cancelled:
    action: ContractAction
    already: bool = False


async def _cancel_open(
    uow: UnitOfWork, action: ContractAction, actor_id: int, now: datetime, reason: str
) -> bool:
    """pending → cancelled (with its acceptance requests), or scheduled → cancelled
    ("Cancelar agendamento": the contract was never touched)."""
    if action.status is ActionStatus.SCHEDULED:
        return await uow.actions.move(
            action.id,
            from_status=ActionStatus.SCHEDULED,
            to=ActionStatus.CANCELLED,
            cancelled_by=actor_id,
            cancelled_at=now,
            cancel_reason=reason,
        )
    return await uow.actions.finish(
        action.id, finalized=False, staff_id=actor_id, now=now, reason=reason
    )


async def cancel_action(
    ctx: ServiceContext, actor_id: int, action_id: int, reason: str
) -> Cancelled:
    """Cancel a pending action, its open acceptance request and its ticket, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("errors.reason_required")
    now = ctx.now()
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        if action.status is ActionStatus.CANCELLED:
            return Cancelled(action, already=True)
        if not await _cancel_open(uow, action, actor_id, now, reason[:500]):
            current = found(await uow.actions.get(action.id))
            if current.status is ActionStatus.CANCELLED:
                return Cancelled(current, already=True)
            raise FinalizeBlocked([Blocker.NOT_PENDING_FINALIZED], 0, 0)
        await close_open_acceptance(uow, action.id, now)
        ticket = await uow.tickets.for_action(action.id)
        if (
            ticket is not None
            and await uow.tickets.transition(
                ticket.id,
                from_statuses=(TicketStatus.OPEN, TicketStatus.IN_PROGRESS),
                to=TicketStatus.CANCELLED,
                now=now,
                fields={"cancelled_at": now, "cancel_reason": reason[:500]},
            )
            and ticket.assignee_id is not None
        ):
            await notify_staff(
                uow,
                ticket.assignee_id,
                "ticket_cancelled",
                now,
                ticket_id=ticket.id,
                action_id=action.id,
            )
        if action.created_by != actor_id:
            await notify_staff(
                uow, action.created_by, "action_cancelled", now, action_id=action.id, by=actor_id
            )
        final = found(await uow.actions.get(action.id))
        await uow.commit()
    log.info(
        "action cancelled",
        extra={"event": "action.cancelled", "action_id": action.id, "actor_id": actor_id},
    )
    return Cancelled(final)
