"""The wizard reads the catalog from the in-memory reference copy: an admin's change reaches the
next wizard, whether another process made it (an import bumps the reference version, seen
within ``CHECK_EVERY_SECONDS``) or this one (``ReferenceCache.invalidate``, seen at once)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.services.reference import CHECK_EVERY_SECONDS
from storage import orm
from storage.repositories import bump_reference_version
from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import Path, Wizard, pending_action

NEW_PLAN = "Fibra 2 Giga"
PF_TEMPLATE = "Contrato de Prestação de Serviços - Pessoa Física (Residencial)"
RURAL_TEMPLATE = "Contrato de Prestação de Serviços - Pessoa Física (Rural)"


class Monotonic:
    """The reference cache's clock, moved by the test only."""

    def __init__(self) -> None:
        self.now = time.monotonic() + 1000.0  # after every check the real clock has made

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def cache_clock(env: BotEnv, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Monotonic]:
    """The cache checked the database just now, and time stands still until the test moves it:
    whatever the bot shows next comes from the copy unless it is invalidated or gets old."""
    clock = Monotonic()
    monkeypatch.setattr(env.ctx.reference_cache, "_monotonic", clock)
    await env.ctx.reference(check=True)
    yield clock


async def add_plan(
    env: BotEnv, name: str, group: str, down: int, up: int, cents: int, services: tuple[str, ...]
) -> int:
    """An admin's new plan, written as an import writes it: rows, then the version bump."""
    async with env.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        group_id = await session.scalar(
            select(orm.PlanGroupRow.id).where(orm.PlanGroupRow.name == group)
        )
        row = orm.PlanRow(
            group_id=group_id,
            name=name,
            download_mbps=down,
            upload_mbps=up,
            price_cents=cents,
            active=True,
        )
        session.add(row)
        await session.flush()
        ids = dict((await session.execute(select(orm.ServiceRow.code, orm.ServiceRow.id))).all())
        for position, code in enumerate(services):
            session.add(orm.PlanServiceRow(plan_id=row.id, service_id=ids[code], position=position))
        await bump_reference_version(session)
        await uow.commit()
        return int(row.id)


async def add_template(env: BotEnv, code: str, name: str, kind: str) -> int:
    async with env.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        row = orm.ContractTemplateRow(
            code=code, name=name, kind=kind, file="contracts/pf_residencial.html.j2", active=True
        )
        session.add(row)
        await session.flush()
        await bump_reference_version(session)
        await uow.commit()
        return int(row.id)


async def plan_screen(w: Wizard) -> str:
    await w.start()
    await w.walk(Path(), until="plan")
    return w.text


async def choose_new_plan_and_finish(env: BotEnv, w: Wizard, plan_id: int) -> None:
    assert "6. Fibra 2 Giga · 2.000/1.000 Mbps · R$\u00a0299,90" in w.text
    assert "6 · Fibra 2 Giga" in w.buttons
    await w.tap("6 · Fibra 2 Giga")
    assert "Preço de tabela do plano: R$\u00a0299,90" in w.text
    await w.press("w:val:keep")
    assert [b for b in w.buttons if b.startswith("✅")] == ["✅ Internet (SCM)", "✅ IP fixo"]
    await w.press("w:svd")
    await w.press("w:sp:main")
    await w.press("w:ef:now")
    await w.press("w:tk:0")
    assert "Novo: Fibra 2 Giga (2.000/1.000 Mbps)" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert action.change.plan_id == plan_id and action.change.value.cents == 29990


async def test_a_plan_added_by_an_import_shows_in_the_next_wizard(
    env: BotEnv, cache_clock: Monotonic
) -> None:
    w = Wizard(env)
    assert NEW_PLAN not in await plan_screen(w)
    await w.tap("✖️ Cancelar")

    plan_id = await add_plan(
        env, NEW_PLAN, "Residencial Fibra", 2000, 1000, 29990, ("SCM", "IPFIXO")
    )
    cache_clock.now += CHECK_EVERY_SECONDS + 0.1  # another process' change: seen within seconds

    await plan_screen(w)
    await choose_new_plan_and_finish(env, w, plan_id)


async def test_a_plan_added_by_this_process_shows_at_once(
    env: BotEnv, cache_clock: Monotonic
) -> None:
    w = Wizard(env)
    assert NEW_PLAN not in await plan_screen(w)
    await w.tap("✖️ Cancelar")

    plan_id = await add_plan(
        env, NEW_PLAN, "Residencial Fibra", 2000, 1000, 29990, ("SCM", "IPFIXO")
    )
    env.ctx.reference_cache.invalidate()  # the clock does not move: only this can refresh

    await plan_screen(w)
    await choose_new_plan_and_finish(env, w, plan_id)


async def test_a_second_template_for_the_clients_kind_brings_the_template_step_back(
    env: BotEnv,
) -> None:
    rural = await add_template(env, "PF-RUR", RURAL_TEMPLATE, "PF")
    env.ctx.reference_cache.invalidate()
    w = Wizard(env)
    await w.start()
    await w.press("w:ch:web")

    assert w.step == "template"
    assert "Qual modelo de contrato será usado?" in w.text
    assert all(len(label) <= 24 for label in w.buttons)
    assert len([d for d in w.data if d.startswith("w:tpl:")]) == 2  # PF only: no PJ template
    assert w.buttons[0].startswith("✅ ")  # the contract's current template
    await w.press(f"w:tpl:{rural}")
    w.assert_at("loyalty")
    await w.tap("⬅️ Voltar")
    assert w.step == "template" and not w.buttons[0].startswith("✅ ")
    await w.press(f"w:tpl:{rural}")
    await w.walk(Path(channel="web"), start="loyalty")
    assert f"Modelo de contrato\n  Atual: {PF_TEMPLATE}\n  Novo: {RURAL_TEMPLATE}" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None and action.change.template_id == rural


async def test_templates_with_long_names_can_be_told_apart(env: BotEnv) -> None:
    """Two template names that differ only after 24 characters: the buttons are cut, so the
    screen must still say which button is which (as the plan list does, by number)."""
    await add_template(env, "PF-RUR", RURAL_TEMPLATE, "PF")
    env.ctx.reference_cache.invalidate()
    w = Wizard(env)
    await w.start()
    await w.press("w:ch:web")
    w.assert_at("template")
    labels = [b.removeprefix("✅ ") for b in w.buttons[:2]]
    for name in (PF_TEMPLATE, RURAL_TEMPLATE):
        assert name in w.text or name in labels, f"{name!r} is nowhere on the screen: {labels}"


async def deactivate_plan(env: BotEnv, name: str) -> None:
    async with env.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        row = await session.scalar(select(orm.PlanRow).where(orm.PlanRow.name == name))
        row.active = False
        await bump_reference_version(session)
        await uow.commit()
    env.ctx.reference_cache.invalidate()


@pytest.mark.parametrize("tap", ["w:tk:0", "w:back"])
async def test_a_plan_deactivated_during_the_wizard_is_chosen_again(env: BotEnv, tap: str) -> None:
    """The chosen plan leaves the catalog while the operator is on the ticket step: the next
    screen (forward or back) asks for the plan again, saying why, instead of failing."""
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="ticket")
    await deactivate_plan(env, "Fibra 500 Mega")

    await w.press(tap)
    assert w.step == "plan"
    assert "⚠️ Esta opção não está mais disponível. Escolha outra." in w.text
    assert "Fibra 500 Mega" not in w.text
    assert w.draft["plan_id"] is None and w.draft["value_cents"] is None
    await w.tap("· Fibra 700 Mega")
    assert w.step == "value" and "Preço de tabela do plano: R$\u00a0149,90" in w.text
