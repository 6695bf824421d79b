"""Messages that fit Telegram's 4,096 characters: a ticket with many notes, a note over the
limit, a pasted page as a contract value, a search of hundreds of words."""

from __future__ import annotations

from bot.services.tickets import MAX_NOTE, add_note
from tests.conversations.actions_helpers import (
    OPERATOR_ID,
    TECHNICIAN_ID,
    home,
    make_action,
    rows,
    staff_id,
)
from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import Path, Wizard

TELEGRAM_LIMIT = 4096
GENERIC_ERROR = "Algo deu errado"


def notes(env: BotEnv, ticket_id: int) -> list[str]:
    sql = "SELECT text FROM ticket_notes WHERE ticket_id = ? ORDER BY id"
    return [r["text"] for r in rows(env, sql, ticket_id)]


async def test_a_ticket_with_25_notes_shows_the_latest_that_fit(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    ticket_id = created.ticket.id
    tech_id = await staff_id(env, TECHNICIAN_ID)
    for i in range(1, 26):
        await add_note(env.ctx, tech_id, ticket_id, f"Visita {i:02d}: " + "sinal instável " * 15)
        env.clock.advance(minutes=1)

    tech = env.user(TECHNICIAN_ID, "Marcos")
    mid = await home(env, tech)
    await tech.tap_data(env.app, mid, f"tk:c:{ticket_id}")
    card = tech.chat.message(mid)
    text = card.text or ""
    assert GENERIC_ERROR not in text
    assert len(text) <= TELEGRAM_LIMIT
    assert "Visita 25: sinal instável" in text  # the latest note
    assert "Visita 01:" not in text
    shown = text.count("• ")
    assert f"… e {25 - shown} notas anteriores, fora desta mensagem" in text
    assert "📝 Adicionar nota" in card.button_texts()

    # The card still works: one more note, and the newest shows on the fresh card.
    await tech.tap(env.app, "📝 Adicionar nota", mid)
    (fresh,) = await tech.send(env.app, "Visita 26: resolvido")
    assert (fresh.text or "").startswith("✅ Nota adicionada.")
    assert "Visita 26: resolvido" in (fresh.text or "")
    assert len(notes(env, ticket_id)) == 26


async def test_a_note_over_the_limit_is_refused_with_the_limit(env: BotEnv) -> None:
    created, _contract = await make_action(env)
    ticket_id = created.ticket.id
    tech = env.user(TECHNICIAN_ID, "Marcos")
    mid = await home(env, tech)
    await tech.tap_data(env.app, mid, f"tk:c:{ticket_id}")
    await tech.tap(env.app, "📝 Adicionar nota", mid)

    (refusal,) = await tech.send(env.app, "x" * 1500)
    assert refusal.text == (
        f"A nota pode ter no máximo {MAX_NOTE} caracteres; a sua tem 1500. Resuma e envie de novo."
    )
    assert notes(env, ticket_id) == []
    (card,) = await tech.send(env.app, "Cliente ausente, volto amanhã")  # still asked
    assert (card.text or "").startswith("✅ Nota adicionada.")
    assert notes(env, ticket_id) == ["Cliente ausente, volto amanhã"]


async def test_a_pasted_page_as_the_value_gets_a_short_refusal(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")
    pasted = "valor combinado com o cliente " * 134  # ~4,000 characters
    await w.type(pasted)
    text = w.text
    assert GENERIC_ERROR not in text
    assert 'Não entendi "valor combinado com o cliente…" como valor.' in text
    assert len(text) < 1000
    w.assert_at("typing_value")


async def test_a_900_word_search_answers_with_a_short_message(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    words = " ".join(f"palavra{i}" for i in range(900))
    (answer,) = await op.send(env.app, words)
    text = answer.text or ""
    assert GENERIC_ERROR not in text
    assert len(text) < 500
    assert "palavra0 palavra1" in text
    assert "palavra899" not in text


async def test_a_pasted_page_as_a_staff_name_is_asked_about_as_it_will_be_stored(
    env: BotEnv,
) -> None:
    admin = await env.add_admin(900000099)
    mid = await home(env, admin)
    await admin.tap(env.app, "👥 Equipe", mid)
    await admin.tap(env.app, "➕ Adicionar membro", mid)
    (ask,) = await admin.send(env.app, "700000003 Carla Dias " + "da Silva " * 500)
    text = ask.text or ""
    assert text.startswith("Qual função para Carla Dias da Silva da Silva")
    assert len(text) < 200
    await admin.tap(env.app, "Atendente", ask.message_id)
    name = rows(env, "SELECT name FROM staff WHERE telegram_id = 700000003")[0]["name"]
    assert text == f"Qual função para {name}?"
    assert len(name) <= 120 and name.endswith(" da Silva")
