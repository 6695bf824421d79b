"""The plan-update action: create (tutorial step 7). Finalize (steps 8–9) lives in
:mod:`bot.services.finalize` and cancel in :mod:`bot.services.cancel`; their names are
re-exported here, the path most callers and tests import them from."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.domain.draft import MAX_DESCRIPTION
from bot.domain.effective import check_effective_date
from bot.domain.errors import Conflict, InvalidInput, LoyaltyNotAllowed, NotFound
from bot.domain.loyalty import check_allowed, requires_acceptance
from bot.domain.models import (
    Contract,
    ContractAction,
    ContractStatus,
    PlanChange,
    Role,
    Ticket,
    TicketRequest,
)
from bot.domain.split import validate_split
from bot.services.acceptance import open_acceptance
from bot.services.approval import request_approval
from bot.services.cancel import Cancelled, cancel_action
from bot.services.context import OFFICE_ROLES, ServiceContext, found, require_staff
from bot.services.finalize import (
    FinalizeBlocked,
    Finalized,
    apply_change,
    finalize_action,
    loyalty_after,
    snapshot,
    starts_later,
)
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork

__all__ = [
    "Cancelled",
    "Created",
    "FinalizeBlocked",
    "Finalized",
    "apply_change",
    "cancel_action",
    "create_plan_update",
    "finalize_action",
    "loyalty_after",
    "snapshot",
    "starts_later",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Created:
    action: ContractAction
    token: str | None  # shown once: only its hash is stored
    ticket: Ticket | None
    existing: bool = False  # the contract already had this pending action


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
