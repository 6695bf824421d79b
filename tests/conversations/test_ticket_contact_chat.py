"""What a technician in the street needs from /atendimentos: each row says whom and where
(client and neighbourhood), and the card says how to get there and reach the client (address,
map link, phone, WhatsApp), with nothing made up when data is missing and no CPF shown. The
list reads its clients in one query, however long the page."""

from __future__ import annotations

import sqlite3
from urllib.parse import parse_qs, urlsplit

from bot.domain.documents import format_document, mask_document
from bot.domain.models import Priority
from tests.conversations.actions_helpers import one
from tests.conversations.conftest import BotEnv
from tests.conversations.notif_helpers import (
    TECHNICIAN2_ID,
    TECHNICIAN_ID,
    active_contracts,
    make_action,
)
from tests.conversations.test_tickets_chat import list_lines, tickets_screen
from tests.fakebot import FakeUser
from tests.fakebot.models import SentMessage
from tests.support.db import sql_statements


def set_client(env: BotEnv, client_id: int, **columns: str) -> None:
    """Rewrite a client's stored fields (as an import or an old version may have left them)."""
    assignments = ", ".join(f"{name} = ?" for name in columns)
    con = sqlite3.connect(env.db_path)
    with con:
        con.execute(
            f"UPDATE clients SET {assignments} WHERE id = ?", (*columns.values(), client_id)
        )
    con.close()


def urls(msg: SentMessage) -> dict[str, str]:
    return {b["text"]: b["url"] for row in msg.inline_keyboard for b in row if "url" in b}


async def open_card(env: BotEnv, user: FakeUser, ticket_id: int) -> SentMessage:
    mid = await tickets_screen(env, user)
    await user.tap_data(env.app, mid, f"tk:c:{ticket_id}")
    return user.chat.message(mid)


PALMEIRAS = {
    "name": "Ana Beatriz Conceição",
    "phone": "+55 19 98765-4321",
    "street": "Rua das Palmeiras",
    "number": "nº 45",
    "complement": "Apto 31",
    "district": "Jardim Proença",
    "city": "Campinas",
    "state": "SP",
    "zip_code": "13026-000",
}


async def test_rows_name_the_client_and_neighbourhood_and_cut_long_ones(env: BotEnv) -> None:
    c1, c2, c3, c4, c5 = await active_contracts(env, limit=5)
    urgent, _ = await make_action(env, c1, priority=Priority.URGENT)
    normal, _ = await make_action(env, c2, priority=Priority.NORMAL)
    nowhere, _ = await make_action(env, c3, priority=Priority.LOW)
    juliana_s, _ = await make_action(env, c4, priority=Priority.URGENT, assignee=TECHNICIAN2_ID)
    # A higher number, but opened the day before: within a priority, the oldest comes first.
    older, _ = await make_action(env, c5, priority=Priority.NORMAL)
    con = sqlite3.connect(env.db_path)
    with con:
        con.execute(
            "UPDATE tickets SET created_at = '2026-11-19 09:00:00.000000' WHERE id = ?",
            (older.ticket.id,),
        )
    con.close()
    set_client(env, c1.client_id, **PALMEIRAS)
    set_client(
        env,
        c2.client_id,
        name="Maria Aparecida dos Santos Albuquerque",
        district="Parque Residencial Vila Industrial",
    )
    set_client(env, c3.client_id, name="Zé", district="  ")
    set_client(env, c4.client_id, name="Cliente da Juliana")
    marcos = env.user(TECHNICIAN_ID, "Marcos")

    mid = await tickets_screen(env, marcos)
    screen = marcos.chat.message(mid)
    text = screen.text or ""
    print(text)
    rows = list_lines(text)
    assert [rows[0], *rows[2:]] == [
        f"🔴 #{urgent.ticket.id} · Ana Beatriz Conce… · Jardim Proença",
        f"🟢 #{normal.ticket.id} · Maria Aparecida d… · Parque Residenc…",
        f"⚪ #{nowhere.ticket.id} · Zé",
    ]
    assert rows[1].startswith(f"🟢 #{older.ticket.id} · ")  # same priority, older first
    labels = screen.button_texts()
    assert [labels[0], *labels[2:4]] == [
        f"🔴 #{urgent.ticket.id} · Ana Beatriz C…",
        f"🟢 #{normal.ticket.id} · Maria Apareci…",
        f"⚪ #{nowhere.ticket.id} · Zé",
    ]
    assert "None" not in text
    # Juliana's ticket (and so her client) is not on Marcos's list.
    assert "Cliente da Juliana" not in text and f"#{juliana_s.ticket.id}" not in text

    # A started ticket is marked with 🔧 and keeps its place (priority, then age).
    await marcos.tap_data(env.app, mid, f"tk:st:{normal.ticket.id}")
    await marcos.tap_data(env.app, mid, "tk:l:me:0")
    rows = list_lines(marcos.chat.message(mid).text or "")
    assert rows[2] == f"🟢 #{normal.ticket.id} 🔧 · Maria Aparecida d… · Parque Residenc…"


async def test_card_shows_address_map_phone_and_whatsapp_but_no_cpf(env: BotEnv) -> None:
    (contract,) = await active_contracts(env, limit=1)
    created, _ = await make_action(env, contract)
    set_client(env, contract.client_id, **PALMEIRAS)
    document = one(env, "SELECT document FROM clients WHERE id = ?", contract.client_id)
    marcos = env.user(TECHNICIAN_ID, "Marcos")

    card = await open_card(env, marcos, created.ticket.id)
    text = card.text or ""
    print(text)
    assert (
        "👤 Ana Beatriz Conceição\n"
        "📞 (19) 98765-4321\n"
        "📍 Rua das Palmeiras, nº 45, Apto 31\n"
        "🏘️ Jardim Proença · Campinas/SP · CEP 13026-000\n"
    ) in text
    for shown in (document["document"], format_document(document["document"])):
        assert shown not in text
    assert mask_document(document["document"]) not in text

    links = urls(card)
    assert list(links) == ["📍 Abrir no mapa", "💬 WhatsApp"]
    maps = urlsplit(links["📍 Abrir no mapa"])
    assert (maps.scheme, maps.netloc, maps.path) == ("https", "www.google.com", "/maps/search/")
    assert parse_qs(maps.query) == {
        "api": ["1"],
        "query": ["Rua das Palmeiras, 45, Jardim Proença, Campinas, SP, 13026-000"],
    }
    wa = urlsplit(links["💬 WhatsApp"])
    assert (wa.scheme, wa.netloc, wa.path) == ("https", "wa.me", "/5519987654321")
    assert parse_qs(wa.query)["text"] == [
        "Olá! Aqui é Marcos Técnico Oliveira, da equipe técnica de Provedor Exemplo Telecom "
        f"Ltda., sobre o seu atendimento #{created.ticket.id}."
    ]


async def test_missing_phone_and_neighbourhood_are_left_out(env: BotEnv) -> None:
    (contract,) = await active_contracts(env, limit=1)
    created, _ = await make_action(env, contract)
    marcos = env.user(TECHNICIAN_ID, "Marcos")

    set_client(env, contract.client_id, phone="", district="", zip_code="", complement="")
    card = await open_card(env, marcos, created.ticket.id)
    text = card.text or ""
    print(text)
    assert "📞" not in text and "None" not in text and " ·  · " not in text
    row = one(env, "SELECT * FROM clients WHERE id = ?", contract.client_id)
    assert f"📍 {row['street']}, {row['number']}\n🏘️ {row['city']}/{row['state']}\n" in text
    assert list(urls(card)) == ["📍 Abrir no mapa"]  # no phone: no WhatsApp

    # A phone in no known style is shown as stored (no WhatsApp: no number to open a chat
    # with); an address with nothing in it has no map link and no address lines.
    set_client(
        env,
        contract.client_id,
        phone="ramal 23",
        street="",
        number="",
        city="",
        state="",
    )
    card = await open_card(env, marcos, created.ticket.id)
    text = card.text or ""
    print(text)
    assert "📞 ramal 23\n" in text
    assert "📍" not in text and "🏘️" not in text and "None" not in text
    assert urls(card) == {}
    assert card.button_texts()[-2:] == ["🔄 Atualizar", "⬅️ Voltar"]


async def test_the_list_reads_its_clients_in_one_query_for_1_and_for_20_tickets(
    env: BotEnv,
) -> None:
    contracts = await active_contracts(env, limit=20)
    assert len({c.client_id for c in contracts}) >= 8  # a full page of distinct clients
    await make_action(env, contracts[0])
    marcos = env.user(TECHNICIAN_ID, "Marcos")
    await tickets_screen(env, marcos)  # the first use loads staff and caches

    with sql_statements(env.core.engine) as one_ticket:
        mid = await tickets_screen(env, marcos)
    assert len(list_lines(marcos.chat.message(mid).text or "")) == 1

    for contract in contracts[1:]:
        await make_action(env, contract)
    with sql_statements(env.core.engine) as twenty:
        mid = await tickets_screen(env, marcos)
    text = marcos.chat.message(mid).text or ""
    assert "20 atendimentos · página 1 de 3" in text and len(list_lines(text)) == 8

    print(f"statements: 1 ticket {len(one_ticket)}, 20 tickets {len(twenty)}")
    assert len(twenty) == len(one_ticket)
    for statements in (one_ticket, twenty):
        assert len([s for s in statements if "FROM clients" in s]) == 1
