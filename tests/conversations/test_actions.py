"""The contract action card (tutorial steps 8–9): statuses, Finalizar with gates, Confirmar
applied exactly once, Cancelar ação, Reenviar aceite, Aceite presencial, /pendentes, and
Telegram's benign errors never surfacing."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.domain.models import Evidence
from bot.preview_links import preview_action, preview_secret
from bot.services.acceptance import (
    AcceptanceUnavailable,
    decide_by_token,
    open_by_token,
    record_in_person,
)
from bot.services.tickets import close_ticket
from tests.conversations.actions_helpers import (
    OPERATOR2_ID,
    OPERATOR_ID,
    TECHNICIAN_ID,
    acceptances,
    action_row,
    active_contracts,
    answers,
    contract_row,
    db,
    errors_logged,
    home,
    last_alert,
    make_action,
    open_action,
    plan_name,
    revisions,
    rows,
    scalar,
    snapshot,
    staff_id,
    stub_pdf,
    ticket_for,
)
from tests.conversations.conftest import BotEnv

CLIENT_EVIDENCE = Evidence(ip="203.0.113.7", user_agent="Mozilla/5.0 (Android)")
MISSING_ACCEPTANCE = "O aceite do cliente ainda está pendente."
MISSING_TICKET = "O atendimento ainda não foi concluído."
ALREADY_FINALIZED = "Esta ação já foi finalizada."


async def accept_in_person(env: BotEnv, action_id: int) -> None:
    await record_in_person(env.ctx, await staff_id(env, OPERATOR_ID), action_id, "assinou na loja")


async def close(env: BotEnv, created) -> None:
    await close_ticket(
        env.ctx, await staff_id(env, TECHNICIAN_ID), created.ticket.id, "ONU trocada, sinal ok"
    )


async def ready(env: BotEnv, contract=None):
    created, contract = await make_action(env, contract)
    await accept_in_person(env, created.action.id)
    await close(env, created)
    return created, contract


def text_of(user, mid: int) -> str:
    return user.chat.message(mid).text or ""


def unchanged(env: BotEnv, action_id: int, contract_id: int) -> None:
    assert action_row(env, action_id)["status"] == "pending"
    assert contract_row(env, contract_id)["version"] == 1
    assert revisions(env, contract_id) == []


# --------------------------------------------------------------------------- the card


async def test_card_shows_statuses_with_times_at_the_top_and_the_change(env: BotEnv) -> None:
    created, contract = await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    lines = text_of(op, mid).splitlines()
    n = created.action.id
    assert lines[0] == f"📋 Ação de contrato #{n} · ⏳ pendente"
    assert lines[1] == "Aceite: ⏳ pendente (🌐 Link web, 20/11/2026 10:00)"
    assert lines[2] == (
        f"Atendimento #{created.ticket.number}: 🆕 aberto (20/11/2026 10:00) "
        "· 🔧 Marcos Técnico Oliveira"
    )
    text = text_of(op, mid)
    old, new = plan_name(env, contract.plan_id), "Fibra 1 Giga"
    assert f"📶 {old} → {new}" in text
    assert "💰 R$\u00a099,90 → R$\u00a0199,90 · Upgrade" in text
    assert "🔒 Fidelidade 12 meses: 12 meses, benefício de R$\u00a020,00/mês" in text
    assert "Criada por Patrícia Atendente Souza em 20/11/2026 10:00" in text
    assert f"Falta para finalizar:\n• {MISSING_ACCEPTANCE}\n• {MISSING_TICKET}" in text
    assert op.chat.message(mid).button_texts() == [
        "👁️ Ver como o cliente vê",
        "✅ Finalizar ação",
        "🔁 Reenviar aceite",
        "🤝 Aceite presencial",
        "✖️ Cancelar ação",
        "📄 Ver contrato (PDF)",
        "🔄 Atualizar",
        "📄 Contrato",
        "🏠 Menu",
    ]
    # The staff's preview of the client's page: a signed link of its own, not the client's.
    (label, url), *_ = op.chat.message(mid).buttons[0]
    assert label == "👁️ Ver como o cliente vê"
    secret = preview_secret(env.app.bot_data["app"].settings)
    assert url.startswith("https://aceite.provedor.test/aceite/equipe.")
    token = url.removeprefix("https://aceite.provedor.test/aceite/equipe.")
    assert preview_action(secret, token, env.clock()) == created.action.id

    # The ticket moves: 🔄 Atualizar shows the new status and time.
    env.clock.advance(hours=2)
    await close(env, created)
    await op.tap(env.app, "🔄 Atualizar", mid)
    assert (
        text_of(op, mid)
        .splitlines()[2]
        .startswith(f"Atendimento #{created.ticket.number}: ✅ concluído (20/11/2026 12:00)")
    )
    assert MISSING_TICKET not in text_of(op, mid)


# --------------------------------------------------------------------------- Finalizar


async def test_finalizar_with_unmet_gates_says_exactly_what_is_missing(env: BotEnv) -> None:
    first, second = await active_contracts(env, limit=2)
    a, _ = await make_action(env, first)
    b, _ = await make_action(env, second)
    op = env.user(OPERATOR_ID, "Patrícia")

    async def finalize(action_id: int) -> str:
        mid = await open_action(env, op, action_id)
        card = text_of(op, mid)
        before = snapshot(env)
        sent = await op.tap(env.app, "Finalizar ação", mid)
        assert sent == []
        assert text_of(op, mid) == card  # still the card, no confirmation
        assert snapshot(env) == before
        answer = env.api.last_callback_answer(OPERATOR_ID)
        assert answer is not None and answer["show_alert"] is True
        return str(answer["text"])

    # Both gates unmet.
    assert await finalize(a.action.id) == (
        f"Ainda não é possível finalizar:\n• {MISSING_ACCEPTANCE}\n• {MISSING_TICKET}"
    )
    # Ticket closed: only the acceptance is missing.
    await close(env, a)
    assert await finalize(a.action.id) == f"Ainda não é possível finalizar:\n• {MISSING_ACCEPTANCE}"
    # Accepted in person, ticket still open: only the ticket is missing.
    await accept_in_person(env, b.action.id)
    assert await finalize(b.action.id) == f"Ainda não é possível finalizar:\n• {MISSING_TICKET}"

    unchanged(env, a.action.id, first.id)
    unchanged(env, b.action.id, second.id)


async def test_declined_acceptance_blocks_until_resent_and_accepted(env: BotEnv) -> None:
    created, contract = await make_action(env, with_ticket=False)
    await decide_by_token(
        env.ctx,
        created.token or "",
        accept=False,
        evidence=CLIENT_EVIDENCE,
        document_sha256="0" * 64,
    )
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    assert "Aceite: ❌ recusado" in text_of(op, mid)
    await op.tap(env.app, "Finalizar ação", mid)
    assert "O cliente recusou o aceite" in last_alert(env, OPERATOR_ID)
    unchanged(env, created.action.id, contract.id)


async def test_confirmar_updates_the_contract_and_sends_the_pdf(env: BotEnv) -> None:
    created, contract = await ready(env)
    n = created.action.id
    old = plan_name(env, contract.plan_id)
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    assert "🟢 Pronta para finalizar." in text_of(op, mid)

    await op.tap(env.app, "Finalizar ação", mid)
    confirm = text_of(op, mid)
    assert (
        f"Confirmar atualização do contrato {contract.number} de {old} para Fibra 1 Giga?"
        in confirm
    )
    assert "💰 R$\u00a099,90 → R$\u00a0199,90" in confirm
    assert op.chat.message(mid).button_texts() == ["✅ Confirmar", "⬅️ Voltar"]
    unchanged(env, n, contract.id)  # asking is not doing

    sent = await op.tap(env.app, "Confirmar", mid)
    assert env.api.last_callback_answer(OPERATOR_ID)["text"] == "Contrato atualizado!"
    card = text_of(op, mid)
    assert card.startswith(f"✅ Contrato {contract.number} atualizado.")
    assert "📶 Fibra 1 Giga (Residencial Fibra)" in card
    assert "💰 Valor mensal: R$\u00a0199,90" in card
    assert "Versão 2 · " in card
    assert f"• v2 · 20/11/2026 10:00 · ação #{n}" in card

    k = contract_row(env, contract.id)
    assert (k["version"], k["value_cents"], plan_name(env, k["plan_id"])) == (
        2,
        19990,
        "Fibra 1 Giga",
    )
    assert k["loyalty_months"] == 12
    assert action_row(env, n)["status"] == "finalized"
    (rev,) = revisions(env, contract.id)
    assert (rev["version"], rev["action_id"]) == (2, n)
    shares = rows(
        env, "SELECT share_cents FROM contract_services WHERE contract_id = ?", contract.id
    )
    assert len(shares) == 3 and sum(r["share_cents"] for r in shares) == 19990

    names = [m.document_name for m in sent if m.document is not None]
    assert f"contrato-{contract.number}-v2.pdf" in names
    pdf = next(m for m in sent if m.document_name == f"contrato-{contract.number}-v2.pdf")
    assert pdf.document_bytes is not None and pdf.document_bytes.startswith(b"%PDF")
    assert pdf.caption == f"Contrato {contract.number}, versão 2"
    assert "upload_document" in op.chat.actions


async def test_double_tapped_confirmar_applies_once(env: BotEnv) -> None:
    pdf = stub_pdf(env)
    created, contract = await ready(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Finalizar ação", mid)

    first = await op.tap_data(env.app, mid, f"pa:ok:{n}")
    second = await op.tap_data(env.app, mid, f"pa:ok:{n}")  # the same button, again
    assert second == []
    assert last_alert(env, OPERATOR_ID) == ALREADY_FINALIZED
    assert len([m for m in first if m.document is not None]) == 2  # contract + amendment
    assert len(pdf.contracts) == 1
    assert contract_row(env, contract.id)["version"] == 2
    assert len(revisions(env, contract.id)) == 1
    assert "Versão 2" in text_of(op, mid)

    await op.tap(env.app, "🕘 Histórico", mid)
    history = text_of(op, mid)
    assert f"v2 · 20/11/2026 10:00 · ação #{n}" in history
    assert f"📶 {plan_name(env, contract.plan_id)} → Fibra 1 Giga" in history
    assert "💰 R$\u00a099,90 → R$\u00a0199,90" in history


async def test_double_tapped_finalizar_then_confirm_applies_once(
    env: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    stub_pdf(env)
    created, contract = await ready(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap_data(env.app, mid, f"pa:fin:{n}")
    confirm = text_of(op, mid)
    sent = await op.tap_data(env.app, mid, f"pa:fin:{n}")  # "message is not modified"
    assert sent == []
    assert text_of(op, mid) == confirm
    unchanged(env, n, contract.id)

    await op.tap(env.app, "Confirmar", mid)
    await op.tap_data(env.app, mid, f"pa:fin:{n}")  # a stale Finalizar from before
    assert last_alert(env, OPERATOR_ID) == ALREADY_FINALIZED
    card = text_of(op, mid)  # the success screen stays; the alert says why nothing happened
    assert card.startswith(f"✅ Contrato {contract.number} atualizado.")
    assert "✅ Finalizar ação" not in op.chat.message(mid).button_texts()
    assert contract_row(env, contract.id)["version"] == 2
    assert len(revisions(env, contract.id)) == 1
    assert errors_logged(caplog) == []


async def test_two_operators_confirming_apply_once(env: BotEnv) -> None:
    stub_pdf(env)
    created, contract = await ready(env)
    n = created.action.id
    ana, bruno = env.user(OPERATOR_ID, "Patrícia"), env.user(OPERATOR2_ID, "Bruno")
    mid_a = await open_action(env, ana, n)
    mid_b = await open_action(env, bruno, n)
    await ana.tap(env.app, "Finalizar ação", mid_a)
    await bruno.tap(env.app, "Finalizar ação", mid_b)

    await ana.tap(env.app, "Confirmar", mid_a)
    sent = await bruno.tap(env.app, "Confirmar", mid_b)
    assert [m for m in sent if m.document is not None] == []
    assert last_alert(env, OPERATOR2_ID) == ALREADY_FINALIZED
    assert contract_row(env, contract.id)["version"] == 2
    assert len(revisions(env, contract.id)) == 1
    assert action_row(env, n)["finalized_by"] == await staff_id(env, OPERATOR_ID)


async def test_two_operators_confirming_at_the_same_time_apply_once(env: BotEnv) -> None:
    stub_pdf(env)
    created, contract = await ready(env)
    n = created.action.id
    ana, bruno = env.user(OPERATOR_ID, "Patrícia"), env.user(OPERATOR2_ID, "Bruno")
    mid_a, mid_b = await home(env, ana), await home(env, bruno)
    await asyncio.gather(
        ana.tap_data(env.app, mid_a, f"pa:ok:{n}"), bruno.tap_data(env.app, mid_b, f"pa:ok:{n}")
    )
    assert contract_row(env, contract.id)["version"] == 2
    assert len(revisions(env, contract.id)) == 1
    alerts = sorted(str(a["text"]) for a in env.api.callback_answers[-2:])
    assert alerts == sorted(["Contrato atualizado!", ALREADY_FINALIZED])


# --------------------------------------------------------------------------- Cancelar ação


async def test_cancel_with_a_quick_reason(env: BotEnv) -> None:
    created, contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)
    assert text_of(op, mid).startswith(f"✖️ Cancelar a ação #{n}")
    assert op.chat.message(mid).button_texts() == [
        "Cliente desistiu",
        "Dados incorretos",
        "Ação duplicada",
        "⬅️ Voltar",
    ]
    assert action_row(env, n)["status"] == "pending"  # asking is not doing

    await op.tap(env.app, "Cliente desistiu", mid)
    assert env.api.last_callback_answer(OPERATOR_ID)["text"] == "Ação cancelada."
    card = text_of(op, mid)
    assert card.startswith("✅ Ação cancelada.")
    assert f"📋 Ação de contrato #{n} · ✖️ cancelada" in card
    assert "Cancelada em 20/11/2026 10:00. Motivo: Cliente desistiu" in card
    assert "Aceite: ✖️ cancelado" in card
    assert "✖️ cancelado" in card.split("Atendimento #")[1]
    assert "✅ Finalizar ação" not in op.chat.message(mid).button_texts()

    row = action_row(env, n)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "Cliente desistiu")
    assert [a["status"] for a in acceptances(env, n)] == ["cancelled"]
    ticket = ticket_for(env, n)
    assert (ticket["status"], ticket["cancel_reason"]) == ("cancelled", "Cliente desistiu")
    with pytest.raises(AcceptanceUnavailable):  # the client's link died with the action
        await decide_by_token(
            env.ctx,
            created.token or "",
            accept=True,
            evidence=CLIENT_EVIDENCE,
            document_sha256="0" * 64,
        )
    assert contract_row(env, contract.id)["version"] == 1

    # Old buttons on the cancelled action.
    await op.tap_data(env.app, mid, f"pa:cx:{n}")
    assert last_alert(env, OPERATOR_ID) == "A ação foi cancelada."
    await op.tap_data(env.app, mid, f"pa:fin:{n}")
    assert "A ação foi cancelada." in last_alert(env, OPERATOR_ID)
    assert action_row(env, n)["status"] == "cancelled"


async def test_cancel_with_a_typed_reason(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)

    sent = await op.send(env.app, "Cliente vai mudar de cidade")
    (card,) = sent
    assert card.text is not None and card.text.startswith("✅ Ação cancelada.")
    assert "Motivo: Cliente vai mudar de cidade" in card.text
    assert action_row(env, n)["cancel_reason"] == "Cliente vai mudar de cidade"
    ticket = ticket_for(env, n)
    assert (ticket["status"], ticket["cancel_reason"]) == (
        "cancelled",
        "Cliente vai mudar de cidade",
    )
    assert [a["status"] for a in acceptances(env, n)] == ["cancelled"]

    # The reason step is over: the next text is a search again, not another reason.
    sent = await op.send(env.app, "Silva")
    assert sent[0].text is not None and sent[0].text.startswith("🔎 Resultados para “Silva”")


async def test_an_empty_typed_reason_is_refused(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)
    before = snapshot(env)
    sent = await op.send(env.app, "   ")
    assert [m.text for m in sent] == ["Informe o motivo do cancelamento."]
    assert snapshot(env) == before
    assert action_row(env, n)["status"] == "pending"


async def test_after_an_empty_reason_the_next_typed_reason_still_cancels(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)
    await op.send(env.app, "   ")
    sent = await op.send(env.app, "Cliente vai mudar de cidade")
    assert action_row(env, n)["cancel_reason"] == "Cliente vai mudar de cidade"
    assert sent and (sent[0].text or "").startswith("✅ Ação cancelada.")


async def test_voltar_from_the_reason_step_keeps_the_action(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)
    await op.tap(env.app, "⬅️ Voltar", mid)
    assert text_of(op, mid).startswith(f"📋 Ação de contrato #{n} · ⏳ pendente")
    sent = await op.send(env.app, "Silva")
    assert sent[0].text is not None and sent[0].text.startswith("🔎 Resultados")
    assert action_row(env, n)["status"] == "pending"


async def test_cancel_twice_says_it_was_already_cancelled(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    ana, bruno = env.user(OPERATOR_ID, "Patrícia"), env.user(OPERATOR2_ID, "Bruno")
    mid_a = await open_action(env, ana, n)
    mid_b = await open_action(env, bruno, n)
    await ana.tap(env.app, "Cancelar ação", mid_a)
    await bruno.tap(env.app, "Cancelar ação", mid_b)
    await ana.tap(env.app, "Ação duplicada", mid_a)
    await bruno.tap(env.app, "Dados incorretos", mid_b)
    assert last_alert(env, OPERATOR2_ID) == "Esta ação já estava cancelada."
    assert "✖️ cancelada" in text_of(bruno, mid_b)
    row = action_row(env, n)
    assert (row["status"], row["cancel_reason"]) == ("cancelled", "Ação duplicada")
    assert ticket_for(env, n)["cancel_reason"] == "Ação duplicada"


# --------------------------------------------------------------------------- acceptance


async def test_the_link_goes_by_whatsapp_to_the_clients_phone_or_the_generic_share(
    env: BotEnv,
) -> None:
    created, contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    phone = scalar(env, "SELECT phone FROM clients WHERE id = ?", contract.client_id)
    digits = "".join(c for c in phone if c.isdigit())
    assert phone.startswith("+55 ") and len(digits) in (12, 13)  # the demo's stored format
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Reenviar aceite", mid)
    token = re.search(r"aceite/([A-Za-z0-9_-]+)", text_of(op, mid)).group(1)  # type: ignore[union-attr]
    buttons = dict(b for row in op.chat.message(mid).buttons for b in row)
    wa = urlsplit(str(buttons["💬 Enviar pelo WhatsApp"]))
    assert (wa.netloc, wa.path) == ("wa.me", f"/{digits}")
    [text] = parse_qs(wa.query)["text"]
    assert text.startswith("Olá! Preparamos a atualização do seu contrato.")
    assert f"/aceite/{token}" in text or f"start=ac_{token}" in text

    con = db(env)
    con.execute("UPDATE clients SET phone = '' WHERE id = ?", (contract.client_id,))
    con.commit()
    con.close()
    await op.tap(env.app, "Reenviar aceite", mid)
    buttons = dict(b for row in op.chat.message(mid).buttons for b in row)
    wa = urlsplit(str(buttons["💬 Enviar pelo WhatsApp"]))
    assert (wa.netloc, wa.path) == ("wa.me", "/")
    assert (
        "/aceite/" in parse_qs(wa.query)["text"][0] or "start=ac_" in parse_qs(wa.query)["text"][0]
    )


async def test_reenviar_aceite_shows_a_new_link_and_kills_the_old_one(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    assert "aceite/" not in text_of(op, mid)  # a link is shown only when it is made

    await op.tap(env.app, "Reenviar aceite", mid)
    assert env.api.last_callback_answer(OPERATOR_ID)["text"] == (
        "Novo link de aceite gerado; o anterior não funciona mais."
    )
    card = text_of(op, mid)
    match = re.search(r"🌐 Web: https://aceite\.provedor\.test/aceite/([A-Za-z0-9_-]+)", card)
    assert match, card
    new_token = match.group(1)
    assert new_token != created.token
    share = dict(b for row in op.chat.message(mid).buttons for b in row)
    assert new_token in str(share["📤 Compartilhar link de aceite"])

    assert [a["status"] for a in acceptances(env, n)] == ["cancelled", "pending"]
    with pytest.raises(AcceptanceUnavailable):
        await decide_by_token(
            env.ctx,
            created.token or "",
            accept=True,
            evidence=CLIENT_EVIDENCE,
            document_sha256="0" * 64,
        )
    request, _card = await open_by_token(env.ctx, new_token)
    assert request.action_id == n

    await decide_by_token(
        env.ctx, new_token, accept=True, evidence=CLIENT_EVIDENCE, document_sha256="0" * 64
    )
    await op.tap(env.app, "🔄 Atualizar", mid)
    assert "Aceite: ✅ aceito (🌐 Link web" in text_of(op, mid)
    assert MISSING_ACCEPTANCE not in text_of(op, mid)
    assert "aceite/" not in text_of(op, mid)  # the link is not shown again


async def test_aceite_presencial_with_a_note_flips_the_gate(env: BotEnv) -> None:
    created, contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Aceite presencial", mid)
    assert text_of(op, mid).startswith("Aceite presencial: escreva uma nota")

    sent = await op.send(env.app, "Assinou na loja em 20/11, conferido RG")
    (card,) = sent
    assert card.text is not None
    assert card.text.startswith("✅ Aceite presencial registrado.")
    assert "Aceite: ✅ aceito (🤝 Presencial, 20/11/2026 10:00)" in card.text
    assert MISSING_ACCEPTANCE not in card.text and MISSING_TICKET in card.text
    assert "🔁 Reenviar aceite" not in card.button_texts()

    old, new = acceptances(env, n)
    assert old["status"] == "cancelled"
    assert (new["status"], new["channel"]) == ("accepted", "in_person")
    import json

    evidence = json.loads(new["evidence"])
    assert evidence == {
        "staff_id": await staff_id(env, OPERATOR_ID),
        "note": "Assinou na loja em 20/11, conferido RG",
    }

    await close(env, created)
    await op.tap(env.app, "Finalizar ação", card.message_id)
    assert "Confirmar atualização do contrato" in text_of(op, card.message_id)
    assert contract_row(env, contract.id)["version"] == 1


async def test_aceite_presencial_with_a_photo_and_caption(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Aceite presencial", mid)

    sent = await op.send_photo(env.app, file_id="signed-page-1")  # no caption: no note
    assert [m.text for m in sent] == ["Escreva uma nota (não pode ficar vazia)."]
    assert [a["status"] for a in acceptances(env, n)] == ["pending"]

    sent = await op.send_photo(env.app, file_id="signed-page-2", caption="Página assinada")
    assert sent[-1].text is not None and sent[-1].text.startswith(
        "✅ Aceite presencial registrado."
    )
    accepted = acceptances(env, n)[-1]
    import json

    evidence = json.loads(accepted["evidence"])
    assert accepted["status"] == "accepted"
    assert evidence["note"] == "Página assinada"
    assert evidence["staff_id"] == await staff_id(env, OPERATOR_ID)
    assert evidence["photo_file_id"] == "signed-page-2"


@pytest.mark.parametrize(
    "step, leave", [("Cancelar ação", "/start"), ("Aceite presencial", "/pendentes")]
)
async def test_leaving_a_typed_step_with_a_command_does_not_capture_the_next_text(
    env,
    step: str,
    leave: str,
) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, step, mid)
    await op.send(env.app, leave)
    sent = await op.send(env.app, "Silva")  # a client search, as the menu suggests
    assert action_row(env, n)["status"] == "pending"
    assert [a["status"] for a in acceptances(env, n)] == ["pending"]
    assert sent[0].text is not None and sent[0].text.startswith("🔎 Resultados")


async def test_stale_resend_on_a_cancelled_action_explains_why(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)
    await op.tap(env.app, "Cancelar ação", mid)
    await op.tap(env.app, "Ação duplicada", mid)
    await op.tap_data(env.app, mid, f"pa:rs:{n}", raise_errors=False)
    assert [a["status"] for a in acceptances(env, n)] == ["cancelled"]
    assert last_alert(env, OPERATOR_ID) == "Esta solicitação de aceite não está mais pendente."


# --------------------------------------------------------------------------- /pendentes


async def test_pendentes_lists_own_first_paginated_and_opens_the_card(env: BotEnv) -> None:
    contracts = await active_contracts(env, limit=11)
    assert len(contracts) == 11
    mine, others = [], []
    for i, contract in enumerate(contracts):
        by = OPERATOR2_ID if i % 2 == 0 else OPERATOR_ID  # interleaved creation order
        created, _ = await make_action(env, contract, by=by)
        (others if by == OPERATOR2_ID else mine).append((created.action.id, contract))
        env.clock.advance(minutes=1)

    op = env.user(OPERATOR_ID, "Patrícia")
    (page1,) = await op.send(env.app, "/pendentes")
    lines = (page1.text or "").splitlines()
    assert lines[0] == "⏳ Ações pendentes · Todas"
    assert lines[1] == "11 ações · página 1 de 2"
    assert lines[2:4] == ["⭐ suas · ⏳ aceite do cliente", "🛠️ atendimento"]
    rows = lines[4::2]  # each action takes two lines: who and what, then why and how old
    expected_order = [a for a, _ in mine] + [a for a, _ in others]
    listed = [int(re.search(r"#(\d+)", line).group(1)) for line in rows]  # type: ignore[union-attr]
    assert listed == expected_order[:8]
    assert all(line.startswith("⭐") for line in rows[: len(mine)])
    assert all(line.startswith("•") for line in rows[len(mine) :])
    first_row = page1.buttons[0][0]
    aid, contract = mine[0]
    assert first_row[1] == f"pa:c:{aid}"
    assert first_row[0].startswith(f"#{aid} · {contract.number} · ")
    assert [t for t, _ in page1.buttons[8]] == ["1/2", "Próxima ▶️"]

    await op.tap(env.app, "Próxima ▶️", page1.message_id)
    page2 = op.chat.message(page1.message_id)
    lines2 = (page2.text or "").splitlines()
    assert lines2[1] == "11 ações · página 2 de 2"
    assert [int(re.search(r"#(\d+)", x).group(1)) for x in lines2[4::2]] == expected_order[8:]  # type: ignore[union-attr]
    assert [t for t, _ in page2.buttons[3]] == ["◀️ Anterior", "2/2"]

    target = expected_order[9]
    await op.tap(env.app, lambda t: t.startswith(f"#{target} · "), page1.message_id)
    assert text_of(op, page1.message_id).startswith(f"📋 Ação de contrato #{target} · ⏳ pendente")

    # Finalized and cancelled actions leave the list.
    await op.tap_data(env.app, page1.message_id, f"pa:cx:{target}")
    await op.tap(env.app, "Ação duplicada", page1.message_id)
    (again,) = await op.send(env.app, "/pendentes")
    assert "10 ações · página 1 de 2" in (again.text or "")
    assert f"#{target} ·" not in (again.text or "")


async def test_pendentes_stale_page_past_the_end_shows_the_last_page(env: BotEnv) -> None:
    from bot.services.plan_update import cancel_action

    ids = [(await make_action(env, c))[0].action.id for c in await active_contracts(env, limit=9)]
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/pendentes")
    await op.tap(env.app, "Próxima ▶️", msg.message_id)
    await cancel_action(env.ctx, await staff_id(env, OPERATOR2_ID), ids[0], "duplicada")
    await op.tap(env.app, "2/2", msg.message_id)  # refresh the page that no longer exists
    text = text_of(op, msg.message_id)
    assert "página 2 de 1" not in text
    assert "8 ações · página 1 de 1" in text
    assert len(re.findall(r"#\d+ ·", text)) == 8


async def test_pendentes_with_nothing_pending(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/pendentes")
    assert msg.text == "⏳ Ações pendentes · Todas\nNenhuma ação pendente. 🎉"
    assert msg.button_texts() == ["Minhas", "• Todas •", "Paradas +3 d", "🏠 Menu"]


# --------------------------------------------------------------------------- benign errors


async def test_refreshing_an_unchanged_card_twice_is_silent(
    env: BotEnv, caplog: pytest.LogCaptureFixture
) -> None:
    created, _contract = await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, created.action.id)
    card = text_of(op, mid)
    count = len(op.chat.messages)
    for _ in range(2):
        sent = await op.tap(env.app, "🔄 Atualizar", mid)
        assert sent == []
    assert len(op.chat.messages) == count
    assert text_of(op, mid) == card
    assert any("not modified" in e.description for e in env.api.errors)  # it did happen
    assert len(answers(env, OPERATOR_ID)) == 3  # open + 2 refreshes, all answered
    assert errors_logged(caplog) == []
    assert not any("Algo deu errado" in t for t in op.chat.texts)


async def test_query_too_old_never_surfaces(env: BotEnv, caplog: pytest.LogCaptureFixture) -> None:
    stub_pdf(env)
    created, contract = await ready(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await open_action(env, op, n)

    for button in ["🔄 Atualizar", "Finalizar ação"]:
        update = op.tap_button_update(button, mid)
        env.api.expire_callback_queries()  # the bot was slow: Telegram forgot the query
        await op.process(env.app, update)
    assert "Confirmar atualização do contrato" in text_of(op, mid)

    update = op.tap_button_update("Confirmar", mid)
    env.api.expire_callback_queries()
    sent = await op.process(env.app, update)
    assert "Versão 2" in text_of(op, mid)
    assert len([m for m in sent if m.document is not None]) == 2
    assert any("query is too old" in e.description for e in env.api.errors)
    assert errors_logged(caplog) == []
    assert not any("Algo deu errado" in t for t in op.chat.texts)
    assert contract_row(env, contract.id)["version"] == 2
    assert scalar(env, "SELECT COUNT(*) FROM contract_revisions") == 1
