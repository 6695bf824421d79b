"""Staff management in the chat (admins only) and the one-time admin claim link."""

from __future__ import annotations

from bot.domain.models import Role
from bot.services import staff as staff_service
from tests.conversations.actions_helpers import (
    OPERATOR_ID,
    STRANGER_ID,
    TECHNICIAN_ID,
    home,
    last_alert,
    one,
    rows,
    scalar,
    snapshot,
)
from tests.conversations.conftest import BotEnv

ADMIN_ID = 900000099
PERMISSION = "Você não tem permissão para isso."
ASK_PERSON = (
    "Para adicionar alguém: encaminhe uma mensagem da pessoa, compartilhe o contato dela ou "
    "digite o ID do Telegram seguido do nome (ex.: 123456789 Maria Souza)."
)
LAST_ADMIN = "Não é possível remover ou rebaixar o último administrador ativo."


def staff_row(env: BotEnv, telegram_id: int) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return one(env, "SELECT * FROM staff WHERE telegram_id = ?", telegram_id)


async def open_team(env: BotEnv):
    admin = await env.add_admin(ADMIN_ID)
    mid = await home(env, admin)
    await admin.tap(env.app, "👥 Equipe", mid)
    return admin, mid


async def start_adding(env: BotEnv):
    admin, mid = await open_team(env)
    await admin.tap(env.app, "➕ Adicionar membro", mid)
    assert admin.chat.message(mid).text == ASK_PERSON
    assert admin.chat.message(mid).button_texts() == ["✖️ Cancelar"]
    return admin, mid


async def test_team_list_shows_everyone_with_roles(env: BotEnv) -> None:
    admin, mid = await open_team(env)
    team = admin.chat.message(mid)
    assert team.text == "👥 Equipe (6)"
    assert team.button_texts() == [
        "Admin Teste · Administrador",
        "Bruno Comercial Ferreira · Atendente",
        "Juliana Técnica Santos · Técnico",
        "Marcos Técnico Oliveira · Técnico",
        "Patrícia Atendente Souza · Atendente",
        "Rafael Técnico Lima · Técnico",
        "➕ Adicionar membro",
        "🏠 Menu",
    ]


async def test_add_by_forwarded_message(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    joana = env.user(700000001, "Joana")
    env.api.user(700000001, "Joana", last_name="Lima")
    sent = await admin.forward_text(env.app, "oi, sou a Joana", joana)
    (ask,) = sent
    assert ask.text == "Qual função para Joana Lima?"
    assert ask.button_texts() == ["Atendente", "Técnico", "Administrador", "✖️ Cancelar"]
    assert scalar(env, "SELECT COUNT(*) FROM staff WHERE telegram_id = 700000001") == 0

    await admin.tap(env.app, "Técnico", ask.message_id)
    assert (
        env.api.last_callback_answer(ADMIN_ID)["text"] == "Joana Lima foi adicionado(a) à equipe."
    )
    assert "Joana Lima · Técnico" in admin.chat.message(ask.message_id).button_texts()
    row = staff_row(env, 700000001)
    assert (row["name"], row["role"], row["active"]) == ("Joana Lima", "technician", 1)

    # The new technician is let in at once, with the technician's menu.
    (menu,) = await joana.send(env.app, "/start")
    assert menu.text is not None and "Olá, Joana Lima! · Técnico" in menu.text
    assert "🔎 Buscar cliente" not in menu.button_texts()


async def test_add_by_shared_contact(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    sent = await admin.send_contact(
        env.app, "+5519988887777", first_name="Carlos", last_name="Pereira", user_id=700000002
    )
    (ask,) = sent
    assert ask.text == "Qual função para Carlos Pereira?"
    await admin.tap(env.app, "Atendente", ask.message_id)
    row = staff_row(env, 700000002)
    assert (row["name"], row["role"], row["active"]) == ("Carlos Pereira", "operator", 1)


async def test_add_by_typed_id_and_name(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    (ask,) = await admin.send(env.app, "  700000003 Carla Dias ")
    assert ask.text == "Qual função para Carla Dias?"
    await admin.tap(env.app, "Administrador", ask.message_id)
    row = staff_row(env, 700000003)
    assert (row["name"], row["role"], row["active"]) == ("Carla Dias", "admin", 1)


async def test_hidden_forward_and_unknown_input_are_explained(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    before = snapshot(env)
    sent = await admin.forward_text(env.app, "mensagem", "Fulano Oculto")
    assert [m.text for m in sent] == [
        "Essa pessoa esconde a conta nas mensagens encaminhadas. Peça o ID dela (ela pode abrir "
        "o bot e ver o ID na mensagem de boas-vindas) e digite: ID Nome."
    ]
    sent = await admin.send(env.app, "Fulano")
    assert [m.text for m in sent] == [
        "Não entendi. Encaminhe uma mensagem, compartilhe um contato ou digite: ID Nome."
    ]
    sent = await admin.send_contact(
        env.app, "+5511900000000", first_name="Sem Telegram", own_contact=False
    )
    assert [m.text for m in sent] == [
        "Não entendi. Encaminhe uma mensagem, compartilhe um contato ou digite: ID Nome."
    ]
    assert snapshot(env) == before

    # Still waiting for the person: the ID the stranger sees in the refusal works.
    (ask,) = await admin.send(env.app, f"{STRANGER_ID} Fulano Oculto")
    assert ask.text == "Qual função para Fulano Oculto?"
    await admin.tap(env.app, "Atendente", ask.message_id)
    assert staff_row(env, STRANGER_ID)["role"] == "operator"


async def test_adding_someone_already_in_the_team_is_refused(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    (ask,) = await admin.send(env.app, f"{OPERATOR_ID} Patrícia de novo")
    before = snapshot(env)
    await admin.tap(env.app, "Administrador", ask.message_id)
    assert last_alert(env, ADMIN_ID) == "Patrícia Atendente Souza já faz parte da equipe."
    assert snapshot(env) == before
    assert admin.chat.message(ask.message_id).text == "👥 Equipe (6)"


async def test_cancelling_the_add_leaves_no_trace(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    (ask,) = await admin.send(env.app, "700000004 Talvez Alguém")
    await admin.tap(env.app, "✖️ Cancelar", ask.message_id)
    assert admin.chat.message(ask.message_id).text == "👥 Equipe (6)"
    assert scalar(env, "SELECT COUNT(*) FROM staff WHERE telegram_id = 700000004") == 0
    # An old role button from the abandoned question does nothing.
    await admin.tap_data(env.app, ask.message_id, "st:nr:admin")
    assert scalar(env, "SELECT COUNT(*) FROM staff WHERE telegram_id = 700000004") == 0


async def test_set_role_and_deactivate(env: BotEnv) -> None:
    admin, mid = await open_team(env)
    await admin.tap(env.app, "Patrícia Atendente Souza · Atendente", mid)
    member = admin.chat.message(mid)
    assert member.text == (
        f"Patrícia Atendente Souza (ID {OPERATOR_ID})\nFunção: Atendente\nSituação: ativo"
    )
    assert member.button_texts() == [
        "✅ Atendente",
        "Técnico",
        "Administrador",
        "🚫 Desativar acesso",
        "⬅️ Voltar",
    ]

    await admin.tap(env.app, "Técnico", mid)
    assert env.api.last_callback_answer(ADMIN_ID)["text"] == "Equipe atualizada."
    assert "Função: Técnico" in (admin.chat.message(mid).text or "")
    assert "✅ Técnico" in admin.chat.message(mid).button_texts()
    assert staff_row(env, OPERATOR_ID)["role"] == "technician"

    patricia = env.user(OPERATOR_ID, "Patrícia")
    (menu,) = await patricia.send(env.app, "/start")
    assert "🔎 Buscar cliente" not in menu.button_texts()  # the new role, at once

    await admin.tap(env.app, "🚫 Desativar acesso", mid)
    assert env.api.last_callback_answer(ADMIN_ID)["text"] == "Equipe atualizada."
    assert "🚫 Patrícia Atendente Souza · Técnico" in admin.chat.message(mid).button_texts()
    assert staff_row(env, OPERATOR_ID)["active"] == 0

    sent = await patricia.send(env.app, "/start")
    assert [m.text for m in sent] == [
        "Olá! Este bot é de uso exclusivo da equipe do provedor. Se você trabalha aqui, peça a "
        f"um administrador para liberar seu acesso (seu ID do Telegram é {OPERATOR_ID})."
    ]

    # Re-adding a deactivated member reactivates them with the chosen role.
    await admin.tap(env.app, "➕ Adicionar membro", mid)
    (ask,) = await admin.send(env.app, f"{OPERATOR_ID} Patrícia Souza")
    await admin.tap(env.app, "Atendente", ask.message_id)
    row = staff_row(env, OPERATOR_ID)
    assert (row["active"], row["role"], row["name"]) == (1, "operator", "Patrícia Souza")
    assert scalar(env, "SELECT COUNT(*) FROM staff WHERE telegram_id = ?", OPERATOR_ID) == 1


async def test_the_last_admin_cannot_be_demoted_or_deactivated(env: BotEnv) -> None:
    admin, mid = await open_team(env)
    await admin.tap(env.app, "Admin Teste · Administrador", mid)
    before = snapshot(env)
    for data in [f"st:r:{ADMIN_ID}:operator", f"st:r:{ADMIN_ID}:technician", f"st:d:{ADMIN_ID}"]:
        await admin.tap_data(env.app, mid, data)
        answer = env.api.last_callback_answer(ADMIN_ID)
        assert (answer["text"], answer["show_alert"]) == (LAST_ADMIN, True), data
    assert snapshot(env) == before
    row = staff_row(env, ADMIN_ID)
    assert (row["role"], row["active"]) == ("admin", 1)

    # With a second admin, the first may step down.
    await staff_service.set_role(env.ctx, None, TECHNICIAN_ID, Role.ADMIN)
    await admin.tap_data(env.app, mid, f"st:r:{ADMIN_ID}:operator")
    assert staff_row(env, ADMIN_ID)["role"] == "operator"
    await admin.tap_data(env.app, mid, "st:l")  # no longer an admin
    assert last_alert(env, ADMIN_ID) == PERMISSION


async def test_non_admins_cannot_manage_the_team(env: BotEnv) -> None:
    await env.add_admin(ADMIN_ID)
    before = snapshot(env)
    for user_id in (OPERATOR_ID, TECHNICIAN_ID):
        user = env.user(user_id)
        mid = await home(env, user)
        assert "👥 Equipe" not in user.chat.message(mid).button_texts()
        for data in [
            "st:l",
            "st:add",
            f"st:m:{ADMIN_ID}",
            f"st:r:{user_id}:admin",
            f"st:r:{ADMIN_ID}:technician",
            f"st:d:{ADMIN_ID}",
            "st:nr:admin",
        ]:
            await user.tap_data(env.app, mid, data)
            answer = env.api.last_callback_answer(user_id)
            assert answer["text"] in (
                PERMISSION,
                "Este botão expirou. Abra o cartão de novo pelo menu.",
            ), data
            assert answer["show_alert"] is True
    assert snapshot(env) == before


async def test_start_leaves_the_add_member_step(env: BotEnv) -> None:
    admin, _mid = await start_adding(env)
    await admin.send(env.app, "/start")
    sent = await admin.send(env.app, "Silva")
    assert sent and (sent[0].text or "").startswith("🔎 Resultados para “Silva”")


# --------------------------------------------------------------------------- claim link


async def test_claim_link_makes_the_first_opener_admin_once(env: BotEnv) -> None:
    assert scalar(env, "SELECT COUNT(*) FROM staff WHERE role = 'admin'") == 0
    code = await staff_service.open_admin_claim(env.ctx)
    assert code

    stranger = env.user(STRANGER_ID, "Zé")
    env.api.user(STRANGER_ID, "Zé", last_name="Gerente")
    sent = await stranger.send(env.app, f"/start claim_{code}")
    assert sent[0].text == "Pronto! Agora você é administrador do contractbot."
    menu = sent[1]
    assert menu.text is not None and "Olá, Zé Gerente! · Administrador" in menu.text
    assert "👥 Equipe" in menu.button_texts()
    row = staff_row(env, STRANGER_ID)
    assert (row["role"], row["active"], row["name"]) == ("admin", 1, "Zé Gerente")

    # Now a staff member: the team screen opens.
    await stranger.tap(env.app, "👥 Equipe", menu.message_id)
    assert stranger.chat.message(menu.message_id).text == "👥 Equipe (6)"

    # The code was single use.
    other = env.user(555000222, "Outro")
    sent = await other.send(env.app, f"/start claim_{code}")
    assert [m.text for m in sent] == ["Este link de administrador não é válido ou já foi usado."]
    assert scalar(env, "SELECT COUNT(*) FROM staff WHERE telegram_id = 555000222") == 0
    sent = await other.send(env.app, "/start")
    assert len(sent) == 1 and "uso exclusivo da equipe" in (sent[0].text or "")

    # With an admin in place, no new claim code is issued.
    assert await staff_service.open_admin_claim(env.ctx) is None


async def test_a_wrong_or_replaced_claim_code_is_refused(env: BotEnv) -> None:
    old = await staff_service.open_admin_claim(env.ctx)
    new = await staff_service.open_admin_claim(env.ctx)  # a restart prints a fresh link
    assert old and new and old != new
    stranger = env.user(STRANGER_ID, "Zé")
    for code in ["abc", old]:
        sent = await stranger.send(env.app, f"/start claim_{code}")
        assert [m.text for m in sent] == [
            "Este link de administrador não é válido ou já foi usado."
        ], code
    assert rows(env, "SELECT * FROM staff WHERE role = 'admin'") == []
    sent = await stranger.send(env.app, f"/start claim_{new}")
    assert sent[0].text == "Pronto! Agora você é administrador do contractbot."
