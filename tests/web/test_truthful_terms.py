"""The acceptance page tells the terms as they truly stand: an ended loyalty is "sem fidelidade
vigente", a kept one shows its real end, a new one its start (the effective date) and end, and
services the change drops are listed as removed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from bot.domain.models import Contract, ContractStatus
from bot.services.context import ServiceContext
from bot.services.plan_update import create_plan_update
from storage import orm
from storage.uow import SqlUnitOfWork
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock
from tests.web.support import pending_web_action, text_of, web_client


async def set_loyalty(ctx: ServiceContext, contract_id: int, start: date, end: date) -> None:
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        await uow.session.execute(
            update(orm.ContractRow)
            .where(orm.ContractRow.id == contract_id)
            .values(
                loyalty_months=12,
                loyalty_benefit_cents=2000,
                loyalty_start=start,
                loyalty_end=end,
            )
        )
        await uow.commit()


async def page_for(ctx: ServiceContext, clock: FakeClock, token: str) -> str:
    async with web_client(ctx, clock) as client:
        return text_of(await (await client.get(f"/aceite/{token}")).text())


async def test_an_ended_loyalty_kept_is_no_loyalty_in_force(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    await set_loyalty(ctx, w.contract.id, date(2023, 8, 29), date(2024, 8, 29))
    p = await pending_web_action(ctx, loyalty_months=None)
    seen = await page_for(ctx, clock, p.token)
    assert (
        "Sem fidelidade vigente. Sua fidelidade anterior terminou em 29/08/2024 e esta alteração"
        " não cria uma nova: você pode cancelar quando quiser, sem multa." in seen
    )
    assert "Fidelidade atual mantida" not in seen
    assert "Nada muda" not in seen


async def test_a_kept_loyalty_in_force_shows_its_real_end(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    await set_loyalty(ctx, w.contract.id, date(2026, 3, 1), date(2027, 3, 1))
    p = await pending_web_action(ctx, loyalty_months=None)
    seen = await page_for(ctx, clock, p.token)
    assert (
        "Fidelidade atual mantida: 12 meses, com benefício mensal de R$\u00a020,00, até 01/03/2027."
        " Esta alteração não muda a sua fidelidade." in seen
    )


async def test_a_new_loyalty_shows_its_start_and_end(ctx: ServiceContext, clock: FakeClock) -> None:
    p = await pending_web_action(ctx, loyalty_months=12)
    seen = await page_for(ctx, clock, p.token)
    today = clock.now.astimezone(ctx.timezone).date()
    end = date(today.year + 1, today.month, today.day)
    assert (
        f"permanência mínima de 12 meses, de {today:%d/%m/%Y} (data de efetivação)"
        f" a {end:%d/%m/%Y}." in seen
    )


async def test_no_loyalty_before_or_after_is_said_plainly(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    async with ctx.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        await uow.session.execute(
            update(orm.ContractRow)
            .where(orm.ContractRow.id == w.contract.id)
            .values(loyalty_months=0, loyalty_start=None, loyalty_end=None)
        )
        await uow.commit()
    p = await pending_web_action(ctx, loyalty_months=None)
    seen = await page_for(ctx, clock, p.token)
    assert "Sem fidelidade vigente. Esta alteração não cria fidelidade." in seen


async def contract_with_tv(ctx: ServiceContext) -> Contract:
    async with ctx.uow() as uow:
        for client_id in range(1, 300):
            for contract in await uow.contracts.for_client(client_id):
                names = {s.name for s in contract.services}
                if contract.status is ContractStatus.ACTIVE and any("TV" in n for n in names):
                    return contract
    raise AssertionError("the demo data has no contract with TV")


async def test_services_the_change_drops_are_listed_as_removed(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    contract = await contract_with_tv(ctx)
    tv = next(s.name for s in contract.services if "TV" in s.name)
    change = await plan_change(ctx, contract, plan_name="Fibra 1 Giga")
    assert tv not in {s.name for s in change.services}
    created = await create_plan_update(ctx, w.operator.id, contract.id, change)
    assert created.token
    seen = await page_for(ctx, clock, created.token)
    assert f"Serviços removidos: {tv} (deixam de ser prestados)." in seen

    # A change that keeps every service lists none as removed.
    p = await pending_web_action(ctx)
    assert "Serviços removidos" not in await page_for(ctx, clock, p.token)
