"""Discount approval use cases: ask the admins when an action is created with a value beyond
the provider's discount limit, and record exactly one decision (``bot.domain.approval``).

The request rides in the create transaction (no action without its approval, no approval
without its action); the decision is a conditional update, so double taps, stale buttons and
two admins deciding at once end with one decision, and everyone else is told who made it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.approval import Approval, ApprovalDecision, may_decide, refusal_reason
from bot.domain.errors import Conflict, NotFound, PermissionDenied
from bot.domain.models import ActionStatus, ContractAction, Role, Staff
from bot.services.context import ServiceContext, found, require_staff
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork
from bot.services.withdraw import close_open_acceptance

log = logging.getLogger(__name__)

REQUESTED = "approval_requested"  # the outbox kind of the request each admin receives
# The outbox kind of the owner's news for each decision.
DECIDED = {d: f"approval_{d.value}" for d in ApprovalDecision}


@dataclass(frozen=True)
class ApprovalView:
    """An approval with the people it names, for cards, alerts and notifications."""

    approval: Approval
    requester: Staff | None
    decider: Staff | None
    admins: int  # active admins now (the four-eyes rule depends on it)

    def may_decide(self, staff: Staff) -> bool:
        return (
            staff.role is Role.ADMIN
            and not self.approval.decided
            and may_decide(self.approval, staff.id, self.admins)
        )


@dataclass(frozen=True)
class Decided:
    view: ApprovalView
    action: ContractAction
    already: bool = False  # decided before this tap (by this admin or another): nothing changed


def _check_open(action: ContractAction) -> None:
    """A decision only means something while the action waits for it."""
    if action.status is ActionStatus.CANCELLED:
        raise Conflict("blocker.not_pending_cancelled")
    if action.status is not ActionStatus.PENDING:
        raise Conflict("blocker.not_pending_finalized")


async def _admins(uow: UnitOfWork) -> list[Staff]:
    return [s for s in await uow.staff.list(active_only=True) if s.role is Role.ADMIN]


async def load_approval(uow: UnitOfWork, action_id: int) -> ApprovalView | None:
    """The action's approval and who asked and decided; None when its value needed none."""
    return (await load_approvals(uow, [action_id])).get(action_id)


async def load_approvals(uow: UnitOfWork, action_ids: Sequence[int]) -> dict[int, ApprovalView]:
    """:func:`load_approval` for many actions in a fixed number of queries (by action id)."""
    approvals = await uow.approvals.for_actions(action_ids)
    if not approvals:
        return {}
    staff = {s.id: s for s in await uow.staff.list()}
    admins = sum(1 for s in staff.values() if s.active and s.role is Role.ADMIN)
    return {
        action_id: ApprovalView(
            approval,
            staff.get(approval.requested_by),
            staff.get(approval.decided_by) if approval.decided_by else None,
            admins,
        )
        for action_id, approval in approvals.items()
    }


async def request_approval(
    ctx: ServiceContext, uow: UnitOfWork, action: ContractAction, now: datetime
) -> Approval | None:
    """Inside the create transaction: when the action's value is further below the plan's list
    price than ``ctx.discount`` allows, store the request and queue it for every admin who may
    decide it."""
    plan = found(await uow.catalog.plan(action.change.plan_id))
    if not ctx.discount.needs_approval(action.change.value, plan.price):
        return None
    approval = await uow.approvals.add(
        action_id=action.id,
        list_price=plan.price,
        value=action.change.value,
        requested_by=action.created_by,
        now=now,
    )
    admins = await _admins(uow)
    for admin in admins:
        if may_decide(approval, admin.id, len(admins)):
            await notify_staff(uow, admin.id, REQUESTED, now, action_id=action.id)
    return approval


def _decidable(view: ApprovalView | None, action: ContractAction, actor: Staff) -> ApprovalView:
    """The approval as a decision tap finds it: decided already, or open and this admin's to
    decide; raises when it was never needed, the action closed, or it is their own request."""
    if view is None:
        raise NotFound("approval.not_needed", action_id=action.id)
    if view.approval.decided:
        return view
    _check_open(action)
    if not view.may_decide(actor):
        raise PermissionDenied("approval.not_own")
    return view


async def _admin(uow: UnitOfWork, actor_id: int) -> Staff:
    actor = await require_staff(uow, actor_id)
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("approval.admins_only")
    return actor


async def decidable(ctx: ServiceContext, actor_id: int, action_id: int) -> ApprovalView:
    """Before asking an admin for a refusal's reason: is there still a decision for them?"""
    async with ctx.uow() as uow:
        actor = await _admin(uow, actor_id)
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        return _decidable(await load_approval(uow, action_id), action, actor)


async def decide_approval(
    ctx: ServiceContext,
    actor_id: int,
    action_id: int,
    *,
    approve: bool,
    reason: str | None = None,
) -> Decided:
    """Approve, or refuse with a reason. A decision already recorded (a double tap, a stale
    button, another admin a moment earlier) is returned with ``already=True`` and nothing
    changes; the action's owner is told about the one decision that counts."""
    text = None if approve else refusal_reason(reason)
    decision = ApprovalDecision.APPROVED if approve else ApprovalDecision.REFUSED
    now = ctx.now()
    async with ctx.uow() as uow:
        actor = await _admin(uow, actor_id)
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        view = _decidable(await load_approval(uow, action_id), action, actor)
        if view.approval.decided:
            return Decided(view, action, already=True)
        recorded = await uow.approvals.decide(
            view.approval.id, decision=decision, staff_id=actor.id, now=now, reason=text
        )
        final = found(await load_approval(uow, action_id))
        if not recorded:  # another admin's decision committed first
            return Decided(final, action, already=True)
        if decision is ApprovalDecision.REFUSED:
            await close_open_acceptance(uow, action.id, now)
        if action.created_by != actor.id:
            await notify_staff(uow, action.created_by, DECIDED[decision], now, action_id=action.id)
        await uow.commit()
    log.info(
        "approval decided",
        extra={
            "event": f"approval.{decision.value}",
            "action_id": action.id,
            "approval_id": final.approval.id,
            "actor_id": actor.id,
        },
    )
    return Decided(final, action)
