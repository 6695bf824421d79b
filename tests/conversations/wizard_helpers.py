"""Driving the plan-update wizard as an operator would, and reading back what it stored.

The wizard tests share one vocabulary: a :class:`Wizard` is one staff member's chat with the bot
(tap by visible text or by the button's data, type, read the screen and the alert), and a
:class:`Path` is the set of choices made from the first screen to the review. Screens are
recognised by their question text taken from the message catalogs, so the same helpers walk
the wizard in Portuguese and in English; the tests themselves assert the literal texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from bot.domain.models import AcceptanceRequest, Contract, ContractAction, Notification, Ticket
from bot.i18n import t
from storage import demo, orm
from tests.conversations.conftest import OPERATOR_ID, BotEnv
from tests.fakebot import FakeUser
from tests.fakebot.models import SentMessage

CONTRACT_NUMBER = "10000"  # PF client, active "Fibra 300 Mega" contract at R$ 99,90

# The question each wizard screen asks (catalog key), used to recognise where we are.
SCREEN_KEYS = {
    "channel": "wizard.ask_channel",
    "template": "wizard.ask_template",
    "loyalty": "wizard.ask_loyalty",
    "group": "wizard.ask_group",
    "plan": "wizard.ask_plan",
    "value": "wizard.ask_value",
    "typing_value": "wizard.type_value",
    "services": "wizard.ask_services",
    "confirming_value": "wizard.ask_confirm_value",
    "split": "wizard.ask_split",
    "typing_split": "wizard.type_split",
    "effective": "effective.ask",
    "ticket": "wizard.ask_ticket",
    "ticket_form": "wizard.ticket_form",
    "ticket_type": "wizard.ask_ticket_type",
    "department": "wizard.ask_department",
    "assignee": "wizard.ask_assignee",
    "priority": "wizard.ask_priority",
    "typing_description": "wizard.type_description",
    "gates": "wizard.ask_gates",
    "edit": "wizard.ask_edit",
}

# The steps a Path walks through, in the wizard's order (the demo has one contract template
# per kind of client, so the template step is skipped; the split only with two services or more).
STEPS = [
    "channel",
    "loyalty",
    "group",
    "plan",
    "value",
    "services",
    "split",
    "effective",
    "ticket",
    "ticket_form",
    "gates",
    "review",
]
SERVICE_NAMES = {code: name for code, name, _ in demo.SERVICES}
# The demo's default services per plan (by name): a contract with one service skips the split.
DEFAULT_SERVICES = {p[1]: {SERVICE_NAMES[c] for c in p[5]} for p in demo.PLANS}


def screen_marker(step: str, locale: str = "pt_BR") -> str:
    """A piece of the screen's question that identifies it (text before the first parameter)."""
    if step == "review":
        return t("review.current", locale) + ":"
    text = t(SCREEN_KEYS[step], locale)
    return text.split("{", 1)[0].strip()


@dataclass
class Path:
    """The operator's choices, screen by screen (defaults: the smallest valid plan update)."""

    channel: str = "no"  # no | telegram | web | in_person
    loyalty: str = "keep"  # keep | none | 12
    group: str = "Residencial Fibra"
    plan: str = "Fibra 500 Mega"
    value: str | None = None  # None: keep the plan's price; else typed
    toggles: tuple[str, ...] = ()  # services (by name) tapped on the services screen
    split: str = "main"  # main | proportional | the typed amounts
    effective: str = "now"  # now | due | a typed date (dd/mm/aaaa)
    ticket: bool = False
    ticket_type: str = "Visita técnica"
    department: str = "Suporte técnico"
    assignee: str | None = "Marcos Técnico Oliveira"  # None: unassigned
    priority: str = "high"
    description: str | None = None  # None: the default description
    gate_toggles: tuple[str, ...] = ()  # acceptance | ticket

    def services_after(self) -> set[str]:
        """The services the new contract will have: the plan's defaults, toggled."""
        return DEFAULT_SERVICES[self.plan] ^ set(self.toggles)

    def applies(self, step: str) -> bool:
        if step == "ticket_form":
            return self.ticket
        if step == "split":
            return len(self.services_after()) > 1
        if step == "gates":
            return self.channel != "no" or self.ticket
        return True


@dataclass
class Wizard:
    """One staff member's private chat with the bot."""

    env: BotEnv
    user_id: int = OPERATOR_ID
    locale: str = "pt_BR"
    op: FakeUser = field(init=False)
    contract_id: int = 0

    def __post_init__(self) -> None:
        self.op = self.env.user(self.user_id, "Patrícia")

    # --- what the user sees --------------------------------------------------------------

    @property
    def app(self) -> Any:
        return self.env.app

    @property
    def msg(self) -> SentMessage:
        last = self.op.chat.last
        assert last is not None, "the bot said nothing"
        return last

    @property
    def text(self) -> str:
        return self.msg.text or ""

    @property
    def buttons(self) -> list[str]:
        return self.msg.button_texts()

    @property
    def data(self) -> list[str]:
        return [str(d) for row in self.msg.buttons for _, d in row]

    def button_text(self, data: str) -> str:
        for row in self.msg.buttons:
            for text, cb in row:
                if cb == data:
                    return text
        raise AssertionError(f"no button {data!r} on the screen: {self.msg.buttons}")

    @property
    def answer(self) -> dict[str, Any]:
        """The newest answer to this user's button taps (toast or alert)."""
        answer = self.env.api.last_callback_answer(self.user_id)
        assert answer is not None, "no callback query was answered"
        return answer

    @property
    def alert(self) -> str | None:
        answer = self.answer
        return str(answer["text"]) if answer["show_alert"] else None

    @property
    def step(self) -> str | None:
        """The wizard's ConversationHandler state for this user (the only record of the step)."""
        wizard = next(h for h in self.app.handlers[0] if getattr(h, "name", "") == "plan_update")
        state = wizard._conversations.get((self.user_id, self.user_id))
        return None if state is None else str(state)

    def at(self, step: str) -> bool:
        return screen_marker(step, self.locale) in self.text

    def assert_at(self, step: str) -> None:
        assert self.at(step), f"expected the {step!r} screen, got:\n{self.text}\n{self.msg.buttons}"

    # --- the wizard's own memory (to prove a refusal changed nothing) ---------------------

    @property
    def state(self) -> dict[str, Any] | None:
        data = self.app.user_data.get(self.user_id, {}).get("wizard")
        return dict(data) if isinstance(data, dict) else None

    @property
    def draft(self) -> dict[str, Any]:
        state = self.state
        assert state is not None, "no wizard running"
        return dict(state["draft"])

    # --- what the user does --------------------------------------------------------------

    async def tap(self, label: str, message_id: int | None = None) -> str:
        """Tap a button by (part of) its visible text."""
        await self.op.tap(self.app, label, message_id)
        return self.text

    async def choose(self, name: str) -> str:
        """Tap the button of a named item (a ticket type, a technician…), whether its label is
        whole or cut with "…" to fit, marked ✅ as the current choice or not."""

        def shows(label: str) -> bool:
            label = label.removeprefix("✅ ")
            return label == name or (label.endswith("…") and name.startswith(label[:-1]))

        await self.op.tap(self.app, shows)
        return self.text

    async def press(self, data: str) -> str:
        """Tap the button carrying ``data`` on the newest keyboard (it must be there)."""
        msg = self.op.chat.last_with_keyboard
        assert msg is not None, "no keyboard on screen"
        found = [cb for row in msg.buttons for _, cb in row]
        assert data in found, f"no button {data!r} on message {msg.message_id}: {msg.buttons}"
        await self.op.tap_data(self.app, msg.message_id, data)
        return self.text

    async def press_prefix(self, prefix: str) -> str:
        """Tap the only button whose data starts with ``prefix``."""
        matches = [d for d in self.data if d.startswith(prefix)]
        assert len(matches) == 1, f"{prefix!r}: {matches}"
        return await self.press(matches[0])

    async def tap_data(self, message_id: int, data: str) -> str:
        """A tap on any message (e.g. an old one whose keyboard is gone), raw data."""
        await self.op.tap_data(self.app, message_id, data)
        return self.text

    async def type(self, text: str) -> str:
        await self.op.send(self.app, text)
        return self.text

    # --- getting to the wizard -----------------------------------------------------------

    async def open_contract(self, number: str = CONTRACT_NUMBER) -> None:
        """/clientes → search by contract number → client card → contract card."""
        contract = await contract_by_number(self.env, number)
        self.contract_id = contract.id
        await self.type("/clientes")
        await self.type(number)
        await self.press_prefix("cl:c:")
        await self.press(f"ct:c:{contract.id}")
        assert t("contract.title", self.locale, number=number) in self.text

    async def open_actions(self, number: str = CONTRACT_NUMBER) -> None:
        await self.open_contract(number)
        await self.press(f"ct:a:{self.contract_id}")

    async def start_from_card(self, number: str = CONTRACT_NUMBER) -> int:
        """Contract card → Ações → Atualização de plano; returns the wizard message id."""
        await self.open_actions(number)
        await self.press(f"pu:go:{self.contract_id}")
        self.assert_at("channel")
        return self.msg.message_id

    async def start(self, number: str = CONTRACT_NUMBER) -> int:
        """The wizard, the short way (tests are about the wizard, not the way to it).

        /start, then the "🔄 Atualização de plano" button's data (``pu:go:<contract>``, as on the
        contract's Ações menu) tapped on the menu message; the bot re-checks every callback on
        the server, so this is what the real button does. ``start_from_card`` walks there.
        """
        self.contract_id = (await contract_by_number(self.env, number)).id
        await self.type("/start")
        await self.tap_data(self.msg.message_id, f"pu:go:{self.contract_id}")
        self.assert_at("channel")
        return self.msg.message_id

    # --- walking a path ------------------------------------------------------------------

    async def walk(self, path: Path, until: str = "review", *, start: str = "channel") -> None:
        """Answer every screen from ``start`` as ``path`` says; stop when ``until`` is shown."""
        for step in STEPS[STEPS.index(start) :]:
            if not path.applies(step):
                assert step != until, f"{until!r} does not apply to this path"
                continue
            self.assert_at(step)
            if step == until:
                return
            await self.answer_step(step, path)
        raise AssertionError(f"never reached {until!r}")

    async def answer_step(self, step: str, path: Path) -> None:
        if step == "channel":
            await self.press(f"w:ch:{path.channel}")
        elif step == "loyalty":
            await self.choose_loyalty(path.loyalty)
        elif step == "group":
            await self.tap(path.group)
        elif step == "plan":
            await self.tap(f"· {path.plan}")
        elif step == "value":
            if path.value is None:
                await self.press("w:val:keep")
            else:
                await self.press("w:val:type")
                self.assert_at("typing_value")
                await self.type(path.value)
                if self.at("confirming_value"):
                    await self.press("w:vc:yes")
        elif step == "services":
            for name in path.toggles:
                await self.tap(name)
            await self.press("w:svd")
        elif step == "split":
            if path.split in ("main", "proportional"):
                await self.press(f"w:sp:{path.split}")
            else:
                await self.press("w:sp:manual")
                self.assert_at("typing_split")
                await self.type(path.split)
        elif step == "effective":
            if path.effective in ("now", "due"):
                await self.press(f"w:ef:{path.effective}")
            else:
                await self.type(path.effective)
        elif step == "ticket":
            await self.press("w:tk:1" if path.ticket else "w:tk:0")
        elif step == "ticket_form":
            await self.fill_ticket(path)
        elif step == "gates":
            for gate in path.gate_toggles:
                await self.press(f"w:gt:{gate}")
            await self.press("w:gok")
        else:  # pragma: no cover - walk() never answers the review
            raise AssertionError(step)

    async def fill_ticket(self, path: Path) -> None:
        """The ticket screen comes with defaults; change each field the path names."""
        await self.press("w:tf:type")
        await self.choose(path.ticket_type)
        await self.press("w:tf:dept")
        await self.choose(path.department)
        await self.press("w:tf:who")
        if path.assignee is None:
            await self.press("w:as:0")
        else:
            await self.choose(path.assignee)
        await self.press("w:tf:prio")
        await self.press(f"w:pr:{path.priority}")
        if path.description is not None:
            await self.press("w:tf:desc")
            self.assert_at("typing_description")
            await self.type(path.description)
        self.assert_at("ticket_form")
        await self.press("w:tf:ok")

    async def choose_loyalty(self, loyalty: str) -> None:
        if loyalty == "keep":
            await self.press("w:loy:0")
        elif loyalty == "none":
            await self.tap("Sem fidelidade")
        else:
            await self.tap(f"Fidelidade {loyalty} meses")

    async def finish(self) -> None:
        self.assert_at("review")
        await self.press("w:rv:ok")


# --- the database -----------------------------------------------------------------------------


async def contract_by_number(env: BotEnv, number: str = CONTRACT_NUMBER) -> Contract:
    async with env.ctx.uow() as uow:
        contract = await uow.contracts.by_number(number)
    assert contract is not None
    return contract


async def actions_of(env: BotEnv, contract_id: int) -> list[ContractAction]:
    async with env.ctx.uow() as uow:
        return list(await uow.actions.for_contract(contract_id))


async def pending_action(env: BotEnv, contract_id: int) -> ContractAction | None:
    async with env.ctx.uow() as uow:
        return await uow.actions.pending_for_contract(contract_id)


async def acceptance_of(env: BotEnv, action_id: int) -> AcceptanceRequest | None:
    async with env.ctx.uow() as uow:
        return await uow.acceptances.latest_for_action(action_id)


async def ticket_of(env: BotEnv, action_id: int) -> Ticket | None:
    async with env.ctx.uow() as uow:
        return await uow.tickets.for_action(action_id)


async def notifications(env: BotEnv) -> list[Notification]:
    async with env.ctx.uow() as uow:
        return list(await uow.notifications.all())


async def row_counts(env: BotEnv) -> dict[str, int]:
    """How many actions, acceptance requests, tickets and notifications exist in total."""
    tables = {
        "actions": orm.ContractActionRow,
        "acceptances": orm.AcceptanceRequestRow,
        "tickets": orm.TicketRow,
        "notifications": orm.NotificationRow,
    }
    async with env.ctx.uow() as uow:
        session = uow.session  # type: ignore[attr-defined]
        return {
            name: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in tables.items()
        }


NOTHING_WRITTEN = {"actions": 0, "acceptances": 0, "tickets": 0, "notifications": 0}
CANCELLED = "Atualização de plano cancelada. Nada foi alterado."


async def assert_cancelled(w: Wizard, *, where: str) -> None:
    """The wizard ended on the contract card with the notice, and nothing was written."""
    assert f"✅ {CANCELLED}" in w.text, f"cancel at {where}: {w.text}"
    assert f"📄 Contrato {CONTRACT_NUMBER} · 🟢 Ativo" in w.text, where
    assert "Versão 1" in w.text and "Fibra 300 Mega" in w.text, where
    assert "⚙️ Ações" in w.buttons, where  # no pending action was created
    assert w.state is None, where
    assert await row_counts(w.env) == NOTHING_WRITTEN, where


async def staff_id(env: BotEnv, telegram_id: int) -> int:
    return (await env.staff(telegram_id)).id


async def term_id(env: BotEnv, name: str) -> int:
    async with env.ctx.uow() as uow:
        terms = await uow.catalog.loyalty_terms()
    return next(term.id for term in terms if term.name == name)


async def plan_id(env: BotEnv, name: str) -> int:
    async with env.ctx.uow() as uow:
        plans = await uow.catalog.plans()
    return next(p.id for p in plans if p.name == name)


def shares_of(action: ContractAction) -> dict[str, int]:
    """The action's proposed split: service name → cents."""
    return {s.name: s.amount.cents for s in action.change.services}
