"""The plan-update wizard (tutorial steps 3–7), one message edited in place.

Sections follow the tutorial: acceptance and terms (step 3), plan and value (step 4), ticket
(step 5), review (step 6) and create (step 7). Every screen has Voltar and Cancelar. The draft
and the state live in the database (``conversations.persistence``), so a restart keeps the place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

from telegram import InlineKeyboardButton, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.draft import KEEP_LOYALTY, PlanDraft, parse_manual_split
from bot.domain.errors import DomainError, InvalidSplit
from bot.domain.models import AcceptanceChannel, Priority
from bot.domain.money import Money, parse_money
from bot.domain.split import SplitStrategy
from bot.services import wizard
from bot.services.wizard import WizardCatalog
from conversations.base import (
    OFFICE,
    BotContext,
    ack,
    arg_int,
    button,
    conversation,
    drop_keyboard,
    esc,
    expect,
    expecting,
    expired,
    keep_awaiting,
    keyboard,
    paginate_row,
    show,
    staff_only,
    stray_text,
    tell,
)

PLANS_PER_PAGE = 8


class State(StrEnum):
    CHANNEL = "channel"
    TEMPLATE = "template"
    LOYALTY = "loyalty"
    GROUP = "group"
    PLAN = "plan"
    VALUE = "value"
    TYPING_VALUE = "typing_value"
    SERVICES = "services"
    SPLIT = "split"
    TYPING_SPLIT = "typing_split"
    TICKET = "ticket"
    TICKET_TYPE = "ticket_type"
    DEPARTMENT = "department"
    ASSIGNEE = "assignee"
    PRIORITY = "priority"
    DESCRIPTION = "description"
    TYPING_DESCRIPTION = "typing_description"
    GATES = "gates"
    REVIEW = "review"
    EDIT = "edit"


STEPS = [
    State.CHANNEL,
    State.TEMPLATE,
    State.LOYALTY,
    State.GROUP,
    State.PLAN,
    State.VALUE,
    State.SERVICES,
    State.SPLIT,
    State.TICKET,
    State.TICKET_TYPE,
    State.DEPARTMENT,
    State.ASSIGNEE,
    State.PRIORITY,
    State.DESCRIPTION,
    State.GATES,
    State.REVIEW,
]
TICKET_STEPS = {
    State.TICKET_TYPE,
    State.DEPARTMENT,
    State.ASSIGNEE,
    State.PRIORITY,
    State.DESCRIPTION,
}
TYPING_PARENT = {
    State.TYPING_VALUE: State.VALUE,
    State.TYPING_SPLIT: State.SPLIT,
    State.TYPING_DESCRIPTION: State.DESCRIPTION,
    State.EDIT: State.REVIEW,
}
SECTION = {  # tutorial section each step belongs to
    State.CHANNEL: 1,
    State.TEMPLATE: 1,
    State.LOYALTY: 1,
    State.GROUP: 2,
    State.PLAN: 2,
    State.VALUE: 2,
    State.TYPING_VALUE: 2,
    State.SERVICES: 2,
    State.SPLIT: 2,
    State.TYPING_SPLIT: 2,
    State.TICKET: 3,
    State.TICKET_TYPE: 3,
    State.DEPARTMENT: 3,
    State.ASSIGNEE: 3,
    State.PRIORITY: 3,
    State.DESCRIPTION: 3,
    State.TYPING_DESCRIPTION: 3,
    State.GATES: 3,
    State.REVIEW: 4,
    State.EDIT: 4,
}
EDITABLE = [State.CHANNEL, State.GROUP, State.TICKET, State.GATES]
CHANNELS = ["no", *[c.value for c in AcceptanceChannel]]
PRIORITIES = [p.value for p in (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)]


# --- navigation (pure) ---------------------------------------------------------------------


def applies(step: State, draft: PlanDraft) -> bool:
    if step in TICKET_STEPS:
        return bool(draft.ticket)
    if step is State.GATES:
        return draft.channel is not None or bool(draft.ticket)
    return True


def next_step(step: State, draft: PlanDraft) -> State:
    step = TYPING_PARENT.get(step, step)
    for candidate in STEPS[STEPS.index(step) + 1 :]:
        if applies(candidate, draft):
            return candidate
    return State.REVIEW


def prev_step(step: State, draft: PlanDraft) -> State | None:
    if step in TYPING_PARENT:
        return TYPING_PARENT[step]
    for candidate in reversed(STEPS[: STEPS.index(step)]):
        if applies(candidate, draft):
            return candidate
    return None


# --- draft storage ---------------------------------------------------------------------------


def _data(context: BotContext) -> dict[str, Any] | None:
    assert context.user_data is not None
    data = context.user_data.get("wizard")
    return data if isinstance(data, dict) else None


def _draft(context: BotContext) -> PlanDraft:
    data = _data(context)
    assert data is not None
    return PlanDraft.from_dict(data["draft"])


def _save(
    context: BotContext, draft: PlanDraft, step: State, message: Message | None = None
) -> None:
    assert context.user_data is not None
    data = context.user_data.setdefault("wizard", {})
    data["draft"] = draft.to_dict()
    data["step"] = step.value
    if message is not None:
        data["msg"] = message.message_id
        data["chat"] = message.chat_id


# --- screens: one builder per step, returning (body text, keyboard rows) --------------------

Rows = list[list[InlineKeyboardButton]]
Builder = Callable[[BotContext, PlanDraft, WizardCatalog, dict[str, Any]], tuple[str, Rows]]


def _mark(selected: bool) -> str:
    return "✅ " if selected else ""


def build_channel(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    current = d.channel or ("no" if d.template_id and d.loyalty_term_id is not None else None)
    rows = [
        [button(_mark(current == ch) + c.tr(f"wizard.channel_{ch}"), "w", "ch", ch)]
        for ch in CHANNELS
    ]
    return esc(c.tr("wizard.ask_channel")), rows


def build_template(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(t.id == d.template_id) + t.name, "w", "tpl", t.id)] for t in cat.templates
    ]
    return esc(c.tr("wizard.ask_template")), rows


def build_loyalty(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [
            button(
                _mark(d.loyalty_term_id == KEEP_LOYALTY) + c.tr("wizard.loyalty_keep"),
                "w",
                "loy",
                0,
            )
        ]
    ]
    for term in cat.loyalty_terms:
        label = (
            term.name
            if term.is_none
            else c.tr("wizard.loyalty_term", name=term.name, benefit=term.monthly_benefit.format())
        )
        rows.append([button(_mark(d.loyalty_term_id == term.id) + label, "w", "loy", term.id)])
    note = c.tr("wizard.loyalty_note_pf") if d.client_kind == "PF" else ""
    if d.channel is None:
        note += ("\n" if note else "") + c.tr("wizard.loyalty_note_no_channel")
    return esc(c.tr("wizard.ask_loyalty")) + (f"\n\n<i>{esc(note)}</i>" if note else ""), rows


def build_group(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(g.id == d.group_id) + g.name, "w", "grp", g.id)]
        for g in cat.groups
        if cat.plans_in(g.id)
    ]
    return esc(c.tr("wizard.ask_group")), rows


def build_plan(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, opts: dict[str, Any]
) -> tuple[str, Rows]:
    plans = cat.plans_in(d.group_id)
    page = int(opts.get("page", 0))
    if opts.get("page") is None and d.plan_id in {p.id for p in plans}:
        page = [p.id for p in plans].index(d.plan_id) // PLANS_PER_PAGE
    chunk = plans[page * PLANS_PER_PAGE : (page + 1) * PLANS_PER_PAGE]
    rows = [
        [
            button(
                _mark(p.id == d.plan_id)
                + c.tr(
                    "wizard.plan_label",
                    name=p.name,
                    down=p.download_mbps,
                    up=p.upload_mbps,
                    price=p.price.format(),
                ),
                "w",
                "pl",
                p.id,
            )
        ]
        for p in chunk
    ]
    pages = max(1, -(-len(plans) // PLANS_PER_PAGE))
    rows.append(paginate_row(c.locale, page, page > 0, page + 1 < pages, "w", "plp", pages=pages))
    group = cat.group(d.group_id)
    return esc(c.tr("wizard.ask_plan", group=group.name if group else "-")), rows


def build_value(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    plan = cat.plan(d.plan_id)
    assert plan is not None
    rows = [
        [button(c.tr("wizard.value_keep", price=plan.price.format()), "w", "val", "keep")],
        [button(c.tr("wizard.value_type"), "w", "val", "type")],
    ]
    current = Money(d.value_cents).format() if d.value_cents is not None else "-"
    return esc(c.tr("wizard.ask_value", plan=plan.name, value=current)), rows


def build_typing_value(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    return esc(c.tr("wizard.type_value")), []


def build_services(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [
            button(
                ("✅ " if s.id in d.service_ids else "⬜ ") + f"{s.name} · {s.list_price.format()}",
                "w",
                "sv",
                s.id,
            )
        ]
        for s in cat.services.values()
    ]
    rows.append([button(c.tr("ui.continue"), "w", "sv", "ok")])
    return esc(c.tr("wizard.ask_services", value=Money(d.value_cents or 0).format())), rows


def build_split(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(d.split == s.value) + c.tr(f"wizard.split_{s.value}"), "w", "sp", s.value)]
        for s in SplitStrategy
    ]
    names = ", ".join(line.name for line in d.service_lines(cat.services))
    return esc(
        c.tr("wizard.ask_split", value=Money(d.value_cents or 0).format(), services=names)
    ), rows


def build_typing_split(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    lines = d.service_lines(cat.services)
    listing = "\n".join(f"{i + 1}. {line.name}" for i, line in enumerate(lines))
    example = (
        "\n".join(
            Money((d.value_cents or 0) // len(lines)).format().replace("R$ ", "") for _ in lines
        )
        if lines
        else ""
    )
    text = c.tr(
        "wizard.type_split",
        value=Money(d.value_cents or 0).format(),
        services=listing,
        example=example,
    )
    return esc(text), []


def build_ticket(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [
            button(_mark(d.ticket is True) + c.tr("ui.yes"), "w", "tk", 1),
            button(_mark(d.ticket is False) + c.tr("ui.no"), "w", "tk", 0),
        ]
    ]
    return esc(c.tr("wizard.ask_ticket")), rows


def build_ticket_type(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(i.id == d.ticket_type_id) + i.name, "w", "tt", i.id)]
        for i in cat.ticket_types
    ]
    return esc(c.tr("wizard.ask_ticket_type")), rows


def build_department(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(i.id == d.department_id) + i.name, "w", "dp", i.id)] for i in cat.departments
    ]
    return esc(c.tr("wizard.ask_department")), rows


def build_assignee(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(s.id == d.assignee_id) + "🔧 " + s.name, "w", "as", s.id)]
        for s in cat.technicians
    ]
    rows.append([button(_mark(d.assignee_id == 0) + c.tr("wizard.unassigned"), "w", "as", 0)])
    return esc(c.tr("wizard.ask_assignee")), rows


def build_priority(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(_mark(p == d.priority) + c.tr(f"priority.{p}"), "w", "pr", p)] for p in PRIORITIES
    ]
    return esc(c.tr("wizard.ask_priority")), rows


def build_description(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, opts: dict[str, Any]
) -> tuple[str, Rows]:
    default = opts["default_description"]
    rows = [
        [button(c.tr("wizard.description_default"), "w", "ds", "def")],
        [button(c.tr("wizard.description_type"), "w", "ds", "type")],
    ]
    return esc(c.tr("wizard.ask_description", default=default)), rows


def build_typing_description(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    return esc(c.tr("wizard.type_description")), []


def build_gates(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = []
    if d.channel is not None:
        lock = "🔒 " if d.loyalty_forces_acceptance else ""
        state = c.tr("ui.yes") if d.gate_acceptance else c.tr("ui.no")
        rows.append(
            [button(lock + c.tr("wizard.gate_acceptance", state=state), "w", "gt", "acceptance")]
        )
    if d.ticket:
        state = c.tr("ui.yes") if d.gate_ticket else c.tr("ui.no")
        rows.append([button(c.tr("wizard.gate_ticket", state=state), "w", "gt", "ticket")])
    rows.append([button(c.tr("ui.continue"), "w", "gt", "ok")])
    note = c.tr("wizard.gates_locked") if d.loyalty_forces_acceptance else ""
    return esc(c.tr("wizard.ask_gates")) + (f"\n\n<i>{esc(note)}</i>" if note else ""), rows


def build_edit(
    c: BotContext, d: PlanDraft, cat: WizardCatalog, _o: dict[str, Any]
) -> tuple[str, Rows]:
    rows = [
        [button(c.tr(f"wizard.section_{SECTION[s]}"), "w", "ed", s.value)]
        for s in EDITABLE
        if applies(s, d)
    ]
    return esc(c.tr("wizard.ask_edit")), rows


BUILDERS: dict[State, Builder] = {
    State.CHANNEL: build_channel,
    State.TEMPLATE: build_template,
    State.LOYALTY: build_loyalty,
    State.GROUP: build_group,
    State.PLAN: build_plan,
    State.VALUE: build_value,
    State.TYPING_VALUE: build_typing_value,
    State.SERVICES: build_services,
    State.SPLIT: build_split,
    State.TYPING_SPLIT: build_typing_split,
    State.TICKET: build_ticket,
    State.TICKET_TYPE: build_ticket_type,
    State.DEPARTMENT: build_department,
    State.ASSIGNEE: build_assignee,
    State.PRIORITY: build_priority,
    State.DESCRIPTION: build_description,
    State.TYPING_DESCRIPTION: build_typing_description,
    State.GATES: build_gates,
    State.EDIT: build_edit,
}


async def render_step(
    update: Update,
    context: BotContext,
    draft: PlanDraft,
    step: State,
    *,
    new: bool = False,
    notice: str | None = None,
    **opts: Any,
) -> State:
    """Show ``step`` (edited in place unless ``new``), remember it, and return it as the state."""
    card_review = None
    if step in (State.REVIEW, State.DESCRIPTION):
        card_review = await wizard.review(context.services, draft)
    if step is State.REVIEW:
        assert card_review is not None
        text = context.render("review", r=card_review, notice=notice)
        rows: Rows = [
            [button(context.tr("wizard.finish"), "w", "rv", "ok")],
            [button(context.tr("wizard.edit"), "w", "rv", "edit")],
        ]
    else:
        catalog = await wizard.load_catalog(context.services, draft)
        if card_review is not None:
            opts["default_description"] = wizard.default_description(card_review)
        body, rows = BUILDERS[step](context, draft, catalog, opts)
        contract, client = await wizard.header(context.services, draft)
        text = context.render(
            "wizard_step",
            section=SECTION[step],
            body=body,
            notice=notice,
            contract=contract,
            client=client,
        )
    nav = [button(context.tr("ui.back"), "w", "back"), button(context.tr("ui.cancel"), "w", "x")]
    rows = [*rows, nav]
    old = _data(context)
    if new and old and old.get("msg"):
        await drop_keyboard(context, int(old["chat"]), int(old["msg"]))
    message = await show(update, context, text, keyboard(rows), new=new)
    _save(context, draft, step, message)
    expect(context, "wizard")
    return step


# --- entry, dispatch, typed input ------------------------------------------------------------


@staff_only(*OFFICE)
async def begin(update: Update, context: BotContext) -> object:
    """Ações → Atualização de plano: a fresh draft, or the contract's pending action."""
    contract_id = arg_int(context)
    draft, pending = await wizard.start(context.services, context.me.id, contract_id)
    if pending is not None:
        from conversations.actions import render_action_card

        await ack(context, update, context.tr("contract.has_pending"), alert=True)
        await render_action_card(update, context, pending.id)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data.pop("wizard", None)
    return await render_step(update, context, draft, State.CHANNEL)


async def _choose(
    context: BotContext, draft: PlanDraft, step: State, verb: str, arg: str, update: Update
) -> State | None:
    """Apply one button's choice to the draft; return the step to show next (None: stay)."""
    catalog = await wizard.load_catalog(context.services, draft)
    if verb == "ch" and arg in CHANNELS:
        draft.choose_channel(None if arg == "no" else AcceptanceChannel(arg))
        return next_step(State.CHANNEL, draft)
    if verb == "tpl" and catalog.template(int(arg)):
        draft.template_id = int(arg)
        return next_step(State.TEMPLATE, draft)
    if verb == "loy":
        term = None if int(arg) == KEEP_LOYALTY else catalog.term(int(arg))
        if int(arg) != KEEP_LOYALTY and term is None:
            return None
        draft.choose_loyalty(term)
        return next_step(State.LOYALTY, draft)
    if verb == "grp" and catalog.group(int(arg)):
        if draft.group_id != int(arg):
            draft.plan_id = None
        draft.group_id = int(arg)
        return State.PLAN
    if verb == "pl" and (plan := catalog.plan(int(arg))) and plan.group_id == draft.group_id:
        if draft.plan_id != plan.id or draft.value_cents is None:
            draft.choose_plan(plan)
        return State.VALUE
    if verb == "val" and draft.plan_id is not None:
        if arg == "type":
            return State.TYPING_VALUE
        plan = catalog.plan(draft.plan_id)
        assert plan is not None
        draft.set_value(plan.price)
        return State.SERVICES
    if verb == "sv":
        if arg == "ok":
            if not draft.service_lines(catalog.services):
                raise InvalidSplit("split.no_services")
            return State.SPLIT
        if int(arg) in catalog.services:
            draft.toggle_service(int(arg))
            return State.SERVICES
    if verb == "sp" and arg in {s.value for s in SplitStrategy}:
        if arg == SplitStrategy.MANUAL.value:
            return State.TYPING_SPLIT
        draft.split, draft.manual_cents = arg, None
        draft.shares(catalog.services)  # validates
        return next_step(State.SPLIT, draft)
    if verb == "tk" and arg in ("0", "1"):
        draft.choose_ticket(arg == "1")
        return next_step(State.TICKET, draft)
    if verb == "tt" and catalog.item(catalog.ticket_types, int(arg)):
        draft.ticket_type_id = int(arg)
        return State.DEPARTMENT
    if verb == "dp" and catalog.item(catalog.departments, int(arg)):
        draft.department_id = int(arg)
        return State.ASSIGNEE
    if verb == "as" and (int(arg) == 0 or catalog.technician(int(arg))):
        draft.assignee_id = int(arg)
        return State.PRIORITY
    if verb == "pr" and arg in PRIORITIES:
        draft.priority = arg
        return State.DESCRIPTION
    if verb == "ds":
        if arg == "type":
            return State.TYPING_DESCRIPTION
        review = await wizard.review(context.services, draft)
        draft.set_description(wizard.default_description(review))
        return next_step(State.DESCRIPTION, draft)
    if verb == "gt":
        if arg == "ok":
            return State.REVIEW
        draft.toggle_gate(arg)
        return State.GATES
    if verb == "ed" and arg in {s.value for s in EDITABLE}:
        return State(arg)
    return None


async def on_button(update: Update, context: BotContext) -> object:
    """Every wizard button: re-check the user, refuse stale screens, apply, show the next step."""
    query = update.callback_query
    assert query is not None and query.data is not None
    data = _data(context)
    staff = context.staff
    if staff is None or staff.role not in OFFICE:
        await expired(update, context)
        return ConversationHandler.END
    if data is None or query.message is None or data.get("msg") != query.message.message_id:
        await expired(update, context)
        return None
    draft = _draft(context)
    step = State(data.get("step", State.CHANNEL.value))
    parts = query.data.split(":")
    verb, arg = parts[1], parts[2] if len(parts) > 2 else ""
    if verb == "x":
        return await cancel(update, context)
    if verb == "back":
        previous = prev_step(step, draft)
        if previous is None:
            return await _back_to_actions(update, context, draft)
        return await render_step(update, context, draft, previous)
    if verb == "plp":
        return await render_step(update, context, draft, State.PLAN, page=int(arg))
    if verb == "rv":
        return await _review_button(update, context, draft, arg)
    try:
        target = await _choose(context, draft, step, verb, arg, update)
    except DomainError as exc:  # refused: the alert says why, the screen stays as it is
        keep_awaiting(context)
        await tell(update, context, context.explain(exc))
        return None
    if target is None:  # data this screen doesn't offer: refuse it, keep the live screen
        await expired(update, context, drop=False)
        return None
    await ack(context, update)
    return await render_step(update, context, draft, target)


async def _back_to_actions(update: Update, context: BotContext, draft: PlanDraft) -> int:
    """Voltar on the first step: leave the wizard for the contract's Ações menu."""
    from conversations.clients import render_actions_menu

    assert context.user_data is not None
    context.user_data.pop("wizard", None)
    await ack(context, update)
    await render_actions_menu(update, context, draft.contract_id)
    return ConversationHandler.END


async def _review_button(update: Update, context: BotContext, draft: PlanDraft, arg: str) -> object:
    if arg == "edit":
        return await render_step(update, context, draft, State.EDIT)
    if arg != "ok":
        await expired(update, context)
        return None
    await ack(context, update)
    created = await wizard.finish(context.services, context.me.id, draft)
    assert context.user_data is not None
    context.user_data.pop("wizard", None)
    from conversations.actions import render_action_card

    await render_action_card(
        update,
        context,
        created.action.id,
        token=created.token,
        notice=context.tr("action.already_pending")
        if created.existing
        else context.tr("action.created"),
    )
    return ConversationHandler.END


async def on_text(update: Update, context: BotContext) -> object:
    """Typed input: a value, a manual split or a description; elsewhere a hint to use buttons."""
    data = _data(context)
    if context.staff is None or context.staff.role not in OFFICE or update.message is None:
        return ConversationHandler.END
    if data is None or not expecting(context, "wizard"):
        # The user went elsewhere (/start, another card): this text is not for the wizard.
        return await stray_text(update, context)
    draft = _draft(context)
    step = State(data.get("step", State.CHANNEL.value))
    text = update.message.text or ""
    handler = TYPED.get(step)
    if handler is None:
        return await render_step(
            update, context, draft, step, new=True, notice=context.tr("ui.use_buttons")
        )
    try:
        target = await handler(context, draft, text)
    except DomainError as exc:
        return await render_step(
            update, context, draft, step, new=True, notice="⚠️ " + context.explain(exc)
        )
    return await render_step(update, context, draft, target, new=True)


async def _typed_value(context: BotContext, draft: PlanDraft, text: str) -> State:
    draft.set_value(parse_money(text))
    return State.SERVICES


async def _typed_split(context: BotContext, draft: PlanDraft, text: str) -> State:
    catalog = await wizard.load_catalog(context.services, draft)
    amounts = parse_manual_split(text, len(draft.service_lines(catalog.services)))
    draft.split, draft.manual_cents = SplitStrategy.MANUAL.value, [a.cents for a in amounts]
    try:
        draft.shares(catalog.services)
    except DomainError:
        draft.split, draft.manual_cents = None, None
        raise
    return next_step(State.SPLIT, draft)


async def _typed_description(context: BotContext, draft: PlanDraft, text: str) -> State:
    draft.set_description(text)
    return next_step(State.DESCRIPTION, draft)


TYPED: dict[State, Callable[[BotContext, PlanDraft, str], Awaitable[State]]] = {
    State.TYPING_VALUE: _typed_value,
    State.TYPING_SPLIT: _typed_split,
    State.TYPING_DESCRIPTION: _typed_description,
}


async def cancel(update: Update, context: BotContext) -> int:
    """✖️ Cancelar or /cancelar: drop the draft and go back to the contract card."""
    data = _data(context)
    assert context.user_data is not None
    context.user_data.pop("wizard", None)
    await ack(context, update, context.tr("wizard.cancelled"))
    if data is not None and context.staff is not None:
        from conversations.clients import render_contract_card

        contract_id = int(data["draft"]["contract_id"])
        if update.callback_query is None and data.get("msg"):
            await drop_keyboard(context, int(data["chat"]), int(data["msg"]))
        await render_contract_card(
            update,
            context,
            contract_id,
            new=update.callback_query is None,
            notice=context.tr("wizard.cancelled"),
        )
    return ConversationHandler.END


def build() -> ConversationHandler:
    buttons = CallbackQueryHandler(on_button, pattern=r"^w:[a-z]{1,4}(:[A-Za-z0-9_]{1,20})?$")
    text = MessageHandler(filters.TEXT & ~filters.COMMAND, on_text)
    return conversation(
        name="plan_update",
        persistent=True,
        entry_points=[CallbackQueryHandler(begin, pattern=r"^pu:go:(\d{1,10})$")],
        states={state: [buttons, text] for state in State},
        fallbacks=[CommandHandler(["cancelar", "cancel"], cancel)],
        allow_reentry=True,
    )


def handlers() -> list[BaseHandler]:
    """Wizard buttons outside a running wizard (after a finish, or from an old message)."""
    return [CallbackQueryHandler(expired, pattern=r"^w:")]
