"""Gates flipping and what staff are told (notifications and the finalize gates): the client's
answer and the ticket's closing reach the action's owner (and the optional staff group) through
the outbox; when finalizing becomes possible the message carries the card and a Finalizar ação
button that works; reminders and expiry are told once."""

from __future__ import annotations

from dataclasses import replace

from bot.domain.models import AcceptanceChannel, Evidence
from bot.services.acceptance import decide_by_token, expire_overdue, remind_pending
from bot.services.plan_update import cancel_action, finalize_action
from tests.conversations.actions_helpers import (
    action_row,
    contract_row,
    last_alert,
    revisions,
    staff_id,
)
from tests.conversations.notif_helpers import (
    OPERATOR2_ID,
    OPERATOR_ID,
    TECHNICIAN_ID,
    active_contracts,
    answer,
    client,
    deliver,
    dispatcher,
    make_action,
    open_action,
    open_link,
    outbox,
    plan_name,
    snapshot,
    stub_pdf,
    ticket_row,
)

WEB = Evidence(ip="203.0.113.7", user_agent="Mozilla/5.0 (Linux; Android 14)")
DOC_SHA = "5" * 64
GROUP_ID = -1001234500000
MISSING_ACCEPTANCE = "O aceite do cliente ainda está pendente."
MISSING_TICKET = "O atendimento ainda não foi concluído."
CAN_FINALIZE = "🟢 Tudo pronto: a ação já pode ser finalizada."


def lines(msg) -> list[str]:  # type: ignore[no-untyped-def]
    return (msg.text or "").splitlines()


def new_messages(user, before: int):  # type: ignore[no-untyped-def]
    return user.chat.messages[before:]


def with_group(env) -> object:  # type: ignore[no-untyped-def]
    """STAFF_GROUP_CHAT_ID set, and the group exists on the fake Telegram."""
    services = env.app.bot_data["app"]
    services.settings = replace(services.settings, staff_group_chat_id=GROUP_ID)
    return env.api.group(GROUP_ID, "Equipe Provedor")


async def accept_on_the_web(env, token: str | None) -> None:  # type: ignore[no-untyped-def]
    assert token
    await decide_by_token(env.ctx, token, accept=True, evidence=WEB, document_sha256=DOC_SHA)


# --------------------------------------------------------------------------- the whole story


async def test_acceptance_then_ticket_close_unlocks_finalizar_on_the_notification(env) -> None:  # type: ignore[no-untyped-def]
    stub = stub_pdf(env)
    created, contract = await make_action(env)  # web acceptance + ticket for Marcos, both gates
    action_id, n = created.action.id, created.action.id
    old_plan = plan_name(env, contract.plan_id)
    op = env.user(OPERATOR_ID, "Patrícia")
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    assert await deliver(env) == 1  # Marcos: his new ticket
    assert op.chat.messages == []

    # Before: Finalizar lists both missing items and changes nothing.
    mid = await open_action(env, op, action_id)
    before = snapshot(env)
    await op.tap_data(env.app, mid, f"pa:fin:{action_id}")
    alert = last_alert(env, OPERATOR_ID)
    assert alert == f"Ainda não é possível finalizar:\n• {MISSING_ACCEPTANCE}\n• {MISSING_TICKET}"
    assert snapshot(env) == before
    seen = len(op.chat.messages)

    # The client accepts on the web page; the owner is told, but the ticket is still open.
    await accept_on_the_web(env, created.token)
    assert await deliver(env) == 1
    (accepted,) = new_messages(op, seen)
    assert lines(accepted)[0] == f"🔔 O cliente aceitou a ação #{n} (contrato {contract.number})"
    text = accepted.text or ""
    assert f"📋 Ação de contrato #{n} · ⏳ pendente" in text
    assert "Aceite: ✅ aceito (🌐 Link web, 20/11/2026 10:00)" in text
    assert f"📶 {old_plan} → Fibra 1 Giga" in text
    assert f"Falta para finalizar:\n• {MISSING_TICKET}" in text
    assert MISSING_ACCEPTANCE not in text
    assert "Tudo pronto" not in text
    assert accepted.buttons == [[("📋 Ver ação", f"pa:c:{action_id}")]]
    assert action_row(env, action_id)["status"] == "pending"

    # Marcos closes the ticket from his chat.
    env.clock.advance(hours=2)
    (assigned,) = marcos.chat.messages
    await marcos.tap(env.app, "🛠️ Ver atendimento", assigned.message_id)
    await marcos.tap(env.app, "✅ Concluir", assigned.message_id)
    await marcos.send(env.app, "ONU trocada, sinal ok")
    assert ticket_row(env, created.ticket.id)["status"] == "closed"

    seen = len(op.chat.messages)
    assert await deliver(env) == 1
    (ready,) = new_messages(op, seen)
    assert lines(ready)[0] == (
        f"🔔 O atendimento da ação #{n} (contrato {contract.number}) foi concluído"
    )
    assert lines(ready)[1] == CAN_FINALIZE
    text = ready.text or ""
    assert f"Atendimento #{created.ticket.id}: ✅ concluído (20/11/2026 12:00)" in text
    assert "🟢 Pronta para finalizar." in text
    assert "Falta para finalizar" not in text
    assert ready.buttons == [
        [("✅ Finalizar ação", f"pa:fin:{action_id}")],
        [("📋 Ver ação", f"pa:c:{action_id}")],
    ]

    # Finalizar on that very message → confirmation → Confirmar.
    await op.tap(env.app, "✅ Finalizar ação", ready.message_id)
    confirm = op.chat.message(ready.message_id)
    assert (
        f"Confirmar atualização do contrato {contract.number} de {old_plan} para Fibra 1 Giga?"
        in (confirm.text or "")
    )
    assert confirm.button_texts() == ["✅ Confirmar", "⬅️ Voltar"]
    assert action_row(env, action_id)["status"] == "pending"

    await op.tap(env.app, "✅ Confirmar", ready.message_id)
    assert action_row(env, action_id)["status"] == "finalized"
    row = contract_row(env, contract.id)
    assert row["version"] == 2
    assert plan_name(env, row["plan_id"]) == "Fibra 1 Giga"
    assert row["value_cents"] == 19990
    assert len(revisions(env, contract.id)) == 1
    assert f"Contrato {contract.number} atualizado." in (
        op.chat.message(ready.message_id).text or ""
    )
    pdf = op.chat.documents[0]
    assert pdf.document_name == f"contrato-{contract.number}-v2.pdf"
    assert pdf.caption == f"Contrato {contract.number}, versão 2"
    assert pdf.document_bytes is not None and pdf.document_bytes.startswith(b"%PDF")
    assert stub.contracts[-1].version == 2

    # Nothing else to tell: the owner finalized it himself; every row went out exactly once.
    assert await deliver(env) == 0
    assert [(r["kind"], r["status"]) for r in outbox(env)] == [
        ("ticket_assigned", "sent"),
        ("acceptance_accepted", "sent"),
        ("ticket_closed", "sent"),
    ]
    assert len(marcos.chat.messages) == 2  # his notification (now the card) and the closed card


async def test_ticket_closed_first_then_acceptance_unlocks_finalizar(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    await deliver(env)
    (assigned,) = marcos.chat.messages
    await marcos.tap(env.app, "🛠️ Ver atendimento", assigned.message_id)
    await marcos.tap(env.app, "✅ Concluir", assigned.message_id)
    await marcos.send(env.app, "Feito")

    assert await deliver(env) == 1
    closed = op.chat.last
    assert closed is not None
    assert lines(closed)[0].endswith("foi concluído")
    assert f"Falta para finalizar:\n• {MISSING_ACCEPTANCE}" in (closed.text or "")
    assert "✅ Finalizar ação" not in closed.button_texts()

    await accept_on_the_web(env, created.token)
    assert await deliver(env) == 1
    accepted = op.chat.last
    assert accepted is not None and accepted.message_id != closed.message_id
    assert lines(accepted)[:2] == [
        f"🔔 O cliente aceitou a ação #{created.action.id} (contrato {contract.number})",
        CAN_FINALIZE,
    ]
    assert accepted.button_texts() == ["✅ Finalizar ação", "📋 Ver ação"]


# --------------------------------------------------------------------------- Telegram client


async def test_client_accepting_in_telegram_notifies_the_owner_ready_to_finalize(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, contract = await make_action(
        env, channel=AcceptanceChannel.TELEGRAM, with_ticket=False
    )
    op = env.user(OPERATOR_ID, "Patrícia")
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "✅ Aceitar")
    await answer(env, joana, created.action.id, "✅ Sim, aceito")

    assert await deliver(env) == 1
    (told,) = op.chat.messages
    assert lines(told)[:2] == [
        f"🔔 O cliente aceitou a ação #{created.action.id} (contrato {contract.number})",
        CAN_FINALIZE,
    ]
    assert "Aceite: ✅ aceito (📱 Link pelo Telegram, 20/11/2026 10:00)" in (told.text or "")
    assert "Atendimento: não aberto" in (told.text or "")
    assert told.button_texts() == ["✅ Finalizar ação", "📋 Ver ação"]
    # Nothing about staff reaches the client.
    assert all("Ação de contrato" not in (m.text or "") for m in joana.chat.messages)


async def test_client_declining_in_telegram_tells_the_owner_what_blocks(env) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, contract = await make_action(
        env, channel=AcceptanceChannel.TELEGRAM, with_ticket=False
    )
    op = env.user(OPERATOR_ID, "Patrícia")
    joana = client(env)
    await open_link(env, joana, created.token)
    await joana.tap(env.app, "❌ Recusar")
    await answer(env, joana, created.action.id, "❌ Sim, recuso")

    assert await deliver(env) == 1
    (told,) = op.chat.messages
    assert lines(told)[0] == (
        f"🔔 O cliente recusou a ação #{created.action.id} (contrato {contract.number})"
    )
    assert "Aceite: ❌ recusado" in (told.text or "")
    assert (
        "Falta para finalizar:\n• O cliente recusou o aceite. Reenvie o aceite ou cancele a ação."
        in (told.text or "")
    )
    assert told.button_texts() == ["📋 Ver ação"]


# --------------------------------------------------------------------------- staff group


async def test_staff_group_gets_a_copy_of_action_news_without_buttons(env) -> None:  # type: ignore[no-untyped-def]
    group = with_group(env)
    c1, c2, c3 = await active_contracts(env, limit=3)
    accepted, _ = await make_action(env, c1)  # ticket for Marcos
    declined, _ = await make_action(env, c2, with_ticket=False, by=OPERATOR2_ID)
    expiring, _ = await make_action(env, c3, with_ticket=False)
    op = env.user(OPERATOR_ID, "Patrícia")
    op2 = env.user(OPERATOR2_ID, "Bruno")
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    assert await deliver(env) == 1
    assert group.messages == []  # a ticket assignment is the technician's business

    await accept_on_the_web(env, accepted.token)
    assert declined.token
    await decide_by_token(
        env.ctx, declined.token, accept=False, evidence=WEB, document_sha256=DOC_SHA
    )
    assert await deliver(env) == 2
    assert op.chat.last is not None and op.chat.last.button_texts() == ["📋 Ver ação"]
    assert op2.chat.last is not None
    assert lines(op2.chat.last)[0].startswith("🔔 O cliente recusou a ação")
    group_texts = [m.text or "" for m in group.messages]
    assert len(group_texts) == 2
    assert group_texts[0].startswith(f"🔔 O cliente aceitou a ação #{accepted.action.id}")
    assert group_texts[1].startswith(f"🔔 O cliente recusou a ação #{declined.action.id}")
    assert f"📋 Ação de contrato #{accepted.action.id}" in group_texts[0]

    # The ticket's closing, too.
    (assigned,) = marcos.chat.messages
    await marcos.tap(env.app, "🛠️ Ver atendimento", assigned.message_id)
    await marcos.tap(env.app, "✅ Concluir", assigned.message_id)
    await marcos.send(env.app, "Feito")
    assert await deliver(env) == 1
    assert lines(group.messages[-1])[0] == (
        f"🔔 O atendimento da ação #{accepted.action.id} (contrato {c1.number}) foi concluído"
    )

    # Reminders are for the owner only; expiry goes to the group as well.
    env.clock.advance(hours=25)
    assert await remind_pending(env.ctx, env.core.settings.acceptance_reminder_after) == 1
    assert await deliver(env) == 1
    assert len(group.messages) == 3
    env.clock.advance(days=7)
    assert await expire_overdue(env.ctx) == 1
    assert await deliver(env) == 1
    assert lines(group.messages[-1])[0] == (
        f"🔔 O link de aceite da ação #{expiring.action.id} (contrato {c3.number}) expirou"
    )
    assert len(group.messages) == 4
    assert all(m.buttons == [] for m in group.messages)
    assert {r["status"] for r in outbox(env)} == {"sent"}


async def test_a_missing_staff_group_does_not_stop_the_owner_message(env) -> None:  # type: ignore[no-untyped-def]
    services = env.app.bot_data["app"]
    services.settings = replace(services.settings, staff_group_chat_id=GROUP_ID)  # bot not in it
    created, _ = await make_action(env, with_ticket=False)
    op = env.user(OPERATOR_ID, "Patrícia")
    await accept_on_the_web(env, created.token)

    assert await deliver(env) == 1
    assert op.chat.last is not None
    assert lines(op.chat.last)[0].startswith("🔔 O cliente aceitou")
    (row,) = outbox(env)
    assert row["status"] == "sent"
    assert await deliver(env) == 0
    assert len(op.chat.messages) == 1


# --------------------------------------------------------------------------- reminders, expiry


async def test_reminder_once_then_expiry_once(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await make_action(env, with_ticket=False)
    op = env.user(OPERATOR_ID, "Patrícia")
    after = env.core.settings.acceptance_reminder_after
    n = created.action.id

    assert await remind_pending(env.ctx, after) == 0
    env.clock.advance(seconds=after.total_seconds() - 60)
    assert await remind_pending(env.ctx, after) == 0
    assert await deliver(env) == 0

    env.clock.advance(minutes=2)
    assert await remind_pending(env.ctx, after) == 1
    assert await deliver(env) == 1
    (reminder,) = op.chat.messages
    assert lines(reminder)[0] == (
        f"🔔 Lembrete: o aceite da ação #{n} (contrato {contract.number}) ainda está pendente"
    )
    assert "Aceite: ⏳ pendente" in (reminder.text or "")
    assert f"Falta para finalizar:\n• {MISSING_ACCEPTANCE}" in (reminder.text or "")
    assert reminder.button_texts() == ["📋 Ver ação"]

    # Once only, however often the job runs.
    env.clock.advance(hours=30)
    assert await remind_pending(env.ctx, after) == 0
    assert await deliver(env) == 0
    assert len(op.chat.messages) == 1

    # Expiry.
    env.clock.advance(days=7)
    assert await expire_overdue(env.ctx) == 1
    assert await deliver(env) == 1
    expired = op.chat.last
    assert expired is not None and expired.message_id != reminder.message_id
    assert lines(expired)[0] == (
        f"🔔 O link de aceite da ação #{n} (contrato {contract.number}) expirou"
    )
    assert "Aceite: ⌛ expirado" in (expired.text or "")
    assert "• O link de aceite expirou. Reenvie o aceite." in (expired.text or "")
    assert expired.button_texts() == ["📋 Ver ação"]

    assert await expire_overdue(env.ctx) == 0
    assert await remind_pending(env.ctx, after) == 0
    assert await deliver(env) == 0
    assert len(op.chat.messages) == 2
    assert [(r["kind"], r["status"]) for r in outbox(env)] == [
        ("acceptance_reminder", "sent"),
        ("acceptance_expired", "sent"),
    ]


async def test_one_dispatcher_run_twice_sends_each_row_once(env) -> None:  # type: ignore[no-untyped-def]
    created, _ = await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    await accept_on_the_web(env, created.token)
    d = dispatcher(env)
    assert await d.run_once() == 2
    assert await d.run_once() == 0
    assert await dispatcher(env).run_once() == 0  # a restarted bot too
    assert len(op.chat.messages) == 1 and len(marcos.chat.messages) == 1


# --------------------------------------------------------------------------- someone else acted


async def test_finalized_by_someone_else_tells_the_owner_and_a_stale_button_applies_nothing(
    env,
) -> None:  # type: ignore[no-untyped-def]
    stub_pdf(env)
    created, contract = await make_action(env, with_ticket=False)
    op = env.user(OPERATOR_ID, "Patrícia")
    await accept_on_the_web(env, created.token)
    await deliver(env)
    (ready,) = op.chat.messages
    assert "✅ Finalizar ação" in ready.button_texts()

    await finalize_action(env.ctx, await staff_id(env, OPERATOR2_ID), created.action.id)
    assert await deliver(env) == 1
    told = op.chat.last
    assert told is not None
    assert lines(told)[0] == (
        f"🔔 A ação #{created.action.id} (contrato {contract.number}) foi finalizada "
        "por outra pessoa da equipe"
    )
    assert "✅ Finalizar ação" not in told.button_texts()

    # The old notification's Finalizar: "já finalizada", nothing applied twice.
    await op.tap(env.app, "✅ Finalizar ação", ready.message_id)
    assert last_alert(env, OPERATOR_ID) == "Esta ação já foi finalizada."
    await op.tap_data(env.app, ready.message_id, f"pa:ok:{created.action.id}")
    assert contract_row(env, contract.id)["version"] == 2
    assert len(revisions(env, contract.id)) == 1
    assert op.chat.documents == []


async def test_cancelled_by_someone_else_tells_owner_and_technician(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await make_action(env)
    op = env.user(OPERATOR_ID, "Patrícia")
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    await deliver(env)
    await cancel_action(
        env.ctx, await staff_id(env, OPERATOR2_ID), created.action.id, "Dados incorretos"
    )
    assert await deliver(env) == 2
    assert lines(op.chat.last)[0] == (
        f"🔔 A ação #{created.action.id} (contrato {contract.number}) foi cancelada "
        "por outra pessoa da equipe"
    )
    assert "Motivo: Dados incorretos" in (op.chat.last.text or "")
    assert op.chat.last.button_texts() == ["📋 Ver ação"]
    assert lines(marcos.chat.last)[0] == f"✖️ Atendimento #{created.ticket.id} cancelado"


async def test_notifications_speak_the_owners_language(env) -> None:  # type: ignore[no-untyped-def]
    async with env.ctx.uow() as uow:
        owner = await uow.staff.by_telegram_id(OPERATOR_ID)
        assert owner is not None
        await uow.staff.update(replace(owner, locale="en"))
        await uow.commit()
    created, contract = await make_action(env, with_ticket=False)
    op = env.user(OPERATOR_ID, "Patricia", language_code="en")
    await accept_on_the_web(env, created.token)
    assert await deliver(env) == 1
    assert lines(op.chat.last)[:2] == [
        f"🔔 The client accepted action #{created.action.id} (contract {contract.number})",
        "🟢 All set: the action can be finalized now.",
    ]
    assert op.chat.last.button_texts()[1] == "📋 View action"
