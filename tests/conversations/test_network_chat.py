"""The network state in the chat: Confirmar queues the change, the card says 🌐 aguardando,
a NAS that never answers ends in ⚠️ falhou (motivo) with Tentar de novo (the owner is told),
and the retry button brings it to 🌐 Aplicado na rede (hh:mm)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pytest

from bot.app import Core, build_application, prepare
from bot.config import RadiusSettings
from bot.radius.coa import PyradCoaSender
from bot.radius.directory import SqlRadiusDirectory, radius_engine
from bot.services.context import ServiceContext
from bot.services.network import (
    NetworkPolicy,
    find_plan_id,
    run_due_jobs,
    save_access,
    save_profile,
)
from storage.db import create_engine, session_factory
from storage.uow import uow_factory
from tests.conversations.actions_helpers import (
    OPERATOR2_ID,
    OPERATOR_ID,
    active_contracts,
    make_action,
    open_action,
    plan_name,
    rows,
)
from tests.conversations.conftest import BotEnv, make_settings
from tests.conversations.notif_helpers import deliver
from tests.fakebot import FakeBotApi
from tests.radius.conftest import open_session
from tests.radius.freeradius import create_sqlite_schema, require_freeradius
from tests.radius.nas import NasStandIn
from tests.support.clock import FakeClock

SECRET = "nas-chat-secret"


@pytest.fixture
async def net_env(
    api: FakeBotApi, tmp_path: Path, clock: FakeClock, template_db: Path
) -> AsyncIterator[tuple[BotEnv, str]]:
    """The bot with RADIUS configured (FreeRADIUS's schema in its own SQLite file)."""
    require_freeradius()
    db_path = tmp_path / "bot.db"
    with closing(sqlite3.connect(template_db)) as src, closing(sqlite3.connect(db_path)) as dst:
        src.backup(dst)
    radius_path = tmp_path / "radius.db"
    create_sqlite_schema(radius_path)
    radius_url = f"sqlite+aiosqlite:///{radius_path}"
    settings = replace(
        make_settings(api, db_path, tmp_path), radius=RadiusSettings(database_url=radius_url)
    )
    engine = create_engine(settings.database_url)
    ctx = ServiceContext(
        uow=uow_factory(session_factory(engine)),
        clock=clock,
        timezone=settings.timezone,
        network_enabled=True,
    )
    app = build_application(Core(settings, engine, ctx), rate_limit=False)
    await app.initialize()
    await prepare(app)
    try:
        yield BotEnv(api, app, Core(settings, engine, ctx), clock, db_path), radius_url
    finally:
        await app.shutdown()
        await engine.dispose()


async def test_silent_nas_fails_on_the_card_and_tentar_de_novo_applies_it(
    net_env: tuple[BotEnv, str],
) -> None:
    env, radius_url = net_env
    nas = await NasStandIn(secret=SECRET, coa="silent").start()
    radius = radius_engine(radius_url)
    try:
        contract = (await active_contracts(env, limit=1))[0]
        new_plan = (
            "Fibra 700 Mega"
            if plan_name(env, contract.plan_id) == "Fibra 1 Giga"
            else "Fibra 1 Giga"
        )
        await save_profile(env.ctx, contract.plan_id, "antigo", 'Mikrotik-Rate-Limit := "100M/50M"')
        await save_profile(
            env.ctx,
            await find_plan_id(env.ctx, new_plan),
            "novo",
            'Mikrotik-Rate-Limit := "1G/500M"',
        )
        async with env.ctx.uow() as uow:
            await uow.network.save_nas("bng-1", "127.0.0.1", SECRET, nas.port, "mikrotik")
            await uow.commit()
        await save_access(env.ctx, contract.number, "cliente.chat", "bng-1")
        await open_session(radius, "cliente.chat", "c-1")
        created, _ = await make_action(
            env,
            contract,
            plan=new_plan,
            by=OPERATOR2_ID,
            channel=None,
            with_ticket=False,
            loyalty_months=None,
        )
        n = created.action.id
        op = env.user(OPERATOR_ID, "Patrícia")
        mid = await open_action(env, op, n)
        await op.tap(env.app, "Finalizar ação", mid)
        await op.tap(env.app, "Confirmar", mid)
        assert "🌐 Na rede: aguardando" in (op.chat.message(mid).text or "")

        directory = SqlRadiusDirectory(radius)
        coa = PyradCoaSender(timeout=0.3, retries=1)
        policy = NetworkPolicy(max_attempts=2)
        await run_due_jobs(env.ctx, directory, coa, policy)
        env.clock.advance(minutes=1)
        await run_due_jobs(env.ctx, directory, coa, policy)

        await op.tap_data(env.app, mid, f"pa:c:{n}")
        card = op.chat.message(mid)
        assert "⚠️ Na rede: falhou (o concentrador não respondeu)" in (card.text or "")
        assert "🔁 Tentar de novo" in card.button_texts()
        told = rows(env, "SELECT chat_id, kind FROM notifications WHERE kind = 'network_failed'")
        assert told == [{"chat_id": OPERATOR2_ID, "kind": "network_failed"}]
        owner = env.user(OPERATOR2_ID, "Rafael")
        await deliver(env)
        [news] = [m for m in owner.chat.messages if "não chegou à rede" in (m.text or "")]
        assert (news.text or "").startswith(
            f"🔔 A mudança da ação #{n} (contrato {contract.number}) não chegou à rede"
        )
        assert "⚠️ Na rede: falhou (o concentrador não respondeu)" in (news.text or "")
        assert "🔁 Tentar de novo" in news.button_texts()

        nas.coa = "ack"
        await op.tap(env.app, "Tentar de novo", mid)
        assert "🌐 Na rede: aguardando" in (op.chat.message(mid).text or "")
        await run_due_jobs(env.ctx, directory, coa, policy)
        await op.tap_data(env.app, mid, f"pa:c:{n}")
        card = op.chat.message(mid)
        when = env.clock().astimezone(env.core.settings.timezone).strftime("%H:%M")
        assert f"🌐 Aplicado na rede ({when}) · velocidade trocada na conexão ativa" in (
            card.text or ""
        )
        assert "🔁 Tentar de novo" not in card.button_texts()
        assert [r.kind for r in nas.received] == ["coa", "coa", "coa"]
    finally:
        nas.close()
        await radius.dispose()


async def test_plan_without_profile_finalizes_and_the_card_says_why(
    net_env: tuple[BotEnv, str],
) -> None:
    env, _ = net_env
    contract = (await active_contracts(env, limit=1))[0]
    await save_access(env.ctx, contract.number, "sem.perfil")
    created, _ = await make_action(
        env, contract, channel=None, with_ticket=False, loyalty_months=None
    )
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    await op.tap(env.app, "Finalizar ação", mid)
    await op.tap(env.app, "Confirmar", mid)

    card = op.chat.message(mid)
    assert (card.text or "").startswith(f"✅ Contrato {contract.number} atualizado.")
    assert "➖ Rede não alterada: o plano não tem perfil de rede (grupo RADIUS)" in (
        card.text or ""
    )
    assert "🔁 Tentar de novo" not in card.button_texts()
    assert rows(env, "SELECT status, reason FROM network_jobs") == [
        {"status": "skipped", "reason": "no_profile"}
    ]
