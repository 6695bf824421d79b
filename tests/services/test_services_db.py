"""The key service scenarios over the real database (SQLite always, PostgreSQL when set up),
with the demo ISP loaded: what the services promise must be what ends up in the tables."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.domain.documents import format_document
from bot.domain.errors import Conflict, InvalidInput, LoyaltyNotAllowed, PermissionDenied
from bot.domain.gates import Blocker
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceStatus,
    ActionStatus,
    Client,
    Contract,
    ContractStatus,
    NotificationStatus,
    PlanChange,
    Priority,
    Role,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.tokens import hash_token
from bot.services import staff as staff_service
from bot.services import tickets
from bot.services.acceptance import (
    AcceptanceUnavailable,
    decide_by_token,
    expire_overdue,
    open_by_token,
    record_in_person,
    resend_acceptance,
)
from bot.services.cards import action_card, client_card, contract_card
from bot.services.context import ServiceContext
from bot.services.history import contract_history
from bot.services.plan_update import (
    Created,
    FinalizeBlocked,
    cancel_action,
    create_plan_update,
    finalize_action,
)
from bot.services.search import search_clients
from tests.services.changes import DOC_HASH, TG_EVIDENCE, WEB_EVIDENCE
from tests.services.fakes import fold
from tests.support.builders import World, plan_change, world
from tests.support.clock import FakeClock


async def _created(ctx: ServiceContext, w: World, **kw: Any) -> tuple[PlanChange, Created]:
    """A plan update on the demo world's PF contract, its ticket assigned to the technician."""
    change = await plan_change(ctx, w.contract, ticket_assignee=w.technician.id, **kw)
    return change, await create_plan_update(ctx, w.operator.id, w.contract.id, change)


async def test_create_accept_close_finalize(ctx: ServiceContext, clock: FakeClock) -> None:
    w = await world(ctx)
    change, created = await _created(ctx, w)
    assert created.token and created.ticket and not created.existing
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(created.token))
        assert request is not None and request.status is AcceptanceStatus.PENDING

    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(ctx, w.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.ACCEPTANCE_PENDING, Blocker.TICKET_NOT_CLOSED]

    clock.advance(hours=1)
    decision = await decide_by_token(
        ctx, created.token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    assert decision.request.status is AcceptanceStatus.ACCEPTED
    again = await decide_by_token(
        ctx, created.token, accept=True, evidence=WEB_EVIDENCE, document_sha256=DOC_HASH
    )
    assert again.already
    await tickets.start_ticket(ctx, w.technician.id, created.ticket.id)
    await tickets.close_ticket(ctx, w.technician.id, created.ticket.id, "ONU trocada")
    assert (await action_card(ctx, created.action.id)).blockers == []

    clock.advance(minutes=5)
    result = await finalize_action(ctx, w.operator2.id, created.action.id)
    assert not result.already
    repeat = await finalize_action(ctx, w.operator.id, created.action.id)
    assert repeat.already and repeat.revision is None

    async with ctx.uow() as uow:
        contract = await uow.contracts.get(w.contract.id)
        action = await uow.actions.get(created.action.id)
        accepted = await uow.acceptances.latest_for_action(created.action.id)
        ticket = await uow.tickets.get(created.ticket.id)
        revisions = await uow.revisions.for_contract(w.contract.id)
        outbox = await uow.notifications.all()
    assert contract is not None and action is not None and accepted is not None
    assert ticket is not None
    assert contract.version == w.contract.version + 1
    assert (contract.plan_id, contract.value, contract.template_id) == (
        change.plan_id,
        change.value,
        change.template_id,
    )
    assert contract.services == change.services
    assert contract.loyalty.term_id == change.loyalty_term_id
    assert contract.loyalty.months == 12 and contract.loyalty.start == ctx.today()
    assert action.status is ActionStatus.FINALIZED
    assert (action.finalized_by, action.finalized_at) == (w.operator2.id, clock.now)
    assert accepted.evidence == WEB_EVIDENCE and accepted.document_sha256 == DOC_HASH
    assert ticket.status is TicketStatus.CLOSED and ticket.resolution == "ONU trocada"

    [revision] = revisions
    assert revision == result.revision
    assert (revision.version, revision.action_id, revision.staff_id) == (
        contract.version,
        created.action.id,
        w.operator2.id,
    )
    assert revision.before["plan_id"] == w.contract.plan_id
    assert revision.before["value_cents"] == w.contract.value.cents
    assert revision.after["plan_id"] == change.plan_id
    assert revision.after["value_cents"] == change.value.cents
    assert revision.after["version"] == revision.before["version"] + 1

    by_chat: dict[int, list[str]] = {}
    for n in outbox:
        assert n.status is NotificationStatus.PENDING and n.attempts == 0
        by_chat.setdefault(n.chat_id, []).append(n.kind)
    assert by_chat == {
        w.technician.telegram_id: ["ticket_assigned"],
        w.operator.telegram_id: ["acceptance_accepted", "ticket_closed", "action_finalized"],
    }
    assert (await contract_history(ctx, w.contract.id)).revisions == revisions


async def test_blocked_finalize_and_changed_contract_apply_nothing(ctx: ServiceContext) -> None:
    w = await world(ctx)
    _, created = await _created(ctx, w)
    assert created.token and created.ticket
    await record_in_person(ctx, w.operator.id, created.action.id, "Assinou na loja")
    await tickets.close_ticket(ctx, w.technician.id, created.ticket.id, "feito")
    # another change lands on the contract first
    async with ctx.uow() as uow:
        c = w.contract
        assert await uow.contracts.apply_update(
            c.id,
            c.version,
            plan_id=c.plan_id,
            value=Money(c.value.cents + 100),
            services=(
                replace(c.services[0], amount=c.services[0].amount + Money(100)),
                *c.services[1:],
            ),
            template_id=c.template_id,
            loyalty=c.loyalty,
        )
        await uow.commit()

    with pytest.raises(FinalizeBlocked) as err:
        await finalize_action(ctx, w.operator.id, created.action.id)
    assert err.value.blockers == [Blocker.CONTRACT_CHANGED]
    assert (err.value.base, err.value.current) == (w.contract.version, w.contract.version + 1)
    async with ctx.uow() as uow:
        contract = await uow.contracts.get(w.contract.id)
        action = await uow.actions.get(created.action.id)
        revisions = await uow.revisions.for_contract(w.contract.id)
    assert contract is not None and action is not None
    assert contract.plan_id == w.contract.plan_id
    assert contract.version == w.contract.version + 1
    assert action.status is ActionStatus.PENDING
    assert revisions == []


async def test_create_is_idempotent_and_checks_rules(ctx: ServiceContext) -> None:
    w = await world(ctx)
    change, created = await _created(ctx, w)
    second = await create_plan_update(ctx, w.operator2.id, w.contract.id, change)
    assert second.existing and second.token is None
    assert second.action.id == created.action.id
    assert second.ticket is not None and created.ticket is not None
    assert second.ticket.id == created.ticket.id
    card = await contract_card(ctx, w.contract.id)
    assert card.pending_action is not None and card.pending_action.id == created.action.id

    await cancel_action(ctx, w.operator.id, created.action.id, "refazer")
    pf24 = await plan_change(ctx, w.contract, loyalty_months=24)
    with pytest.raises(LoyaltyNotAllowed) as err:
        await create_plan_update(ctx, w.operator.id, w.contract.id, pf24)
    assert err.value.key == "loyalty.pf_max"
    with pytest.raises(PermissionDenied):
        await create_plan_update(ctx, w.technician.id, w.contract.id, change)
    async with ctx.uow() as uow:
        assert await uow.actions.pending_for_contract(w.contract.id) is None
        assert len(await uow.actions.for_contract(w.contract.id)) == 1


async def test_create_refuses_cancelled_contract(ctx: ServiceContext) -> None:
    w = await world(ctx)
    async with ctx.uow() as uow:
        cancelled: Contract | None = None
        for client_id in range(1, 80):
            for c in await uow.contracts.for_client(client_id):
                client = await uow.clients.get(client_id)
                if c.status is ContractStatus.CANCELLED and client and client.kind.value == "PF":
                    cancelled = c
    assert cancelled is not None
    change = await plan_change(ctx, cancelled)
    with pytest.raises(Conflict) as err:
        await create_plan_update(ctx, w.operator.id, cancelled.id, change)
    assert err.value.key == "errors.contract_cancelled"
    async with ctx.uow() as uow:
        assert await uow.actions.for_contract(cancelled.id) == []


async def test_cancel(ctx: ServiceContext, clock: FakeClock) -> None:
    w = await world(ctx)
    _, created = await _created(ctx, w)
    assert created.token and created.ticket
    with pytest.raises(InvalidInput):
        await cancel_action(ctx, w.operator.id, created.action.id, "  ")
    result = await cancel_action(ctx, w.operator2.id, created.action.id, "Cliente desistiu")
    assert result.action.status is ActionStatus.CANCELLED
    assert (await cancel_action(ctx, w.operator.id, created.action.id, "x")).already
    async with ctx.uow() as uow:
        action = await uow.actions.get(created.action.id)
        request = await uow.acceptances.latest_for_action(created.action.id)
        ticket = await uow.tickets.get(created.ticket.id)
        kinds = [(n.chat_id, n.kind) for n in await uow.notifications.all()]
    assert action is not None and request is not None and ticket is not None
    assert (action.cancel_reason, action.cancelled_by, action.cancelled_at) == (
        "Cliente desistiu",
        w.operator2.id,
        clock.now,
    )
    assert request.status is AcceptanceStatus.CANCELLED
    assert ticket.status is TicketStatus.CANCELLED and ticket.cancel_reason == "Cliente desistiu"
    assert (w.technician.telegram_id, "ticket_cancelled") in kinds
    assert (w.operator.telegram_id, "action_cancelled") in kinds
    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(ctx, created.token)
    assert err.value.key == "acceptance.token_cancelled"
    with pytest.raises(FinalizeBlocked) as fin:
        await finalize_action(ctx, w.operator.id, created.action.id)
    assert fin.value.blockers == [Blocker.NOT_PENDING_CANCELLED]


async def test_resend_and_expiry(ctx: ServiceContext, clock: FakeClock) -> None:
    w = await world(ctx)
    _, created = await _created(ctx, w, channel=AcceptanceChannel.TELEGRAM)
    assert created.token
    request, token = await resend_acceptance(ctx, w.operator.id, created.action.id)
    assert token and token != created.token
    assert request.channel is AcceptanceChannel.TELEGRAM
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            ctx, created.token, accept=True, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_cancelled"

    clock.advance(days=8)
    with pytest.raises(AcceptanceUnavailable) as err:
        await decide_by_token(
            ctx, token, accept=True, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
        )
    assert err.value.key == "acceptance.token_expired"
    async with ctx.uow() as uow:  # the expiry was committed even though the call failed
        latest = await uow.acceptances.latest_for_action(created.action.id)
        kinds = [
            n.kind for n in await uow.notifications.all() if n.chat_id == w.operator.telegram_id
        ]
    assert latest is not None and latest.id == request.id
    assert latest.status is AcceptanceStatus.EXPIRED
    assert kinds == ["acceptance_expired"]
    assert await expire_overdue(ctx) == 0

    fresh, token3 = await resend_acceptance(ctx, w.operator.id, created.action.id)
    decision = await decide_by_token(
        ctx, token3 or "", accept=False, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
    )
    assert decision.request.id == fresh.id
    assert decision.request.status is AcceptanceStatus.DECLINED
    card = await action_card(ctx, created.action.id)
    assert Blocker.ACCEPTANCE_DECLINED in card.blockers


async def test_expire_overdue_db(ctx: ServiceContext, clock: FakeClock) -> None:
    w = await world(ctx)
    _, created = await _created(ctx, w)
    clock.advance(days=7)
    assert await expire_overdue(ctx) == 1
    async with ctx.uow() as uow:
        request = await uow.acceptances.latest_for_action(created.action.id)
    assert request is not None and request.status is AcceptanceStatus.EXPIRED


async def test_tickets_permissions_and_order(ctx: ServiceContext) -> None:
    w = await world(ctx)
    _, created = await _created(ctx, w)
    assert created.ticket is not None
    other = next(s for s in await staff_service.technicians(ctx) if s.id != w.technician.id)
    with pytest.raises(PermissionDenied) as err:
        await tickets.close_ticket(ctx, other.id, created.ticket.id, "não é meu")
    assert err.value.key == "ticket.not_assignee"
    noted = await tickets.add_note(ctx, w.technician.id, created.ticket.id, "A caminho")
    assert [n.text for n in noted.notes] == ["A caminho"]
    async with ctx.uow() as uow:
        urgent = await uow.tickets.add(
            client_id=w.contract.client_id,
            contract_id=w.contract.id,
            action_id=None,
            type_id=created.ticket.type_id,
            department_id=created.ticket.department_id,
            assignee_id=w.technician.id,
            priority=Priority.URGENT,
            description="Sem sinal",
            now=ctx.now(),
        )
        await uow.commit()
    mine = await tickets.open_tickets(ctx, w.technician.id)
    assert [t.id for t in mine.items] == [urgent.id, created.ticket.id]
    assert (await tickets.open_tickets(ctx, other.id)).items == []


async def test_staff_on_the_database(ctx: ServiceContext) -> None:
    admin = await staff_service.add_staff(ctx, None, 700000001, "Sandra Supervisora", Role.ADMIN)
    with pytest.raises(Conflict) as err:
        await staff_service.add_staff(ctx, admin.id, 700000001, "Outra", Role.OPERATOR)
    assert err.value.key == "staff.already"
    with pytest.raises(Conflict) as err:
        await staff_service.deactivate(ctx, admin.id, 700000001)
    assert err.value.key == "errors.last_admin"
    tech = await staff_service.set_role(ctx, admin.id, 900000001, Role.OPERATOR)
    assert (await staff_service.staff_by_telegram_id(ctx, 900000001)) == tech
    await staff_service.set_locale(ctx, tech.id, "en")
    assert (await staff_service.staff_by_telegram_id(ctx, 900000001)).locale == "en"  # type: ignore[union-attr]


# ----------------------------------------------------------------------------------- search


async def _demo_client(ctx: ServiceContext, accented: bool) -> Client:
    async with ctx.uow() as uow:
        for client_id in range(1, 80):
            client = await uow.clients.get(client_id)
            if client and (fold(client.name) != client.name.lower()) == accented:
                return client
    raise AssertionError("demo data changed")


async def test_search_demo_by_name_without_accents(ctx: ServiceContext) -> None:
    client = await _demo_client(ctx, accented=True)
    for query in (fold(client.name), client.name.upper(), " ".join(reversed(client.name.split()))):
        page = await search_clients(ctx, query)
        assert client in page.items, query
        assert all(all(w in fold(c.name) for w in fold(query).split()) for c in page.items)


async def test_search_demo_by_document_phone_and_contract(ctx: ServiceContext) -> None:
    client = await _demo_client(ctx, accented=False)
    async with ctx.uow() as uow:
        [contract, *_] = await uow.contracts.for_client(client.id)
    for query in (
        client.document,
        format_document(client.document),
        client.document[:6],
        client.phone,
        client.phone[-10:],
        contract.number,
    ):
        page = await search_clients(ctx, query)
        assert client in page.items, query
    assert (await search_clients(ctx, format_document(client.document))).items == [client]
    assert (await search_clients(ctx, contract.number)).items == [client]
    card = await client_card(ctx, client.id)
    assert contract in card.contracts


async def test_search_demo_pagination(ctx: ServiceContext) -> None:
    first = await search_clients(ctx, "ltda", page_size=5)
    assert first.total == 12  # the demo's companies
    pages = [first] + [await search_clients(ctx, "ltda", page=p, page_size=5) for p in (1, 2)]
    names = [c.name for p in pages for c in p.items]
    assert len(names) == 12 == len(set(names))
    assert names == sorted(names, key=fold)
    assert not pages[-1].has_next and pages[0].has_next
    with pytest.raises(InvalidInput):
        await search_clients(ctx, "x")
