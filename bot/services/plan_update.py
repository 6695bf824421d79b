"""The plan-update action: create (tutorial step 7), finalize (steps 8–9) and cancel."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.domain.draft import MAX_DESCRIPTION
from bot.domain.effective import check_effective_date
from bot.domain.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    LoyaltyNotAllowed,
    NotFound,
    Reason,
)
from bot.domain.gates import Blocker, finalize_blockers, last_answer
from bot.domain.loyalty import Loyalty, check_allowed, loyalty_from_term, requires_acceptance
from bot.domain.models import (
    AcceptanceStatus,
    ActionStatus,
    Contract,
    ContractAction,
    ContractRevision,
    ContractStatus,
    PlanChange,
    Role,
    Ticket,
    TicketRequest,
    TicketStatus,
)
from bot.domain.split import validate_split
from bot.services.acceptance import open_acceptance
from bot.services.approval import request_approval
from bot.services.client_documents import queue_client_documents
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.network import queue_network_change
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork
from bot.services.withdraw import close_open_acceptance

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
class Created:
    action: ContractAction
    token: str | None  # shown once: only its hash is stored
    ticket: Ticket | None
    existing: bool = False  # the contract already had this pending action


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


@dataclass(frozen=True)
class Cancelled:
    action: ContractAction
    already: bool = False


async def _check_change(uow: UnitOfWork, contract: Contract, change: PlanChange) -> None:
    """Every rule the proposed change must hold, checked against the catalog."""
    client = found(await uow.clients.get(contract.client_id), "errors.client_not_found")
    plan = found(await uow.catalog.plan(change.plan_id))
    if not plan.active:
        raise InvalidInput("errors.plan_inactive")
    if change.value.cents <= 0:
        raise InvalidInput("errors.value_must_be_positive")
    validate_split(change.value, change.services)
    known = {s.id for s in await uow.catalog.services(active_only=False)}
    if any(s.service_id not in known for s in change.services):
        raise InvalidInput("errors.not_found")
    template = found(await uow.catalog.template(change.template_id))
    if not template.active:
        raise NotFound()
    if template.kind is not client.kind:
        raise InvalidInput(
            "errors.template_kind",
            template=template.name,
            template_kind=template.kind.value,
            client_kind=client.kind.value,
        )
    if change.loyalty_term_id is not None:
        term = found(await uow.catalog.loyalty_term(change.loyalty_term_id))
        if not term.active:
            raise NotFound()
        check_allowed(client.kind, term)
        if requires_acceptance(term) and not (
            change.acceptance_channel and change.require_acceptance
        ):
            raise LoyaltyNotAllowed("errors.acceptance_required_for_loyalty")
    if change.require_acceptance and change.acceptance_channel is None:
        raise InvalidInput("errors.gate_without_acceptance")
    if change.require_ticket_closed and change.ticket is None:
        raise InvalidInput("errors.gate_without_ticket")
    if change.ticket is not None:
        await _check_ticket(uow, change.ticket)


async def _check_ticket(uow: UnitOfWork, ticket: TicketRequest) -> None:
    if len(ticket.description) > MAX_DESCRIPTION:
        raise InvalidInput("errors.description_too_long", max=MAX_DESCRIPTION)
    if ticket.type_id not in {t.id for t in await uow.catalog.ticket_types()}:
        raise NotFound()
    if ticket.department_id not in {d.id for d in await uow.catalog.departments()}:
        raise NotFound()
    if ticket.assignee_id is not None:
        assignee = await uow.staff.get(ticket.assignee_id)
        if assignee is None or not assignee.active or assignee.role is not Role.TECHNICIAN:
            raise InvalidInput("errors.assignee_not_technician")


async def create_plan_update(
    ctx: ServiceContext,
    actor_id: int,
    contract_id: int,
    change: PlanChange,
    *,
    expected_version: int | None = None,
) -> Created:
    """Store the pending action with its acceptance request and ticket (one transaction)."""
    now = ctx.now()
    async with ctx.uow() as uow:
        await require_staff(uow, actor_id, *OFFICE_ROLES)
        contract = found(await uow.contracts.get(contract_id), "errors.contract_not_found")
        if contract.status is ContractStatus.CANCELLED:
            raise Conflict("errors.contract_cancelled", number=contract.number)
        if expected_version is not None and contract.version != expected_version:
            raise Conflict("errors.conflict")  # the draft was made against older terms
        existing = await uow.actions.pending_for_contract(contract_id)
        if existing is not None:
            return Created(existing, None, await uow.tickets.for_action(existing.id), existing=True)
        await _check_change(uow, contract, change)
        if change.effective_on is not None:
            check_effective_date(change.effective_on, ctx.today())
        action = await uow.actions.add(
            contract_id=contract_id,
            base_version=contract.version,
            change=change,
            created_by=actor_id,
            now=now,
        )
        await request_approval(ctx, uow, action, now)
        token = None
        if change.acceptance_channel is not None:
            token = await open_acceptance(ctx, uow, action.id, change.acceptance_channel)
        ticket = None
        if change.ticket is not None:
            req = change.ticket
            ticket = await uow.tickets.add(
                client_id=contract.client_id,
                contract_id=contract.id,
                action_id=action.id,
                type_id=req.type_id,
                department_id=req.department_id,
                assignee_id=req.assignee_id,
                priority=req.priority,
                description=req.description.strip(),
                now=now,
            )
            if req.assignee_id is not None:
                await notify_staff(
                    uow,
                    req.assignee_id,
                    "ticket_assigned",
                    now,
                    ticket_id=ticket.id,
                    action_id=action.id,
                )
        await uow.commit()
    log.info(
        "action created",
        extra={
            "event": "action.created",
            "action_id": action.id,
            "contract_id": contract.id,
            "actor_id": actor_id,
            "acceptance_channel": change.acceptance_channel,
            "ticket_id": ticket.id if ticket else None,
        },
    )
    return Created(action, token, ticket)


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
    await queue_client_documents(uow, action.id, now)
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
