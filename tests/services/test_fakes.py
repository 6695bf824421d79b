"""The fake unit of work keeps the SQL contracts the services rely on."""

from __future__ import annotations

import pytest

from bot.domain.errors import Conflict
from bot.domain.models import (
    AcceptanceChannel,
    AcceptanceStatus,
    ActionStatus,
    ContractStatus,
    PersonKind,
    Role,
)
from bot.services.context import ServiceContext
from tests.services.changes import pf_change
from tests.services.fakes import ADDRESS, FakeStore, FakeUnitOfWork, Seed, cpf, store_of


def test_seed_has_the_promised_shape(store: FakeStore, seed: Seed) -> None:
    assert len(store.plan_groups) == 2
    assert len(store.plans) == 4
    assert len(store.services) == 3
    assert {t.kind for t in store.templates.values()} == {PersonKind.PF, PersonKind.PJ}
    assert sorted(t.months for t in store.loyalty_terms.values()) == [0, 12, 24]
    roles = [s.role for s in store.staff.values()]
    assert roles.count(Role.ADMIN) == 1
    assert roles.count(Role.OPERATOR) == 2
    assert roles.count(Role.TECHNICIAN) == 2
    statuses = sorted(c.status for c in store.contracts.values())
    assert statuses.count(ContractStatus.ACTIVE) == 2
    assert statuses.count(ContractStatus.CANCELLED) == 1
    assert seed.pf_client.kind is PersonKind.PF and seed.pj_client.kind is PersonKind.PJ


async def test_changes_are_dropped_without_commit(fctx: ServiceContext) -> None:
    store = store_of(fctx)
    async with fctx.uow() as uow:
        await uow.clients.add(PersonKind.PF, "Sem Commit", cpf("111444777"), "", "", ADDRESS)
        assert await uow.clients.by_document(cpf("111444777")) is not None
    assert all(c.name != "Sem Commit" for c in store.clients.values())
    async with fctx.uow() as uow:
        assert await uow.clients.by_document(cpf("111444777")) is None


async def test_commit_keeps_and_rollback_reverts(fctx: ServiceContext) -> None:
    store = store_of(fctx)
    async with fctx.uow() as uow:
        kept = await uow.clients.add(PersonKind.PF, "Fica", cpf("111444777"), "", "", ADDRESS)
        await uow.commit()
        await uow.clients.add(PersonKind.PF, "Some", cpf("222555888"), "", "", ADDRESS)
        await uow.rollback()
        assert await uow.clients.by_document(cpf("222555888")) is None
    assert store.clients[kept.id].name == "Fica"
    assert store.commits == 1
    assert all(c.name != "Some" for c in store.clients.values())


async def test_a_unit_of_work_is_not_reentrant_and_not_usable_outside(store: FakeStore) -> None:
    uow = FakeUnitOfWork(store)
    with pytest.raises(RuntimeError):
        await uow.staff.get(1)
    async with uow:
        with pytest.raises(RuntimeError):
            await uow.__aenter__()


async def test_uncommitted_work_is_invisible_to_another_unit(fctx: ServiceContext) -> None:
    async with fctx.uow() as first, fctx.uow() as second:
        await first.clients.add(PersonKind.PF, "Isolado", cpf("333666999"), "", "", ADDRESS)
        assert await second.clients.by_document(cpf("333666999")) is None


async def test_action_repo_one_pending_per_contract(fctx: ServiceContext, seed: Seed) -> None:
    change = pf_change(seed)
    async with fctx.uow() as uow:
        action = await uow.actions.add(
            contract_id=seed.pf_contract.id,
            base_version=1,
            change=change,
            created_by=seed.operator.id,
            now=fctx.now(),
        )
        with pytest.raises(Conflict):
            await uow.actions.add(
                contract_id=seed.pf_contract.id,
                base_version=1,
                change=change,
                created_by=seed.operator.id,
                now=fctx.now(),
            )
        assert action.change == change
        assert await uow.actions.finish(
            action.id, finalized=False, staff_id=seed.operator.id, now=fctx.now(), reason="x"
        )
        assert not await uow.actions.finish(
            action.id, finalized=True, staff_id=seed.operator.id, now=fctx.now()
        )
        assert (await uow.actions.get(action.id)).status is ActionStatus.CANCELLED  # type: ignore[union-attr]
        again = await uow.actions.add(
            contract_id=seed.pf_contract.id,
            base_version=1,
            change=change,
            created_by=seed.operator.id,
            now=fctx.now(),
        )
        assert again.id != action.id


async def test_conditional_updates_return_false(fctx: ServiceContext, seed: Seed) -> None:
    async with fctx.uow() as uow:
        action = await uow.actions.add(
            contract_id=seed.pf_contract.id,
            base_version=1,
            change=pf_change(seed),
            created_by=seed.operator.id,
            now=fctx.now(),
        )
        req = await uow.acceptances.add(
            action_id=action.id,
            channel=AcceptanceChannel.WEB,
            token_hash="h" * 64,
            expires_at=fctx.now(),
            now=fctx.now(),
        )
        assert await uow.acceptances.decide(req.id, to=AcceptanceStatus.ACCEPTED, now=fctx.now())
        assert not await uow.acceptances.decide(
            req.id, to=AcceptanceStatus.DECLINED, now=fctx.now()
        )
        assert (await uow.acceptances.by_token_hash("h" * 64)).status is AcceptanceStatus.ACCEPTED  # type: ignore[union-attr]
        c = seed.pf_contract
        assert not await uow.contracts.apply_update(
            c.id,
            7,
            plan_id=c.plan_id,
            value=c.value,
            services=c.services,
            template_id=c.template_id,
            loyalty=c.loyalty,
        )
        assert await uow.contracts.apply_update(
            c.id,
            1,
            plan_id=c.plan_id,
            value=c.value,
            services=c.services,
            template_id=c.template_id,
            loyalty=c.loyalty,
        )
        assert (await uow.contracts.get(c.id)).version == 2  # type: ignore[union-attr]
