"""Tickets (atendimentos) for field technicians: start, note, close, cancel, take."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.domain.errors import InvalidInput, PermissionDenied, Term
from bot.domain.models import (
    CatalogItem,
    Client,
    Contract,
    Plan,
    Role,
    Staff,
    Ticket,
    TicketStatus,
)
from bot.domain.safe_text import strip_bidi
from bot.services.context import ServiceContext, found, require_staff
from bot.services.outbox import notify_staff
from bot.services.ports import UnitOfWork
from bot.services.search import PAGE_SIZE, Page, fetch_page

OPEN = (TicketStatus.OPEN, TicketStatus.IN_PROGRESS)
MAX_NOTE = 1000  # a note, a resolution: with the card around it, one Telegram message


class TicketTransitionError(InvalidInput):
    """The ticket is no longer in a status the move starts from (its key names the move)."""

    key = "ticket.cannot_close"


def _may_work_on(staff: Staff, ticket: Ticket) -> bool:
    """Admins and operators may act on any ticket; technicians on their own or unassigned."""
    if staff.role in (Role.ADMIN, Role.OPERATOR):
        return True
    return ticket.assignee_id in (None, staff.id)


async def _load(uow: UnitOfWork, actor_id: int, ticket_id: int) -> tuple[Staff, Ticket]:
    staff = await require_staff(uow, actor_id)
    ticket = found(await uow.tickets.get(ticket_id), "errors.ticket_not_found")
    if not _may_work_on(staff, ticket):
        raise PermissionDenied("ticket.not_assignee")
    return staff, ticket


async def _move(
    ctx: ServiceContext,
    actor_id: int,
    ticket_id: int,
    to: TicketStatus,
    from_statuses: tuple[TicketStatus, ...],
    refusal_key: str,
    fields: dict[str, Any],
    note: str | None = None,
) -> Ticket:
    now = ctx.now()
    async with ctx.uow() as uow:
        staff, ticket = await _load(uow, actor_id, ticket_id)
        if ticket.status is to:
            return ticket  # a repeated tap: already there
        if not await uow.tickets.transition(
            ticket_id, from_statuses=from_statuses, to=to, now=now, fields=fields
        ):
            raise TicketTransitionError(
                refusal_key, number=ticket.id, status=Term(f"ticket_status.{ticket.status.value}")
            )
        if ticket.assignee_id is None and staff.role is Role.TECHNICIAN:
            await uow.tickets.assign(ticket_id, staff.id, only_if_unassigned=True)
        if note:
            await uow.tickets.add_note(ticket_id, staff.id, note, now)
        if to is TicketStatus.CLOSED and ticket.action_id is not None:
            action = found(await uow.actions.get(ticket.action_id))
            await notify_staff(
                uow,
                action.created_by,
                "ticket_closed",
                now,
                ticket_id=ticket.id,
                action_id=action.id,
            )
        updated = found(await uow.tickets.get(ticket_id))
        await uow.commit()
    return updated


async def start_ticket(ctx: ServiceContext, actor_id: int, ticket_id: int) -> Ticket:
    return await _move(
        ctx,
        actor_id,
        ticket_id,
        TicketStatus.IN_PROGRESS,
        (TicketStatus.OPEN,),
        "ticket.cannot_start",
        {"started_at": ctx.now()},
    )


async def close_ticket(
    ctx: ServiceContext, actor_id: int, ticket_id: int, resolution: str
) -> Ticket:
    resolution = _note_text(resolution)
    return await _move(
        ctx,
        actor_id,
        ticket_id,
        TicketStatus.CLOSED,
        OPEN,
        "ticket.cannot_close",
        {"closed_at": ctx.now(), "resolution": resolution},
    )


async def cancel_ticket(ctx: ServiceContext, actor_id: int, ticket_id: int, reason: str) -> Ticket:
    reason = strip_bidi(reason or "").strip()
    if not reason:
        raise InvalidInput("errors.reason_required")
    return await _move(
        ctx,
        actor_id,
        ticket_id,
        TicketStatus.CANCELLED,
        OPEN,
        "ticket.cannot_cancel",
        {"cancelled_at": ctx.now(), "cancel_reason": reason[:500]},
    )


def _note_text(text: str) -> str:
    text = strip_bidi(text or "").strip()
    if not text:
        raise InvalidInput("errors.note_required")
    if len(text) > MAX_NOTE:
        raise InvalidInput("errors.note_too_long", max=MAX_NOTE, length=len(text))
    return text


async def add_note(ctx: ServiceContext, actor_id: int, ticket_id: int, text: str) -> Ticket:
    text = _note_text(text)
    async with ctx.uow() as uow:
        staff, ticket = await _load(uow, actor_id, ticket_id)
        await uow.tickets.add_note(ticket.id, staff.id, text, ctx.now())
        updated = found(await uow.tickets.get(ticket.id))
        await uow.commit()
    return updated


async def take_ticket(ctx: ServiceContext, actor_id: int, ticket_id: int) -> Ticket:
    """An unassigned ticket is taken by whoever taps first; a second taker is told."""
    async with ctx.uow() as uow:
        staff = await require_staff(uow, actor_id, Role.TECHNICIAN, Role.ADMIN)
        ticket = found(await uow.tickets.get(ticket_id), "errors.ticket_not_found")
        if ticket.assignee_id == staff.id:
            return ticket
        if not ticket.is_open or not await uow.tickets.assign(
            ticket_id, staff.id, only_if_unassigned=True
        ):
            raise PermissionDenied("ticket.not_assignee")
        updated = found(await uow.tickets.get(ticket_id))
        await uow.commit()
    return updated


async def ticket_detail(ctx: ServiceContext, actor_id: int, ticket_id: int) -> Ticket:
    async with ctx.uow() as uow:
        _staff, ticket = await _load(uow, actor_id, ticket_id)
        return ticket


@dataclass(frozen=True)
class TicketPage(Page[Ticket]):
    """A page of open tickets and, by id, the clients they are for (name and neighbourhood
    are what a technician tells them apart by)."""

    clients: dict[int, Client] = field(default_factory=dict)


async def open_tickets(
    ctx: ServiceContext,
    actor_id: int,
    *,
    assignee_id: int | None = None,
    unassigned: bool = False,
    page: int = 0,
    page_size: int = PAGE_SIZE,
) -> TicketPage:
    """A technician sees their own open tickets (and unassigned ones on request); admins and
    operators see everyone's, optionally filtered by assignee. Most urgent first, then oldest;
    the page's clients come in one query, however many rows the page has."""
    async with ctx.uow() as uow:
        staff = await require_staff(uow, actor_id)
        if staff.role is Role.TECHNICIAN and not unassigned:
            assignee_id = staff.id

        async def fetch(offset: int, limit: int) -> tuple[list[Ticket], int]:
            return await uow.tickets.list_open(
                assignee_id=assignee_id, unassigned=unassigned, offset=offset, limit=limit
            )

        listed = await fetch_page(fetch, page, page_size)
        clients = await uow.clients.by_ids([t.client_id for t in listed.items])
    return TicketPage(listed.items, listed.total, listed.page, listed.page_size, clients)


@dataclass(frozen=True)
class TicketCard:
    ticket: Ticket
    client: Client
    contract: Contract
    plan: Plan | None
    assignee: Staff | None
    type: CatalogItem | None
    department: CatalogItem | None
    authors: dict[int, str]

    @property
    def is_unassigned(self) -> bool:
        return self.ticket.assignee_id is None


async def ticket_card(ctx: ServiceContext, actor_id: int, ticket_id: int) -> TicketCard:
    """Everything the technician needs in the street: client, address, contract, notes."""
    async with ctx.uow() as uow:
        _staff, ticket = await _load(uow, actor_id, ticket_id)
        contract = found(await uow.contracts.get(ticket.contract_id), "errors.contract_not_found")
        client = found(await uow.clients.get(ticket.client_id), "errors.client_not_found")
        staff = {s.id: s for s in await uow.staff.list()}
        types = {t.id: t for t in await uow.catalog.ticket_types()}
        departments = {d.id: d for d in await uow.catalog.departments()}
        plan = await uow.catalog.plan(contract.plan_id)
    return TicketCard(
        ticket=ticket,
        client=client,
        contract=contract,
        plan=plan,
        assignee=staff.get(ticket.assignee_id) if ticket.assignee_id else None,
        type=types.get(ticket.type_id),
        department=departments.get(ticket.department_id),
        authors={s.id: s.name for s in staff.values()},
    )
