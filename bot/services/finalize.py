"""Finalize a plan-update action (tutorial steps 8–9): check the gates, then apply the change
to the contract at once or schedule it for its effective date.

Split out of :mod:`bot.services.plan_update`, which still re-exports these names."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.errors import Conflict, DomainError, Reason
from bot.domain.gates import Blocker, finalize_blockers, last_answer
from bot.domain.loyalty import Loyalty, loyalty_from_term
from bot.domain.models import (
    AcceptanceStatus,
    ActionStatus,
    Contract,
    ContractAction,
    ContractRevision,
    PlanChange,
)
from bot.services.client_documents import queue_client_documents
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.network import queue_network_change
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork

log = logging.getLogger(__name__)


class FinalizeBlocked(DomainError):
    """Finalize was asked for while a gate is unmet; carries every reason (its key is the
    first blocker's; the user is shown them all, as a list)."""

    def __init__(self, blockers: list[Blocker], base: int, current: int) -> None:
        super().__init__(blockers[0].message_key, base=base, current=current)
        self.blockers = blockers
        self.base = base
        self.current = current

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return tuple(Reason(b.message_key, self.params) for b in self.blockers)

    @property
    def listed(self) -> bool:
        return True


@dataclass(frozen=True)
class Finalized:
    action: ContractAction
    contract: Contract
    revision: ContractRevision | None
    already: bool = False  # a repeat: nothing was applied this time

    @property
    def scheduled(self) -> bool:
        """Committed to, but the contract is updated on the effective date."""
        return self.action.status is ActionStatus.SCHEDULED


def snapshot(contract: Contract) -> dict[str, Any]:
    """What a revision records of the contract's terms before and after a change."""
    return {
        "version": contract.version,
        "plan_id": contract.plan_id,
        "value_cents": contract.value.cents,
        "services": [
            {"service_id": s.service_id, "name": s.name, "cents": s.amount.cents}
            for s in contract.services
        ],
        "template_id": contract.template_id,
        "loyalty": {
            "term_id": contract.loyalty.term_id,
            "months": contract.loyalty.months,
            "monthly_benefit_cents": contract.loyalty.monthly_benefit.cents,
            "start": contract.loyalty.start.isoformat() if contract.loyalty.start else None,
            "end": contract.loyalty.end.isoformat() if contract.loyalty.end else None,
        },
    }


async def finalize_action(ctx: ServiceContext, actor_id: int, action_id: int) -> Finalized:
    """Apply the change once: conditional status flip, version check, revision, version bump.

    A second tap, a second staff member or a retry finds the action already finalized and gets
    ``already=True``; nothing is applied twice.
    """
    now = ctx.now()
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        action = found(await uow.actions.get(action_id), "errors.action_not_found")
        contract = found(await uow.contracts.get(action.contract_id), "errors.contract_not_found")
        if action.status in (ActionStatus.FINALIZED, ActionStatus.SCHEDULED):
            return Finalized(action, contract, None, already=True)
        acceptance = await uow.acceptances.latest_for_action(action.id)
        ticket = await uow.tickets.for_action(action.id)
        answer = last_answer(await uow.acceptances.for_action(action.id))
        approval = await uow.approvals.for_action(action.id)
        blockers = finalize_blockers(
            action, contract, acceptance, ticket, answer=answer, approval=approval
        )
        if blockers:
            raise FinalizeBlocked(blockers, action.base_version, contract.version)
        if starts_later(ctx, action.change):
            return await _schedule(ctx, uow, action, contract, actor_id)
        if not await uow.actions.finish(action.id, finalized=True, staff_id=actor_id, now=now):
            return await _lost_race(uow, action_id)
        applied = await apply_change(
            ctx, uow, action, contract, starts=ctx.today(), staff_id=actor_id, now=now
        )
        if applied is None:
            raise FinalizeBlocked([Blocker.CONTRACT_CHANGED], action.base_version, contract.version)
        updated, revision = applied
        # Finalized without needing it: the client's link must stop working. If the client
        # answered meanwhile, roll everything back and let the user look again.
        if (
            acceptance is not None
            and acceptance.status is AcceptanceStatus.PENDING
            and not await uow.acceptances.decide(
                acceptance.id, to=AcceptanceStatus.CANCELLED, now=now
            )
        ):
            raise Conflict("errors.conflict")
        if action.created_by != actor_id:
            await notify_staff(
                uow, action.created_by, "action_finalized", now, action_id=action.id, by=actor_id
            )
        final = found(await uow.actions.get(action.id))
        await uow.commit()
    log.info(
        "action finalized",
        extra={
            "event": "action.finalized",
            "action_id": action.id,
            "contract_id": contract.id,
            "actor_id": actor_id,
            "contract_version": updated.version,
        },
    )
    return Finalized(final, updated, revision)


async def _lost_race(uow: UnitOfWork, action_id: int) -> Finalized:
    """Another finalize or cancel committed first: report what happened, apply nothing."""
    current = found(await uow.actions.get(action_id))
    contract = found(await uow.contracts.get(current.contract_id))
    if current.status in (ActionStatus.FINALIZED, ActionStatus.SCHEDULED):
        return Finalized(current, contract, None, already=True)
    raise FinalizeBlocked([Blocker.NOT_PENDING_CANCELLED], current.base_version, contract.version)


async def apply_change(
    ctx: ServiceContext,
    uow: UnitOfWork,
    action: ContractAction,
    contract: Contract,
    *,
    starts: date,
    staff_id: int | None,
    now: datetime,
) -> tuple[Contract, ContractRevision] | None:
    """Write the action's change into the contract, for finalize and for a scheduled change
    on its date: the version-checked update (``None`` when the contract moved on), the
    revision, with RADIUS on and a new plan the network job, and the client's final documents
    (see :mod:`bot.services.client_documents`). A new loyalty term starts on ``starts``."""
    change = action.change
    applied = await uow.contracts.apply_update(
        contract.id,
        action.base_version,
        plan_id=change.plan_id,
        value=change.value,
        services=change.services,
        template_id=change.template_id,
        loyalty=await loyalty_after(uow, contract, change, starts),
    )
    if not applied:
        return None
    updated = found(await uow.contracts.get(contract.id))
    revision = await uow.revisions.add(
        contract_id=contract.id,
        version=updated.version,
        action_id=action.id,
        before=snapshot(contract),
        after=snapshot(updated),
        staff_id=staff_id,
        now=now,
    )
    if ctx.network_enabled and change.plan_id != contract.plan_id:  # same plan: same speed
        await queue_network_change(
            uow, contract_id=contract.id, plan_id=change.plan_id, action_id=action.id, now=now
        )
    await queue_client_documents(uow, action.id, now, ctx.document_retention)
    return updated, revision


async def loyalty_after(
    uow: UnitOfWork, contract: Contract, change: PlanChange, start: date
) -> Loyalty:
    """The contract's loyalty after the change; a new term starts on the day the change does."""
    if change.loyalty_term_id is None:
        return contract.loyalty
    term = found(await uow.catalog.loyalty_term(change.loyalty_term_id))
    return loyalty_from_term(term, start)


def starts_later(ctx: ServiceContext, change: PlanChange) -> bool:
    """Whether finalizing now only schedules the change (its effective date is after today)."""
    return change.effective_on is not None and change.effective_on > ctx.today()


async def _schedule(
    ctx: ServiceContext,
    uow: UnitOfWork,
    action: ContractAction,
    contract: Contract,
    actor_id: int,
) -> Finalized:
    """Finalize with a future effective date: the gates are met and the change is committed
    to, but the contract stays as it is until ``bot.services.scheduled`` applies it."""
    now = ctx.now()
    if not await uow.actions.move(
        action.id,
        from_status=ActionStatus.PENDING,
        to=ActionStatus.SCHEDULED,
        finalized_by=actor_id,
        finalized_at=now,
    ):
        return await _lost_race(uow, action.id)
    acceptance = await uow.acceptances.latest_for_action(action.id)
    if (
        acceptance is not None
        and acceptance.status is AcceptanceStatus.PENDING
        and not await uow.acceptances.decide(acceptance.id, to=AcceptanceStatus.CANCELLED, now=now)
    ):
        raise Conflict("errors.conflict")  # the client answered meanwhile: look again
    if action.created_by != actor_id:
        await notify_staff(
            uow, action.created_by, "action_finalized", now, action_id=action.id, by=actor_id
        )
    final = found(await uow.actions.get(action.id))
    await uow.commit()
    return Finalized(final, contract, None)
