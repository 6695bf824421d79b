"""Screens that tell the truth: a finalized action shows what it changed, a late tap leaves the
success message alone, used prompts lose their buttons, real plurals, one speed format, and a
configured admin greeted by name."""

from __future__ import annotations

from bot.services.acceptance import record_in_person
from bot.services.plan_update import finalize_action
from bot.services.staff import ensure_admins, set_locale
from bot.services.tickets import close_ticket
from tests.conversations.actions_helpers import (
    OPERATOR_ID,
    TECHNICIAN_ID,
    action_row,
    active_contracts,
    home,
    last_alert,
    make_action,
    one,
    open_action,
    plan_name,
    staff_id,
    stub_pdf,
)
from tests.conversations.conftest import BotEnv

ALREADY_FINALIZED = "Esta ação já foi finalizada."


async def ready(env: BotEnv):  # type: ignore[no-untyped-def]
    """A pending upgrade (to Fibra 1 Giga, R$ 199,90) whose gates are met."""
    created, contract = await make_action(env)
    actor = await staff_id(env, OPERATOR_ID)
    await record_in_person(env.ctx, actor, created.action.id, "assinou na loja")
    await close_ticket(
        env.ctx, await staff_id(env, TECHNICIAN_ID), created.ticket.id, "ONU trocada, sinal ok"
    )
    return created, contract


async def test_a_finalized_action_card_shows_what_its_revision_changed(env: BotEnv) -> None:
    created, contract = await ready(env)
    old_plan = plan_name(env, contract.plan_id)
    await finalize_action(env.ctx, await staff_id(env, OPERATOR_ID), created.action.id)

    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    card = op.chat.message(mid).text or ""
    assert f"📶 {old_plan} → Fibra 1 Giga" in card.splitlines()
    assert f"💰 {contract.value} → R$\u00a0199,90 · Upgrade" in card.splitlines()
    assert "Mudança sem alteração de valor" not in card


async def test_a_late_finalizar_tap_leaves_the_contract_updated_message(env: BotEnv) -> None:
    stub_pdf(env)
    created, contract = await ready(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Finalizar ação", mid)
    await op.tap(env.app, "Confirmar", mid)
    success = op.chat.message(mid).text or ""
    assert success.startswith(f"✅ Contrato {contract.number} atualizado.")

    sent = await op.tap_data(env.app, mid, f"pa:fin:{n}")  # the same button, tapped late
    assert sent == []
    assert last_alert(env, OPERATOR_ID) == ALREADY_FINALIZED
    assert op.chat.message(mid).text == success


async def test_a_typed_cancel_reason_removes_the_quick_reason_buttons(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)
    assert "Cliente desistiu" in " ".join(op.chat.message(mid).button_texts())

    (card,) = await op.send(env.app, "cliente mudou de endereço")
    assert "cliente mudou de endereço" in (card.text or "")
    assert action_row(env, n)["status"] == "cancelled"
    assert op.chat.message(mid).button_texts() == []  # nothing left to answer "botão expirou"


async def test_a_typed_resolution_removes_the_voltar_button(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    ticket_id = created.ticket.id
    tech = env.user(TECHNICIAN_ID, "Marcos")
    mid = await home(env, tech)
    await tech.tap_data(env.app, mid, f"tk:c:{ticket_id}")
    await tech.tap(env.app, "✅ Concluir", mid)
    assert tech.chat.message(mid).button_texts() == ["⬅️ Voltar"]

    (card,) = await tech.send(env.app, "ONU trocada, sinal ok")
    assert (card.text or "").startswith("✅ Atendimento concluído.")
    assert tech.chat.message(mid).button_texts() == []


async def test_a_typed_search_or_person_removes_the_prompts_cancelar(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    (prompt,) = await op.send(env.app, "/clientes")
    assert prompt.button_texts() == ["✖️ Cancelar"]
    (results,) = await op.send(env.app, "silva")
    assert "Resultados para “silva”" in (results.text or "")
    assert op.chat.message(prompt.message_id).button_texts() == []

    admin = await env.add_admin(900000099)
    mid = await home(env, admin)
    await admin.tap(env.app, "👥 Equipe", mid)
    await admin.tap(env.app, "➕ Adicionar membro", mid)
    assert admin.chat.message(mid).button_texts() == ["✖️ Cancelar"]
    (ask,) = await admin.send(env.app, "700000003 Carla Dias")
    assert ask.text == "Qual função para Carla Dias?"
    assert admin.chat.message(mid).button_texts() == []


async def test_counts_have_a_singular_and_a_plural(env: BotEnv) -> None:
    await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    (screen,) = await op.send(env.app, "/pendentes")
    assert "1 ação · página 1 de 1\n⭐ suas" in (screen.text or "")
    assert "(ões)" not in (screen.text or "")

    await make_action(env, (await active_contracts(env, limit=2))[1])
    await op.tap_data(env.app, screen.message_id, "pa:l:0")
    assert "2 ações · página 1 de 1" in (op.chat.message(screen.message_id).text or "")

    tech = env.user(TECHNICIAN_ID, "Marcos")
    await set_locale(env.ctx, await staff_id(env, TECHNICIAN_ID), "en")
    (tickets,) = await tech.send(env.app, "/tickets")
    assert "2 tickets · page 1 of 1" in (tickets.text or "")
    assert "(s)" not in (tickets.text or "")


async def test_speeds_are_written_with_the_thousands_separator(env: BotEnv) -> None:
    created, contract = await ready(env)
    await finalize_action(env.ctx, await staff_id(env, OPERATOR_ID), created.action.id)
    plan = one(env, "SELECT * FROM plans WHERE name = 'Fibra 1 Giga'")
    assert plan["download_mbps"] == 1000

    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await home(env, op)
    await op.tap_data(env.app, mid, f"ct:c:{contract.id}")
    card = op.chat.message(mid).text or ""
    assert f"⬇️ 1.000 Mbps · ⬆️ {plan['upload_mbps']} Mbps" in card.splitlines()


async def test_a_configured_admin_is_greeted_by_their_telegram_name(env: BotEnv) -> None:
    await ensure_admins(env.ctx, (1000,))
    admin = env.api.user(user_id=1000, first_name="Renata", last_name="Moura")
    (menu,) = await admin.send(env.app, "/start")
    assert "Olá, Renata Moura!" in (menu.text or "")
    assert one(env, "SELECT name FROM staff WHERE telegram_id = 1000")["name"] == "Renata Moura"

    renamed = env.api.user(user_id=1000, first_name="Outro", last_name="Nome")
    (menu,) = await renamed.send(env.app, "/start")  # a real name, once taken, stays
    assert "Olá, Renata Moura!" in (menu.text or "")
