"""Menus, help, language, /cancelar, client search and the client and contract cards."""

from __future__ import annotations

from datetime import date

from bot.domain.money import format_brl
from tests.conversations.actions_helpers import (
    OPERATOR_ID,
    TECHNICIAN_ID,
    home,
    last_alert,
    make_action,
    one,
    rows,
    scalar,
)
from tests.conversations.conftest import BotEnv

ADMIN_ID = 900000099
MENU_OPERATOR = [
    "🔎 Buscar cliente",
    "⏳ Ações pendentes",
    "🛠️ Atendimentos",
    "🌐 Idioma",
    "❓ Ajuda",
]


def br_date(iso: str) -> str:
    return date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")


# --------------------------------------------------------------------------- menu


async def test_start_menu_differs_by_role(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    (menu,) = await op.send(env.app, "/start")
    assert menu.text == (
        "🏠 Menu principal\nOlá, Patrícia Atendente Souza! · Atendente\n\n"
        "Escolha uma opção abaixo. Dica: você também pode digitar o nome, CPF/CNPJ, telefone ou "
        "número do contrato do cliente a qualquer momento."
    )
    assert menu.button_texts() == MENU_OPERATOR

    tech = env.user(TECHNICIAN_ID, "Marcos")
    (menu,) = await tech.send(env.app, "/start")
    assert "Olá, Marcos Técnico Oliveira! · Técnico" in (menu.text or "")
    assert menu.button_texts() == ["🛠️ Atendimentos", "🌐 Idioma", "❓ Ajuda"]
    assert dict(b for row in menu.buttons for b in row)["🛠️ Atendimentos"] == "tk:l:me:0"

    admin = await env.add_admin(ADMIN_ID)
    (menu,) = await admin.send(env.app, "/start")
    assert "· Administrador" in (menu.text or "")
    assert menu.button_texts() == [
        "🔎 Buscar cliente",
        "⏳ Ações pendentes",
        "🛠️ Atendimentos",
        "👥 Equipe",
        "📊 Relatórios",
        "🌐 Idioma",
        "❓ Ajuda",
    ]


async def test_commands_are_registered_in_both_languages(env: BotEnv) -> None:
    pt = {c["command"]: c["description"] for c in env.api.get_commands()}
    en = {c["command"]: c["description"] for c in env.api.get_commands(language_code="en")}
    expected = ["start", "clientes", "pendentes", "atendimentos", "ajuda", "cancelar", "idioma"]
    assert list(pt) == expected and list(en) == expected
    assert pt["clientes"] == "Buscar cliente"
    assert en["clientes"] != pt["clientes"]


async def test_ajuda_lists_the_commands_and_returns_to_the_menu(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/ajuda")
    text = msg.text or ""
    assert text.startswith("❓ Como usar o contractbot\n\nPara atualizar o plano de um cliente:")
    for line in [
        "/clientes — buscar cliente por nome, CPF/CNPJ, contrato ou telefone",
        "/pendentes — ações de contrato pendentes",
        "/atendimentos — atendimentos abertos",
        "/idioma — mudar o idioma (português/inglês)",
        "/cancelar — sair da etapa atual",
        "/ajuda — esta ajuda",
    ]:
        assert line in text.splitlines()
    assert msg.button_texts() == ["🏠 Menu"]
    await op.tap(env.app, "🏠 Menu", msg.message_id)
    assert op.chat.message(msg.message_id).text.startswith("🏠 Menu principal")  # type: ignore[union-attr]

    # Ajuda from the menu edits the menu in place.
    await op.tap(env.app, "❓ Ajuda", msg.message_id)
    assert op.chat.message(msg.message_id).text.startswith("❓ Como usar")  # type: ignore[union-attr]
    assert len(op.chat.messages) == 1


async def test_idioma_switches_to_english_and_back(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    (msg,) = await op.send(env.app, "/idioma")
    assert msg.text == "Escolha o idioma da interface:"
    assert msg.button_texts() == ["✅ 🇧🇷 Português", "🇬🇧 English", "🏠 Menu"]

    await op.tap(env.app, "🇬🇧 English", msg.message_id)
    assert env.api.last_callback_answer(OPERATOR_ID)["text"] == "Language updated."
    menu = op.chat.message(msg.message_id)
    assert (menu.text or "").startswith("🏠 Main menu\nHello, Patrícia Atendente Souza! · Operator")
    assert menu.button_texts() == [
        "🔎 Find a client",
        "⏳ Pending actions",
        "🛠️ Tickets",
        "🌐 Language",
        "❓ Help",
    ]
    assert one(env, "SELECT locale FROM staff WHERE telegram_id = ?", OPERATOR_ID) == {
        "locale": "en"
    }

    # It sticks: new screens, prompts and errors are in English.
    (menu2,) = await op.send(env.app, "/start")
    assert (menu2.text or "").startswith("🏠 Main menu")
    (prompt,) = await op.send(env.app, "/clientes")
    assert prompt.text == (
        "🔎 Type the client's name, CPF/CNPJ (with or without punctuation), "
        "contract number or phone:"
    )
    assert prompt.button_texts() == ["✖️ Cancel"]
    (short,) = await op.send(env.app, "x")
    assert "2" in (short.text or "") and "Digite" not in (short.text or "")
    await op.tap_data(env.app, menu2.message_id, "zz")
    assert last_alert(env, OPERATOR_ID) == (
        "This button has expired. Open the card again from the menu."
    )
    (help_msg,) = await op.send(env.app, "/ajuda")
    assert not (help_msg.text or "").startswith("❓ Como usar")

    (lang,) = await op.send(env.app, "/idioma")
    assert lang.button_texts()[:2] == ["🇧🇷 Português", "✅ 🇬🇧 English"]
    await op.tap(env.app, "🇧🇷 Português", lang.message_id)
    assert env.api.last_callback_answer(OPERATOR_ID)["text"] == "Idioma atualizado."
    assert (op.chat.message(lang.message_id).text or "").startswith("🏠 Menu principal")
    assert scalar(env, "SELECT locale FROM staff WHERE telegram_id = ?", OPERATOR_ID) == "pt_BR"


async def test_cancelar_with_nothing_open(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    sent = await op.send(env.app, "/cancelar")
    assert sent[0].text == "Nada para cancelar agora."
    assert sent[-1].button_texts() == MENU_OPERATOR


async def test_cancelar_leaves_the_search_prompt(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")
    (menu,) = await op.send(env.app, "/cancelar")
    assert (menu.text or "").startswith("🏠 Menu principal")
    (msg,) = await op.send(env.app, "/clientes")
    await op.tap(env.app, "✖️ Cancelar", msg.message_id)
    assert (op.chat.message(msg.message_id).text or "").startswith("🏠 Menu principal")


# --------------------------------------------------------------------------- search


async def test_search_too_short_then_no_results(env: BotEnv) -> None:
    op = env.user(OPERATOR_ID, "Patrícia")
    (prompt,) = await op.send(env.app, "/clientes")
    assert prompt.text == (
        "🔎 Digite o nome, CPF/CNPJ (com ou sem pontuação), número do "
        "contrato ou telefone do cliente:"
    )
    sent = await op.send(env.app, "x")
    assert [m.text for m in sent] == ["Digite pelo menos 2 caracteres para buscar."]
    sent = await op.send(env.app, "1-")  # one digit and punctuation
    assert [m.text for m in sent] == ["Digite pelo menos 2 caracteres para buscar."]
    (result,) = await op.send(env.app, "Zzyzx Qwerty")  # still in the search step
    assert result.text == (
        "🔎 Resultados para “Zzyzx Qwerty”\n"
        "Nenhum cliente encontrado. Confira o que foi digitado e tente de novo."
    )
    assert result.button_texts() == ["🔎 Nova busca", "🏠 Menu"]


async def test_search_results_are_paginated(env: BotEnv) -> None:
    names = [
        r["name"]
        for r in rows(
            env,
            "SELECT name, name_search FROM clients "
            "WHERE name_search LIKE '%el%' "
            "ORDER BY name_search, id",
        )
    ]
    assert len(names) > 8
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")
    (page1,) = await op.send(env.app, "el")
    assert (
        page1.text == f"🔎 Resultados para “el”\n{len(names)} clientes encontrados · página 1 de 2"
    )
    buttons = page1.button_texts()
    assert [b.split(" · ")[0] for b in buttons[:8]] == names[:8]
    assert buttons[8:] == ["1/2", "Próxima ▶️", "🔎 Nova busca", "🏠 Menu"]

    await op.tap(env.app, "▶️", page1.message_id)
    page2 = op.chat.message(page1.message_id)
    assert (page2.text or "").endswith("página 2 de 2")
    rest = page2.button_texts()
    assert [b.split(" · ")[0] for b in rest[: len(names) - 8]] == names[8:]
    assert rest[len(names) - 8 :] == ["◀️ Anterior", "2/2", "🔎 Nova busca", "🏠 Menu"]

    await op.tap(env.app, "◀️ Anterior", page1.message_id)
    assert (op.chat.message(page1.message_id).text or "").endswith("página 1 de 2")
    assert len(op.chat.messages) == 2  # the prompt and one results message, edited in place


async def test_free_text_searches_by_cpf_and_contract_number(env: BotEnv) -> None:
    client = one(
        env, "SELECT id, name, document FROM clients WHERE kind = 'PF' ORDER BY id LIMIT 1"
    )
    number = one(
        env, "SELECT number FROM contracts WHERE client_id = ? ORDER BY id LIMIT 1", client["id"]
    )["number"]
    d = client["document"]
    op = env.user(OPERATOR_ID, "Patrícia")
    for query in [f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}", number]:
        (result,) = await op.send(env.app, query)
        assert "1 cliente encontrado ·" in (result.text or ""), query
        assert result.button_texts()[0] == f"{client['name']} · ***.{d[3:6]}.{d[6:9]}-**"


async def test_client_card_masks_the_cpf(env: BotEnv) -> None:
    client = one(env, "SELECT * FROM clients WHERE kind = 'PF' ORDER BY id LIMIT 1")
    d = client["document"]
    op = env.user(OPERATOR_ID, "Patrícia")
    await op.send(env.app, "/clientes")
    (result,) = await op.send(env.app, client["name"])
    await op.tap(env.app, client["name"], result.message_id)
    card = op.chat.message(result.message_id)
    text = card.text or ""
    # The masked CPF keeps its hyphen from breaking the line (a non-breaking hyphen).
    assert text.startswith(f"👤 {client['name']}\nPessoa física · ***.{d[3:6]}.{d[6:9]}\u2011**")
    assert d not in text and d[:3] not in text.split("·")[1][:8]
    contracts = rows(env, "SELECT * FROM contracts WHERE client_id = ? ORDER BY id", client["id"])
    assert f"Contratos ({len(contracts)})" in text
    for k in contracts:
        assert k["number"] in text
    assert card.button_texts()[-2:] == ["⬅️ Voltar", "🏠 Menu"]
    await op.tap(env.app, "⬅️ Voltar", result.message_id)  # back to the results
    assert (op.chat.message(result.message_id).text or "").startswith("🔎 Resultados")


async def test_contract_card_shows_everything(env: BotEnv) -> None:
    k = one(
        env,
        """SELECT c.*, p.name AS plan, p.download_mbps AS down, p.upload_mbps AS up,
                           g.name AS grp, t.name AS template
                    FROM contracts c JOIN plans p ON p.id = c.plan_id
                    JOIN plan_groups g ON g.id = p.group_id
                    JOIN contract_templates t ON t.id = c.template_id
                    WHERE c.status = 'ativo' AND c.loyalty_months > 0
                      AND c.loyalty_end > ?
                      AND (SELECT COUNT(*) FROM contract_services s
                           WHERE s.contract_id = c.id) >= 2
                    ORDER BY c.id LIMIT 1""",
        env.ctx.today().isoformat(),  # a loyalty still in force shows its end date
    )
    services = rows(
        env,
        """SELECT s.name, cs.share_cents FROM contract_services cs
                            JOIN services s ON s.id = cs.service_id
                            WHERE cs.contract_id = ? ORDER BY cs.position""",
        k["id"],
    )
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await home(env, op)
    await op.tap_data(env.app, mid, f"ct:c:{k['id']}")
    card = op.chat.message(mid)
    text = card.text or ""
    lines = text.splitlines()
    assert lines[0] == f"📄 Contrato {k['number']} · 🟢 Ativo"
    assert lines[1].endswith("\u2011**") and "***." in lines[1]
    assert f"📶 {k['plan']} ({k['grp']})" in lines
    assert f"⬇️ {k['down']} Mbps · ⬆️ {k['up']} Mbps" in lines
    assert (
        f"💰 Valor mensal: {format_brl(k['value_cents'])} · vencimento dia {k['due_day']}" in lines
    )
    assert "Serviços e distribuição do valor" in lines
    for s in services:
        assert f"• {s['name']}: {format_brl(s['share_cents'])}" in lines
    assert sum(s["share_cents"] for s in services) == k["value_cents"]
    assert (
        f"🔒 Fidelidade: {k['loyalty_months']} meses, benefício de "
        f"{format_brl(k['loyalty_benefit_cents'])}/mês, até {br_date(k['loyalty_end'])}" in lines
    )
    assert f"📝 Modelo: {k['template']}" in lines
    assert f"Versão 1 · início em {br_date(k['start_date'])}" in lines
    assert "Ação pendente" not in text
    assert card.button_texts() == [
        "⚙️ Ações",
        "📄 Ver contrato (PDF)",
        "🕘 Histórico",
        "⬅️ Voltar",
        "🏠 Menu",
    ]

    await op.tap(env.app, "🕘 Histórico", mid)
    assert op.chat.message(mid).text == (
        f"🕘 Histórico do contrato {k['number']}\n\nNenhuma alteração registrada ainda."
    )
    await op.tap(env.app, "⬅️ Voltar", mid)
    await op.tap(env.app, "⚙️ Ações", mid)
    assert op.chat.message(mid).button_texts() == ["🔄 Atualização de plano", "⬅️ Voltar"]


async def test_contract_card_with_a_pending_action(env: BotEnv) -> None:
    created, contract = await make_action(env)
    n = created.action.id
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await home(env, op)
    await op.tap_data(env.app, mid, f"ct:c:{contract.id}")
    card = op.chat.message(mid)
    assert f"⏳ Ação pendente #{n}" in (card.text or "")
    assert card.button_texts()[0] == f"⏳ Abrir ação pendente #{n}"
    assert "⚙️ Ações" not in card.button_texts()

    # A stale Ações button of the same contract opens the pending action instead.
    await op.tap_data(env.app, mid, f"ct:a:{contract.id}")
    assert last_alert(env, OPERATOR_ID) == (
        "Este contrato já tem uma ação pendente: abrindo a ação."
    )
    assert (op.chat.message(mid).text or "").startswith(f"📋 Ação de contrato #{n}")
    # And the wizard can't start a second one either.
    await op.tap_data(env.app, mid, f"pu:go:{contract.id}")
    assert (
        scalar(env, "SELECT COUNT(*) FROM contract_actions WHERE contract_id = ?", contract.id) == 1
    )


async def test_cancelled_contract_has_no_actions_button(env: BotEnv) -> None:
    k = one(env, "SELECT * FROM contracts WHERE status = 'cancelado' ORDER BY id LIMIT 1")
    op = env.user(OPERATOR_ID, "Patrícia")
    mid = await home(env, op)
    await op.tap_data(env.app, mid, f"ct:c:{k['id']}")
    card = op.chat.message(mid)
    assert (card.text or "").startswith(f"📄 Contrato {k['number']} · ⚫ Cancelado")
    assert "⚙️ Ações" not in card.button_texts()
