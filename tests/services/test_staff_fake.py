"""Staff management and a contract's history over the fake unit of work."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.domain.models import Role, Staff
from bot.i18n import error_text
from bot.services import staff as staff_service
from bot.services.context import ServiceContext
from bot.services.history import contract_history
from bot.services.plan_update import create_plan_update, finalize_action
from tests.services.changes import simple_change
from tests.services.fakes import FakeStore, Seed


async def test_add_staff(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    added = await staff_service.add_staff(
        fctx, seed.admin.id, 555, "  Ana   Técnica  ", Role.TECHNICIAN, "en-US"
    )
    assert added == Staff(added.id, 555, "Ana Técnica", Role.TECHNICIAN, True, "en")
    assert store.staff[added.id] == added
    cli = await staff_service.add_staff(fctx, None, 556, "", Role.OPERATOR)
    assert (cli.name, cli.locale) == ("556", "pt_BR")  # the CLI acts as the system


async def test_only_admins_add_staff(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    count = len(store.staff)
    for actor in (seed.operator.id, seed.technician.id, 999):
        with pytest.raises(PermissionDenied):
            await staff_service.add_staff(fctx, actor, 555, "Ana", Role.ADMIN)
    assert len(store.staff) == count


async def test_duplicate_add_is_a_conflict(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    with pytest.raises(Conflict) as err:
        await staff_service.add_staff(
            fctx, seed.admin.id, seed.operator.telegram_id, "Outra", Role.ADMIN
        )
    assert err.value.key == "staff.already"
    assert error_text(err.value) == "Patrícia Atendente já faz parte da equipe."
    assert store.staff[seed.operator.id] == seed.operator


async def test_deactivate_and_reactivate(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    tg = seed.technician2.telegram_id
    off = await staff_service.deactivate(fctx, seed.admin.id, tg)
    assert not off.active and not store.staff[seed.technician2.id].active
    assert seed.technician2 not in await staff_service.technicians(fctx)
    back = await staff_service.add_staff(fctx, seed.admin.id, tg, "Juliana Santos", Role.OPERATOR)
    assert back.id == seed.technician2.id
    assert store.staff[back.id] == replace(
        seed.technician2, name="Juliana Santos", role=Role.OPERATOR, active=True
    )
    assert len(store.staff) == 5


async def test_set_role(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    promoted = await staff_service.set_role(
        fctx, seed.admin.id, seed.operator.telegram_id, Role.ADMIN
    )
    assert store.staff[seed.operator.id].role is Role.ADMIN == promoted.role
    with pytest.raises(PermissionDenied):
        await staff_service.set_role(
            fctx, seed.operator2.id, seed.technician.telegram_id, Role.ADMIN
        )
    with pytest.raises(NotFound) as err:
        await staff_service.set_role(fctx, seed.admin.id, 123456, Role.ADMIN)
    assert err.value.key == "errors.staff_not_found"


async def test_the_last_admin_stays(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    tg = seed.admin.telegram_id
    for attempt in (
        staff_service.set_role(fctx, seed.admin.id, tg, Role.OPERATOR),
        staff_service.deactivate(fctx, None, tg),
    ):
        with pytest.raises(Conflict) as err:
            await attempt
        assert err.value.key == "errors.last_admin"
    assert store.staff[seed.admin.id] == seed.admin
    # an inactive second admin does not count
    await staff_service.set_role(fctx, seed.admin.id, seed.operator.telegram_id, Role.ADMIN)
    await staff_service.deactivate(fctx, seed.admin.id, seed.operator.telegram_id)
    with pytest.raises(Conflict):
        await staff_service.deactivate(fctx, None, tg)
    # with another active admin, the first may step down
    await staff_service.set_role(fctx, seed.admin.id, seed.operator2.telegram_id, Role.ADMIN)
    demoted = await staff_service.set_role(fctx, seed.admin.id, tg, Role.OPERATOR)
    assert demoted.role is Role.OPERATOR
    assert store.staff[seed.admin.id].role is Role.OPERATOR


async def test_set_locale(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    assert (await staff_service.set_locale(fctx, seed.technician.id, "en")).locale == "en"
    assert store.staff[seed.technician.id].locale == "en"
    with pytest.raises(InvalidInput):
        await staff_service.set_locale(fctx, seed.technician.id, "fr")
    store.staff[seed.operator.id] = replace(seed.operator, active=False)
    with pytest.raises(PermissionDenied):
        await staff_service.set_locale(fctx, seed.operator.id, "en")
    assert store.staff[seed.operator.id].locale == "pt_BR"


async def test_lists(fctx: ServiceContext, seed: Seed) -> None:
    assert await staff_service.technicians(fctx) == [seed.technician2, seed.technician]  # by name
    everyone = await staff_service.list_staff(fctx)
    assert [s.name for s in everyone] == sorted(s.name for s in everyone)
    assert await staff_service.staff_by_telegram_id(fctx, 301) == seed.technician
    assert await staff_service.staff_by_telegram_id(fctx, 1) is None


async def test_history_newest_first(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    cid = seed.pf_contract.id
    assert (await contract_history(fctx, cid)).revisions == []
    for plan in (seed.fibra_1g, seed.fibra_300):
        created = await create_plan_update(
            fctx, seed.operator.id, cid, simple_change(seed, plan_id=plan.id)
        )
        await finalize_action(fctx, seed.operator.id, created.action.id)
    history = (await contract_history(fctx, cid)).revisions
    assert [r.version for r in history] == [3, 2]
    assert [r.after["plan_id"] for r in history] == [seed.fibra_300.id, seed.fibra_1g.id]
    assert history[0].before == history[1].after
    assert [r.version for r in (await contract_history(fctx, cid, limit=1)).revisions] == [3]
    with pytest.raises(NotFound) as err:
        await contract_history(fctx, 999)
    assert err.value.key == "errors.contract_not_found"


async def test_admin_claim_code_is_single_use(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    assert await staff_service.open_admin_claim(fctx) is None  # there is an active admin
    await staff_service.set_role(fctx, None, seed.operator.telegram_id, Role.ADMIN)
    await staff_service.deactivate(fctx, None, seed.admin.telegram_id)
    store.staff[seed.operator.id] = replace(seed.operator, active=False)  # nobody is admin now

    old = await staff_service.open_admin_claim(fctx)
    code = await staff_service.open_admin_claim(fctx)
    assert old and code and old != code
    assert len(store.claims) == 1  # the older unused code died
    with pytest.raises(PermissionDenied) as err:
        await staff_service.claim_admin(fctx, old, 4001, "Velho", "pt_BR")
    assert err.value.key == "staff.claim_invalid"

    new_admin = await staff_service.claim_admin(fctx, code, 4002, "Nova Dona", "en")
    assert (new_admin.role, new_admin.active, new_admin.locale) == (Role.ADMIN, True, "en")
    assert store.staff[new_admin.id] == new_admin
    [claim] = store.claims.values()
    assert claim.used_by == 4002 and claim.used_at == fctx.now()
    with pytest.raises(PermissionDenied):
        await staff_service.claim_admin(fctx, code, 4003, "Segundo", "pt_BR")
    assert await staff_service.staff_by_telegram_id(fctx, 4003) is None


async def test_claim_by_existing_staff_promotes_them(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    store.staff[seed.admin.id] = replace(seed.admin, active=False)
    code = await staff_service.open_admin_claim(fctx)
    assert code is not None
    promoted = await staff_service.claim_admin(
        fctx, code, seed.technician.telegram_id, "ignored", "pt_BR"
    )
    assert promoted == replace(seed.technician, role=Role.ADMIN)
    assert store.staff[seed.technician.id] == promoted


async def test_ensure_admins(fctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    store.staff[seed.operator.id] = replace(seed.operator, active=False)
    result = await staff_service.ensure_admins(
        fctx, (seed.admin.telegram_id, seed.operator.telegram_id, 8080)
    )
    assert result[0] == seed.admin
    assert result[1] == replace(seed.operator, role=Role.ADMIN, active=True)
    assert (result[2].telegram_id, result[2].role, result[2].name) == (
        8080,
        Role.ADMIN,
        "Admin 8080",
    )
    assert store.staff[seed.operator.id] == result[1]
    assert len(store.staff) == 6
    again = await staff_service.ensure_admins(fctx, (8080,))
    assert again == [result[2]] and len(store.staff) == 6
