"""The wizard across time: a contract with a pending action, a bot restart in the middle of the
wizard, and buttons of screens that are no longer the current one."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path as FsPath

import pytest

from bot.domain.models import ActionStatus
from tests.conversations.conftest import (
    OPERATOR2_ID,
    TECHNICIAN_ID,
    BotEnv,
    start_app,
    stop_app,
)
from tests.conversations.wizard_helpers import (
    NOTHING_WRITTEN,
    Path,
    Wizard,
    actions_of,
    contract_by_number,
    pending_action,
    row_counts,
)

EXPIRED = "Este botão expirou. Abra o cartão de novo pelo menu."
HAS_PENDING = "Este contrato já tem uma ação pendente: abrindo a ação."


@pytest.fixture
async def restart(tmp_path: FsPath) -> AsyncIterator[list[BotEnv]]:
    """Where a test puts the apps it started with ``restarted()``; they are stopped at the end."""
    started: list[BotEnv] = []
    yield started
    for bot_env in started:
        await stop_app(bot_env)


async def restarted(w: Wizard, tmp_path: FsPath) -> BotEnv:
    """Stop the bot (persistence is flushed) and start a new Application on the same DB."""
    old = w.env
    await stop_app(old)
    new = await start_app(old.api, old.db_path, tmp_path, old.clock)
    w.env = new
    return new


# --- one pending action per contract ---------------------------------------------------------


async def test_contract_with_a_pending_action_opens_it_instead_of_a_new_wizard(
    env: BotEnv,
) -> None:
    other = Wizard(env, OPERATOR2_ID)
    await other.open_actions()  # Bruno looks at the Ações menu …
    stale_menu = other.msg.message_id
    w = Wizard(env)
    await w.start()  # … while Patrícia runs the wizard to the end
    await w.walk(Path(channel="web"))
    await w.finish()
    (action,) = await actions_of(env, w.contract_id)

    await other.tap("Atualização de plano", stale_menu)  # Bruno starts the wizard from Ações

    assert other.alert == HAS_PENDING
    assert other.msg.message_id == stale_menu
    assert f"📋 Ação de contrato #{action.id} · ⏳ pendente" in other.text
    assert "✅ Finalizar ação" in other.buttons
    assert other.state is None  # no second wizard

    # Patrícia's contract card now leads to the action, not to Ações
    await w.tap("📄 Contrato")  # from her action card
    assert f"⏳ Ação pendente #{action.id}" in w.text
    assert f"⏳ Abrir ação pendente #{action.id}" in w.buttons
    assert "⚙️ Ações" not in w.buttons
    card = w.msg.message_id
    await w.tap_data(card, f"ct:a:{w.contract_id}")  # an Ações button from an older card
    assert w.alert == HAS_PENDING
    assert f"Ação de contrato #{action.id}" in w.text
    assert w.state is None
    assert await row_counts(env) == {
        "actions": 1,
        "acceptances": 1,
        "tickets": 0,
        "notifications": 0,
    }


async def test_two_operators_finishing_at_once_make_one_action(env: BotEnv) -> None:
    first, second = Wizard(env), Wizard(env, OPERATOR2_ID)
    await first.start()
    await second.start()
    await first.walk(Path(channel="web"))
    await second.walk(Path(channel="in_person", plan="Fibra 700 Mega"))
    await first.finish()

    await second.finish()

    assert "✅ Este contrato já tinha uma ação pendente; ela foi aberta." in second.text
    (action,) = await actions_of(env, first.contract_id)
    assert action.status is ActionStatus.PENDING
    assert f"Ação de contrato #{action.id}" in second.text
    assert "Fibra 300 Mega → Fibra 500 Mega" in second.text  # the first operator's change
    assert second.state is None
    assert await row_counts(env) == {
        "actions": 1,
        "acceptances": 1,
        "tickets": 0,
        "notifications": 0,
    }


async def test_a_technician_cannot_start_the_wizard(env: BotEnv) -> None:
    contract = await contract_by_number(env)
    technician = Wizard(env, TECHNICIAN_ID)
    await technician.type("/start")
    await technician.tap_data(technician.msg.message_id, f"pu:go:{contract.id}")
    assert technician.alert == "Você não tem permissão para isso."
    assert technician.state is None
    assert await row_counts(env) == NOTHING_WRITTEN


# --- a restart in the middle of the wizard ---------------------------------------------------


async def test_restart_at_the_value_step_continues_on_the_same_message(
    env: BotEnv, tmp_path: FsPath, restart: list[BotEnv]
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="web", ticket=True), until="value")
    message_id, draft = w.msg.message_id, w.draft

    restart.append(await restarted(w, tmp_path))

    assert w.draft == draft and w.step == "value"
    await w.tap("Usar preço de tabela", message_id)
    w.assert_at("services")
    assert w.msg.message_id == message_id
    await w.walk(Path(channel="web", ticket=True), start="services")
    await w.finish()
    assert "✅ Ação de contrato criada." in w.text
    assert await row_counts(w.env) == {
        "actions": 1,
        "acceptances": 1,
        "tickets": 1,
        "notifications": 1,
    }


async def test_restart_while_typing_then_again_at_the_review(
    env: BotEnv, tmp_path: FsPath, restart: list[BotEnv]
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")

    restart.append(await restarted(w, tmp_path))

    await w.type("R$\u00a01.234,56")  # far above the list price: asked to confirm
    w.assert_at("confirming_value")
    restart.append(await restarted(w, tmp_path))  # the value to confirm survives a restart
    assert w.step == "confirming_value" and w.draft["value_to_confirm_cents"] == 123456
    await w.tap("Sim, usar R$\u00a01.234,56")
    w.assert_at("services")
    assert "Serviços do contrato (valor total R$\u00a01.234,56)" in w.text
    await w.walk(Path(), start="services", until="split")
    await w.press("w:sp:manual")
    restart.append(await restarted(w, tmp_path))
    await w.type("1.200\n34,56")
    await w.walk(Path(), start="effective")
    review = w.msg.message_id
    restart.append(await restarted(w, tmp_path))
    await w.tap("Finalizar", review)
    assert "✅ Ação de contrato criada." in w.text
    action = await pending_action(w.env, w.contract_id)
    assert action is not None and action.change.value.cents == 123456
    assert [s.amount.cents for s in action.change.services] == [120000, 3456]


async def test_cancel_after_a_restart(env: BotEnv, tmp_path: FsPath, restart: list[BotEnv]) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="services")
    restart.append(await restarted(w, tmp_path))
    await w.tap("✖️ Cancelar")
    assert "✅ Atualização de plano cancelada. Nada foi alterado." in w.text
    assert w.state is None
    restart.append(await restarted(w, tmp_path))  # and it stays cancelled
    assert w.state is None
    assert await row_counts(w.env) == NOTHING_WRITTEN


# --- stale buttons -----------------------------------------------------------------------------


async def test_buttons_of_older_screens_expire_during_and_after_the_wizard(
    env: BotEnv,
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    old = w.msg.message_id
    await w.press("w:val:type")
    await w.type("129,90")  # the services screen comes on a new message
    w.assert_at("services")
    current, draft = w.msg.message_id, w.draft
    assert w.op.chat.message(old).buttons == []

    await w.tap_data(old, "w:val:keep")  # e.g. a slow double tap on the old screen

    assert w.alert == EXPIRED
    assert w.op.chat.message(old).buttons == []
    assert w.msg.message_id == current and w.draft == draft
    assert w.draft["value_cents"] == 12990

    await w.walk(Path(), start="services")  # the current screen still works
    await w.finish()
    card = w.msg.message_id
    for data in ("w:svd", "w:rv:ok", "w:x", "w:back"):  # after the wizard is over
        await w.tap_data(old, data)
        assert w.alert == EXPIRED, data
    await w.tap_data(card, "w:rv:ok")  # the second tap of a double tap on ✅ Finalizar
    assert w.alert == EXPIRED
    assert await row_counts(env) == {
        "actions": 1,
        "acceptances": 0,
        "tickets": 0,
        "notifications": 0,
    }


async def test_an_older_wizard_message_loses_its_keyboard(env: BotEnv) -> None:
    w = Wizard(env)
    first = await w.start()
    second = await w.start()  # a new search and a new wizard, on a new message
    assert first != second
    assert "🌐 Link web" in w.op.chat.message(first).button_texts()

    await w.tap("Link web", first)

    assert w.alert == EXPIRED
    assert w.op.chat.message(first).buttons == []
    assert w.draft["channel"] is None
    await w.tap("Link web", second)  # the newer wizard is alive
    w.assert_at("loyalty")


async def test_double_tap_on_finalizar_keeps_the_action_card_buttons(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="web"))
    message_id = w.msg.message_id
    await w.finish()
    await w.tap_data(message_id, "w:rv:ok")
    assert "✅ Finalizar ação" in w.op.chat.message(message_id).button_texts()


async def test_value_typed_after_an_expired_tap_goes_to_the_wizard(env: BotEnv) -> None:
    w = Wizard(env)
    first = await w.start()
    await w.start()  # a newer wizard; the first message still shows its buttons
    await w.walk(Path(), until="value")
    await w.press("w:val:type")
    await w.tap("Link web", first)
    assert w.alert == EXPIRED

    await w.type("129,90")

    w.assert_at("services")
    assert w.draft["value_cents"] == 12990
