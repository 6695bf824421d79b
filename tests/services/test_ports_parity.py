"""The same repository contracts, checked on the fake and on the SQL implementation.

Every scenario runs through the ports only (``bot.services.ports``), on the in-memory fake and on
SQLite/PostgreSQL: if the fake drifts from the SQL code, these tests say so, and the fake-based
service tests can be trusted.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.domain.errors import Conflict
from bot.domain.loyalty import Loyalty
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceStatus,
    ActionStatus,
    Client,
    Contract,
    ContractStatus,
    Evidence,
    NotificationStatus,
    PersonKind,
    PlanChange,
    Priority,
    Role,
    Staff,
    TicketStatus,
)
from bot.domain.money import Money
from bot.domain.split import Share
from bot.services.context import ServiceContext
from storage.db import create_engine
from tests.conftest import make_ctx
from tests.conftest import seed as load_demo
from tests.services.fakes import ADDRESS, FakeStore, cpf, fake_ctx, seed_fake
from tests.support.clock import FakeClock
from tests.support.db import migrated_engine


@pytest.fixture(params=["fake", "sqlite", "postgres"])
async def impl(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock, sqlite_demo_template: Path
) -> AsyncIterator[ServiceContext]:
    if request.param == "fake":
        store = FakeStore()
        seed_fake(store)
        yield fake_ctx(clock, store)
    elif request.param == "sqlite":
        target = tmp_path / "parity.db"
        for part in sqlite_demo_template.parent.glob(sqlite_demo_template.name + "*"):
            shutil.copy(part, target.with_name(target.name + part.name[len("demo.db") :]))
        engine = create_engine(f"sqlite+aiosqlite:///{target}")
        try:
            yield make_ctx(engine, clock)
        finally:
            await engine.dispose()
    else:
        async with migrated_engine("postgres", tmp_path) as engine:
            context = make_ctx(engine, clock)
            await load_demo(context)
            yield context


@dataclass
class Data:
    a: Client
    b: Client
    contract_a: Contract
    contract_b: Contract
    operator: Staff
    operator2: Staff
    change: PlanChange


async def add_data(ctx: ServiceContext) -> Data:
    """Two clients of our own (distinct from any demo client) with a contract each."""
    async with ctx.uow() as uow:
        a = await uow.clients.add(
            PersonKind.PF,
            "Zuleica Quitéria Xavante",
            cpf("987654321"),
            "(88) 3111-2233",
            "z@exemplo.com.br",
            ADDRESS,
        )
        b = await uow.clients.add(
            PersonKind.PF,
            "Zuleica Xavier",
            cpf("987654322"),
            "(88) 98877-6655",
            "x@exemplo.com.br",
            ADDRESS,
        )
        plan = (await uow.catalog.plans())[0]
        service = (await uow.catalog.services())[0]
        template = next(t for t in await uow.catalog.templates() if t.kind is PersonKind.PF)
        shares = (Share(service.id, service.name, plan.price),)
        contracts = [
            await uow.contracts.add(
                number=number,
                client_id=client.id,
                status=ContractStatus.ACTIVE,
                plan_id=plan.id,
                value=plan.price,
                services=shares,
                template_id=template.id,
                loyalty=Loyalty.none(),
                due_day=10,
                start_date=date(2025, 1, 10),
            )
            for number, client in (("990001", a), ("990002", b))
        ]
        operators = [s for s in await uow.staff.list(active_only=True) if s.role is Role.OPERATOR]
        await uow.commit()
    change = PlanChange(plan.id, plan.price, shares, template.id, None, None, None, False, False)
    return Data(a, b, contracts[0], contracts[1], operators[0], operators[1], change)


async def test_uncommitted_changes_are_rolled_back(impl: ServiceContext) -> None:
    async with impl.uow() as uow:
        await uow.clients.add(PersonKind.PF, "Fantasma", cpf("555444333"), "", "", ADDRESS)
    async with impl.uow() as uow:
        assert await uow.clients.by_document(cpf("555444333")) is None
        await uow.clients.add(PersonKind.PF, "Fantasma", cpf("555444333"), "", "", ADDRESS)
        await uow.rollback()
        assert await uow.clients.by_document(cpf("555444333")) is None


async def test_client_search(impl: ServiceContext) -> None:
    d = await add_data(impl)

    async def search(**kw: object) -> tuple[list[str], int]:
        args: dict[str, object] = {
            "name": None,
            "document_digits": None,
            "phone_digits": None,
            "contract_number": None,
            "offset": 0,
            "limit": 8,
        }
        args.update(kw)
        async with impl.uow() as uow:
            rows, total = await uow.clients.search(**args)  # type: ignore[arg-type]
        return [c.name for c in rows], total

    both = ["Zuleica Quitéria Xavante", "Zuleica Xavier"]
    assert await search(name="zuleica") == (both, 2)
    assert await search(name="XAVIER  zuléica") == (["Zuleica Xavier"], 1)
    assert await search(name="quiteria", document_digits=d.b.document) == (both[:1], 1)
    assert await search(name="zul%") == ([], 0)
    assert await search(name="zuleica", offset=1, limit=1) == (both[1:], 2)
    assert await search(document_digits=d.a.document) == (both[:1], 1)
    assert await search(phone_digits="31112233") == (both[:1], 1)
    assert await search(phone_digits="8831112233") == (both[:1], 1)
    assert await search(phone_digits="31112") == ([], 0)  # a suffix, not a substring
    assert await search(contract_number="990002") == (both[1:], 1)
    assert await search(contract_number="99000") == ([], 0)
    assert await search(document_digits=d.a.document, phone_digits="88776655") == (both, 2)
    assert await search() == ([], 0)


async def test_clients_by_ids(impl: ServiceContext) -> None:
    d = await add_data(impl)
    async with impl.uow() as uow:
        found = await uow.clients.by_ids([d.b.id, d.a.id, d.b.id, 10**9])
        assert await uow.clients.by_ids([]) == {}
    assert found == {d.a.id: d.a, d.b.id: d.b}  # repeated ids once, unknown ones left out


async def test_one_pending_action_and_conditional_finish(
    impl: ServiceContext, clock: FakeClock
) -> None:
    d = await add_data(impl)
    async with impl.uow() as uow:
        first = await uow.actions.add(
            contract_id=d.contract_a.id,
            base_version=1,
            change=d.change,
            created_by=d.operator.id,
            now=impl.now(),
        )
        with pytest.raises(Conflict):
            await uow.actions.add(
                contract_id=d.contract_a.id,
                base_version=1,
                change=d.change,
                created_by=d.operator.id,
                now=impl.now(),
            )
        await uow.commit()
    clock.advance(minutes=1)
    async with impl.uow() as uow:
        await uow.actions.add(
            contract_id=d.contract_b.id,
            base_version=1,
            change=d.change,
            created_by=d.operator2.id,
            now=impl.now(),
        )
        await uow.commit()
    async with impl.uow() as uow:
        assert (await uow.actions.get(first.id)).change == d.change  # type: ignore[union-attr]
        assert await uow.actions.finish(
            first.id, finalized=True, staff_id=d.operator.id, now=impl.now()
        )
        assert not await uow.actions.finish(
            first.id, finalized=False, staff_id=d.operator.id, now=impl.now(), reason="x"
        )
        await uow.commit()
    async with impl.uow() as uow:
        done = await uow.actions.get(first.id)
        assert done is not None and done.status is ActionStatus.FINALIZED
        assert (done.finalized_by, done.cancel_reason) == (d.operator.id, None)
        assert await uow.actions.pending_for_contract(d.contract_a.id) is None
        again = await uow.actions.add(
            contract_id=d.contract_a.id,
            base_version=1,
            change=d.change,
            created_by=d.operator.id,
            now=impl.now(),
        )
        assert [a.id for a in await uow.actions.for_contract(d.contract_a.id)] == [
            again.id,
            first.id,
        ]
        assert [a.id for a in await uow.actions.for_contract(d.contract_a.id, limit=1)] == [
            again.id
        ]


async def test_scheduled_actions_hold_the_contract_and_move_once(
    impl: ServiceContext, clock: FakeClock
) -> None:
    d = await add_data(impl)
    change = replace(d.change, effective_on=date(2026, 12, 10))
    async with impl.uow() as uow:
        action = await uow.actions.add(
            contract_id=d.contract_a.id,
            base_version=1,
            change=change,
            created_by=d.operator.id,
            now=impl.now(),
        )
        moved = await uow.actions.move(
            action.id,
            from_status=ActionStatus.PENDING,
            to=ActionStatus.SCHEDULED,
            finalized_by=d.operator.id,
            finalized_at=impl.now(),
        )
        assert moved
        await uow.commit()
    async with impl.uow() as uow:
        held = await uow.actions.pending_for_contract(d.contract_a.id)
        assert held is not None and held.id == action.id and held.change == change
        with pytest.raises(Conflict):  # scheduled still holds the contract
            await uow.actions.add(
                contract_id=d.contract_a.id,
                base_version=1,
                change=d.change,
                created_by=d.operator.id,
                now=impl.now(),
            )
    async with impl.uow() as uow:
        assert [a.id for a in await uow.actions.scheduled()] == [action.id]
        assert not await uow.actions.finish(  # finish only moves pending actions
            action.id, finalized=True, staff_id=d.operator.id, now=impl.now()
        )
        clock.advance(days=20)
        assert await uow.actions.move(
            action.id,
            from_status=ActionStatus.SCHEDULED,
            to=ActionStatus.FINALIZED,
            applied_at=impl.now(),
        )
        assert not await uow.actions.move(
            action.id, from_status=ActionStatus.SCHEDULED, to=ActionStatus.CANCELLED
        )
        await uow.commit()
    async with impl.uow() as uow:
        done = await uow.actions.get(action.id)
        assert done is not None and done.status is ActionStatus.FINALIZED
        assert (done.finalized_by, done.applied_at) == (d.operator.id, impl.now())
        assert await uow.actions.scheduled() == []
        assert await uow.actions.pending_for_contract(d.contract_a.id) is None


async def test_acceptance_requests(impl: ServiceContext, clock: FakeClock) -> None:
    d = await add_data(impl)
    now = impl.now()
    async with impl.uow() as uow:
        action = await uow.actions.add(
            contract_id=d.contract_a.id,
            base_version=1,
            change=d.change,
            created_by=d.operator.id,
            now=now,
        )
        old = await uow.acceptances.add(
            action_id=action.id,
            channel=AcceptanceChannel.WEB,
            token_hash="a" * 64,
            expires_at=now + timedelta(days=1),
            now=now,
        )
        new = await uow.acceptances.add(
            action_id=action.id,
            channel=AcceptanceChannel.IN_PERSON,
            token_hash=None,
            expires_at=now + timedelta(days=2),
            now=now,
        )
        await uow.commit()
    evidence = Evidence(ip="10.0.0.1", user_agent="UA")
    async with impl.uow() as uow:
        assert (await uow.acceptances.by_token_hash("a" * 64)) == old
        assert await uow.acceptances.by_token_hash("b" * 64) is None
        assert (await uow.acceptances.latest_for_action(action.id)) == new
        assert await uow.acceptances.decide(
            old.id,
            to=AcceptanceStatus.ACCEPTED,
            now=now,
            evidence=evidence,
            document_sha256="f" * 64,
        )
        assert not await uow.acceptances.decide(old.id, to=AcceptanceStatus.DECLINED, now=now)
        await uow.commit()
    clock.advance(days=1)
    async with impl.uow() as uow:
        decided = await uow.acceptances.get(old.id)
        assert decided is not None
        assert (decided.status, decided.evidence, decided.document_sha256) == (
            AcceptanceStatus.ACCEPTED,
            evidence,
            "f" * 64,
        )
        assert await uow.acceptances.pending_expiring(impl.now()) == []
        assert [
            r.id for r in await uow.acceptances.pending_expiring(impl.now() + timedelta(days=1))
        ] == [new.id]
        assert [r.id for r in await uow.acceptances.pending_unreminded(now)] == [new.id]
        assert await uow.acceptances.pending_unreminded(now - timedelta(seconds=1)) == []
        await uow.acceptances.mark_reminded(new.id, impl.now())
        await uow.acceptances.set_document_hash(new.id, "e" * 64)
        await uow.commit()
    async with impl.uow() as uow:
        assert await uow.acceptances.pending_unreminded(impl.now()) == []
        reminded = await uow.acceptances.get(new.id)
        assert reminded is not None
        assert (reminded.reminded_at, reminded.document_sha256) == (impl.now(), "e" * 64)


async def test_tickets(impl: ServiceContext, clock: FakeClock) -> None:
    d = await add_data(impl)
    async with impl.uow() as uow:
        ttype = (await uow.catalog.ticket_types())[0]
        dept = (await uow.catalog.departments())[0]
        techs = [s for s in await uow.staff.list() if s.role is Role.TECHNICIAN]

        async def add(priority: Priority, assignee: int | None) -> int:
            clock.advance(seconds=1)
            t = await uow.tickets.add(
                client_id=d.a.id,
                contract_id=d.contract_a.id,
                action_id=None,
                type_id=ttype.id,
                department_id=dept.id,
                assignee_id=assignee,
                priority=priority,
                description="x",
                now=impl.now(),
            )
            return t.id

        low = await add(Priority.LOW, techs[0].id)
        normal = await add(Priority.NORMAL, None)
        urgent = await add(Priority.URGENT, techs[0].id)
        high = await add(Priority.HIGH, techs[1].id)
        await uow.commit()
    async with impl.uow() as uow:
        rows, total = await uow.tickets.list_open(assignee_id=None, offset=0, limit=10)
        assert ([t.id for t in rows], total) == ([urgent, high, normal, low], 4)
        rows, total = await uow.tickets.list_open(assignee_id=None, offset=1, limit=2)
        assert ([t.id for t in rows], total) == ([high, normal], 4)
        rows, _ = await uow.tickets.list_open(assignee_id=techs[0].id, offset=0, limit=10)
        assert [t.id for t in rows] == [urgent, low]
        rows, _ = await uow.tickets.list_open(
            assignee_id=techs[0].id, unassigned=True, offset=0, limit=10
        )
        assert [t.id for t in rows] == [normal]
        assert not await uow.tickets.assign(urgent, techs[1].id, only_if_unassigned=True)
        assert await uow.tickets.assign(normal, techs[1].id, only_if_unassigned=True)
        assert await uow.tickets.assign(urgent, techs[1].id, only_if_unassigned=False)
        assert await uow.tickets.transition(
            low,
            from_statuses=[TicketStatus.OPEN],
            to=TicketStatus.CLOSED,
            now=impl.now(),
            fields={"closed_at": impl.now(), "resolution": "ok"},
        )
        assert not await uow.tickets.transition(
            low,
            from_statuses=[TicketStatus.OPEN, TicketStatus.IN_PROGRESS],
            to=TicketStatus.CANCELLED,
            now=impl.now(),
        )
        await uow.tickets.add_note(low, techs[0].id, "primeira", impl.now())
        await uow.tickets.add_note(low, None, "segunda", impl.now())
        await uow.commit()
    async with impl.uow() as uow:
        closed = await uow.tickets.get(low)
        assert closed is not None
        assert (closed.status, closed.resolution, closed.closed_at) == (
            TicketStatus.CLOSED,
            "ok",
            impl.now(),
        )
        assert [(n.author_id, n.text) for n in closed.notes] == [
            (techs[0].id, "primeira"),
            (None, "segunda"),
        ]
        assert (await uow.tickets.get(urgent)).assignee_id == techs[1].id  # type: ignore[union-attr]
        rows, total = await uow.tickets.list_open(assignee_id=None, offset=0, limit=10)
        assert ([t.id for t in rows], total) == ([urgent, high, normal], 3)


async def test_contract_apply_update(impl: ServiceContext) -> None:
    d = await add_data(impl)
    async with impl.uow() as uow:
        services = (await uow.catalog.services())[:2]
        new_shares = (
            Share(services[1].id, services[1].name, Money(100)),
            Share(services[0].id, services[0].name, Money(900)),
        )
        loyalty = Loyalty(None, 12, Money(50), date(2026, 1, 1), date(2027, 1, 1))
        c = d.contract_a
        assert not await uow.contracts.apply_update(
            c.id,
            2,
            plan_id=c.plan_id,
            value=Money(1000),
            services=new_shares,
            template_id=c.template_id,
            loyalty=loyalty,
        )
        assert await uow.contracts.apply_update(
            c.id,
            1,
            plan_id=c.plan_id,
            value=Money(1000),
            services=new_shares,
            template_id=c.template_id,
            loyalty=loyalty,
        )
        await uow.commit()
    async with impl.uow() as uow:
        updated = await uow.contracts.get(c.id)
        assert updated is not None
        assert (updated.version, updated.value, updated.services, updated.loyalty) == (
            2,
            Money(1000),
            new_shares,
            loyalty,
        )
        assert (await uow.contracts.by_number("990001")) == updated
        assert [x.number for x in await uow.contracts.for_client(d.a.id)] == ["990001"]


async def test_notifications_and_staff(impl: ServiceContext, clock: FakeClock) -> None:
    now = impl.now()
    async with impl.uow() as uow:
        later = await uow.notifications.add(chat_id=1, kind="b", payload={"n": 2}, now=now)
        clock.advance(seconds=-10)
        sooner = await uow.notifications.add(chat_id=1, kind="a", payload={"n": 1}, now=impl.now())
        third = await uow.notifications.add(chat_id=2, kind="c", payload={}, now=now)
        added = await uow.staff.add(123, "Aaron Primeiro", Role.OPERATOR, "en", now)
        await uow.commit()
    async with impl.uow() as uow:
        assert [n.id for n in await uow.notifications.due(now, 10)] == [
            sooner.id,
            later.id,
            third.id,
        ]
        assert [n.id for n in await uow.notifications.due(now, 1)] == [sooner.id]
        await uow.notifications.mark_sent(sooner.id, now)
        await uow.notifications.mark_retry(
            later.id, next_attempt_at=now + timedelta(minutes=1), error="429"
        )
        await uow.notifications.mark_failed(third.id, error="x" * 2000)
        await uow.staff.update(Staff(added.id, 999, "Aaron", Role.ADMIN, False, "pt_BR"))
        await uow.commit()
    async with impl.uow() as uow:
        by_id = {n.id: n for n in await uow.notifications.all()}
        assert (by_id[sooner.id].status, by_id[sooner.id].sent_at, by_id[sooner.id].attempts) == (
            NotificationStatus.SENT,
            now,
            1,
        )
        assert (by_id[later.id].status, by_id[later.id].attempts, by_id[later.id].last_error) == (
            NotificationStatus.PENDING,
            1,
            "429",
        )
        assert by_id[later.id].payload == {"n": 2}
        assert by_id[third.id].status is NotificationStatus.FAILED
        assert by_id[third.id].last_error == "x" * 1000
        assert await uow.notifications.due(now, 10) == []
        staff = await uow.staff.get(added.id)
        # update changes name, role, active and locale, never the Telegram id
        assert staff == Staff(added.id, 123, "Aaron", Role.ADMIN, False, "pt_BR")
        everyone = await uow.staff.list()
        assert [s.name for s in everyone] == sorted(s.name for s in everyone)
        assert staff in everyone
        assert staff not in await uow.staff.list(active_only=True)


async def test_a_flood_wait_retry_keeps_the_attempt_count(impl: ServiceContext) -> None:
    now = impl.now()
    async with impl.uow() as uow:
        n = await uow.notifications.add(chat_id=1, kind="a", payload={}, now=now)
        await uow.notifications.mark_retry(
            n.id, next_attempt_at=now + timedelta(seconds=1), error="429", attempt=False
        )
        await uow.notifications.mark_retry(
            n.id, next_attempt_at=now + timedelta(seconds=5), error="500"
        )
        await uow.commit()
    async with impl.uow() as uow:
        (row,) = await uow.notifications.all()
    assert (row.attempts, row.last_error, row.next_attempt_at) == (
        1,
        "500",
        now + timedelta(seconds=5),
    )


async def test_admin_claims(impl: ServiceContext) -> None:
    now = impl.now()
    async with impl.uow() as uow:
        await uow.claims.add("c" * 64, now)
        await uow.claims.add("d" * 64, now)
        await uow.commit()
    async with impl.uow() as uow:
        assert not await uow.claims.use("e" * 64, 1, now)
        assert await uow.claims.use("c" * 64, 1, now)
        assert not await uow.claims.use("c" * 64, 2, now)
        await uow.claims.revoke_unused()
        assert not await uow.claims.use("d" * 64, 3, now)
        await uow.commit()
    async with impl.uow() as uow:
        await uow.claims.revoke_unused()  # used codes stay, still used
        assert not await uow.claims.use("c" * 64, 2, now)


async def test_catalog_writes_are_seen_bump_the_version_and_refuse_a_taken_name(
    impl: ServiceContext,
) -> None:
    async with impl.uow() as uow:
        version = await uow.catalog.reference_version()
        group = await uow.catalog.add_plan_group("Satélite")
        template = await uow.catalog.add_template(
            "PJ-SAT", "Contrato Satélite", PersonKind.PJ, "contracts/pj_empresarial.html.j2"
        )
        term = await uow.catalog.add_loyalty_term("Fidelidade 18 meses", 18, Money(4000))
        ticket_type = await uow.catalog.add_ticket_type("Instalação de antena")
        department = await uow.catalog.add_department("Ouvidoria")
        await uow.commit()
    async with impl.uow() as uow:
        assert await uow.catalog.reference_version() != version
        assert group in await uow.catalog.plan_groups()
        assert await uow.catalog.template(template.id) == template
        assert (template.code, template.kind, template.active) == ("PJ-SAT", PersonKind.PJ, True)
        assert await uow.catalog.loyalty_term(term.id) == term
        assert (term.months, term.monthly_benefit) == (18, Money(4000))
        assert ticket_type in await uow.catalog.ticket_types()
        assert department in await uow.catalog.departments()
    async with impl.uow() as uow:
        with pytest.raises(Conflict) as caught:
            await uow.catalog.add_plan_group("Satélite")
    assert (caught.value.key, caught.value.params) == ("catalog.duplicate", {"name": "Satélite"})
    async with impl.uow() as uow:
        with pytest.raises(Conflict):
            await uow.catalog.add_template("PJ-SAT", "Outro", PersonKind.PJ, "x.html.j2")
    async with impl.uow() as uow:
        assert [g.name for g in await uow.catalog.plan_groups()].count("Satélite") == 1
