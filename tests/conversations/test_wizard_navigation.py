"""Moving around the plan-update wizard: ⬅️ Voltar shows the previous screen with the choices
kept, ✖️ Cancelar (or /cancelar) ends it on the contract card and writes nothing.

Cancelar is also tapped at the end of tests in the other modules that stop on a screen anyway
(channel, loyalty, plan, services, review); here are the screens no other test ends on.
"""

from __future__ import annotations

from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import (
    CANCELLED,
    NOTHING_WRITTEN,
    Path,
    Wizard,
    assert_cancelled,
    row_counts,
)

# A path through every screen, typed screens included (the plan's services: Internet + Wi-Fi).
FULL = Path(
    channel="web",
    loyalty="none",
    value="129,90",
    split="110\n19,90",
    ticket=True,
    description="Trocar a ONU",
)

# Walking back from the review: each screen, and what it shows as already chosen.
BACK_FROM_REVIEW = [
    ("gates", "Atendimento: exigido"),
    (
        "ticket_form",
        "Tipo: Visita técnica\nDepartamento: Suporte técnico\n"
        "Responsável: Marcos Técnico Oliveira\nPrioridade: Alta\nDescrição: Trocar a ONU",
    ),
    ("ticket", "✅ Sim"),
    ("effective", "✅ Ao finalizar"),
    ("split", "✅ ✏️ Digitar cada valor"),
    ("services", "✅ Wi-Fi Plus (roteador…"),
    ("value", "Valor escolhido para o novo plano: R$\u00a0129,90"),
    ("plan", "✅ 2 · Fibra 500 Mega"),
    ("group", "✅ Residencial Fibra"),
    ("loyalty", "✅ Sem fidelidade"),
    ("channel", "✅ 🌐 Link web"),  # the only template was chosen for us: no screen to go back to
]
# The ticket screen's fields: each opens a list that Voltar leaves for the ticket screen.
TICKET_FIELDS = [
    ("ticket_type", "w:tf:type"),
    ("department", "w:tf:dept"),
    ("assignee", "w:tf:who"),
    ("priority", "w:tf:prio"),
    ("typing_description", "w:tf:desc"),
]


async def voltar(w: Wizard, expected: str, *, from_screen: str) -> None:
    draft, message_id = w.draft, w.msg.message_id
    assert w.buttons[-2:] == ["⬅️ Voltar", "✖️ Cancelar"], from_screen
    await w.tap("⬅️ Voltar")
    assert w.msg.message_id == message_id, f"Voltar at {from_screen} must edit the same message"
    assert w.at(expected), f"Voltar at {from_screen}: expected {expected}, got:\n{w.text}"
    assert w.draft == draft, f"Voltar at {from_screen} changed the draft"


async def test_voltar_at_every_step_shows_the_previous_screen(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    assert w.buttons[-2:] == ["⬅️ Voltar", "✖️ Cancelar"]  # on the first screen too
    await w.walk(FULL, until="value")
    await w.press("w:val:type")
    await w.type("50")  # far below the list price: the confirmation goes back to the value
    w.assert_at("confirming_value")
    await voltar(w, "value", from_screen="confirming_value")
    assert "Valor escolhido para o novo plano: R$\u00a0119,90" in w.text  # nothing was taken
    for typing, parent, button in [
        ("typing_value", "value", "w:val:type"),
        ("typing_split", "split", "w:sp:manual"),
    ]:  # each typed screen goes back to the screen that offered it
        await w.walk(FULL, start=str(w.step), until=parent)
        await w.press(button)
        w.assert_at(typing)
        await voltar(w, parent, from_screen=typing)
    await w.walk(FULL, start="split", until="ticket_form")
    for screen, button in TICKET_FIELDS:
        await w.press(button)
        w.assert_at(screen)
        await voltar(w, "ticket_form", from_screen=screen)
    await w.walk(FULL, start="ticket_form")
    await w.press("w:rv:edit")
    await voltar(w, "review", from_screen="edit")
    screen = "review"
    for previous, chosen in BACK_FROM_REVIEW:
        await voltar(w, previous, from_screen=screen)
        assert chosen in w.text or chosen in w.buttons, f"Voltar to {previous}: {chosen!r} lost"
        screen = previous
    assert "Solicitar o aceite" in w.text  # the first screen (its Voltar leaves the wizard)
    assert await row_counts(env) == NOTHING_WRITTEN


async def test_voltar_skips_ticket_screens_without_a_ticket(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="in_person"), until="gates")
    await voltar(w, "ticket", from_screen="gates")
    assert "✅ Não" in w.buttons
    await w.press("w:tk:0")
    await w.tap("Continuar")
    await voltar(w, "gates", from_screen="review")
    await w.tap("Continuar")
    await w.tap("✖️ Cancelar")  # Cancelar on the review: nothing is created
    await assert_cancelled(w, where="review")


async def test_first_screen_has_voltar_back_to_the_actions_menu(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    assert "⬅️ Voltar" in w.buttons
    await w.tap("⬅️ Voltar")
    assert "Escolha a ação de contrato:" in w.text


async def test_cancelar_on_typed_screens_and_edit_ends_on_the_contract_card(
    env: BotEnv,
) -> None:
    w = Wizard(env)
    await w.open_contract()  # Ações → Atualização de plano, again after each cancel
    for screen, parent, button in [
        ("typing_value", "value", "w:val:type"),
        ("typing_split", "split", "w:sp:manual"),
        ("typing_description", "ticket_form", "w:tf:desc"),
        ("ticket_type", "ticket_form", "w:tf:type"),
        ("edit", "review", "w:rv:edit"),
    ]:
        await w.press(f"ct:a:{w.contract_id}")
        await w.press(f"pu:go:{w.contract_id}")
        assert not any(b.startswith("✅") for b in w.buttons)  # a fresh draft every time
        await w.walk(Path(ticket=parent == "ticket_form"), until=parent)
        await w.press(button)
        w.assert_at(screen)
        message_id = w.msg.message_id
        await w.tap("✖️ Cancelar")
        assert w.answer["text"] == CANCELLED, screen  # the toast
        assert w.msg.message_id == message_id, f"cancel at {screen} edits the wizard message"
        await assert_cancelled(w, where=screen)


async def test_cancelar_on_a_ticket_screen(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(ticket=True), until="ticket_form")
    await w.press("w:tf:who")
    w.assert_at("assignee")
    await w.tap("✖️ Cancelar")
    await assert_cancelled(w, where="assignee")


async def test_slash_cancelar_while_typing_a_value(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(FULL, until="value")
    await w.press("w:val:type")
    wizard_message = w.msg

    await w.type("/cancelar")

    assert w.msg.message_id != wizard_message.message_id  # a fresh contract card below
    await assert_cancelled(w, where="/cancelar while typing the value")
    assert w.op.chat.message(wizard_message.message_id).buttons == []  # old screen is dead
    await w.type("129,90")  # typing a value now is just a search, not a wizard answer
    assert "Resultados para “129,90”" in w.text
    assert await row_counts(env) == NOTHING_WRITTEN
