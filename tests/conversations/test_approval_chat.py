"""Discount approval in the chat: a value beyond DISCOUNT_APPROVAL_PERCENT below the list price
asks the admins (through the outbox), blocks finalizing until one approves, and records exactly
one decision whatever the taps. Driven through the fake Bot API as the people involved."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any

from bot.domain.models import Role
from bot.domain.money import Money
from bot.services.approval import decide_approval
from bot.services.digest import DigestPolicy, queue_digest
from bot.services.operations import pending_by_blocker
from bot.services.plan_update import cancel_action
from tests.conversations.actions_helpers import (
    OPERATOR_ID,
    TECHNICIAN_ID,
    action_row,
    add_staff_row,
    last_alert,
    make_action,
    one,
    open_action,
    rows,
)
from tests.conversations.conftest import BotEnv
from tests.conversations.notif_helpers import deliver, outbox, stub_pdf

ANA, CARLOS = 900000091, 900000092  # admins


async def admins(env: BotEnv, *ids: int) -> None:
    names = {ANA: "Ana Supervisora", CARLOS: "Carlos Gerente"}
    for telegram_id in ids:
        await add_staff_row(env, telegram_id, names[telegram_id], Role.ADMIN)
        env.user(telegram_id, names[telegram_id].split()[0])  # they have a chat with the bot
    env.user(OPERATOR_ID, "Patrícia")


async def discounted_action(env: BotEnv, percent_off: int, *, by: int = OPERATOR_ID) -> Any:
    """A pending plan update whose only gate can be the approval: no acceptance, no ticket."""
    async with env.ctx.uow() as uow:
        plan = next(p for p in await uow.catalog.plans() if p.name == "Fibra 1 Giga")
    value = Money(plan.price.cents * (100 - percent_off) // 100)
    created, contract = await make_action(
        env,
        by=by,
        plan="Fibra 1 Giga",
        value=value,
        channel=None,
        with_ticket=False,
        loyalty_months=None,
    )
    return created.action, contract, plan


async def asked_of_ana(env: BotEnv, percent_off: int) -> tuple[Any, Any, Any]:
    """Ana, the only admin, has received the request for a discounted action."""
    await admins(env, ANA)
    action, _contract, _plan = await discounted_action(env, percent_off)
    await deliver(env)
    return action, env.user(ANA, "Ana"), request_message(env, ANA, action.id)


def approval(env: BotEnv, action_id: int) -> dict[str, Any]:
    return one(env, "SELECT * FROM action_approvals WHERE action_id = ?", action_id)


def staff_pk(env: BotEnv, telegram_id: int) -> int:
    return int(one(env, "SELECT id FROM staff WHERE telegram_id = ?", telegram_id)["id"])


def request_message(env: BotEnv, telegram_id: int, action_id: int) -> Any:
    message = env.api.chat(telegram_id).find(f"Aprovação de desconto · ação #{action_id}")
    assert message is not None, env.api.chat(telegram_id).texts
    return message


async def test_a_big_discount_waits_for_an_admin_and_finalizes_once_approved(env: BotEnv) -> None:
    await admins(env, ANA, CARLOS)
    stub_pdf(env)
    action, contract, plan = await discounted_action(env, 40)

    asked = outbox(env, "approval_requested")
    assert sorted(n["chat_id"] for n in asked) == [ANA, CARLOS]  # not the operator
    await deliver(env)
    ana_request = request_message(env, ANA, action.id)
    assert f"Contrato {contract.number}" in ana_request.text
    assert "Plano: Fibra 1 Giga" in ana_request.text
    assert f"Preço de tabela: {plan.price.format()}" in ana_request.text
    assert "desconto de 40%" in ana_request.text
    assert "Pedido por Patrícia Atendente Souza" in ana_request.text
    assert ana_request.button_texts()[:2] == ["✅ Aprovar", "❌ Recusar"]

    operator = env.user(OPERATOR_ID, "Patrícia")
    card_id = await open_action(env, operator, action.id)
    card = env.api.chat(OPERATOR_ID).message(card_id)
    assert "🧑‍💼 Aprovação do supervisor: ⏳ pendente · desconto de 40%" in card.text
    assert "A aprovação do supervisor (um administrador) para o desconto" in card.text
    assert "✅ Aprovar" not in card.button_texts()  # operators don't decide
    await operator.tap_data(env.app, card_id, f"pa:fin:{action.id}")
    assert "aprovação do supervisor" in last_alert(env, OPERATOR_ID)
    assert action_row(env, action.id)["status"] == "pending"

    ana = env.user(ANA, "Ana")
    await ana.tap_data(env.app, ana_request.message_id, f"ap:ok:{action.id}")
    decided = approval(env, action.id)
    assert decided["decision"] == "approved" and decided["decided_by"] == staff_pk(env, ANA)
    assert last_alert(env, ANA) == "✅ Desconto aprovado."
    edited = env.api.chat(ANA).message(ana_request.message_id)
    assert "🧑‍💼 Aprovado por Ana Supervisora em " in edited.text
    assert "✅ Aprovar" not in edited.button_texts()

    # Carlos's copy is stale: the tap is told the truth and his message shows the decision.
    carlos = env.user(CARLOS, "Carlos")
    carlos_request = request_message(env, CARLOS, action.id)
    await carlos.tap_data(env.app, carlos_request.message_id, f"ap:no:{action.id}")
    assert last_alert(env, CARLOS).startswith("Já decidido por Ana Supervisora em ")
    assert last_alert(env, CARLOS).endswith(": aprovado.")
    assert "✅ Aprovar" not in env.api.chat(CARLOS).message(carlos_request.message_id).text
    assert approval(env, action.id)["decision"] == "approved"

    assert [n["chat_id"] for n in outbox(env, "approval_approved")] == [OPERATOR_ID]
    await deliver(env)
    news = env.api.chat(OPERATOR_ID).find("foi aprovado por Ana Supervisora")
    assert news is not None and "✅ Finalizar ação" in news.button_texts()

    await operator.tap_data(env.app, card_id, f"pa:fin:{action.id}")
    await operator.tap_data(env.app, card_id, f"pa:ok:{action.id}")
    assert action_row(env, action.id)["status"] == "finalized"
    await operator.tap_data(env.app, card_id, f"ct:h:{contract.id}")
    history = env.api.chat(OPERATOR_ID).message(card_id).text
    assert "🧑‍💼 Desconto aprovado por Ana Supervisora em 20/11/2026 10:00" in history


async def test_a_refusal_takes_a_reason_is_recorded_and_keeps_finalize_blocked(env: BotEnv) -> None:
    action, ana, request = await asked_of_ana(env, 50)

    await ana.tap_data(env.app, request.message_id, f"ap:no:{action.id}")
    assert "Por que recusar o desconto" in env.api.chat(ANA).message(request.message_id).text
    (too_long,) = await ana.send(env.app, "x" * 301)
    assert too_long.text == "O motivo tem 301 caracteres; o máximo é 300. Resuma, por favor."
    assert approval(env, action.id)["decision"] is None
    await ana.send(env.app, "  Desconto acima da   política comercial  ")

    decided = approval(env, action.id)
    assert decided["decision"] == "refused"
    assert decided["reason"] == "Desconto acima da política comercial"
    shown = env.api.chat(ANA).last_text or ""
    assert "🧑‍💼 Recusado por Ana Supervisora em " in shown
    assert "— Desconto acima da política comercial" in shown

    await deliver(env)
    news = env.api.chat(OPERATOR_ID).find("foi recusado por Ana Supervisora")
    assert news is not None and "Desconto acima da política comercial" in news.text
    assert news.button_texts() == ["🔄 Refazer com outro valor", "📋 Ver ação"]
    operator = env.user(OPERATOR_ID, "Patrícia")
    card_id = await open_action(env, operator, action.id)
    card = env.api.chat(OPERATOR_ID).message(card_id)
    assert "O supervisor recusou o desconto: cancele esta ação ou toque em 🔄 Refazer" in card.text
    assert "🔄 Refazer com outro valor" in card.button_texts()
    assert "✖️ Cancelar ação" in card.button_texts()
    await operator.tap_data(env.app, card_id, f"pa:fin:{action.id}")
    assert "O supervisor recusou o desconto" in last_alert(env, OPERATOR_ID)
    assert action_row(env, action.id)["status"] == "pending"

    # The way forward the card offers: cancel this one and start again with another value.
    await operator.tap(env.app, "🔄 Refazer com outro valor", card_id)
    confirm = env.api.chat(OPERATOR_ID).message(card_id)
    assert confirm.text.startswith(f"Cancelar a ação #{action.id} (desconto recusado: Desconto")
    await operator.tap(env.app, "Sim, cancelar e refazer", card_id)
    cancelled = action_row(env, action.id)
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancel_reason"] == (
        "Desconto recusado pelo supervisor: Desconto acima da política comercial"
    )
    await operator.tap(env.app, "🔄 Atualização de plano", card_id)
    assert "Etapa 1/4" in env.api.chat(OPERATOR_ID).message(card_id).text  # a fresh wizard


async def test_a_double_tap_records_one_decision_and_tells_the_owner_once(env: BotEnv) -> None:
    action, ana, request = await asked_of_ana(env, 30)

    await ana.tap_data(env.app, request.message_id, f"ap:ok:{action.id}")
    first = approval(env, action.id)
    await ana.tap_data(env.app, request.message_id, f"ap:ok:{action.id}")

    assert approval(env, action.id) == first
    assert last_alert(env, ANA).startswith("Já decidido por Ana Supervisora")
    assert len(outbox(env, "approval_approved")) == 1


async def test_staff_who_are_not_admins_get_a_friendly_refusal(env: BotEnv) -> None:
    await admins(env, ANA)
    action, _contract, _plan = await discounted_action(env, 30)
    for telegram_id in (OPERATOR_ID, TECHNICIAN_ID):
        user = env.user(telegram_id)
        (menu,) = await user.send(env.app, "/start")
        for data in (f"ap:ok:{action.id}", f"ap:no:{action.id}"):
            await user.tap_data(env.app, menu.message_id, data)
            assert last_alert(env, telegram_id) == (
                "Só um administrador pode aprovar ou recusar descontos."
            )
    assert approval(env, action.id)["decision"] is None


async def test_an_admin_does_not_approve_their_own_discount_unless_the_only_admin(
    env: BotEnv,
) -> None:
    await admins(env, ANA, CARLOS)
    action, _contract, _plan = await discounted_action(env, 30, by=ANA)
    assert [n["chat_id"] for n in outbox(env, "approval_requested")] == [CARLOS]
    ana = env.user(ANA, "Ana")
    card_id = await open_action(env, ana, action.id)
    card = env.api.chat(ANA).message(card_id)
    assert "✅ Aprovar" not in card.button_texts()
    assert "Quem pediu o desconto não o aprova" in card.text
    await ana.tap_data(env.app, card_id, f"ap:ok:{action.id}")
    assert last_alert(env, ANA) == "Você pediu este desconto: outro administrador precisa decidir."
    assert approval(env, action.id)["decision"] is None

    # A provider with one admin: nobody else could decide, so she may.
    async with env.ctx.uow() as uow:
        carlos = await uow.staff.by_telegram_id(CARLOS)
        assert carlos is not None
        await uow.staff.update(replace(carlos, active=False))
        await uow.commit()
    await ana.tap_data(env.app, card_id, f"pa:c:{action.id}")
    assert "✅ Aprovar" in env.api.chat(ANA).message(card_id).button_texts()
    await ana.tap_data(env.app, card_id, f"ap:ok:{action.id}")
    assert approval(env, action.id)["decided_by"] == staff_pk(env, ANA)


async def test_a_discount_within_the_limit_needs_no_approval(env: BotEnv) -> None:
    await admins(env, ANA)
    stub_pdf(env)
    action, _contract, _plan = await discounted_action(env, 15)
    assert rows(env, "SELECT * FROM action_approvals") == []
    assert outbox(env, "approval_requested") == []
    operator = env.user(OPERATOR_ID, "Patrícia")
    card_id = await open_action(env, operator, action.id)
    assert "🧑‍💼" not in env.api.chat(OPERATOR_ID).message(card_id).text
    await operator.tap_data(env.app, card_id, f"pa:fin:{action.id}")
    await operator.tap_data(env.app, card_id, f"pa:ok:{action.id}")
    assert action_row(env, action.id)["status"] == "finalized"


async def test_a_request_decided_before_delivery_is_not_sent(env: BotEnv) -> None:
    await admins(env, ANA, CARLOS)
    action, _contract, _plan = await discounted_action(env, 30)
    ana = env.user(ANA, "Ana")
    (menu,) = await ana.send(env.app, "/start")
    await ana.tap_data(env.app, menu.message_id, f"ap:ok:{action.id}")

    await deliver(env)

    assert env.api.chat(CARLOS).find("Aprovação de desconto") is None
    skipped = [n for n in outbox(env, "approval_requested") if n["chat_id"] == CARLOS]
    assert skipped[0]["status"] == "skipped"


async def test_a_request_whose_action_was_cancelled_says_so_when_tapped(env: BotEnv) -> None:
    action, ana, request = await asked_of_ana(env, 30)
    await cancel_action(env.ctx, staff_pk(env, OPERATOR_ID), action.id, "Cliente desistiu")

    for data in (f"ap:ok:{action.id}", f"ap:no:{action.id}"):
        await ana.tap_data(env.app, request.message_id, data)
        assert last_alert(env, ANA) == "A ação foi cancelada."
    shown = env.api.chat(ANA).message(request.message_id)
    assert "✖️ A ação foi cancelada." in shown.text
    assert shown.button_texts() == ["📋 Ver ação"]
    assert approval(env, action.id)["decision"] is None


async def test_a_reason_typed_after_another_admin_decided_is_told_who_did(env: BotEnv) -> None:
    action, ana, request = await asked_of_ana(env, 30)
    await ana.tap_data(env.app, request.message_id, f"ap:no:{action.id}")
    await add_staff_row(env, CARLOS, "Carlos Gerente", Role.ADMIN)
    await decide_approval(env.ctx, staff_pk(env, CARLOS), action.id, approve=True)

    (shown,) = await ana.send(env.app, "Fora da política")

    assert shown.text.startswith("Já decidido por Carlos Gerente em ")
    assert "🧑‍💼 Aprovado por Carlos Gerente em " in shown.text
    assert approval(env, action.id)["decision"] == "approved"


async def test_cancelar_while_typing_the_reason_goes_back_to_the_card(env: BotEnv) -> None:
    action, ana, request = await asked_of_ana(env, 30)
    await ana.tap_data(env.app, request.message_id, f"ap:no:{action.id}")

    shown = await ana.send(env.app, "/cancelar")

    assert any(f"Ação de contrato #{action.id}" in m.text for m in shown)
    assert approval(env, action.id)["decision"] is None
    await ana.send(env.app, "Fulano")  # no longer a reason: nothing is decided
    assert approval(env, action.id)["decision"] is None


async def test_a_reason_typed_after_the_action_was_cancelled_decides_nothing(env: BotEnv) -> None:
    action, ana, request = await asked_of_ana(env, 30)
    await ana.tap_data(env.app, request.message_id, f"ap:no:{action.id}")
    await cancel_action(env.ctx, staff_pk(env, OPERATOR_ID), action.id, "Cliente desistiu")

    shown = await ana.send(env.app, "Fora da política")

    assert shown[0].text == "A ação foi cancelada."
    assert "✖️ A ação foi cancelada." in shown[-1].text
    assert approval(env, action.id)["decision"] is None
    await ana.send(env.app, "Outro texto")  # no longer a reason
    assert approval(env, action.id)["decision"] is None


async def test_the_team_overview_and_metrics_show_the_approval_gate(env: BotEnv) -> None:
    action, _ana, _request = await asked_of_ana(env, 40)
    operator = env.user(OPERATOR_ID, "Patrícia")

    (listing,) = await operator.send(env.app, "/pendentes")
    lines = (listing.text or "").splitlines()
    row = lines.index(next(x for x in lines if x.startswith(f"⭐ #{action.id} · ")))
    assert lines[row + 1].startswith("    🧑‍💼 · ")
    assert "🧑‍💼 aprovação do supervisor" in listing.text
    assert (await pending_by_blocker(env.ctx)).get("approval_pending") == 1

    await decide_approval(env.ctx, staff_pk(env, ANA), action.id, approve=True)
    (listing,) = await operator.send(env.app, "/pendentes")
    lines = (listing.text or "").splitlines()
    row = lines.index(next(x for x in lines if x.startswith(f"⭐ #{action.id} · ")))
    assert lines[row + 1].startswith("    ✅ pronta · ")
    assert "approval_pending" not in await pending_by_blocker(env.ctx)


async def test_a_refusal_withdraws_the_clients_link_and_shows_as_refused(env: BotEnv) -> None:
    await admins(env, ANA)
    async with env.ctx.uow() as uow:
        plan = next(p for p in await uow.catalog.plans() if p.name == "Fibra 1 Giga")
    created, _contract = await make_action(
        env, plan="Fibra 1 Giga", value=Money(plan.price.cents // 2), with_ticket=False
    )
    action = created.action
    link = one(env, "SELECT * FROM acceptance_requests WHERE action_id = ?", action.id)
    assert link["status"] == "pending"

    await decide_approval(
        env.ctx, staff_pk(env, ANA), action.id, approve=False, reason="Fora da política"
    )
    link = one(env, "SELECT * FROM acceptance_requests WHERE action_id = ?", action.id)
    assert link["status"] == "cancelled"  # the client cannot accept a refused price
    assert (await pending_by_blocker(env.ctx)).get("approval_refused") == 1

    (listing,) = await env.user(OPERATOR_ID, "Patrícia").send(env.app, "/pendentes")
    lines = (listing.text or "").splitlines()
    row = lines.index(next(x for x in lines if x.startswith(f"⭐ #{action.id} · ")))
    assert "❌" in lines[row + 1].split(" · ")[0]  # with ⏳: the link it had is withdrawn
    assert "❌ desconto recusado" in listing.text


async def test_the_daily_digest_asks_the_admins_for_waiting_approvals(env: BotEnv) -> None:
    await admins(env, ANA, CARLOS)
    action, contract, _plan = await discounted_action(env, 40)
    await deliver(env)  # the approval requests themselves
    env.clock.advance(days=2)
    ana, carlos, patricia = (env.api.chat(i) for i in (ANA, CARLOS, OPERATOR_ID))
    before = {c.chat_id: len(c.messages) for c in (ana, carlos, patricia)}

    policy = DigestPolicy(time(0, 0), stale_days=3)
    assert await queue_digest(env.ctx, policy) == 2  # Ana and Carlos; Patrícia has nothing yet
    await deliver(env)
    (for_ana,) = ana.messages[before[ANA] :]
    lines = (for_ana.text or "").splitlines()
    assert "🧑‍💼 Descontos aguardando aprovação (1)" in lines
    assert f"• #{action.id} · {contract.number} · " in "\n".join(lines)
    assert "    2 d · Patrícia" in lines
    assert len(carlos.messages) == before[CARLOS] + 1
    assert len(patricia.messages) == before[OPERATOR_ID]  # she asked: not hers to approve
