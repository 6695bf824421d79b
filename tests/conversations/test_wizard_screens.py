"""What the table wizard's screens show and accept: buttons of another step refused on the live
message, short labels everywhere, the value screen and its confirmation, the one ticket screen
with its defaults, and the steps skipped when their answer is forced."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.models import Priority
from storage import orm
from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import (
    Path,
    Wizard,
    pending_action,
    shares_of,
    staff_id,
    ticket_of,
)

EXPIRED = "Este botão expirou. Abra o cartão de novo pelo menu."
MAX_LABEL = 24
MAX_DATA_BYTES = 64
DEFAULT_DESCRIPTION = "Fibra 300 Mega → Fibra 500 Mega (contrato 10000)"
TICKET_DEFAULTS = (
    "Tipo: Visita técnica\n"
    "Departamento: Suporte técnico\n"
    "Responsável: 👥 Sem responsável (fila)\n"
    "Prioridade: Normal\n"
    f"Descrição: {DEFAULT_DESCRIPTION}"
)


def screen_state(w: Wizard) -> tuple[Any, ...]:
    """Everything a refused tap must leave as it was."""
    return (w.msg.message_id, w.text, w.msg.buttons, w.draft, w.step)


# --- (a) a choice of another step, and labels ----------------------------------------------

# One button of every step (data as the wizard draws it).
EVERY_STEPS_BUTTON = [
    "w:ch:no",
    "w:tpl:1",
    "w:loy:0",
    "w:grp:1",
    "w:pl:2",
    "w:plp:0",
    "w:val:keep",
    "w:vc:yes",
    "w:sv:1",
    "w:svd",
    "w:sp:main",
    "w:tk:0",
    "w:tf:ok",
    "w:tt:1",
    "w:dp:1",
    "w:as:0",
    "w:pr:low",
    "w:ds:def",
    "w:gt:ticket",
    "w:gok",
    "w:rv:ok",
    "w:ed:channel",
]

# Choices a step accepts without showing their button now (the plan pager: 5 plans, one page).
NOT_ON_SCREEN = {"plan": {"plp"}}


async def refuse_other_steps(w: Wizard, where: str) -> int:
    """Tap, on the live wizard message, every other step's button: each has expired."""
    own = {data.split(":")[1] for data in w.data} | NOT_ON_SCREEN.get(str(w.step), set())
    before = screen_state(w)
    tapped = 0
    for data in EVERY_STEPS_BUTTON:
        if data.split(":")[1] in own:
            continue
        await w.tap_data(w.msg.message_id, data)
        assert w.alert == EXPIRED, f"{data} on {where}"
        assert screen_state(w) == before, f"{data} on {where} changed something"
        tapped += 1
    return tapped


async def test_a_choice_of_another_step_on_the_live_message_has_expired(env: BotEnv) -> None:
    path = Path(channel="web", ticket=True)
    w = Wizard(env)
    await w.start()
    previous = "channel"
    screens = ["channel", "loyalty", "group", "plan", "value", "services", "split", "ticket"]
    for screen in [*screens, "ticket_form", "gates", "review"]:
        await w.walk(path, start=previous, until=screen)
        assert await refuse_other_steps(w, screen) >= len(EVERY_STEPS_BUTTON) - 2
        previous = screen
    for sub_screen, button, back_to in [
        ("edit", "w:rv:edit", "review"),
        ("priority", "w:tf:prio", "ticket_form"),
        ("typing_description", "w:tf:desc", "ticket_form"),
    ]:
        if back_to == "ticket_form":
            await w.tap("⬅️ Voltar")  # review → gates
            await w.tap("⬅️ Voltar")  # gates → ticket screen
            w.assert_at("ticket_form")
        await w.press(button)
        w.assert_at(sub_screen)
        await refuse_other_steps(w, sub_screen)
        await w.tap("⬅️ Voltar")
        w.assert_at(back_to)
        await w.walk(path, start=back_to, until="review")
    await w.finish()  # the wizard was never disturbed
    action = await pending_action(env, w.contract_id)
    assert action is not None and action.change.value.cents == 11990
    assert action.change.ticket is not None and action.change.ticket.priority is Priority.HIGH


async def test_a_value_awaiting_confirmation_refuses_other_steps_too(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")
    await w.type("10")
    w.assert_at("confirming_value")
    await refuse_other_steps(w, "confirming_value")
    assert w.draft["value_cents"] == 11990 and w.draft["value_to_confirm_cents"] == 1000


class RecordingWizard(Wizard):
    """A wizard that keeps every keyboard it was shown, with the step it was shown at."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.seen: list[tuple[str | None, list[list[tuple[str, Any]]]]] = []

    def _record(self) -> None:
        self.seen.append((self.step, self.msg.buttons))

    async def press(self, data: str) -> str:
        text = await super().press(data)
        self._record()
        return text

    async def tap(self, label: str, message_id: int | None = None) -> str:
        text = await super().tap(label, message_id)
        self._record()
        return text

    async def type(self, text: str) -> str:
        shown = await super().type(text)
        self._record()
        return shown


def long_labels(w: RecordingWizard) -> list[str]:
    return [
        f"{step}: {label!r} ({len(label)})"
        for step, rows in w.seen
        for row in rows
        for label, _ in row
        if len(label) > MAX_LABEL
    ]


def long_data(w: RecordingWizard) -> list[str]:
    return [
        f"{step}: {data!r}"
        for step, rows in w.seen
        for row in rows
        for _, data in row
        if len(str(data).encode()) > MAX_DATA_BYTES
    ]


async def test_every_button_on_every_screen_has_a_short_label(env: BotEnv) -> None:
    """A rich path (long plan, service and loyalty names, every sub-screen) keeps every label at
    24 characters or fewer, and every button's data within Telegram's 64 bytes."""
    path = Path(
        channel="telegram",
        loyalty="12",
        plan="Fibra 1 Giga",
        value="500",  # far above: the confirmation screen too
        toggles=("TV por assinatura", "IP fixo"),
        split="200\n100\n100\n50\n50",
        ticket=True,
        ticket_type="Troca de equipamento",
        department="Instalação",
        assignee="Juliana Técnica Santos",
        priority="urgent",
        description="Trocar a ONU",
    )
    w = RecordingWizard(env)
    await w.start()
    await w.press("w:ch:no")  # every channel marked in turn, then the path's
    for channel in ("telegram", "web", "in_person"):
        await w.tap("⬅️ Voltar")
        await w.press(f"w:ch:{channel}")
    await w.tap("⬅️ Voltar")
    await w.walk(path, until="value")
    await w.press("w:val:type")
    await w.type("20")  # far below first, then "type another value"
    await w.press("w:vc:no")
    await w.tap("⬅️ Voltar")
    await w.walk(path, start="value", until="split")
    for strategy in ("main", "proportional"):  # each strategy marked when chosen
        await w.press(f"w:sp:{strategy}")
        await w.tap("⬅️ Voltar")
    await w.walk(path, start="split", until="ticket_form")
    await w.press("w:tf:desc")
    await w.press("w:ds:def")
    await w.walk(path, start="ticket_form", until="gates")
    await w.press("w:gt:ticket")
    await w.press("w:gt:ticket")
    await w.walk(path, start="gates")
    await w.press("w:rv:edit")
    await w.tap("⬅️ Voltar")
    w.seen.append(("review", w.msg.buttons))

    steps = {step for step, _ in w.seen}
    every = {
        "channel",
        "loyalty",
        "group",
        "plan",
        "value",
        "typing_value",
        "confirming_value",
        "services",
        "split",
        "typing_split",
        "ticket",
        "ticket_form",
        "ticket_type",
        "department",
        "assignee",
        "priority",
        "typing_description",
        "gates",
        "review",
        "edit",
    }
    assert every <= steps, f"screens not walked: {every - steps}"
    assert long_labels(w) == []
    assert long_data(w) == []
    # long names are cut on the button (their details are in the message text)
    labels = {label for _, rows in w.seen for row in rows for label, _ in row}
    assert {"Fidelidade 12 meses (in…", "⬜ TV por assinatura (Se…"} <= labels
    await w.finish()
    assert await pending_action(env, w.contract_id) is not None


# --- (c) the value and its confirmation ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "cents", "question"),
    [
        (
            "50",
            5000,
            "⚠️ R$\u00a050,00 está 58,3% abaixo do preço de tabela do plano (R$\u00a0119,90).",
        ),
        (
            "95,91",
            9591,
            "⚠️ R$\u00a095,91 está 20,1% abaixo do preço de tabela do plano (R$\u00a0119,90).",
        ),
        (
            "143,89",
            14389,
            "⚠️ R$\u00a0143,89 está 20,1% acima do preço de tabela do plano (R$\u00a0119,90).",
        ),
        (
            "R$\u00a01.234,56",
            123456,
            "⚠️ R$\u00a01.234,56 está 929,7% acima do preço de tabela do plano",
        ),
    ],
    ids=["far-below", "just-below", "just-above", "far-above"],
)
async def test_a_value_far_from_the_list_price_asks_for_confirmation(
    env: BotEnv, typed: str, cents: int, question: str
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")

    await w.type(typed)

    assert w.step == "confirming_value"
    assert f"{question}" in w.text and "Tem certeza?" in w.text
    shown = question.split(" está ")[0].removeprefix("⚠️ ")
    assert w.buttons[:2] == [f"Sim, usar {shown}", "✏️ Digitar outro valor"]
    assert w.draft["value_cents"] == 11990  # nothing taken yet
    await w.press("w:vc:yes")
    w.assert_at("services")
    assert f"Serviços do contrato (valor total {shown})" in w.text
    assert w.draft["value_cents"] == cents and w.draft["value_to_confirm_cents"] is None
    await w.walk(Path(), start="services")
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None and action.change.value.cents == cents


@pytest.mark.parametrize(
    ("typed", "cents"),
    [("95,92", 9592), ("143,88", 14388), ("119,90", 11990), ("100", 10000), ("130", 13000)],
)
async def test_a_value_within_20_percent_is_taken_at_once(
    env: BotEnv, typed: str, cents: int
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")

    await w.type(typed)

    assert w.step == "services" and "Tem certeza?" not in w.text
    assert w.draft["value_cents"] == cents


async def test_type_another_value_goes_back_to_typing(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    await w.press("w:val:type")
    await w.type("10")
    w.assert_at("confirming_value")
    message_id = w.msg.message_id

    await w.press("w:vc:no")

    assert w.step == "typing_value"
    w.assert_at("typing_value")
    assert w.msg.message_id == message_id  # the same message, edited
    assert w.draft["value_cents"] == 11990  # the refused value was not taken
    await w.type("129,90")
    w.assert_at("services")
    assert w.draft["value_cents"] == 12990 and w.draft["value_to_confirm_cents"] is None
    await w.walk(Path(), start="services")
    assert "Novo: R$\u00a0129,90 · Upgrade" in w.text


# --- (d) the ticket screen -------------------------------------------------------------------


async def test_the_ticket_screen_comes_with_defaults_that_can_be_taken_as_they_are(
    env: BotEnv,
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="ticket")
    message_id = w.msg.message_id

    await w.press("w:tk:1")

    assert w.step == "ticket_form" and w.msg.message_id == message_id
    assert "O atendimento será aberto assim (toque em um campo para alterar):" in w.text
    assert TICKET_DEFAULTS in w.text
    assert w.buttons == [
        "✏️ Tipo",
        "✏️ Departamento",
        "✏️ Responsável",
        "✏️ Prioridade",
        "✏️ Descrição",
        "➡️ Continuar",
        "⬅️ Voltar",
        "✖️ Cancelar",
    ]
    await w.press("w:tf:ok")
    w.assert_at("gates")
    assert w.buttons[:2] == ["Atendimento: exigido", "➡️ Continuar"]
    await w.press("w:gok")
    assert (
        "Atendimento: Visita técnica · Suporte técnico · 👥 Sem responsável (fila) · Normal\n"
        f"  “{DEFAULT_DESCRIPTION}”\n"
        "  exigido para finalizar"
    ) in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    ticket = await ticket_of(env, action.id)
    assert ticket is not None
    async with env.ctx.uow() as uow:
        types = {i.id: i.name for i in await uow.catalog.ticket_types()}
        departments = {i.id: i.name for i in await uow.catalog.departments()}
    assert types[ticket.type_id] == "Visita técnica"
    assert departments[ticket.department_id] == "Suporte técnico"
    assert ticket.assignee_id is None and ticket.priority is Priority.NORMAL
    assert ticket.description == DEFAULT_DESCRIPTION
    assert action.change.require_ticket_closed


async def test_each_field_of_the_ticket_screen_is_changed_from_its_list(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="ticket")
    await w.press("w:tk:1")
    message_id = w.msg.message_id
    expected = TICKET_DEFAULTS
    for button, screen, marked, choice, old, new in [
        (
            "w:tf:type",
            "ticket_type",
            "✅ Visita técnica",
            "Troca de equipamento",
            "Tipo: Visita técnica",
            "Tipo: Troca de equipamento",
        ),
        (
            "w:tf:dept",
            "department",
            "✅ Suporte técnico",
            "Instalação",
            "Departamento: Suporte técnico",
            "Departamento: Instalação",
        ),
        (
            "w:tf:who",
            "assignee",
            "✅ 👥 Fila (sem técnico)",
            "Juliana Técnica Santos",
            "Responsável: 👥 Sem responsável (fila)",
            "Responsável: Juliana Técnica Santos",
        ),
        (
            "w:tf:prio",
            "priority",
            "✅ Normal",
            "Urgente",
            "Prioridade: Normal",
            "Prioridade: Urgente",
        ),
    ]:
        await w.press(button)
        w.assert_at(screen)
        assert marked in w.buttons, f"{screen}: the current choice is not marked: {w.buttons}"
        await w.tap(choice)
        w.assert_at("ticket_form")  # each list returns to the ticket screen
        assert w.msg.message_id == message_id
        expected = expected.replace(old, new)
        assert expected in w.text, f"after {screen}:\n{w.text}"
        await w.press(button)  # the new choice is the marked one now
        assert f"✅ {choice}" in w.buttons
        await w.tap("⬅️ Voltar")  # and Voltar keeps it
        assert expected in w.text

    await w.press("w:tf:desc")
    assert f"(padrão: “{DEFAULT_DESCRIPTION}”)" in w.text
    assert "Usar a descrição padrão" in w.buttons
    await w.type("Levar ONU nova")
    w.assert_at("ticket_form")
    typed = expected.replace(DEFAULT_DESCRIPTION, "Levar ONU nova")
    assert typed in w.text
    await w.press("w:tf:desc")
    await w.press("w:ds:def")  # back to the default description
    assert expected in w.text and w.draft["description"] is None
    await w.press("w:tf:desc")
    await w.type("Levar ONU nova")
    assert typed in w.text

    await w.press("w:tf:ok")
    await w.press("w:gok")
    assert (
        "Atendimento: Troca de equipamento · Instalação · Juliana Técnica Santos · Urgente\n"
        "  “Levar ONU nova”"
    ) in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    ticket = await ticket_of(env, action.id)
    assert ticket is not None
    assert ticket.assignee_id == await staff_id(env, 900000002)
    assert ticket.priority is Priority.URGENT and ticket.description == "Levar ONU nova"


async def test_no_ticket_after_yes_skips_the_ticket_screen(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="web"), until="ticket")
    await w.press("w:tk:1")
    await w.press("w:tf:prio")
    await w.press("w:pr:high")
    await w.tap("⬅️ Voltar")  # ticket screen → the yes/no question
    w.assert_at("ticket")
    await w.press("w:tk:0")
    assert w.step == "gates" and w.buttons[:2] == ["Aceite: exigido", "➡️ Continuar"]
    await w.tap("⬅️ Voltar")
    assert w.step == "ticket"  # Voltar skips the ticket screen without a ticket
    await w.press("w:tk:1")  # yes again: what was chosen is still there
    assert "Prioridade: Alta" in w.text


# --- (e) steps whose answer is forced ------------------------------------------------------


async def pj_contract_number(env: BotEnv) -> str:
    async with env.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        number = await session.scalar(
            select(orm.ContractRow.number)
            .join(orm.ClientRow, orm.ClientRow.id == orm.ContractRow.client_id)
            .where(orm.ClientRow.kind == "PJ", orm.ContractRow.status == "ativo")
            .order_by(orm.ContractRow.id)
        )
    assert number is not None
    return str(number)


@pytest.mark.parametrize(
    ("kind", "template"),
    [
        ("PF", "Contrato de Prestação de Serviços - Pessoa Física (Residencial)"),
        ("PJ", "Contrato de Prestação de Serviços - Pessoa Jurídica (Empresarial)"),
    ],
)
async def test_the_only_template_of_the_clients_kind_is_chosen_and_shown_in_the_review(
    env: BotEnv, kind: str, template: str
) -> None:
    number = "10000" if kind == "PF" else await pj_contract_number(env)
    w = Wizard(env)
    await w.start(number)
    await w.press("w:ch:web")
    assert w.step == "loyalty" and "Qual modelo de contrato" not in w.text
    await w.tap("⬅️ Voltar")
    assert w.step == "channel"  # no template screen on the way back either
    await w.press("w:ch:web")
    await w.walk(Path(channel="web"), start="loyalty")
    assert f"Modelo de contrato\n  Atual: {template}\n  Novo: {template}" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    async with env.ctx.uow() as uow:
        chosen = await uow.catalog.template(action.change.template_id)
    assert chosen is not None and chosen.name == template


async def test_one_service_takes_the_whole_value_without_the_split_question(
    env: BotEnv,
) -> None:
    path = Path(plan="Fibra 300 Mega", value="109,90")  # Internet only
    w = Wizard(env)
    await w.start()
    await w.walk(path, until="services")
    assert [b for b in w.buttons if b.startswith("✅")] == ["✅ Internet (SCM)"]
    await w.press("w:svd")
    assert w.step == "effective" and "Como distribuir" not in w.text
    await w.tap("⬅️ Voltar")
    assert w.step == "services"  # Voltar skips the split too
    await w.press("w:svd")
    await w.walk(path, start="effective")
    assert (
        "Serviços\n  Atual: Internet (SCM) R$\u00a099,90\n  Novo: Internet (SCM) R$\u00a0109,90"
        in w.text
    )
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None and shares_of(action) == {"Internet (SCM)": 10990}


async def test_the_split_is_asked_again_when_a_second_service_comes_back(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="services")  # Fibra 500 Mega: Internet and Wi-Fi
    await w.tap("Wi-Fi Plus")  # down to one service
    await w.press("w:svd")
    assert w.step == "effective"
    assert w.draft["split"] == "main"
    await w.tap("⬅️ Voltar")
    await w.tap("Wi-Fi Plus")  # two again: the split must be chosen
    await w.press("w:svd")
    assert w.step == "split"
    await w.press("w:sp:proportional")
    await w.walk(Path(split="proportional"), start="effective")
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert shares_of(action) == {"Internet (SCM)": 10425, "Wi-Fi Plus (roteador mesh)": 1565}


# --- (f) the value screen and the plan list ------------------------------------------------


async def test_the_value_screen_tells_list_price_current_value_and_chosen_value_apart(
    env: BotEnv,
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(plan="Fibra 1 Giga"), until="value")
    assert (
        "Valor mensal do contrato com o plano Fibra 1 Giga.\n"
        "Preço de tabela do plano: R$\u00a0199,90\n"
        "Valor atual do contrato: R$\u00a099,90\n"
        "Valor escolhido para o novo plano: R$\u00a0199,90"
    ) in w.text
    assert "Valor atual escolhido" not in w.text
    await w.press("w:val:type")
    await w.type("189,90")
    await w.tap("⬅️ Voltar")
    assert (
        "Preço de tabela do plano: R$\u00a0199,90\n"
        "Valor atual do contrato: R$\u00a099,90\n"
        "Valor escolhido para o novo plano: R$\u00a0189,90"
    ) in w.text
    await w.press("w:val:keep")  # the list price again
    assert w.draft["value_cents"] == 19990
    await w.tap("⬅️ Voltar")
    assert "Valor escolhido para o novo plano: R$\u00a0199,90" in w.text


async def test_the_plan_list_writes_speeds_with_a_thousands_dot(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="plan")
    assert "5. Fibra 1 Giga · 1.000/500 Mbps · R$\u00a0199,90" in w.text
    assert "1000/" not in w.text
    assert "5 · Fibra 1 Giga" in w.buttons
    await w.tap("⬅️ Voltar")
    await w.tap("Empresarial Fibra")
    assert "3. Empresarial 1 Giga Dedicado · 1.000/1.000 Mbps · R$\u00a0899,90" in w.text
    assert "1. Empresarial 300 Mega · 300/300 Mbps · R$\u00a0249,90" in w.text


async def test_review_lists_the_services_the_change_removes(env: BotEnv) -> None:
    """A contract with TV moved to a plan without it: the review says TV is removed."""
    async with env.ctx.uow() as uow:
        contracts = [
            c
            for client_id in range(1, 300)
            for c in await uow.contracts.for_client(client_id)
            if c.status.value == "ativo" and any("TV" in s.name for s in c.services)
        ]
    contract = contracts[0]
    tv = next(s.name for s in contract.services if "TV" in s.name)
    w = Wizard(env)
    await w.start(contract.number)
    path = Path(plan="Fibra 500 Mega")
    assert tv not in path.services_after()
    await w.walk(path, until="review")
    assert f"Removidos: {tv}" in w.text
