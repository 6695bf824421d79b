"""The wizard's ticket section (step 3): whether to open a ticket, the ticket's form and the
sub-screens that change one of its fields (type, department, assignee, priority, description).

Kept apart from ``screens`` so each module stays short; ``screens.BUILDERS`` lists these too.
"""

from __future__ import annotations

from typing import Any, Protocol

from telegram import InlineKeyboardButton

from bot.domain.draft import UNASSIGNED, PlanDraft
from conversations.base import esc
from conversations.plan_update.steps import PRIORITIES

Rows = list[list[InlineKeyboardButton]]


class Screen(Protocol):
    """What these builders use of ``screens.Screen`` (which imports this module)."""

    draft: PlanDraft

    @property
    def catalog(self) -> Any: ...

    def tr(self, key: str, **params: Any) -> str: ...
    def button(self, label: str, verb: str, arg: object = None) -> InlineKeyboardButton: ...
    def default_description(self) -> str: ...


def _mark(selected: bool) -> str:
    return "✅ " if selected else ""


def ticket(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    rows = [
        [
            s.button(_mark(d.ticket is True) + s.tr("ui.yes"), "tk", "1"),
            s.button(_mark(d.ticket is False) + s.tr("ui.no"), "tk", "0"),
        ]
    ]
    return esc(s.tr("wizard.ask_ticket")), rows


def ticket_form(s: Screen) -> tuple[str, Rows]:
    d, c = s.draft, s.catalog
    kind, department = c.ticket_type(d.ticket_type_id), c.department(d.department_id)
    technician = c.technician(d.assignee_id)
    assignee = technician.name if technician else s.tr("wizard.unassigned")
    fields = [
        (s.tr("wizard.ticket_type"), kind.name if kind else "-"),
        (s.tr("wizard.ticket_department"), department.name if department else "-"),
        (s.tr("wizard.ticket_assignee"), assignee),
        (s.tr("wizard.ticket_priority"), s.tr(f"priority.{d.priority or 'normal'}")),
        (s.tr("wizard.ticket_description"), d.description or s.default_description()),
    ]
    body = (
        esc(s.tr("wizard.ticket_form"))
        + "\n"
        + "\n".join(f"<b>{esc(name)}:</b> {esc(text)}" for name, text in fields)
    )
    rows = [
        [
            s.button(s.tr("wizard.change_type"), "tf", "type"),
            s.button(s.tr("wizard.change_department"), "tf", "dept"),
        ],
        [
            s.button(s.tr("wizard.change_assignee"), "tf", "who"),
            s.button(s.tr("wizard.change_priority"), "tf", "prio"),
        ],
        [s.button(s.tr("wizard.change_description"), "tf", "desc")],
        [s.button(s.tr("ui.continue"), "tf", "ok")],
    ]
    return body, rows


def ticket_type(s: Screen) -> tuple[str, Rows]:
    rows = [
        [s.button(_mark(i.id == s.draft.ticket_type_id) + i.name, "tt", i.id)]
        for i in s.catalog.ticket_types
    ]
    return esc(s.tr("wizard.ask_ticket_type")), rows


def department(s: Screen) -> tuple[str, Rows]:
    rows = [
        [s.button(_mark(i.id == s.draft.department_id) + i.name, "dp", i.id)]
        for i in s.catalog.departments
    ]
    return esc(s.tr("wizard.ask_department")), rows


def assignee(s: Screen) -> tuple[str, Rows]:
    d = s.draft
    rows = [
        [s.button(_mark(t.id == d.assignee_id) + t.name, "as", t.id)] for t in s.catalog.technicians
    ]
    rows.append(
        [
            s.button(
                _mark(d.assignee_id == UNASSIGNED) + s.tr("wizard.assignee_queue"), "as", UNASSIGNED
            )
        ]
    )
    return esc(s.tr("wizard.ask_assignee")), rows


def priority(s: Screen) -> tuple[str, Rows]:
    rows = [
        [s.button(_mark(p == s.draft.priority) + s.tr(f"priority.{p}"), "pr", p)]
        for p in PRIORITIES
    ]
    return esc(s.tr("wizard.ask_priority")), rows


def typing_description(s: Screen) -> tuple[str, Rows]:
    rows = [[s.button(s.tr("wizard.description_default"), "ds", "def")]]
    return esc(s.tr("wizard.type_description", default=s.default_description())), rows
