"""Building realistic plan changes from whatever catalog the database holds."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import (
    AcceptanceChannel,
    Contract,
    ContractStatus,
    PersonKind,
    PlanChange,
    Priority,
    Role,
    Staff,
    TicketRequest,
)
from bot.domain.money import Money
from bot.domain.split import ServiceLine, split_proportional
from bot.services.context import ServiceContext


@dataclass
class World:
    """Handy handles on the demo data."""

    operator: Staff
    operator2: Staff
    technician: Staff
    contract: Contract


async def world(ctx: ServiceContext, kind: PersonKind = PersonKind.PF) -> World:
    async with ctx.uow() as uow:
        staff = await uow.staff.list(active_only=True)
        ops = [s for s in staff if s.role is Role.OPERATOR]
        tech = next(s for s in staff if s.role is Role.TECHNICIAN)
        contract = None
        for client_id in range(1, 100):
            client = await uow.clients.get(client_id)
            if client is None or client.kind is not kind:
                continue
            for c in await uow.contracts.for_client(client_id):
                if c.status is ContractStatus.ACTIVE:
                    contract = c
                    break
            if contract:
                break
        assert contract is not None
        return World(ops[0], ops[1], tech, contract)


async def plan_change(
    ctx: ServiceContext,
    contract: Contract,
    *,
    plan_name: str = "Fibra 1 Giga",
    value: Money | None = None,
    channel: AcceptanceChannel | None = AcceptanceChannel.WEB,
    require_acceptance: bool = True,
    ticket_assignee: int | None = None,
    with_ticket: bool = True,
    require_ticket_closed: bool = True,
    loyalty_months: int | None = 12,
) -> PlanChange:
    async with ctx.uow() as uow:
        plan = next(p for p in await uow.catalog.plans() if p.name == plan_name)
        services = {s.id: s for s in await uow.catalog.services()}
        client = await uow.clients.get(contract.client_id)
        assert client is not None
        template = next(t for t in await uow.catalog.templates() if t.kind is client.kind)
        term_id = None
        if loyalty_months is not None:
            term_id = next(
                t.id for t in await uow.catalog.loyalty_terms() if t.months == loyalty_months
            )
        ttype = (await uow.catalog.ticket_types())[0]
        dept = (await uow.catalog.departments())[0]
    total = value or plan.price
    lines = [
        ServiceLine(sid, services[sid].name, services[sid].list_price)
        for sid in plan.default_service_ids
    ]
    ticket = None
    if with_ticket:
        ticket = TicketRequest(
            ttype.id,
            dept.id,
            ticket_assignee,
            Priority.HIGH,
            "Trocar ONU para suportar o novo plano",
        )
    return PlanChange(
        plan_id=plan.id,
        value=total,
        services=split_proportional(total, lines),
        template_id=template.id,
        loyalty_term_id=term_id,
        acceptance_channel=channel,
        ticket=ticket,
        require_acceptance=require_acceptance and channel is not None,
        require_ticket_closed=require_ticket_closed and with_ticket,
    )
