"""Moving around the plan-update wizard: ⬅️ Voltar shows the previous screen with the choices
kept, ✖️ Cancelar (or /cancelar) ends it on the contract card and writes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path as FsPath

import pytest

from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import (
    NOTHING_WRITTEN,
    Path,
    Wizard,
    row_counts,
    seeded_env,
)
from tests.fakebot import FakeBotApi
from tests.support.clock import FakeClock

CANCELLED = "Atualização de plano cancelada. Nada foi alterado."

# A path through every screen, typed screens included (the plan's services: Internet + Wi-Fi).
FULL = Path(
    channel="web",
    loyalty="none",
    value="129,90",
    split="110\n19,90",
    ticket=True,
    description="Trocar a ONU",
)


@pytest.fixture
async def env(
    api: FakeBotApi, tmp_path: FsPath, tmp_path_factory: pytest.TempPathFactory, clock: FakeClock
) -> AsyncIterator[BotEnv]:
    async with seeded_env(api, tmp_path, tmp_path_factory, clock) as bot_env:
        yield bot_env


async def assert_cancelled(w: Wizard, *, where: str) -> None:
    assert f"✅ {CANCELLED}" in w.text, f"cancel at {where}: {w.text}"
    assert "📄 Contrato 10000 · 🟢 Ativo" in w.text, where
    assert "Versão 1" in w.text and "Fibra 300 Mega" in w.text, where
    assert "⚙️ Ações" in w.buttons, where  # no pending action was created
    assert w.state is None, where
    assert await row_counts(w.env) == NOTHING_WRITTEN, where


Step = Callable[[Wizard], Awaitable[object]]


def press(data: str) -> Step:
    return lambda w: w.press(data)


def tap(label: str) -> Step:
    return lambda w: w.tap(label)


def type_after(data: str, text: str) -> Step:
    async def run(w: Wizard) -> None:
        await w.press(data)
        await w.type(text)

    return run


# (screen, the screen Voltar leads to, how to get there from the screen before it,
#  how to get there again from the Voltar screen, what the Voltar screen shows as chosen)
BACK_TABLE: list[tuple[str, str, Step, Step, str]] = [
    ("template", "channel", press("w:ch:web"), press("w:ch:web"), "✅ 🌐 Link web"),
    (
        "loyalty",
        "template",
        lambda w: w.press_prefix("w:tpl:"),
        lambda w: w.press_prefix("w:tpl:"),
        "✅ Contrato de Prestação de Serviços - Pessoa Física (Residencial)",
    ),
    ("group", "loyalty", tap("Sem fidelidade"), tap("Sem fidelidade"), "✅ Sem fidelidade"),
    ("plan", "group", tap("Residencial Fibra"), tap("Residencial Fibra"), "✅ Residencial Fibra"),
    (
        "value",
        "plan",
        tap("Fibra 500 Mega ·"),
        tap("Fibra 500 Mega ·"),
        "✅ Fibra 500 Mega · 500/250 Mbps · R$ 119,90",
    ),
    ("typing_value", "value", press("w:val:type"), press("w:val:type"), "R$ 119,90."),
    (
        "services",
        "value",
        lambda w: w.type("129,90"),
        type_after("w:val:type", "129,90"),
        "Valor atual escolhido: R$ 129,90.",
    ),
    ("split", "services", press("w:sv:ok"), press("w:sv:ok"), "✅ Internet (SCM) · R$ 99,90"),
    ("typing_split", "split", press("w:sp:manual"), press("w:sp:manual"), "R$ 129,90"),
    (
        "ticket",
        "split",
        lambda w: w.type("110\n19,90"),
        type_after("w:sp:manual", "110\n19,90"),
        "✅ ✏️ Digitar o valor de cada serviço",
    ),
    ("ticket_type", "ticket", press("w:tk:1"), press("w:tk:1"), "✅ Sim"),
    (
        "department",
        "ticket_type",
        tap("Visita técnica"),
        tap("Visita técnica"),
        "✅ Visita técnica",
    ),
    (
        "assignee",
        "department",
        tap("Suporte técnico"),
        tap("Suporte técnico"),
        "✅ Suporte técnico",
    ),
    (
        "priority",
        "assignee",
        tap("Marcos Técnico"),
        tap("Marcos Técnico"),
        "✅ 🔧 Marcos Técnico Oliveira",
    ),
    ("description", "priority", press("w:pr:high"), press("w:pr:high"), "✅ Alta"),
    ("typing_description", "description", press("w:ds:type"), press("w:ds:type"), "Padrão:"),
    (
        "gates",
        "description",
        lambda w: w.type("Trocar a ONU"),
        type_after("w:ds:type", "Trocar a ONU"),
        "Padrão:",
    ),
    (
        "review",
        "gates",
        lambda w: w.press("w:gt:ok"),
        press("w:gt:ok"),
        "Exigir atendimento concluído: Sim",
    ),
    ("edit", "review", press("w:rv:edit"), press("w:rv:edit"), "Novo: R$ 129,90 · Upgrade"),
]


async def test_voltar_at_every_step_shows_the_previous_screen(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    assert w.data[-1] == "w:x"  # ✖️ Cancelar on every screen (Voltar: see the xfail below)
    for screen, previous, arrive, again, chosen in BACK_TABLE:
        await arrive(w)
        w.assert_at(screen)
        assert w.buttons[-2:] == ["⬅️ Voltar", "✖️ Cancelar"], screen
        draft = w.draft
        message_id = w.msg.message_id
        await w.tap("⬅️ Voltar")
        assert w.msg.message_id == message_id, f"Voltar at {screen} must edit the same message"
        assert w.at(previous), f"Voltar at {screen}: expected {previous}, got:\n{w.text}"
        assert w.draft == draft, f"Voltar at {screen} changed the draft"
        assert chosen in w.text or chosen in w.buttons, f"Voltar at {screen}: {chosen!r} lost"
        await again(w)
        w.assert_at(screen)
    # the choices survived all the back and forth
    await w.tap("⬅️ Voltar")
    w.assert_at("review")
    assert "  Novo: R$ 129,90 · Upgrade" in w.text
    assert "Novo: Internet (SCM) R$ 110,00; Wi-Fi Plus (roteador mesh) R$ 19,90" in w.text
    assert "“Trocar a ONU”" in w.text
    assert await row_counts(env) == NOTHING_WRITTEN


async def test_voltar_skips_ticket_screens_without_a_ticket(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="in_person"), until="gates")
    await w.tap("⬅️ Voltar")
    w.assert_at("ticket")
    await w.press("w:tk:0")
    await w.tap("Continuar")
    w.assert_at("review")
    await w.tap("⬅️ Voltar")
    w.assert_at("gates")


@pytest.mark.xfail(
    strict=True,
    reason="BUG (DESIGN §2 'Every step has ⬅️ Voltar'): conversations/plan_update.py "
    "render_step adds Voltar only when prev_step() is not None, so the first screen "
    "(acceptance channel) has only ✖️ Cancelar and no way back to the contract's Ações menu",
)
async def test_first_screen_has_voltar_back_to_the_actions_menu(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    assert "⬅️ Voltar" in w.buttons
    await w.tap("⬅️ Voltar")
    assert "Escolha a ação de contrato:" in w.text


# Cancelar on one screen of every kind (all screens offer it: see the Voltar walk above).
CANCEL_SCREENS = [
    "channel",  # the first screen
    "plan",  # a catalog choice
    "typing_value",  # waiting for typed text
    "services",  # toggles
    "typing_split",
    "assignee",  # a ticket screen
    "typing_description",
    "gates",
    "review",
    "edit",
]
PARENT = {"typing_value": "value", "typing_split": "split", "typing_description": "description"}
TYPE_BUTTON = {"typing_value": "w:val:type", "typing_split": "w:sp:manual"}
TICKET_SCREENS = {"assignee", "typing_description"}


async def reach(w: Wizard, screen: str) -> None:
    path = Path(channel="web", ticket=screen in TICKET_SCREENS)  # the fewest taps to get there
    if screen in PARENT:
        await w.walk(path, until=PARENT[screen])
        await w.press(TYPE_BUTTON.get(screen, "w:ds:type"))
    elif screen == "edit":
        await w.walk(path)
        await w.press("w:rv:edit")
    else:
        await w.walk(path, until=screen)
    w.assert_at(screen)


@pytest.mark.parametrize(
    "screens",
    [CANCEL_SCREENS[:5], CANCEL_SCREENS[5:]],
    ids=["acceptance-plan-value", "ticket-review"],
)
async def test_cancelar_ends_on_the_contract_card_and_writes_nothing(
    env: BotEnv, screens: list[str]
) -> None:
    w = Wizard(env)
    await w.open_contract()
    for screen in screens:
        await w.press(f"ct:a:{w.contract_id}")
        await w.press(f"pu:go:{w.contract_id}")
        assert not any(b.startswith("✅") for b in w.buttons)  # a fresh draft every time
        await reach(w, screen)
        message_id = w.msg.message_id
        await w.tap("✖️ Cancelar")
        assert w.answer["text"] == CANCELLED, screen  # the toast
        assert w.msg.message_id == message_id, f"cancel at {screen} edits the wizard message"
        await assert_cancelled(w, where=screen)


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
    assert "Resultados para “129,90”" in w.text or "Nenhum cliente" in w.text
    assert await row_counts(env) == NOTHING_WRITTEN


async def test_slash_cancelar_on_a_button_step(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="services")
    await w.type("/cancelar")
    await assert_cancelled(w, where="/cancelar on the services screen")
