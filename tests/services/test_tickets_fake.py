"""Tickets (atendimentos): start, close, cancel, notes, take, who may act, open lists."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.errors import InvalidInput, NotFound, PermissionDenied, Term
from bot.domain.models import Priority, Ticket, TicketNote, TicketStatus
from bot.i18n import error_text
from bot.services import tickets
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update
from bot.services.tickets import TicketTransitionError
from tests.services.changes import pf_change, ticket_request
from tests.services.fakes import FakeStore, Seed
from tests.support.clock import FakeClock


@pytest.fixture
async def ticket(fctx: ServiceContext, seed: Seed) -> Ticket:
    """The ticket of a pending plan update, assigned to ``seed.technician``."""
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert created.ticket is not None
    return created.ticket


async def test_start_then_close_notifies_the_action_owner(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, ticket: Ticket
) -> None:
    clock.advance(minutes=10)
    started = await tickets.start_ticket(fctx, seed.technician.id, ticket.id)
    assert started.status is TicketStatus.IN_PROGRESS
    assert started.started_at == clock.now
    assert store.tickets[ticket.id] == started
    assert (await tickets.start_ticket(fctx, seed.technician.id, ticket.id)) == started

    clock.advance(hours=1)
    closed = await tickets.close_ticket(fctx, seed.technician.id, ticket.id, "  ONU trocada  ")
    assert closed.status is TicketStatus.CLOSED
    assert (closed.closed_at, closed.resolution) == (clock.now, "ONU trocada")
    assert closed.started_at == started.started_at
    [note] = store.notifications_for(seed.operator.telegram_id)
    assert note.kind == "ticket_closed"
    assert note.payload == {
        "staff_id": seed.operator.id,
        "ticket_id": ticket.id,
        "action_id": ticket.action_id,
    }
    # a repeated tap is not an error and notifies nobody again
    assert (await tickets.close_ticket(fctx, seed.technician.id, ticket.id, "x")) == closed
    assert len(store.notifications_for(seed.operator.telegram_id)) == 1


async def test_close_straight_from_open(
    fctx: ServiceContext, seed: Seed, store: FakeStore, ticket: Ticket
) -> None:
    closed = await tickets.close_ticket(fctx, seed.technician.id, ticket.id, "resolvido remoto")
    assert closed.status is TicketStatus.CLOSED
    assert closed.started_at is None


@pytest.mark.parametrize("text", ["", "   "])
async def test_close_and_cancel_need_text(
    fctx: ServiceContext, seed: Seed, store: FakeStore, ticket: Ticket, text: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        await tickets.close_ticket(fctx, seed.technician.id, ticket.id, text)
    assert err.value.key == "errors.note_required"
    with pytest.raises(InvalidInput) as err:
        await tickets.cancel_ticket(fctx, seed.technician.id, ticket.id, text)
    assert err.value.key == "errors.reason_required"
    assert store.tickets[ticket.id].status is TicketStatus.OPEN


async def test_cancel_then_no_more_transitions(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, ticket: Ticket
) -> None:
    cancelled = await tickets.cancel_ticket(fctx, seed.operator.id, ticket.id, "Cliente ausente")
    assert cancelled.status is TicketStatus.CANCELLED
    assert (cancelled.cancel_reason, cancelled.cancelled_at) == ("Cliente ausente", clock.now)
    with pytest.raises(TicketTransitionError) as err:
        await tickets.close_ticket(fctx, seed.technician.id, ticket.id, "feito")
    assert err.value.key == "ticket.cannot_close"
    assert err.value.params == {"number": ticket.id, "status": Term("ticket_status.cancelled")}
    assert error_text(err.value) == (
        f"O atendimento #{ticket.id} está ✖️ cancelado e não pode ser concluído."
    )
    with pytest.raises(TicketTransitionError):
        await tickets.start_ticket(fctx, seed.technician.id, ticket.id)
    assert store.tickets[ticket.id] == cancelled


async def test_start_a_closed_ticket_is_refused(
    fctx: ServiceContext, seed: Seed, store: FakeStore, ticket: Ticket
) -> None:
    await tickets.close_ticket(fctx, seed.technician.id, ticket.id, "feito")
    with pytest.raises(TicketTransitionError) as err:
        await tickets.start_ticket(fctx, seed.technician.id, ticket.id)
    assert err.value.key == "ticket.cannot_start"
    assert err.value.params["status"] == Term("ticket_status.closed")
    assert store.tickets[ticket.id].status is TicketStatus.CLOSED


async def test_a_technician_cannot_touch_another_technicians_ticket(
    fctx: ServiceContext, seed: Seed, store: FakeStore, ticket: Ticket
) -> None:
    other = seed.technician2.id
    for call in (
        tickets.start_ticket(fctx, other, ticket.id),
        tickets.close_ticket(fctx, other, ticket.id, "feito"),
        tickets.cancel_ticket(fctx, other, ticket.id, "não"),
        tickets.add_note(fctx, other, ticket.id, "nota"),
        tickets.ticket_detail(fctx, other, ticket.id),
        tickets.take_ticket(fctx, other, ticket.id),
    ):
        with pytest.raises(PermissionDenied) as err:
            await call
        assert err.value.key == "ticket.not_assignee"
    assert store.tickets[ticket.id] == ticket
    assert store.kinds_for(seed.operator.telegram_id) == []


async def test_office_staff_may_act_on_any_ticket(
    fctx: ServiceContext, seed: Seed, store: FakeStore, ticket: Ticket
) -> None:
    assert (await tickets.ticket_detail(fctx, seed.admin.id, ticket.id)) == ticket
    closed = await tickets.close_ticket(fctx, seed.operator2.id, ticket.id, "resolvido")
    assert closed.status is TicketStatus.CLOSED
    assert closed.assignee_id == seed.technician.id  # office staff do not take it over


async def test_inactive_staff_and_unknown_ticket(
    fctx: ServiceContext, seed: Seed, store: FakeStore, ticket: Ticket
) -> None:
    from dataclasses import replace

    store.staff[seed.technician.id] = replace(seed.technician, active=False)
    with pytest.raises(PermissionDenied) as err:
        await tickets.start_ticket(fctx, seed.technician.id, ticket.id)
    assert err.value.key == "errors.permission"
    with pytest.raises(NotFound) as nf:
        await tickets.start_ticket(fctx, seed.operator.id, 999)
    assert nf.value.key == "errors.ticket_not_found"


async def test_notes(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock, ticket: Ticket
) -> None:
    first = await tickets.add_note(fctx, seed.technician.id, ticket.id, "  Cheguei no local ")
    clock.advance(minutes=3)
    second = await tickets.add_note(fctx, seed.operator.id, ticket.id, "Cliente avisado")
    assert first.notes == (
        TicketNote(seed.technician.id, "Cheguei no local", clock.now - timedelta(minutes=3)),
    )
    assert second.notes[-1] == TicketNote(seed.operator.id, "Cliente avisado", clock.now)
    assert store.tickets[ticket.id].notes == second.notes
    with pytest.raises(InvalidInput) as err:
        await tickets.add_note(fctx, seed.technician.id, ticket.id, " ")
    assert err.value.key == "errors.note_required"
    with pytest.raises(InvalidInput) as err:
        await tickets.add_note(fctx, seed.technician.id, ticket.id, "x" * 1001)
    assert err.value.key == "errors.note_too_long"
    assert len(store.tickets[ticket.id].notes) == 2


async def test_take_an_unassigned_ticket(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx,
        seed.operator.id,
        seed.pf_contract.id,
        pf_change(seed, ticket=ticket_request(seed, assignee_id=None)),
    )
    assert created.ticket is not None
    tid = created.ticket.id
    with pytest.raises(PermissionDenied) as err:
        await tickets.take_ticket(fctx, seed.operator.id, tid)  # operators do not take tickets
    assert err.value.key == "errors.permission"
    taken = await tickets.take_ticket(fctx, seed.technician2.id, tid)
    assert taken.assignee_id == seed.technician2.id
    assert store.tickets[tid].assignee_id == seed.technician2.id
    assert (await tickets.take_ticket(fctx, seed.technician2.id, tid)) == taken
    with pytest.raises(PermissionDenied) as err:
        await tickets.take_ticket(fctx, seed.technician.id, tid)
    assert err.value.key == "ticket.not_assignee"
    assert store.tickets[tid].assignee_id == seed.technician2.id


async def test_starting_an_unassigned_ticket_assigns_the_technician(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx,
        seed.operator.id,
        seed.pf_contract.id,
        pf_change(seed, ticket=ticket_request(seed, assignee_id=None)),
    )
    assert created.ticket is not None
    started = await tickets.start_ticket(fctx, seed.technician2.id, created.ticket.id)
    assert started.assignee_id == seed.technician2.id
    assert started.status is TicketStatus.IN_PROGRESS


async def test_a_closed_ticket_cannot_be_taken(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    created = await create_plan_update(
        fctx,
        seed.operator.id,
        seed.pf_contract.id,
        pf_change(seed, ticket=ticket_request(seed, assignee_id=None)),
    )
    assert created.ticket is not None
    await tickets.cancel_ticket(fctx, seed.operator.id, created.ticket.id, "duplicado")
    with pytest.raises(PermissionDenied):
        await tickets.take_ticket(fctx, seed.technician.id, created.ticket.id)
    assert store.tickets[created.ticket.id].assignee_id is None


async def _add_ticket(
    fctx: ServiceContext,
    seed: Seed,
    priority: Priority,
    assignee: int | None,
    status: TicketStatus = TicketStatus.OPEN,
) -> int:
    async with fctx.uow() as uow:
        t = await uow.tickets.add(
            client_id=seed.pj_client.id,
            contract_id=seed.pj_contract.id,
            action_id=None,
            type_id=seed.visit.id,
            department_id=seed.support.id,
            assignee_id=assignee,
            priority=priority,
            description=f"{priority.value}",
            now=fctx.now(),
        )
        if status is not TicketStatus.OPEN:
            await uow.tickets.transition(
                t.id, from_statuses=[TicketStatus.OPEN], to=status, now=fctx.now()
            )
        await uow.commit()
    return t.id


async def test_open_tickets_by_priority_then_age(
    fctx: ServiceContext, seed: Seed, clock: FakeClock
) -> None:
    tech, tech2 = seed.technician.id, seed.technician2.id
    low = await _add_ticket(fctx, seed, Priority.LOW, tech)
    clock.advance(minutes=1)
    normal_old = await _add_ticket(fctx, seed, Priority.NORMAL, tech)
    clock.advance(minutes=1)
    urgent = await _add_ticket(fctx, seed, Priority.URGENT, tech2)
    clock.advance(minutes=1)
    normal_new = await _add_ticket(fctx, seed, Priority.NORMAL, None)
    high = await _add_ticket(fctx, seed, Priority.HIGH, tech, TicketStatus.IN_PROGRESS)
    await _add_ticket(fctx, seed, Priority.URGENT, tech, TicketStatus.CLOSED)
    await _add_ticket(fctx, seed, Priority.URGENT, tech, TicketStatus.CANCELLED)

    page = await tickets.open_tickets(fctx, seed.admin.id)
    assert [t.id for t in page.items] == [urgent, high, normal_old, normal_new, low]
    assert page.total == 5

    first = await tickets.open_tickets(fctx, seed.operator.id, page_size=2)
    second = await tickets.open_tickets(fctx, seed.operator.id, page=1, page_size=2)
    assert [t.id for t in first.items + second.items] == [urgent, high, normal_old, normal_new]
    assert first.has_next and second.has_next

    mine = await tickets.open_tickets(fctx, tech)
    assert [t.id for t in mine.items] == [high, normal_old, low]
    # a technician cannot look at someone else's list
    assert [t.id for t in (await tickets.open_tickets(fctx, tech2, assignee_id=tech)).items] == [
        urgent
    ]
    assert [t.id for t in (await tickets.open_tickets(fctx, tech, unassigned=True)).items] == [
        normal_new
    ]
    by_assignee = await tickets.open_tickets(fctx, seed.admin.id, assignee_id=tech2)
    assert [t.id for t in by_assignee.items] == [urgent]
