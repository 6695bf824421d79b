"""Scheduled plan changes: applied at 00:00 of their effective date, exactly once.

Finalizing an action whose effective date is after today only schedules it (see
``finalize.finalize_action``). The active instance calls ``apply_due`` every few minutes and
once at start, so a bot that was off at midnight catches up when it comes back; the contract
gets the change with its loyalty starting on the effective date, whatever day it is applied.

Exactly once: each action is moved scheduled → finalized by a conditional update inside the
transaction that updates the contract; a second process (or a retry) finds it no longer
scheduled and does nothing. A contract changed by someone else after the action was made is not
overwritten: the action ends cancelled with ``apply_failure`` saying why, and its owner is told.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import ActionStatus, ContractAction, ContractStatus
from bot.services.context import ServiceContext, found
from bot.services.finalize import apply_change
from bot.services.outbox import notify_staff

CONTRACT_CHANGED = "scheduled.contract_changed"
CONTRACT_CANCELLED = "scheduled.contract_cancelled"


@dataclass(frozen=True)
class Outcome:
    """What became of one scheduled action on this run."""

    action_id: int
    applied: bool
    failure: str | None = None  # a message key when it was not applied


async def apply_due(ctx: ServiceContext) -> list[Outcome]:
    """Apply every scheduled change whose effective date has come (today included)."""
    today = ctx.today()
    async with ctx.uow() as uow:
        due = [
            a.id
            for a in await uow.actions.scheduled()
            if a.change.effective_on is None or a.change.effective_on <= today
        ]
    outcomes = []
    for action_id in due:
        outcome = await apply_scheduled(ctx, action_id)
        if outcome is not None:
            outcomes.append(outcome)
    return outcomes


async def apply_scheduled(ctx: ServiceContext, action_id: int) -> Outcome | None:
    """Apply one scheduled change through the same conditional update as finalize (version
    check, revision, version bump); ``None`` when another process already dealt with it."""
    now = ctx.now()
    async with ctx.uow() as uow:
        action = await uow.actions.get_for_update(action_id)
        if action is None or action.status is not ActionStatus.SCHEDULED:
            return None
        contract = found(await uow.contracts.get(action.contract_id))
        failure = _why_not(action, contract.version, contract.status)
        if failure is not None:
            if not await uow.actions.move(
                action.id,
                from_status=ActionStatus.SCHEDULED,
                to=ActionStatus.CANCELLED,
                cancelled_at=now,
                apply_failure=failure,
            ):
                return None
            await notify_staff(uow, action.created_by, "scheduled_failed", now, action_id=action.id)
            await uow.commit()
            return Outcome(action.id, applied=False, failure=failure)
        if not await uow.actions.move(
            action.id,
            from_status=ActionStatus.SCHEDULED,
            to=ActionStatus.FINALIZED,
            applied_at=now,
        ):
            return None
        starts = action.change.effective_on or ctx.today()
        applied = await apply_change(
            ctx, uow, action, contract, starts=starts, staff_id=action.finalized_by, now=now
        )
        if applied is None:  # changed between our read and the update: rolled back; the next
            return None  # run finds the new version and says why
        await notify_staff(uow, action.created_by, "scheduled_applied", now, action_id=action.id)
        await uow.commit()
    return Outcome(action.id, applied=True)


def _why_not(action: ContractAction, version: int, status: ContractStatus) -> str | None:
    if status is ContractStatus.CANCELLED:
        return CONTRACT_CANCELLED
    if version != action.base_version:
        return CONTRACT_CHANGED
    return None
