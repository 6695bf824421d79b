"""The plan-update wizard's happy paths (tutorial steps 3–7): every kind of choice on every
screen, the review's current-vs-new comparison, and what Finalizar stores."""

from __future__ import annotations

import re

import pytest

from bot.domain.models import AcceptanceChannel, AcceptanceStatus, ActionStatus, Priority
from bot.domain.tokens import hash_token
from tests.conversations.conftest import TECHNICIAN_ID, BotEnv
from tests.conversations.wizard_helpers import (
    NOTHING_WRITTEN,
    Path,
    Wizard,
    acceptance_of,
    actions_of,
    assert_cancelled,
    notifications,
    pending_action,
    plan_id,
    row_counts,
    shares_of,
    staff_id,
    term_id,
    ticket_of,
)

DEEP_LINK = re.compile(r"https://t\.me/contractbot_test_bot\?start=ac_([A-Za-z0-9_-]+)")
WEB_LINK = re.compile(r"https://aceite\.provedor\.test/aceite/([A-Za-z0-9_-]+)")


async def finish_path(env: BotEnv, path: Path) -> Wizard:
    w = Wizard(env)
    await w.start()
    await w.walk(path)
    await w.finish()
    return w


async def test_full_tutorial_path_by_button_texts(env: BotEnv) -> None:
    """Every tutorial step in order, tapping what the operator reads, with the richest choices."""
    w = Wizard(env)
    await w.start_from_card()
    assert "Atualização de plano · Etapa 1/4 · Aceite e termos" in w.text
    assert "📄 10000 · " in w.text
    assert w.buttons == [
        "Não solicitar aceite",
        "📱 Link pelo Telegram",
        "🌐 Link web",
        "🤝 Presencial",
        "⬅️ Voltar",
        "✖️ Cancelar",
    ]
    text = await w.tap("Link web")
    # a PF client has one contract template: it is chosen already and its question skipped
    assert "Qual modelo de contrato" not in text and w.step == "loyalty"
    assert "Qual fidelidade?" in text
    assert "no máximo 12 meses de fidelidade" in text  # PF note
    assert "Fidelidade 24 meses" not in text + " ".join(w.buttons)  # PF: no 24 months
    assert "• Fidelidade 12 meses: benefício de R$\u00a020,00/mês" in text  # benefits in the text
    assert w.buttons[:3] == ["Manter a atual", "Sem fidelidade", "Fidelidade 12 meses"]
    text = await w.tap("Fidelidade 12 meses")
    assert "Etapa 2/4 · Plano e valor" in text and "Escolha o novo grupo de planos" in text
    assert "✅ Residencial Fibra" in w.buttons  # the contract's current group is marked
    text = await w.tap("Residencial Fibra")
    assert "Escolha o novo plano (Residencial Fibra)" in text
    assert "\n2. Fibra 500 Mega · 500/250 Mbps · R$\u00a0119,90\n" in text  # details in the text
    assert "2 · Fibra 500 Mega" in w.buttons  # the button refers to them by number
    text = await w.tap("2 · Fibra 500 Mega")
    assert (
        "Valor mensal do contrato com o plano Fibra 500 Mega.\n"
        "Preço de tabela do plano: R$\u00a0119,90\n"
        "Valor atual do contrato: R$\u00a099,90\n"
        "Valor escolhido para o novo plano: R$\u00a0119,90"
    ) in text
    assert "Digite o valor mensal do contrato" in await w.tap("Digitar outro valor")
    text = await w.type("129,90")  # within 20 % of the list price: taken at once
    assert "Serviços do contrato (valor total R$\u00a0129,90)" in text
    assert "✅ Internet (SCM)" in w.buttons  # the plan's default services
    assert "✅ Wi-Fi Plus (roteador…" in w.buttons
    assert "⬜ TV por assinatura (Se…" in w.buttons
    for line in (  # prices in the text
        "• Internet (SCM) · tabela R$\u00a099,90",
        "• TV por assinatura (SeAC) · tabela R$\u00a049,90",
        "• Wi-Fi Plus (roteador mesh) · tabela R$\u00a015,00",
    ):
        assert line in text
    await w.tap("TV por assinatura")
    assert "✅ TV por assinatura (Se…" in w.buttons
    text = await w.tap("Continuar")
    assert (
        "Como distribuir R$\u00a0129,90 entre os serviços "
        "(Internet (SCM), TV por assinatura (SeAC), Wi-Fi Plus (roteador mesh))?" in text
    )
    assert w.buttons[:3] == ["Tudo no principal", "Proporcional à tabela", "✏️ Digitar cada valor"]
    text = await w.tap("Digitar cada valor")
    assert "A soma precisa ser R$\u00a0129,90" in text
    assert "1. Internet (SCM)\n2. TV por assinatura (SeAC)\n3. Wi-Fi Plus (roteador mesh)" in text
    text = await w.type("100\n10\n19,90")
    assert "Etapa 2/4 · Plano e valor" in text and "Quando vale a mudança?" in text
    assert "• Ao finalizar (padrão para Upgrade)\n• No próximo vencimento (15/12)" in text
    assert w.buttons[:2] == ["Ao finalizar", "Vencimento 15/12"]
    text = await w.tap("Ao finalizar")
    assert "Etapa 3/4 · Atendimento" in text and "vai abrir um atendimento" in text
    text = await w.tap("Sim")
    assert "O atendimento será aberto assim" in text  # one screen, defaults filled
    assert "Tipo: Visita técnica\nDepartamento: Suporte técnico\n" in text
    assert "Tipo do atendimento" in await w.tap("✏️ Tipo")
    assert "✅ Visita técnica" in w.buttons
    assert "Tipo: Visita técnica" in await w.tap("Visita técnica")
    assert "Departamento responsável" in await w.tap("✏️ Departamento")
    assert "Departamento: Suporte técnico" in await w.tap("Suporte técnico")
    assert "Quem vai atender?" in await w.tap("✏️ Responsável")
    assert "✅ 👥 Fila (sem técnico)" in w.buttons  # the default: the queue
    assert "Marcos Técnico Oliveira" in w.buttons
    assert "Responsável: Marcos Técnico Oliveira" in await w.tap("Marcos Técnico Oliveira")
    assert "Prioridade do atendimento" in await w.tap("✏️ Prioridade")
    assert w.buttons[:4] == ["Baixa", "✅ Normal", "Alta", "Urgente"]
    assert "Prioridade: Alta" in await w.tap("Alta")
    text = await w.tap("✏️ Descrição")
    assert "(padrão: “Fibra 300 Mega → Fibra 500 Mega (contrato 10000)”)" in text
    text = await w.tap("Usar a descrição padrão")
    assert "Descrição: Fibra 300 Mega → Fibra 500 Mega (contrato 10000)" in text
    text = await w.tap("Continuar")
    assert "Exigências para finalizar a ação" in text
    text = await w.tap("Continuar")
    assert "Etapa 4/4 · Conferência" in text
    assert (  # the template chosen for us is shown
        "Modelo de contrato\n"
        "  Atual: Contrato de Prestação de Serviços - Pessoa Física (Residencial)\n"
        "  Novo: Contrato de Prestação de Serviços - Pessoa Física (Residencial)"
    ) in text
    await w.tap("Finalizar")

    assert "Ação de contrato criada." in w.text
    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert f"Ação de contrato #{action.id} · ⏳ pendente" in w.text
    assert shares_of(action) == {
        "Internet (SCM)": 10000,
        "TV por assinatura (SeAC)": 1000,
        "Wi-Fi Plus (roteador mesh)": 1990,
    }
    assert action.change.value.cents == 12990
    assert action.change.plan_id == await plan_id(env, "Fibra 500 Mega")
    assert action.change.loyalty_term_id == await term_id(env, "Fidelidade 12 meses")
    assert action.change.require_acceptance and action.change.require_ticket_closed
    async with env.ctx.uow() as uow:
        template = await uow.catalog.template(action.change.template_id)
    assert template is not None and template.name.endswith("Pessoa Física (Residencial)")


@pytest.mark.parametrize(
    ("channel", "loyalty", "card_line"),
    [
        ("no", "none", "Aceite: não solicitado"),
        ("telegram", "keep", "Aceite: ⏳ pendente (📱 Link pelo Telegram, "),
        ("web", "keep", "Aceite: ⏳ pendente (🌐 Link web, "),
        ("in_person", "none", "Aceite: ⏳ pendente (🤝 Presencial, "),
    ],
)
async def test_each_acceptance_channel(
    env: BotEnv, channel: str, loyalty: str, card_line: str
) -> None:
    """Each channel, with the loyalty terms that need no acceptance (kept, or none)."""
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel=channel, loyalty=loyalty), until="ticket")
    await w.press("w:tk:0")
    if channel == "no":  # no acceptance, no ticket: no gate makes sense, straight to review
        w.assert_at("review")
        await w.tap("⬅️ Voltar")  # and back, to the ticket question
        w.assert_at("ticket")
        assert "✅ Não" in w.buttons
        await w.press("w:tk:0")
        assert "Aceite: Não solicitar aceite" in w.text and "Atendimento: Não" in w.text
    else:  # only the acceptance gate, on by default, not locked
        w.assert_at("gates")
        assert w.buttons[:2] == ["Aceite: exigido", "➡️ Continuar"]
        assert "🔒" not in w.text
        await w.press("w:gok")
    kept = loyalty == "keep"
    # The contract has no loyalty: keeping it is said as "none in force", not "kept".
    new_loyalty = "Novo: sem fidelidade vigente (nenhuma nova)" if kept else "Novo: sem fidelidade"
    assert "Fidelidade\n  Atual: sem fidelidade\n  " + new_loyalty in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    term = None if kept else await term_id(env, "Sem fidelidade")
    assert action.change.loyalty_term_id == term
    card = w.text
    assert card_line in card
    request = await acceptance_of(env, action.id)
    deep, web = DEEP_LINK.search(card), WEB_LINK.search(card)
    if channel == "no":
        assert request is None
        assert action.change.acceptance_channel is None
        assert not action.change.require_acceptance
        assert deep is None and web is None and "link de aceite" not in card
        return
    assert request is not None
    assert request.channel is AcceptanceChannel(channel)
    assert request.status is AcceptanceStatus.PENDING
    assert action.change.acceptance_channel is AcceptanceChannel(channel)
    assert action.change.require_acceptance  # by default the acceptance is required
    if channel == "in_person":
        assert deep is None and web is None  # signed at the store: no link to share
        assert "🤝 Aceite presencial" in w.buttons
        return
    assert "Envie ao cliente o link de aceite:" in card
    assert web is not None and f"🌐 Web: {web.group(0)}" in card
    token = web.group(1)
    if channel == "telegram":
        assert deep is not None and f"📱 Telegram: {deep.group(0)}" in card
        assert deep.group(1) == token
    else:
        assert deep is None
    assert "📤 Compartilhar link de aceite" in w.buttons
    async with env.ctx.uow() as uow:  # only the hash is stored, and it is this request's
        by_hash = await uow.acceptances.by_token_hash(hash_token(token))
    assert by_hash is not None and by_hash.id == request.id


async def test_loyalty_12_months_forces_acceptance_and_locks_the_gate(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="web", loyalty="12"), until="gates")
    assert "🔒 Com uma nova fidelidade, o aceite do cliente é obrigatório." in w.text
    assert "🔒 Aceite: exigido" in w.buttons

    await w.tap("🔒 Aceite: exigido")  # try to turn it off
    assert w.alert == "Uma nova fidelidade exige o aceite do cliente: escolha um canal de aceite."
    assert "🔒 Aceite: exigido" in w.buttons
    assert w.draft["gate_acceptance"] is True

    await w.tap("✖️ Cancelar")  # Cancelar on the gates screen (stored: see the Finalizar test)
    await assert_cancelled(w, where="gates")


async def test_loyalty_12_months_without_acceptance_is_refused(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="no"), until="loyalty")
    assert "Uma nova fidelidade exige o aceite do cliente: para escolhê-la, volte" in w.text
    screen, buttons, draft = w.text, w.msg.buttons, w.draft

    await w.tap("Fidelidade 12 meses")

    assert w.alert == "Uma nova fidelidade exige o aceite do cliente: escolha um canal de aceite."
    assert (w.text, w.msg.buttons, w.draft) == (screen, buttons, draft)
    assert w.step == "loyalty"
    await w.tap("✖️ Cancelar")  # Cancelar on the loyalty screen
    await assert_cancelled(w, where="loyalty")


async def test_dropping_acceptance_after_choosing_12_months_is_refused(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(channel="in_person", loyalty="12"), until="group")
    await w.tap("Voltar")
    w.assert_at("loyalty")
    await w.tap("Voltar")  # the template step was skipped: Voltar skips it too
    w.assert_at("channel")
    draft = w.draft

    await w.tap("Não solicitar aceite")

    assert w.alert == "Uma nova fidelidade exige o aceite do cliente: escolha um canal de aceite."
    w.assert_at("channel")
    assert w.draft == draft and draft["channel"] == "in_person"
    await w.tap("✖️ Cancelar")  # Cancelar on the first screen
    await assert_cancelled(w, where="channel")


async def test_plan_screen_lists_the_groups_plans_and_a_new_group_clears_the_plan(
    env: BotEnv,
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="group")
    assert [b for b in w.buttons if "Fibra" in b or "Rural" in b] == [
        "✅ Residencial Fibra",
        "Empresarial Fibra",
        "Rural Rádio",
    ]
    await w.tap("Rural Rádio")
    assert "Escolha o novo plano (Rural Rádio):" in w.text
    assert (
        "Escolha o novo plano (Rural Rádio):\n"
        "1. Rural 20 Mega · 20/5 Mbps · R$\u00a0129,90\n"
        "2. Rural 50 Mega · 50/10 Mbps · R$\u00a0179,90"
    ) in w.text
    plans = [b for b in w.buttons if "Rural" in b]
    assert plans == ["1 · Rural 20 Mega", "2 · Rural 50 Mega"]
    assert not any("/" in b and b[0].isdigit() for b in w.buttons)  # 2 plans: no pager
    await w.tap("Rural 50 Mega")
    assert "Valor mensal do contrato com o plano Rural 50 Mega." in w.text
    assert "Valor escolhido para o novo plano: R$\u00a0179,90" in w.text
    await w.walk(Path(plan="Rural 50 Mega"), start="value")
    assert "Novo: Rural 50 Mega (50/10 Mbps)" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None and action.change.plan_id == await plan_id(env, "Rural 50 Mega")
    assert action.change.value.cents == 17990


async def test_typed_value_formats(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="value")
    for typed, cents, shown in [
        ("R$\u00a01.234,56", 123456, "R$\u00a01.234,56"),
        ("129,90", 12990, "R$\u00a0129,90"),
        ("99.90", 9990, "R$\u00a099,90"),
    ]:
        await w.press("w:val:type")
        await w.type(typed)
        if cents == 123456:  # far above the list price: confirmed first
            assert f"⚠️ {shown} está 929,7% acima do preço de tabela" in w.text, typed
            await w.press("w:vc:yes")
        assert f"Serviços do contrato (valor total {shown})" in w.text, typed
        assert w.draft["value_cents"] == cents, typed
        await w.tap("⬅️ Voltar")
        assert f"Valor escolhido para o novo plano: {shown}" in w.text, typed
    await w.walk(Path(value="99.90"), start="value")
    assert (
        "Valor\n  Atual: R$\u00a099,90\n  Novo: R$\u00a099,90 · Mudança sem alteração de valor"
        in w.text
    )
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert action.change.value.cents == 9990
    assert sum(shares_of(action).values()) == 9990


async def test_services_add_tv_and_remove_wifi(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="services")
    await w.tap("TV por assinatura")
    await w.tap("Wi-Fi Plus")
    assert "✅ TV por assinatura (Se…" in w.buttons
    assert "⬜ Wi-Fi Plus (roteador…" in w.buttons
    await w.tap("Continuar")
    assert "(Internet (SCM), TV por assinatura (SeAC))?" in w.text
    await w.walk(Path(split="proportional"), start="split")
    assert "Novo: Internet (SCM) R$\u00a079,96; TV por assinatura (SeAC) R$\u00a039,94" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert shares_of(action) == {"Internet (SCM)": 7996, "TV por assinatura (SeAC)": 3994}


async def test_no_services_is_refused_with_an_alert(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="services")
    await w.tap("Internet (SCM)")
    await w.tap("Wi-Fi Plus")
    assert not any(b.startswith("✅") for b in w.buttons)

    await w.tap("Continuar")

    assert w.alert == "O contrato precisa de pelo menos um serviço."
    w.assert_at("services")
    assert w.step == "services"
    assert w.draft["service_ids"] == []


async def test_no_services_alert_keeps_the_services_buttons(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(), until="services")
    await w.tap("Internet (SCM)")
    await w.tap("Wi-Fi Plus")
    await w.tap("Continuar")
    assert w.alert == "O contrato precisa de pelo menos um serviço."
    assert "➡️ Continuar" in w.buttons  # still on the services screen, buttons and all
    await w.tap("Internet (SCM)")
    await w.tap("Wi-Fi Plus")
    await w.tap("Continuar")
    w.assert_at("split")


@pytest.mark.parametrize(
    ("split", "expected"),
    [
        ("main", {"Internet (SCM)": 11990, "Wi-Fi Plus (roteador mesh)": 0}),
        ("proportional", {"Internet (SCM)": 10425, "Wi-Fi Plus (roteador mesh)": 1565}),
        ("110;9,90", {"Internet (SCM)": 11000, "Wi-Fi Plus (roteador mesh)": 990}),
    ],
    ids=["main", "proportional", "typed"],
)
async def test_each_split_strategy_is_stored(
    env: BotEnv, split: str, expected: dict[str, int]
) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path(split=split))
    new_line = "; ".join(
        f"{name} R$\u00a0{cents // 100},{cents % 100:02d}" for name, cents in expected.items()
    )
    assert f"Novo: {new_line}" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert shares_of(action) == expected
    assert sum(shares_of(action).values()) == action.change.value.cents == 11990
    for name, cents in expected.items():
        assert f"• {name}: R$\u00a0{cents // 100},{cents % 100:02d}" in w.text


async def test_ticket_with_technician_typed_description_and_gates_off(env: BotEnv) -> None:
    path = Path(
        channel="telegram",
        ticket=True,
        ticket_type="Troca de equipamento",
        department="Instalação",
        assignee="Juliana Técnica Santos",
        priority="urgent",
        description="Trocar a ONU por uma compatível com 500 Mega",
    )
    w = Wizard(env)
    await w.start()
    await w.walk(path, until="gates")
    assert w.buttons[:3] == ["Aceite: exigido", "Atendimento: exigido", "➡️ Continuar"]
    await w.tap("Aceite: exigido")
    await w.tap("Atendimento: exigido")
    assert w.buttons[:2] == ["Aceite: não exigido", "Atendimento: não exigido"]
    await w.tap("Continuar")
    assert "Aceite: 📱 Link pelo Telegram · não exigido para finalizar" in w.text
    assert (
        "Atendimento: Troca de equipamento · Instalação · Juliana Técnica Santos · Urgente\n"
        "  “Trocar a ONU por uma compatível com 500 Mega”\n"
        "  não exigido para finalizar"
    ) in w.text
    await w.finish()

    action = await pending_action(env, w.contract_id)
    assert action is not None
    assert not action.change.require_acceptance and not action.change.require_ticket_closed
    ticket = await ticket_of(env, action.id)
    assert ticket is not None
    assert ticket.description == "Trocar a ONU por uma compatível com 500 Mega"
    assert ticket.priority is Priority.URGENT
    assert ticket.assignee_id == await staff_id(env, 900000002)
    async with env.ctx.uow() as uow:
        types = {i.id: i.name for i in await uow.catalog.ticket_types()}
        departments = {i.id: i.name for i in await uow.catalog.departments()}
    assert types[ticket.type_id] == "Troca de equipamento"
    assert departments[ticket.department_id] == "Instalação"
    assert "🟢 Pronta para finalizar." in w.text  # nothing is required any more
    assert "· 🔧 Juliana Técnica Santos" in w.text
    sent_to = [n.chat_id for n in await notifications(env)]
    assert sent_to == [900000002]


async def test_unassigned_ticket_with_default_description(env: BotEnv) -> None:
    w = await finish_path(env, Path(ticket=True, assignee=None, priority="low"))
    action = await pending_action(env, w.contract_id)
    assert action is not None
    ticket = await ticket_of(env, action.id)
    assert ticket is not None
    assert ticket.assignee_id is None
    assert ticket.priority is Priority.LOW
    assert ticket.description == "Fibra 300 Mega → Fibra 500 Mega (contrato 10000)"
    assert action.change.require_ticket_closed  # the default: the ticket must be closed
    assert f"Atendimento #{ticket.id}: 🆕 aberto" in w.text
    assert "🔧" not in w.text
    assert await notifications(env) == []  # nobody to tell


async def test_review_side_by_side_then_finalizar_creates_everything(env: BotEnv) -> None:
    """Review (tutorial step 6) then Finalizar (step 7): one action, its acceptance request,
    its ticket and the technician's notification."""
    w = Wizard(env)
    await w.start()
    await w.walk(
        Path(
            channel="web",
            loyalty="12",
            plan="Fibra 1 Giga",
            value="189,90",
            split="proportional",
            ticket=True,
            priority="normal",
        )
    )
    assert w.text.splitlines()[0] == "🔄 Atualização de plano · Etapa 4/4 · Conferência"
    expected = "\n".join(
        [
            "Plano",
            "  Atual: Fibra 300 Mega (300/150 Mbps)",
            "  Novo: Fibra 1 Giga (1.000/500 Mbps)",
            "Valor",
            "  Atual: R$\u00a099,90",
            "  Novo: R$\u00a0189,90 · Upgrade",
            "Serviços",
            "  Atual: Internet (SCM) R$\u00a099,90",
            "  Novo: Internet (SCM) R$\u00a0131,02; Telefonia fixa (STFC) R$\u00a039,21; "
            "Wi-Fi Plus (roteador mesh) R$\u00a019,67",
            "Modelo de contrato",
            "  Atual: Contrato de Prestação de Serviços - Pessoa Física (Residencial)",
            "  Novo: Contrato de Prestação de Serviços - Pessoa Física (Residencial)",
            "Fidelidade",
            "  Atual: sem fidelidade",
            "  Novo: Fidelidade 12 meses: 12 meses, benefício de R$\u00a020,00/mês",
            "Aceite: 🌐 Link web · exigido para finalizar",
            "Atendimento: Visita técnica · Suporte técnico · Marcos Técnico Oliveira · Normal",
            "  “Fibra 300 Mega → Fibra 1 Giga (contrato 10000)”",
            "  exigido para finalizar",
        ]
    )
    assert expected in w.text
    assert w.buttons == ["✅ Finalizar", "✏️ Editar uma etapa", "⬅️ Voltar", "✖️ Cancelar"]
    assert await row_counts(env) == NOTHING_WRITTEN

    await w.finish()

    assert await row_counts(env) == {
        "actions": 1,
        "acceptances": 1,
        "tickets": 1,
        "notifications": 1,
    }
    (action,) = await actions_of(env, w.contract_id)
    assert action.status is ActionStatus.PENDING
    assert action.created_by == await staff_id(env, w.user_id)
    assert action.base_version == 1
    assert action.change.plan_id == await plan_id(env, "Fibra 1 Giga")
    assert action.change.value.cents == 18990
    assert sum(shares_of(action).values()) == 18990
    assert action.change.loyalty_term_id == await term_id(env, "Fidelidade 12 meses")
    assert action.change.require_acceptance and action.change.require_ticket_closed
    request = await acceptance_of(env, action.id)
    ticket = await ticket_of(env, action.id)
    assert request is not None and request.channel is AcceptanceChannel.WEB
    assert ticket is not None and ticket.action_id == action.id
    assert ticket.priority is Priority.NORMAL
    assert ticket.description == "Fibra 300 Mega → Fibra 1 Giga (contrato 10000)"
    assert ticket.assignee_id == await staff_id(env, TECHNICIAN_ID)
    (note,) = await notifications(env)
    assert note.chat_id == TECHNICIAN_ID and note.kind == "ticket_assigned"
    assert note.payload["ticket_id"] == ticket.id and note.payload["action_id"] == action.id
    # the card: acceptance and ticket statuses at the top, then the change, then what is missing
    lines = w.text.splitlines()
    assert lines[0] == "✅ Ação de contrato criada."
    assert lines[2].startswith(f"📋 Ação de contrato #{action.id} · ⏳ pendente")
    assert lines[3].startswith("Aceite: ⏳ pendente (🌐 Link web, ")
    assert lines[4].startswith(f"Atendimento #{ticket.id}: 🆕 aberto (")
    assert lines[4].endswith("· 🔧 Marcos Técnico Oliveira")
    assert "📶 Fibra 300 Mega → Fibra 1 Giga" in w.text
    assert "💰 R$\u00a099,90 → R$\u00a0189,90 · Upgrade" in w.text
    assert "🔒 Fidelidade 12 meses: 12 meses, benefício de R$\u00a020,00/mês" in w.text
    assert "Falta para finalizar:" in w.text
    assert "• O aceite do cliente ainda está pendente." in w.text
    assert "• O atendimento ainda não foi concluído." in w.text
    for label in ("✅ Finalizar ação", "🔁 Reenviar aceite", "✖️ Cancelar ação"):
        assert label in w.buttons
    assert w.state is None  # the wizard is over


async def test_edit_a_step_from_the_review(env: BotEnv) -> None:
    w = Wizard(env)
    await w.start()
    await w.walk(Path())
    await w.tap("Editar uma etapa")
    assert "Qual etapa você quer alterar?" in w.text
    assert w.buttons == [
        "Aceite e termos",
        "Plano e valor",
        "Quando vale",
        "Atendimento",
        "⬅️ Voltar",
        "✖️ Cancelar",
    ]
    await w.tap("Plano e valor")
    w.assert_at("group")
    await w.walk(Path(plan="Fibra 700 Mega"), start="group", until="value")
    assert "Preço de tabela do plano: R$\u00a0149,90" in w.text
    assert "Usar preço de tabela" in w.buttons
    await w.tap("Usar preço de tabela")
    assert "Serviços do contrato (valor total R$\u00a0149,90)" in w.text
    await w.walk(Path(), start="services")
    assert "Novo: Fibra 700 Mega (700/350 Mbps)" in w.text
    await w.finish()
    action = await pending_action(env, w.contract_id)
    assert action is not None and action.change.plan_id == await plan_id(env, "Fibra 700 Mega")
    assert action.change.value.cents == 14990
