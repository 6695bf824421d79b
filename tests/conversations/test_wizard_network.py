"""The plan's network profile is shown on the plan list and in the review, from memory, and a
profile saved after the wizard's catalog was loaded shows up (the catalog version moves)."""

from __future__ import annotations

from bot.services.network import find_plan_id, save_profile
from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import Path, Wizard

LINE = '🌐 Rede: grupo fibra500 · Mikrotik-Rate-Limit := "500M/250M"'


async def test_profile_on_the_plan_list_and_in_the_review(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="plan")
    assert "🌐 Rede" not in w.text  # no plan has a profile yet

    plan_id = await find_plan_id(env.ctx, "Fibra 500 Mega")
    await save_profile(env.ctx, plan_id, "fibra500", 'Mikrotik-Rate-Limit := "500M/250M"')
    await w.tap("⬅️ Voltar")
    await w.tap("Residencial Fibra")
    assert "Fibra 500 Mega · 500/250 Mbps · R$\u00a0119,90\n   " + LINE in w.text
    assert w.text.count("🌐 Rede") == 1

    await w.walk(Path(), start="plan")
    assert w.step == "review"
    assert "Novo: Fibra 500 Mega (500/250 Mbps)\n  " + LINE in w.text
