"""The wizard in both languages: every screen, the review and the action card speak the staff
member's language, and no text of the other catalog leaks in where a translation exists."""

from __future__ import annotations

import re

import pytest

from bot.i18n import catalog
from bot.services.staff import set_locale
from tests.conversations.conftest import BotEnv
from tests.conversations.wizard_helpers import (
    STEPS,
    Path,
    Wizard,
    pending_action,
    staff_id,
)

OTHER = {"pt_BR": "en", "en": "pt_BR"}

HEADER = {
    "pt_BR": {
        1: "🔄 Atualização de plano · Etapa 1/4 · Aceite e termos",
        2: "🔄 Atualização de plano · Etapa 2/4 · Plano e valor",
        3: "🔄 Atualização de plano · Etapa 3/4 · Atendimento",
        4: "🔄 Atualização de plano · Etapa 4/4 · Conferência",
    },
    "en": {
        1: "🔄 Plan update · Step 1/4 · Acceptance and terms",
        2: "🔄 Plan update · Step 2/4 · Plan and value",
        3: "🔄 Plan update · Step 3/4 · Ticket",
        4: "🔄 Plan update · Step 4/4 · Review",
    },
}
SECTION = {
    "channel": 1,
    "template": 1,
    "loyalty": 1,
    "group": 2,
    "plan": 2,
    "value": 2,
    "typing_value": 2,
    "confirming_value": 2,
    "services": 2,
    "split": 2,
    "typing_split": 2,
    "effective": 2,
    "ticket": 3,
    "ticket_form": 3,
    "ticket_type": 3,
    "department": 3,
    "assignee": 3,
    "priority": 3,
    "typing_description": 3,
    "gates": 3,
    "review": 4,
}
# What the operator reads on each screen, literally, in each language.
SAYS = {
    "pt_BR": {
        "channel": ["Solicitar o aceite do cliente para o novo contrato? Escolha como:"],
        "template": ["Qual modelo de contrato será usado?"],
        "loyalty": [
            "Qual fidelidade?",
            "• Fidelidade 12 meses: benefício de R$\u00a020,00/mês",
            "Clientes pessoa física: no máximo 12 meses",
        ],
        "group": ["Escolha o novo grupo de planos:"],
        "plan": [
            "Escolha o novo plano (Residencial Fibra):",
            "2. Fibra 500 Mega · 500/250 Mbps · R$\u00a0119,90",
            "5. Fibra 1 Giga · 1.000/500 Mbps · R$\u00a0199,90",
        ],
        "value": [
            "Valor mensal do contrato com o plano Fibra 500 Mega.",
            "Preço de tabela do plano: R$\u00a0119,90",
            "Valor atual do contrato: R$\u00a099,90",
            "Valor escolhido para o novo plano: R$\u00a0119,90",
        ],
        "typing_value": [
            "Digite o valor mensal do contrato, por exemplo 129,90 ou R$\u00a01.234,56:"
        ],
        "confirming_value": [
            "⚠️ R$\u00a050,00 está 58,3% abaixo do preço de tabela do plano (R$\u00a0119,90)."
            " Tem certeza?"
        ],
        "services": [
            "Serviços do contrato (valor total R$\u00a0129,90).",
            "• TV por assinatura (SeAC) · tabela R$\u00a049,90",
        ],
        "split": ["Como distribuir R$\u00a0129,90 entre os serviços"],
        "typing_split": ["nesta ordem. A soma precisa ser R$\u00a0129,90.", "Exemplo:"],
        "effective": [
            "Quando vale a mudança?",
            "No próximo vencimento (15/12)",
            "Ou digite uma data (dd/mm/aaaa), de hoje até 18/02/2027.",
        ],
        "ticket": ["Esta ação vai abrir um atendimento para o cliente?"],
        "ticket_form": [
            "O atendimento será aberto assim (toque em um campo para alterar):",
            "Tipo: Visita técnica\nDepartamento: Suporte técnico\n"
            "Responsável: 👥 Sem responsável (fila)\nPrioridade: Normal\n"
            "Descrição: Fibra 300 Mega → Fibra 500 Mega (contrato 10000)",
        ],
        "ticket_type": ["Tipo do atendimento:"],
        "department": ["Departamento responsável:"],
        "assignee": ["Quem vai atender?"],
        "priority": ["Prioridade do atendimento:"],
        "typing_description": [
            "Digite a descrição do atendimento (padrão: “Fibra 300 Mega → Fibra 500 Mega"
        ],
        "gates": [
            "Exigências para finalizar a ação (toque para mudar):",
            "🔒 Com uma nova fidelidade, o aceite do cliente é obrigatório.",
        ],
        "review": [
            "Plano\n  Atual: Fibra 300 Mega (300/150 Mbps)\n  Novo: Fibra 500 Mega (500/250 Mbps)",
            "Valor\n  Atual: R$\u00a099,90\n  Novo: R$\u00a0129,90 · Upgrade",
            "Modelo de contrato\n  Atual: ",
            "Novo: Fidelidade 12 meses: 12 meses, benefício de R$\u00a020,00/mês",
            "Aceite: 📱 Link pelo Telegram · exigido para finalizar",
            "Atendimento: Visita técnica · Suporte técnico · Marcos Técnico Oliveira · Alta",
        ],
    },
    "en": {
        "channel": ["Ask for the client's acceptance of the new contract? Choose how:"],
        "template": ["Which contract template?"],
        "loyalty": [
            "Which loyalty term?",
            "• Fidelidade 12 meses: benefit of R$\u00a020,00/month",
            "Individual clients: at most 12 months of loyalty.",
        ],
        "group": ["Choose the new plan group:"],
        "plan": [
            "Choose the new plan (Residencial Fibra):",
            "2. Fibra 500 Mega · 500/250 Mbps · R$\u00a0119,90",
            "5. Fibra 1 Giga · 1.000/500 Mbps · R$\u00a0199,90",
        ],
        "value": [
            "Monthly contract value with the Fibra 500 Mega plan.",
            "Plan's list price: R$\u00a0119,90",
            "Contract's current value: R$\u00a099,90",
            "Value chosen for the new plan: R$\u00a0119,90",
        ],
        "typing_value": ["Type the monthly contract value, e.g. 129,90 or R$\u00a01.234,56:"],
        "confirming_value": [
            "⚠️ R$\u00a050,00 is 58.3% below the plan's list price (R$\u00a0119,90). Are you sure?"
        ],
        "services": [
            "Contract services (total R$\u00a0129,90).",
            "• TV por assinatura (SeAC) · list R$\u00a049,90",
        ],
        "split": ["How should R$\u00a0129,90 be split among the services"],
        "typing_split": ["in this order. They must add up to R$\u00a0129,90.", "Example:"],
        "effective": [
            "When does the change start?",
            "At the next due date (15/12)",
            "Or type a date (dd/mm/yyyy), from today up to 18/02/2027.",
        ],
        "ticket": ["Will this action open a ticket for the client?"],
        "ticket_form": [
            "The ticket will be opened like this (tap a field to change it):",
            "Type: Visita técnica\nDepartment: Suporte técnico\n"
            "Assignee: 👥 Unassigned (queue)\nPriority: Normal\n"
            "Description: Fibra 300 Mega → Fibra 500 Mega",
        ],
        "ticket_type": ["Ticket type:"],
        "department": ["Department:"],
        "assignee": ["Who will handle it?"],
        "priority": ["Ticket priority:"],
        "typing_description": [
            "Type the ticket description (default: “Fibra 300 Mega → Fibra 500 Mega"
        ],
        "gates": [
            "Requirements before finalizing (tap to change):",
            "🔒 With a new loyalty term, the client's acceptance is mandatory.",
        ],
        "review": [
            "Plan\n  Current: Fibra 300 Mega (300/150 Mbps)\n  New: Fibra 500 Mega (500/250 Mbps)",
            "Value\n  Current: R$\u00a099,90\n  New: R$\u00a0129,90 · Upgrade",
            "Contract template\n  Current: ",
            "New: Fidelidade 12 meses: 12 months, benefit of R$\u00a020,00/month",
            "Acceptance: 📱 Telegram link · required to finalize",
            "Ticket: Visita técnica · Suporte técnico · Marcos Técnico Oliveira · High",
        ],
    },
}
BUTTONS = {
    "pt_BR": {
        "channel": [
            "Não solicitar aceite",
            "📱 Link pelo Telegram",
            "🌐 Link web",
            "🤝 Presencial",
        ],
        "loyalty": ["Manter a atual", "Fidelidade 12 meses"],
        "plan": ["2 · Fibra 500 Mega", "5 · Fibra 1 Giga"],
        "value": ["Usar preço de tabela", "✏️ Digitar outro valor"],
        "confirming_value": ["Sim, usar R$\u00a050,00", "✏️ Digitar outro valor"],
        "services": ["✅ Internet (SCM)", "⬜ TV por assinatura (Se…", "➡️ Continuar"],
        "split": ["Tudo no principal", "Proporcional à tabela", "✏️ Digitar cada valor"],
        "effective": ["Ao finalizar", "Vencimento 15/12"],
        "ticket": ["Sim", "Não"],
        "ticket_form": [
            "✏️ Tipo",
            "✏️ Departamento",
            "✏️ Responsável",
            "✏️ Prioridade",
            "✏️ Descrição",
            "➡️ Continuar",
        ],
        "assignee": ["✅ 👥 Fila (sem técnico)"],
        "priority": ["Baixa", "✅ Normal", "Alta", "Urgente"],
        "typing_description": ["Usar a descrição padrão"],
        "gates": ["🔒 Aceite: exigido", "Atendimento: exigido"],
        "review": ["✅ Finalizar", "✏️ Editar uma etapa", "⬅️ Voltar", "✖️ Cancelar"],
    },
    "en": {
        "channel": ["No acceptance request", "📱 Telegram link", "🌐 Web link", "🤝 In person"],
        "loyalty": ["Keep current loyalty", "Fidelidade 12 meses"],
        "plan": ["2 · Fibra 500 Mega", "5 · Fibra 1 Giga"],
        "value": ["Use the list price", "✏️ Type another value"],
        "confirming_value": ["Yes, use R$\u00a050,00", "✏️ Type another value"],
        "services": ["✅ Internet (SCM)", "⬜ TV por assinatura (Se…", "➡️ Continue"],
        "split": ["All on the main one", "By list prices", "✏️ Type each amount"],
        "effective": ["On finalizing", "Due date 15/12"],
        "ticket": ["Yes", "No"],
        "ticket_form": [
            "✏️ Type",
            "✏️ Department",
            "✏️ Assignee",
            "✏️ Priority",
            "✏️ Description",
            "➡️ Continue",
        ],
        "assignee": ["✅ 👥 Queue (no one)"],
        "priority": ["Low", "✅ Normal", "High", "Urgent"],
        "gates": ["🔒 Acceptance: required", "Ticket: required"],
        "review": ["✅ Finish", "✏️ Edit a step", "⬅️ Back", "✖️ Cancel"],
    },
}
CARD = {
    "pt_BR": [
        "✅ Ação de contrato criada.",
        "📋 Ação de contrato #1 · ⏳ pendente",
        "Aceite: ⏳ pendente (📱 Link pelo Telegram, ",
        "Atendimento #1: 🆕 aberto (",
        "Falta para finalizar:",
        "• O aceite do cliente ainda está pendente.",
        "Envie ao cliente o link de aceite:",
        "📱 Telegram: https://t.me/contractbot_test_bot?start=ac_",
        "👤 Criada por Patrícia Atendente Souza em ",
    ],
    "en": [
        "✅ Contract action created.",
        "📋 Contract action #1 · ⏳ pending",
        "Acceptance: ⏳ pending (📱 Telegram link, ",
        "Ticket #1: 🆕 open (",
        "Still missing to finalize:",
        "Send the client the acceptance link:",
        "📱 Telegram: https://t.me/contractbot_test_bot?start=ac_",
        "👤 Created by Patrícia Atendente Souza on ",
    ],
}
CARD_BUTTONS = {
    "pt_BR": ["✅ Finalizar ação", "🔁 Reenviar aceite", "✖️ Cancelar ação", "📄 Contrato"],
    "en": ["✅ Finalize action", "🔁 Resend acceptance", "✖️ Cancel action", "📄 Contract"],
}

PATH = Path(
    channel="telegram",
    loyalty="12",
    value="129,90",
    toggles=("TV por assinatura",),
    split="100\n10\n19,90",
    ticket=True,
    description="Trocar a ONU",
)
TYPING = {"value": "typing_value", "split": "typing_split"}
TYPE_BUTTON = {"value": "w:val:type", "split": "w:sp:manual"}
TYPED = {"value": PATH.value, "split": PATH.split}
FAR_VALUE = "50"  # typed first: far below the list price, so the confirmation is shown too


def foreign_texts(locale: str) -> tuple[set[str], set[str]]:
    """Texts of the *other* catalog that must not appear in ``locale``'s screens.

    Returns (fragments of 6+ characters from translated entries, whole short entries). Pieces
    that also occur in ``locale``'s own catalog are left out (money examples, names, emojis).
    """
    own, other = catalog(locale), catalog(OTHER[locale])
    own_text = "\n".join(own.values())
    fragments: set[str] = set()
    whole: set[str] = set()
    for key, text in other.items():
        if own.get(key) == text:
            continue
        whole.add(text)
        for piece in re.split(r"\{[^}]*\}|\n", text):
            piece = piece.strip(" .,:;!?()“”\"'·-")
            if len(piece) >= 6 and piece not in own_text:
                fragments.add(piece)
    return fragments, whole


DATA: list[str] = []  # names from the database (not catalog text), longest first


async def load_data_names(env: BotEnv) -> None:
    """Catalog names, people and the client are data: they read the same in every language."""
    async with env.ctx.uow() as uow:
        names = [t.name for t in await uow.catalog.templates()]
        names += [p.name for p in await uow.catalog.plans()]
        names += [g.name for g in await uow.catalog.plan_groups()]
        names += [s.name for s in await uow.catalog.services()]
        names += [term.name for term in await uow.catalog.loyalty_terms()]
        names += [i.name for i in await uow.catalog.ticket_types()]
        names += [i.name for i in await uow.catalog.departments()]
        names += [s.name for s in await uow.staff.list()]
        client = await uow.clients.get(1)
    assert client is not None
    # The default ticket description ("<plan> → <plan> (contrato N)", bot/services/wizard.py)
    # is ticket data written in the provider's language, not interface text.
    names.append("(contrato 10000)")
    DATA[:] = sorted({*names, client.name}, key=len, reverse=True)


def _without_data(text: str) -> str:
    for name in DATA:
        text = text.replace(name, "«data»")
    return text


def leaks(w: Wizard) -> list[str]:
    assert DATA, "call load_data_names(env) first"
    fragments, whole = foreign_texts(w.locale)
    text = _without_data(w.text)
    found = [f for f in fragments if f in text]
    for button in w.buttons:
        label = _without_data(button).removeprefix("✅ ")
        if label in whole or any(f in label for f in fragments):
            found.append(button)
    return found


def check(w: Wizard, screen: str) -> None:
    w.assert_at(screen)
    loc = w.locale
    assert w.text.splitlines()[0] == HEADER[loc][SECTION[screen]], screen
    for expected in SAYS[loc][screen]:
        assert expected in w.text, f"{screen}: {expected!r} not in\n{w.text}"
    for label in BUTTONS[loc].get(screen, []):
        assert label in w.buttons, f"{screen}: button {label!r} not in {w.buttons}"
    if screen != "channel":
        assert t_back(loc) in w.buttons, screen
    assert t_cancel(loc) in w.buttons, screen
    assert not leaks(w), f"{screen}: {OTHER[loc]} text in a {loc} screen: {leaks(w)}"


def t_back(locale: str) -> str:
    return catalog(locale)["ui.back"]


def t_cancel(locale: str) -> str:
    return catalog(locale)["ui.cancel"]


async def choose_language(w: Wizard) -> None:
    """🌐 Idioma → the language, from the main menu, as a user would."""
    await w.type("/start")
    await w.tap("🌐 Idioma")
    await w.tap("English" if w.locale == "en" else "Português")
    if w.locale == "en":
        assert w.answer["text"] == "Language updated."
        assert "🏠 Main menu" in w.text
    assert (await w.env.staff(w.user_id)).locale == w.locale


async def fill_ticket_checking_each_screen(w: Wizard) -> None:
    """The ticket screen's fields, each list checked, then back to the ticket screen."""
    for field, screen, choice in [
        ("type", "ticket_type", PATH.ticket_type),
        ("dept", "department", PATH.department),
        ("who", "assignee", str(PATH.assignee)),
        ("prio", "priority", f"w:pr:{PATH.priority}"),
        ("desc", "typing_description", str(PATH.description)),
    ]:
        await w.press(f"w:tf:{field}")
        check(w, screen)
        if screen == "priority":
            await w.press(choice)
        elif screen == "typing_description":
            await w.type(choice)
        else:
            await w.tap(choice)
        w.assert_at("ticket_form")
        assert not leaks(w), f"ticket screen after {screen}: {leaks(w)}"
    await w.press("w:tf:ok")


@pytest.mark.parametrize("locale", ["pt_BR", "en"])
async def test_every_screen_review_and_card_in_the_staff_language(env: BotEnv, locale: str) -> None:
    await load_data_names(env)
    w = Wizard(env, locale=locale)
    await choose_language(w)
    await w.start()
    for step in STEPS:
        if not PATH.applies(step):
            continue
        check(w, step)
        if step == "review":
            break
        if step in TYPING:
            await w.press(TYPE_BUTTON[step])
            check(w, TYPING[step])
            if step == "value":
                await w.type(FAR_VALUE)
                check(w, "confirming_value")
                await w.press("w:vc:no")  # ✏️ type another value
                check(w, "typing_value")
            await w.type(str(TYPED[step]))
        elif step == "ticket_form":
            await fill_ticket_checking_each_screen(w)
        else:
            await w.answer_step(step, PATH)
    await w.press("w:rv:edit")
    assert ("Which step do you want to change?" if locale == "en" else "Qual etapa") in w.text
    assert not leaks(w), leaks(w)
    await w.tap(t_back(locale))
    await w.finish()

    for expected in CARD[locale]:
        assert expected in w.text, f"{expected!r} not in\n{w.text}"
    for label in CARD_BUTTONS[locale]:
        assert label in w.buttons
    assert not leaks(w), leaks(w)
    assert await pending_action(env, w.contract_id) is not None


async def test_english_feedback_alerts_and_cancel(env: BotEnv) -> None:
    await load_data_names(env)
    await set_locale(env.ctx, await staff_id(env, 900000011), "en")
    w = Wizard(env, locale="en")
    await w.start()
    assert w.text.splitlines()[0] == "🔄 Plan update · Step 1/4 · Acceptance and terms"

    await w.type("hello")  # typed text on a button step
    assert "👆 Use the buttons of this message to continue (or /cancelar)." in w.text

    await w.press("w:ch:no")  # the only template is chosen for us: on to the loyalty
    assert "A new loyalty term needs the client's acceptance: to choose one, go back" in w.text
    await w.tap("Fidelidade 12 meses")
    assert w.alert == (
        "A new loyalty term needs the client's acceptance: choose an acceptance channel."
    )

    await w.walk(Path(), start="loyalty", until="value")
    await w.press("w:val:type")
    await w.type("abc")
    invalid = (
        'I couldn\'t read "abc" as an amount. Use for example 99,90, 1.234,56 or R$\u00a099,90.'
    )
    assert f"⚠️ {invalid}" in w.text
    await w.type("-1")
    assert "⚠️ The amount cannot be negative." in w.text
    await w.type("99.90")
    await w.press("w:svd")
    await w.press("w:sp:manual")
    await w.type("90\n5")
    assert (
        "⚠️ The services add up to R$\u00a095,00, less than the contract value (R$\u00a099,90): "
        "R$\u00a04,90 missing." in w.text
    )
    await w.type("90")
    assert "⚠️ Give one amount for each of the 2 services (got 1)." in w.text
    old = w.msg.message_id
    await w.type("99,90\n0")
    w.assert_at("effective")
    await w.tap_data(old, "w:sp:main")
    assert w.alert == "This button has expired. Open the card again from the menu."

    await w.tap("⬅️ Back")
    await w.tap("⬅️ Back")
    await w.tap("Internet (SCM)")
    await w.tap("Wi-Fi Plus")
    await w.press("w:svd")
    assert w.alert == "The contract needs at least one service."

    await w.type("/cancelar")
    assert "✅ Plan update cancelled. Nothing was changed." in w.text
    assert "📄 Contract 10000 · 🟢" in w.text
    assert "⚙️ Actions" in w.buttons
    assert not leaks(w), leaks(w)
