"""Tickets (atendimentos) on the technician's phone (tutorial steps 5 and 7): the assignment
notification, the ticket card, Iniciar, Adicionar nota, Concluir with a resolution, /atendimentos
by priority, the unassigned queue with Assumir, and who may see which ticket."""

from __future__ import annotations

from bot.domain.contact import display_phone
from bot.domain.models import Priority
from bot.services.plan_update import cancel_action
from bot.services.tickets import close_ticket
from tests.conversations.actions_helpers import (
    last_alert,
    rows,
    staff_id,
)
from tests.conversations.notif_helpers import (
    OPERATOR_ID,
    TECHNICIAN2_ID,
    TECHNICIAN_ID,
    active_contracts,
    deliver,
    make_action,
    outbox,
    snapshot,
    ticket_row,
)

MARCOS = "Marcos Técnico Oliveira"
JULIANA = "Juliana Técnica Santos"
NOT_ASSIGNEE = "Este atendimento está atribuído a outra pessoa."
FORGED_VERBS = ("tk:c:", "tk:tk:", "tk:st:", "tk:nt:", "tk:cl:")


def notes(env, ticket_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        r["text"]
        for r in rows(
            env, "SELECT text FROM ticket_notes WHERE ticket_id = ? ORDER BY id", ticket_id
        )
    ]


async def client_of(env, contract):  # type: ignore[no-untyped-def]
    async with env.ctx.uow() as uow:
        client = await uow.clients.get(contract.client_id)
    assert client is not None
    return client


async def tickets_screen(env, user) -> int:  # type: ignore[no-untyped-def]
    (screen,) = await user.send(env.app, "/atendimentos")
    return screen.message_id


def list_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(("🔴", "🟠", "🟢", "⚪"))]


def ticket_buttons(msg) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(data) for row in msg.buttons for _, data in row if str(data).startswith("tk:c:")]


# --------------------------------------------------------------------------- the assignee's flow


async def test_technician_is_notified_and_works_the_ticket_from_the_chat(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await make_action(env)  # ticket assigned to Marcos
    ticket = created.ticket
    client = await client_of(env, contract)
    marcos = env.user(TECHNICIAN_ID, "Marcos")

    assert await deliver(env) == 1
    (note,) = marcos.chat.messages
    text = note.text or ""
    assert text.splitlines()[0] == f"🛠️ Novo atendimento #{ticket.id} para você"
    assert "Alta · Visita técnica" in text
    assert f"👤 {client.name}" in text
    assert f"📍 {client.address.one_line()}" in text
    assert "📝 Trocar ONU para suportar o novo plano" in text
    assert note.buttons == [[("🛠️ Ver atendimento", f"tk:c:{ticket.id}")]]
    assert outbox(env, "ticket_assigned")[0]["status"] == "sent"

    # Ver atendimento: the card, everything needed in the street.
    await marcos.tap(env.app, "🛠️ Ver atendimento")
    card = marcos.chat.message(note.message_id)
    text = card.text or ""
    assert text.splitlines()[0] == f"🛠️ Atendimento #{ticket.id} · 🆕 aberto"
    assert f"🔧 {MARCOS}" in text
    assert (
        f"👤 {client.name}\n📞 {display_phone(client.phone)}\n📍 {client.address.street_line()}"
        in text
    )
    assert f"📄 Contrato {contract.number}" in text
    assert "📝 Trocar ONU para suportar o novo plano" in text
    assert f"🔗 Ligado à ação de contrato #{created.action.id}" in text
    assert card.button_texts() == [
        "▶️ Iniciar",
        "📝 Adicionar nota",
        "✅ Concluir",
        "📍 Abrir no mapa",
        "💬 WhatsApp",
        "🔄 Atualizar",
        "⬅️ Voltar",
    ]

    # Iniciar
    env.clock.advance(minutes=30)
    await marcos.tap(env.app, "▶️ Iniciar", note.message_id)
    text = marcos.chat.message(note.message_id).text or ""
    assert text.startswith("✅ Atendimento iniciado.")
    assert f"🛠️ Atendimento #{ticket.id} · 🔧 em andamento" in text
    assert "iniciado em 20/11/2026 10:30" in text
    assert "▶️ Iniciar" not in marcos.chat.message(note.message_id).button_texts()
    row = ticket_row(env, ticket.id)
    assert row["status"] == "in_progress" and row["started_at"].startswith("2026-11-20 13:30")

    # Adicionar nota: asks, then the typed text shows on a fresh card.
    await marcos.tap(env.app, "📝 Adicionar nota", note.message_id)
    assert marcos.chat.message(note.message_id).text == (
        f"Digite a nota para o atendimento #{ticket.id}:"
    )
    (noted,) = await marcos.send(env.app, "Cliente pediu visita à tarde")
    assert (noted.text or "").startswith("✅ Nota adicionada.")
    assert f"• 20/11/2026 10:30 · {MARCOS}: Cliente pediu visita à tarde" in (noted.text or "")
    assert notes(env, ticket.id) == ["Cliente pediu visita à tarde"]

    # Concluir: asks for the resolution; an empty one is refused and the question stays.
    env.clock.advance(hours=1)
    await marcos.tap(env.app, "✅ Concluir", noted.message_id)
    assert marcos.chat.message(noted.message_id).text == (
        f"Para concluir o atendimento #{ticket.id}, descreva o que foi feito (nota de resolução):"
    )
    (refusal,) = await marcos.send(env.app, "   ")
    assert refusal.text == "Escreva uma nota (não pode ficar vazia)."
    assert ticket_row(env, ticket.id)["status"] == "in_progress"

    (closed,) = await marcos.send(env.app, "ONU trocada, sinal -19 dBm, velocidade ok")
    text = closed.text or ""
    assert text.startswith("✅ Atendimento concluído.")
    assert f"🛠️ Atendimento #{ticket.id} · ✅ concluído" in text
    assert "concluído em 20/11/2026 11:30" in text
    assert "✅ Resolução: ONU trocada, sinal -19 dBm, velocidade ok" in text
    assert closed.button_texts() == [
        "📍 Abrir no mapa",
        "💬 WhatsApp",
        "🔄 Atualizar",
        "⬅️ Voltar",
    ]
    row = ticket_row(env, ticket.id)
    assert row["status"] == "closed"
    assert row["resolution"] == "ONU trocada, sinal -19 dBm, velocidade ok"
    assert row["closed_at"].startswith("2026-11-20 14:30")
    # The action's owner will be told.
    (told,) = outbox(env, "ticket_closed")
    assert told["chat_id"] == OPERATOR_ID

    # Typing afterwards is not another note, nor a second resolution.
    await marcos.send(env.app, "esqueci de dizer")
    assert notes(env, ticket.id) == ["Cliente pediu visita à tarde"]
    assert ticket_row(env, ticket.id)["resolution"] == "ONU trocada, sinal -19 dBm, velocidade ok"
    assert len(outbox(env, "ticket_closed")) == 1


async def test_voltar_while_typing_a_note_leaves_without_a_note(env) -> None:  # type: ignore[no-untyped-def]
    created, _contract = await make_action(env)
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    mid = await tickets_screen(env, marcos)
    await marcos.tap_data(env.app, mid, f"tk:c:{created.ticket.id}")
    await marcos.tap(env.app, "📝 Adicionar nota", mid)
    await marcos.tap(env.app, "⬅️ Voltar", mid)
    assert (marcos.chat.message(mid).text or "").startswith(f"🛠️ Atendimento #{created.ticket.id}")
    await marcos.send(env.app, "Rua Sete de Setembro")  # now a search, not a note
    assert notes(env, created.ticket.id) == []


async def test_atendimentos_lists_own_open_tickets_urgent_first(env) -> None:  # type: ignore[no-untyped-def]
    c1, c2, c3, c4, c5 = await active_contracts(env, limit=5)
    low, _ = await make_action(env, c1, priority=Priority.LOW)
    urgent, _ = await make_action(env, c2, priority=Priority.URGENT)
    normal, _ = await make_action(env, c3, priority=Priority.NORMAL)
    juliana_s, _ = await make_action(env, c4, priority=Priority.URGENT, assignee=TECHNICIAN2_ID)
    closed, _ = await make_action(env, c5, priority=Priority.URGENT)
    await close_ticket(env.ctx, await staff_id(env, TECHNICIAN_ID), closed.ticket.id, "feito")
    marcos = env.user(TECHNICIAN_ID, "Marcos")

    mid = await tickets_screen(env, marcos)
    screen = marcos.chat.message(mid)
    text = screen.text or ""
    assert text.splitlines()[0] == "🛠️ Atendimentos abertos · meus"
    assert "3 atendimentos · página 1 de 1" in text
    order = [urgent.ticket.id, normal.ticket.id, low.ticket.id]
    assert [line.split(" · ")[0] for line in list_lines(text)] == [
        f"🔴 #{order[0]}",
        f"🟢 #{order[1]}",
        f"⚪ #{order[2]}",
    ]
    assert ticket_buttons(screen) == [f"tk:c:{i}" for i in order]
    assert f"#{juliana_s.ticket.id}" not in text and f"#{closed.ticket.id}" not in text
    assert screen.button_texts()[-3:] == ["🙋 Meus", "👥 Fila", "🏠 Menu"]

    # The top one opens.
    await marcos.tap(env.app, f"🔴 #{urgent.ticket.id}", mid)
    assert f"🛠️ Atendimento #{urgent.ticket.id}" in (marcos.chat.message(mid).text or "")
    assert "🔴 Urgente" in (marcos.chat.message(mid).text or "")

    # Forged filters show a technician only their own tickets.
    for data in ("tk:l:all:0", f"tk:l:{await staff_id(env, TECHNICIAN2_ID)}:0"):
        await marcos.tap_data(env.app, mid, data)
        shown = marcos.chat.message(mid)
        assert ticket_buttons(shown) == [f"tk:c:{i}" for i in order], data


# --------------------------------------------------------------------------- queue and permissions


async def test_unassigned_ticket_is_taken_from_the_queue_and_is_then_off_limits(env) -> None:  # type: ignore[no-untyped-def]
    created, contract = await make_action(env, assignee=None)
    ticket_id = created.ticket.id
    assert ticket_row(env, ticket_id)["assignee_id"] is None
    assert await deliver(env) == 0  # nobody to notify
    juliana = env.user(TECHNICIAN2_ID, "Juliana")
    marcos = env.user(TECHNICIAN_ID, "Marcos")

    mid = await tickets_screen(env, juliana)
    assert "Nenhum atendimento aberto aqui." in (juliana.chat.message(mid).text or "")
    await juliana.tap(env.app, "👥 Fila", mid)
    queue = juliana.chat.message(mid)
    assert (queue.text or "").splitlines()[0] == "🛠️ Atendimentos abertos · sem responsável"
    assert ticket_buttons(queue) == [f"tk:c:{ticket_id}"]

    await juliana.tap_data(env.app, mid, f"tk:c:{ticket_id}")
    card = juliana.chat.message(mid)
    assert "🔧 👥 Sem responsável (fila)" in (card.text or "")
    assert card.button_texts()[0] == "🙋 Assumir"

    await juliana.tap(env.app, "🙋 Assumir", mid)
    card = juliana.chat.message(mid)
    assert (card.text or "").startswith("✅ Atendimento assumido por você.")
    assert f"🔧 {JULIANA}" in (card.text or "")
    assert "🙋 Assumir" not in card.button_texts()
    assert ticket_row(env, ticket_id)["assignee_id"] == await staff_id(env, TECHNICIAN2_ID)
    assert "atendimento assumido" in last_alert(env, TECHNICIAN2_ID).lower()

    # The queue is empty now; Marcos cannot open, take, start, note or close her ticket.
    mmid = await tickets_screen(env, marcos)
    await marcos.tap(env.app, "👥 Fila", mmid)
    assert ticket_buttons(marcos.chat.message(mmid)) == []
    before_text = marcos.chat.message(mmid).text
    before = snapshot(env)
    for data in FORGED_VERBS:
        forged = f"{data}{ticket_id}"
        assert await marcos.tap_data(env.app, mmid, forged, raise_errors=False) == [], forged
        assert marcos.chat.message(mmid).text == before_text, forged
    assert snapshot(env) == before
    assert contract.number not in "\n".join(m.text or "" for m in marcos.chat.messages)
    await marcos.send(env.app, "/cancelar")  # no note/resolution prompt was opened
    assert snapshot(env) == before


async def test_forged_ticket_buttons_on_another_technicians_ticket_get_the_permission_alert(
    env,
) -> None:  # type: ignore[no-untyped-def]
    """The refusal is an alert on the button press itself (answered once, not an empty answer
    followed by a rejected second answerCallbackQuery)."""
    created, _contract = await make_action(env, assignee=TECHNICIAN2_ID)
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    mid = await tickets_screen(env, marcos)
    for verb in FORGED_VERBS:
        data = f"{verb}{created.ticket.id}"
        await marcos.tap_data(env.app, mid, data, raise_errors=False)
        assert last_alert(env, TECHNICIAN_ID) == NOT_ASSIGNEE, data
        assert env.api.errors == [], data


async def test_admin_sees_all_tickets_and_filters_by_technician(env) -> None:  # type: ignore[no-untyped-def]
    c1, c2, c3, c4 = await active_contracts(env, limit=4)
    m1, _ = await make_action(env, c1, priority=Priority.NORMAL)
    m2, _ = await make_action(env, c2, priority=Priority.URGENT)
    j1, _ = await make_action(env, c3, priority=Priority.HIGH, assignee=TECHNICIAN2_ID)
    u1, _ = await make_action(env, c4, priority=Priority.LOW, assignee=None)
    admin = await env.add_admin()

    mid = await tickets_screen(env, admin)
    screen = admin.chat.message(mid)
    assert (screen.text or "").splitlines()[0] == "🛠️ Atendimentos abertos · todos"
    assert ticket_buttons(screen) == [f"tk:c:{t.ticket.id}" for t in (m2, j1, m1, u1)]
    labels = screen.button_texts()
    for label in ("🙋 Meus", "👥 Fila", "📋 Todos", f"🔧 {MARCOS}", f"🔧 {JULIANA}"):
        assert label in labels

    await admin.tap(env.app, f"🔧 {MARCOS}", mid)
    screen = admin.chat.message(mid)
    assert (screen.text or "").splitlines()[0] == "🛠️ Atendimentos abertos · por técnico"
    assert ticket_buttons(screen) == [f"tk:c:{m2.ticket.id}", f"tk:c:{m1.ticket.id}"]

    await admin.tap(env.app, f"🔧 {JULIANA}", mid)
    assert ticket_buttons(admin.chat.message(mid)) == [f"tk:c:{j1.ticket.id}"]

    await admin.tap(env.app, "👥 Fila", mid)
    assert ticket_buttons(admin.chat.message(mid)) == [f"tk:c:{u1.ticket.id}"]

    # Any card opens for an admin, Juliana's included.
    await admin.tap_data(env.app, mid, f"tk:c:{j1.ticket.id}")
    assert f"🔧 {JULIANA}" in (admin.chat.message(mid).text or "")


async def test_a_cancelled_action_tells_the_technician_and_closes_the_card(env) -> None:  # type: ignore[no-untyped-def]
    created, _contract = await make_action(env)
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    assert await deliver(env) == 1
    await cancel_action(
        env.ctx, await staff_id(env, OPERATOR_ID), created.action.id, "Cliente desistiu"
    )
    assert await deliver(env) == 1
    told = marcos.chat.last
    assert told is not None
    assert (told.text or "").splitlines()[0] == f"✖️ Atendimento #{created.ticket.id} cancelado"
    assert "Motivo do cancelamento: Cliente desistiu" in (told.text or "")

    await marcos.tap(env.app, "🛠️ Ver atendimento", told.message_id)
    card = marcos.chat.message(told.message_id)
    assert "· ✖️ cancelado" in (card.text or "")
    assert card.button_texts()[-2:] == ["🔄 Atualizar", "⬅️ Voltar"]
    assert not {"✅ Concluir", "▶️ Iniciar", "📝 Adicionar nota"} & set(card.button_texts())
    # A stale Concluir from before is refused.
    await marcos.tap_data(env.app, told.message_id, f"tk:cl:{created.ticket.id}")
    assert last_alert(env, TECHNICIAN_ID) == "Este atendimento não está mais aberto."
    assert ticket_row(env, created.ticket.id)["status"] == "cancelled"
