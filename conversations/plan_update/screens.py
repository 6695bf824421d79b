"""One screen per wizard step: the body text (HTML) and the buttons, built from the draft and
what the service returned; no I/O.

Buttons stay short for phones (``MAX_LABEL`` characters); details such as speeds, prices and
benefits go in the message text, numbered so the buttons can refer to them. The ticket section's
screens live in ``ticket_screens`` and the effective-date screen in ``effective_screen``;
``BUILDERS`` below lists every step's builder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton

from bot.domain.approval import percent_away_tenths
from bot.domain.draft import KEEP_LOYALTY, PlanDraft
from bot.domain.money import Money
from bot.domain.split import SplitStrategy
from bot.render import format_tenths
from bot.services.wizard import WizardView
from conversations.base import esc, paginate_row
from conversations.plan_update.effective_screen import effective
from conversations.plan_update.steps import CHANNELS, CODEC, EDITABLE, State
from conversations.plan_update.ticket_screens import (
    assignee,
    department,
    priority,
    ticket,
    ticket_form,
    ticket_type,
    typing_description,
)

MAX_LABEL = 24
PLANS_PER_PAGE = 8
Rows = list[list[InlineKeyboardButton]]


def short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def speed(mbps: int) -> str:
    """Speeds as on the web page and the PDF: pt-BR thousands separator ("1.000")."""
    return f"{mbps:,}".replace(",", ".")


@dataclass
class Screen:
    """What a builder may use: words, the draft, the contract and catalog, the step."""

    tr: Callable[..., str]
    locale: str
    draft: PlanDraft
    view: WizardView
    state: State
    page: int | None = None
    data_tr: Callable[..., str] | None = None  # words stored as data (provider's language)

    @property
    def catalog(self) -> Any:
        return self.view.catalog

    def button(self, label: str, verb: str, arg: object = None) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            short(label), callback_data=CODEC.encode(self.state.value, verb, arg)
        )

    def default_description(self) -> str:
        new_plan = self.catalog.plan(self.draft.plan_id)
        card = self.view.card
        return (self.data_tr or self.tr)(
            "wizard.default_description",
            old=card.plan.name,
            new=new_plan.name if new_plan else "-",
            number=card.contract.number,
        )


def _mark(selected: bool) -> str:
    return "✅ " if selected else ""


def _numbered(lines: list[str]) -> str:
    return "\n".join(f"{i}. {esc(line)}" for i, line in enumerate(lines, start=1))


def _money(cents: int | None) -> str:
    return Money(cents).format() if cents is not None else "-"


def channel(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    current = d.channel or ("no" if d.loyalty_term_id is not None else None)
    rows = [
        [s.button(_mark(current == ch) + s.tr(f"wizard.channel_{ch}"), "ch", ch)] for ch in CHANNELS
    ]
    return esc(s.tr("wizard.ask_channel")), rows


def template(s: Screen) -> tuple[str, Rows]:
    """Template names are long: numbered buttons, the full names in the text."""
    templates = s.catalog.templates
    rows = [
        [s.button(f"{_mark(t.id == s.draft.template_id)}{i} · {t.name}", "tpl", t.id)]
        for i, t in enumerate(templates, start=1)
    ]
    return esc(s.tr("wizard.ask_template")) + "\n" + _numbered([t.name for t in templates]), rows


def loyalty(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    rows = [
        [
            s.button(
                _mark(d.loyalty_term_id == KEEP_LOYALTY) + s.tr("wizard.loyalty_keep"),
                "loy",
                KEEP_LOYALTY,
            )
        ]
    ]
    details = []
    for term in s.catalog.loyalty_terms:
        rows.append([s.button(_mark(d.loyalty_term_id == term.id) + term.name, "loy", term.id)])
        if not term.is_none:
            details.append(
                s.tr("wizard.loyalty_detail", name=term.name, benefit=term.monthly_benefit.format())
            )
    notes = [s.tr("wizard.loyalty_note_pf")] if d.client_kind == "PF" else []
    if d.channel is None:
        notes.append(s.tr("wizard.loyalty_note_no_channel"))
    body = esc(s.tr("wizard.ask_loyalty"))
    if details:
        body += "\n" + "\n".join(f"• {esc(line)}" for line in details)
    if notes:
        body += "\n\n<i>" + esc("\n".join(notes)) + "</i>"
    return body, rows


def group(s: Screen) -> tuple[str, Rows]:
    rows = [
        [s.button(_mark(g.id == s.draft.group_id) + g.name, "grp", g.id)]
        for g in s.catalog.groups
        if s.catalog.plans_in(g.id)
    ]
    return esc(s.tr("wizard.ask_group")), rows


def plan(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    plans = s.catalog.plans_in(d.group_id)
    pages = max(1, -(-len(plans) // PLANS_PER_PAGE))
    page = s.page
    if page is None:
        ids = [p.id for p in plans]
        page = ids.index(d.plan_id) // PLANS_PER_PAGE if d.plan_id in ids else 0
    page = min(max(page, 0), pages - 1)
    first = page * PLANS_PER_PAGE
    chunk = plans[first : first + PLANS_PER_PAGE]
    details = [
        s.tr(
            "wizard.plan_detail",
            name=p.name,
            down=speed(p.download_mbps),
            up=speed(p.upload_mbps),
            price=p.price.format(),
        )
        + _network_line(s, p.id)
        for p in chunk
    ]
    rows = [
        [s.button(f"{_mark(p.id == d.plan_id)}{first + i} · {p.name}", "pl", p.id)]
        for i, p in enumerate(chunk, start=1)
    ]
    rows.append(paginate_row(s.locale, page, page > 0, page + 1 < pages, "w", "plp", pages=pages))
    chosen_group = s.catalog.group(d.group_id)
    head = esc(s.tr("wizard.ask_plan", group=chosen_group.name if chosen_group else "-"))
    body = (
        head
        + "\n"
        + "\n".join(f"{first + i}. {esc(line)}" for i, line in enumerate(details, start=1))
    )
    return body, rows


def _network_line(s: Screen, plan_id: int) -> str:
    profile = s.catalog.profile(plan_id)
    if profile is None:
        return ""
    return "\n   " + s.tr(
        "wizard.plan_network", group=profile.group, attributes=profile.attributes_text
    )


def value(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    chosen_plan = s.catalog.plan(d.plan_id)
    assert chosen_plan is not None
    rows = [
        [s.button(s.tr("wizard.value_keep"), "val", "keep")],
        [s.button(s.tr("wizard.value_type"), "val", "type")],
    ]
    lines = s.tr(
        "wizard.value_lines",
        price=chosen_plan.price.format(),
        current=s.view.card.contract.value.format(),
        chosen=_money(d.value_cents),
    )
    return esc(s.tr("wizard.ask_value", plan=chosen_plan.name)) + "\n" + esc(lines), rows


def typing_value(s: Screen) -> tuple[str, Rows]:
    return esc(s.tr("wizard.type_value")), []


def confirming_value(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    chosen_plan = s.catalog.plan(d.plan_id)
    assert chosen_plan is not None and d.value_to_confirm_cents is not None
    typed, price = Money(d.value_to_confirm_cents), chosen_plan.price
    text = s.tr(
        "wizard.ask_confirm_value",
        value=typed.format(),
        percent=format_tenths(percent_away_tenths(typed, price), s.locale),
        direction=s.tr(f"wizard.direction_{'below' if typed < price else 'above'}"),
        price=price.format(),
    )
    if d.discount_policy.needs_approval(typed, price):
        text += "\n" + s.tr("approval.wizard_note", limit=d.approval_percent)
    rows = [
        [s.button(s.tr("wizard.confirm_value", value=typed.format()), "vc", "yes")],
        [s.button(s.tr("wizard.value_type"), "vc", "no")],
    ]
    return esc(text), rows


def services(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    offered = list(s.catalog.services.values())
    rows = [
        [s.button(("✅ " if sv.id in d.service_ids else "⬜ ") + sv.name, "sv", sv.id)]
        for sv in offered
    ]
    rows.append([s.button(s.tr("ui.continue"), "svd")])
    details = [
        s.tr("wizard.service_detail", name=sv.name, price=sv.list_price.format()) for sv in offered
    ]
    head = esc(s.tr("wizard.ask_services", value=_money(d.value_cents)))
    return head + "\n" + "\n".join(f"• {esc(line)}" for line in details), rows


def split(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    rows = [
        [s.button(_mark(d.split == st.value) + s.tr(f"wizard.split_{st.value}"), "sp", st.value)]
        for st in SplitStrategy
    ]
    names = ", ".join(line.name for line in d.service_lines(s.catalog.services))
    return esc(s.tr("wizard.ask_split", value=_money(d.value_cents), services=names)), rows


def typing_split(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    lines = d.service_lines(s.catalog.services)
    total = d.value_cents or 0
    example = "\n".join(Money(total // len(lines)).format().replace("R$\u00a0", "") for _ in lines)
    text = s.tr(
        "wizard.type_split",
        value=_money(total),
        services="\n".join(f"{i}. {line.name}" for i, line in enumerate(lines, start=1)),
        example=example,
    )
    return esc(text), []


def gates(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    rows = []
    if d.channel is not None:
        lock = "🔒 " if d.loyalty_forces_acceptance else ""
        state = "on" if d.gate_acceptance else "off"
        rows.append([s.button(lock + s.tr(f"wizard.gate_acceptance_{state}"), "gt", "acceptance")])
    if d.ticket:
        state = "on" if d.gate_ticket else "off"
        rows.append([s.button(s.tr(f"wizard.gate_ticket_{state}"), "gt", "ticket")])
    rows.append([s.button(s.tr("ui.continue"), "gok")])
    note = s.tr("wizard.gates_locked") if d.loyalty_forces_acceptance else ""
    return esc(s.tr("wizard.ask_gates")) + (f"\n\n<i>{esc(note)}</i>" if note else ""), rows


def review_buttons(s: Screen) -> Rows:
    return [
        [s.button(s.tr("wizard.finish"), "rv", "ok")],
        [s.button(s.tr("wizard.edit"), "rv", "edit")],
    ]


def edit(s: Screen) -> tuple[str, Rows]:
    labels = {
        State.CHANNEL: "wizard.section_1",
        State.GROUP: "wizard.section_2",
        State.EFFECTIVE: "effective.edit",
        State.TICKET: "wizard.section_3",
        State.GATES: "wizard.edit_gates",
    }
    d = s.draft
    rows = [
        [s.button(s.tr(labels[target]), "ed", target.value)]
        for target in EDITABLE
        if target is not State.GATES or d.channel is not None or d.ticket
    ]
    return esc(s.tr("wizard.ask_edit")), rows


BUILDERS: dict[State, Callable[[Screen], tuple[str, Rows]]] = {
    State.CHANNEL: channel,
    State.TEMPLATE: template,
    State.LOYALTY: loyalty,
    State.GROUP: group,
    State.PLAN: plan,
    State.VALUE: value,
    State.TYPING_VALUE: typing_value,
    State.CONFIRMING_VALUE: confirming_value,
    State.SERVICES: services,
    State.SPLIT: split,
    State.TYPING_SPLIT: typing_split,
    State.EFFECTIVE: effective,
    State.TICKET: ticket,
    State.TICKET_FORM: ticket_form,
    State.TICKET_TYPE: ticket_type,
    State.DEPARTMENT: department,
    State.ASSIGNEE: assignee,
    State.PRIORITY: priority,
    State.TYPING_DESCRIPTION: typing_description,
    State.GATES: gates,
    State.EDIT: edit,
}
