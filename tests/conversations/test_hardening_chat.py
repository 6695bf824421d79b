"""Hostile or oversized input in the chat: a long search says which words it used, names
carrying bidirectional-control characters cannot reverse a line, and a link of an action that
is no longer pending shows and records nothing."""

from __future__ import annotations

import sqlite3

from bot.domain.safe_text import has_bidi
from tests.conversations.actions_helpers import OPERATOR_ID, acceptances, one
from tests.conversations.conftest import BotEnv
from tests.conversations.notif_helpers import (
    answer,
    client,
    open_link,
    outbox,
    stub_pdf,
    telegram_action,
)


async def test_long_search_says_which_words_it_used(env: BotEnv) -> None:
    client = one(env, "SELECT id, name FROM clients ORDER BY id LIMIT 1")
    words = client["name"].split()
    extra = ["a", "b", "c", "d", "e", "f"]
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")

    (result,) = await op.send(env.app, " ".join(words + extra))

    used = " ".join((words + extra)[:5])
    assert (result.text or "").endswith(
        f"\nℹ️ A busca usou só as primeiras 5 palavras diferentes: {used}"
    )


async def test_stored_names_with_bidi_controls_do_not_reach_the_chat(env: BotEnv) -> None:
    client = one(env, "SELECT id, name FROM clients ORDER BY id LIMIT 1")
    first, *rest = client["name"].split()
    hostile = f"{first} \u202e{' '.join(rest)}\u2066 \u200fR$\u00a01,00"
    con = sqlite3.connect(env.db_path)  # a row written before input was cleaned
    with con:
        con.execute("UPDATE clients SET name = ? WHERE id = ?", (hostile, client["id"]))
    con.close()
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")
    (result,) = await op.send(env.app, first)
    shown = f"{client['name']} R$\u00a01,00"
    label = next(b for b in result.button_texts() if b.startswith(shown))

    await op.tap(env.app, label, result.message_id)

    card = op.chat.message(result.message_id)
    assert (card.text or "").startswith(f"👤 {shown}\n")
    for message in op.chat.messages:
        assert not has_bidi(message.text or ""), message.text
        assert not any(has_bidi(b) for b in message.button_texts())


async def test_deep_link_of_a_finalized_action_shows_and_records_nothing(env: BotEnv) -> None:
    """The Telegram side of a resend that raced finalize: a request still
    pending behind a finalized action, as older versions left it."""
    stub_pdf(env)
    created, _ = await telegram_action(
        env,
        require_acceptance=False,
        with_ticket=False,
        require_ticket_closed=False,
        loyalty_months=None,
    )
    joana = client(env)
    *_, question = await open_link(env, joana, created.token)  # the offer and its buttons
    con = sqlite3.connect(env.db_path)
    with con:
        con.execute(
            "UPDATE contract_actions SET status = 'finalized' WHERE id = ?", (created.action.id,)
        )
    con.close()
    docs = len(joana.chat.documents)

    await joana.tap(env.app, "✅ Aceitar")
    (answered,) = await answer(env, joana, created.action.id, "✅ Sim, aceito")
    assert answered.text == "Esta solicitação de aceite não está mais pendente."
    assert answered.buttons == []
    assert joana.chat.message(question.message_id).buttons == []
    (reply,) = await open_link(env, joana, created.token)
    assert reply.text == "Esta solicitação de aceite foi cancelada."
    assert reply.buttons == []
    assert len(joana.chat.documents) == docs
    assert [r["status"] for r in acceptances(env, created.action.id)] == ["cancelled"]
    assert outbox(env, "acceptance_accepted") == []


async def test_a_typed_search_is_echoed_without_bidi_controls(env: BotEnv) -> None:
    """Text never stored but shown back (the search's title) loses them too."""
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")

    (result,) = await op.send(env.app, "Silva\u202e00,001 $R")

    text = result.text or ""
    assert "Silva00,001 $R" in text
    assert not has_bidi(text) and not any(has_bidi(label) for label in result.button_texts())
