"""Plan changes and flows built over the fake seed (``fakes.seed_fake``)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.domain.models import (
    AcceptanceChannel,
    Evidence,
    PlanChange,
    Priority,
    TicketRequest,
)
from bot.domain.money import Money
from bot.domain.split import Share
from bot.domain.tokens import sha256_hex
from bot.services import tickets
from bot.services.acceptance import decide_by_token
from bot.services.context import ServiceContext
from bot.services.plan_update import Created
from tests.services.fakes import Seed

WEB_EVIDENCE = Evidence(ip="200.150.10.20", user_agent="Mozilla/5.0 (Android 14)")
TG_EVIDENCE = Evidence(telegram_user_id=777001, telegram_name="João")
DOC_HASH = sha256_hex(b"Contrato PF Residencial - Fibra 1 Giga - R$ 199,90")


def ticket_request(s: Seed, assignee_id: int | None = -1, **over: Any) -> TicketRequest:
    req = TicketRequest(
        type_id=s.swap.id,
        department_id=s.support.id,
        assignee_id=s.technician.id if assignee_id == -1 else assignee_id,
        priority=Priority.HIGH,
        description="Trocar ONU para suportar o novo plano",
    )
    return replace(req, **over)


def pf_change(s: Seed, **over: Any) -> PlanChange:
    """PF upgrade Fibra 300 → Fibra 1 Giga (R$ 199,90), 12-month loyalty, web acceptance,
    a ticket for the technician, both gates on."""
    change = PlanChange(
        plan_id=s.fibra_1g.id,
        value=Money(19990),
        services=(
            Share(s.internet.id, s.internet.name, Money(17000)),
            Share(s.phone.id, s.phone.name, Money(2990)),
        ),
        template_id=s.pf_template.id,
        loyalty_term_id=s.loyalty_12.id,
        acceptance_channel=AcceptanceChannel.WEB,
        ticket=ticket_request(s),
        require_acceptance=True,
        require_ticket_closed=True,
    )
    return replace(change, **over)


def pj_change(s: Seed, **over: Any) -> PlanChange:
    """PJ upgrade Empresarial 300 → 600 (R$ 399,90), 24-month loyalty (allowed for PJ)."""
    change = PlanChange(
        plan_id=s.emp_600.id,
        value=Money(39990),
        services=(
            Share(s.internet.id, s.internet.name, Money(30000)),
            Share(s.fixed_ip.id, s.fixed_ip.name, Money(5000)),
            Share(s.phone.id, s.phone.name, Money(4990)),
        ),
        template_id=s.pj_template.id,
        loyalty_term_id=s.loyalty_24.id,
        acceptance_channel=AcceptanceChannel.TELEGRAM,
        ticket=ticket_request(s),
        require_acceptance=True,
        require_ticket_closed=True,
    )
    return replace(change, **over)


def simple_change(s: Seed, **over: Any) -> PlanChange:
    """No acceptance, no ticket, keep the loyalty: finalizable right away."""
    plain: dict[str, Any] = {
        "loyalty_term_id": None,
        "acceptance_channel": None,
        "ticket": None,
        "require_acceptance": False,
        "require_ticket_closed": False,
    }
    return pf_change(s, **{**plain, **over})


async def make_ready(ctx: ServiceContext, s: Seed, created: Created) -> None:
    """The client accepts by link and the technician closes the ticket."""
    assert created.token is not None and created.ticket is not None
    await decide_by_token(
        ctx, created.token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    await tickets.close_ticket(ctx, s.technician.id, created.ticket.id, "ONU trocada")
