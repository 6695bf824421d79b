"""Setting up the catalog (``bot.services.catalog``) over the fake unit of work."""

from __future__ import annotations

import pytest

from bot.domain.catalog_base import DEPARTMENTS, NO_LOYALTY, TEMPLATES, TICKET_TYPES
from bot.domain.errors import Conflict, InvalidInput
from bot.domain.models import PersonKind
from bot.i18n import error_text
from bot.services import catalog as catalog_service
from bot.services.catalog import InitResult
from tests.services.fakes import FakeStore, fake_ctx
from tests.support.clock import FakeClock


async def test_init_creates_the_base_catalog_once(clock: FakeClock) -> None:
    store = FakeStore()
    ctx = fake_ctx(clock, store)
    assert await catalog_service.init_base_catalog(ctx) == InitResult(2, 1, 4, 4)
    assert [(t.code, t.kind) for t in store.templates.values()] == [
        ("PF-RES", PersonKind.PF),
        ("PJ-EMP", PersonKind.PJ),
    ]
    assert [t.file for t in store.templates.values()] == [s.file for s in TEMPLATES]
    assert [(t.name, t.months) for t in store.loyalty_terms.values()] == [(NO_LOYALTY, 0)]
    assert [i.name for i in store.ticket_types.values()] == list(TICKET_TYPES)
    assert [i.name for i in store.departments.values()] == list(DEPARTMENTS)
    assert (await catalog_service.init_base_catalog(ctx)).total == 0
    assert len(store.templates) == 2 and len(store.loyalty_terms) == 1


async def test_init_completes_what_is_missing_only(clock: FakeClock) -> None:
    store = FakeStore()
    ctx = fake_ctx(clock, store)
    async with ctx.uow() as uow:
        await uow.catalog.add_ticket_type("visita TÉCNICA")
        await uow.commit()
    result = await catalog_service.init_base_catalog(ctx)
    assert result == InitResult(2, 1, 3, 4)
    assert [i.name for i in store.ticket_types.values()] == ["visita TÉCNICA", *TICKET_TYPES[1:]]


async def test_a_new_group_is_in_this_process_catalog_at_once(clock: FakeClock) -> None:
    ctx = fake_ctx(clock, FakeStore())
    assert (await ctx.reference()).groups == ()
    group = await catalog_service.add_plan_group(ctx, "  Residencial   Fibra ")
    assert group.name == "Residencial Fibra"
    assert (await ctx.reference()).catalog(PersonKind.PF).groups == (group,)
    with pytest.raises(Conflict) as caught:
        await catalog_service.add_plan_group(ctx, "RESIDENCIAL FIBRA")
    assert error_text(caught.value) == 'O grupo de planos "Residencial Fibra" já existe.'
    assert error_text(caught.value, "en") == 'The plan group "Residencial Fibra" already exists.'


async def test_a_long_term_is_offered_to_business_clients_only(clock: FakeClock) -> None:
    ctx = fake_ctx(clock, FakeStore())
    term = await catalog_service.add_loyalty_term(ctx, "Fidelidade 24 meses", "24", "R$ 1.050,5")
    assert (term.months, term.monthly_benefit.format()) == (24, "R$\u00a01.050,50")
    reference = await ctx.reference()
    assert reference.catalog(PersonKind.PF).loyalty_terms == ()
    assert reference.catalog(PersonKind.PJ).loyalty_terms == (term,)
    with pytest.raises(InvalidInput):
        await catalog_service.add_loyalty_term(ctx, "Fidelidade 6 meses", "6", "0")
    assert len((await ctx.reference()).loyalty_terms) == 1
