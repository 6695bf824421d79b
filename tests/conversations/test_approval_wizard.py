"""The value step with DISCOUNT_APPROVAL_PERCENT: a discount beyond it is double-checked and
announced as needing approval, and the action it creates carries the approval request."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.approval import DiscountPolicy
from bot.domain.models import Role
from tests.conversations.actions_helpers import add_staff_row, rows
from tests.conversations.conftest import BotEnv
from tests.conversations.notif_helpers import outbox
from tests.conversations.wizard_helpers import Path, Wizard, pending_action

ADMIN = 900000091


async def _typed(env: BotEnv, value: str) -> Wizard:
    await add_staff_row(env, ADMIN, "Ana Supervisora", Role.ADMIN)
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")  # the default path's plan, listed at R$ 119,90
    await w.press("w:val:type")
    await w.type(value)
    return w


async def test_a_discount_beyond_the_limit_is_announced_and_creates_the_request(
    env: BotEnv,
) -> None:
    w = await _typed(env, "71,94")  # 40 % below R$ 119,90

    w.assert_at("confirming_value")
    assert "R$\u00a071,94 está 40% abaixo do preço de tabela" in w.text
    assert (
        "Com mais de 20% de desconto, a ação só poderá ser finalizada depois da aprovação de "
        "um administrador." in w.text
    )
    await w.press("w:vc:yes")
    await w.walk(Path(), start="services")
    await w.finish()

    action = await pending_action(env, w.contract_id)
    assert action is not None
    (request,) = rows(env, "SELECT * FROM action_approvals WHERE action_id = ?", action.id)
    assert (request["list_price_cents"], request["value_cents"]) == (11990, 7194)
    assert request["decision"] is None
    assert [n["chat_id"] for n in outbox(env, "approval_requested")] == [ADMIN]


async def test_a_discount_within_the_limit_goes_straight_on(env: BotEnv) -> None:
    w = await _typed(env, "101,92")  # 15 % below

    w.assert_at("services")
    await w.walk(Path(), start="services")
    await w.finish()
    assert rows(env, "SELECT * FROM action_approvals") == []


async def test_with_the_gate_off_a_far_value_is_still_questioned_but_needs_no_approval(
    env: BotEnv,
) -> None:
    services = env.app.bot_data["app"]
    services.ctx = replace(services.ctx, discount=DiscountPolicy(approval_percent=0))

    w = await _typed(env, "71,94")

    w.assert_at("confirming_value")
    assert "Tem certeza?" in w.text and "aprovação" not in w.text
    await w.press("w:vc:yes")
    await w.walk(Path(), start="services")
    await w.finish()
    assert rows(env, "SELECT * FROM action_approvals") == []
