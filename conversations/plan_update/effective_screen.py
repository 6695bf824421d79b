"""The wizard's "Quando vale a mudança?" screen (plan-and-value section): on finalizing, at the
next due date, or a typed date; the default for the change type comes first, marked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from telegram import InlineKeyboardButton

from bot.domain.change import change_type
from bot.domain.draft import PlanDraft
from bot.domain.effective import MAX_DAYS_AHEAD, EffectiveWhen
from bot.domain.money import Money
from bot.services.wizard import WizardView
from conversations.base import esc


class Screen(Protocol):
    """What this builder uses of ``screens.Screen`` (which imports this module)."""

    draft: PlanDraft
    view: WizardView

    def tr(self, key: str, **params: Any) -> str: ...
    def button(self, label: str, verb: str, arg: object = None) -> InlineKeyboardButton: ...


def _mark(selected: bool) -> str:
    return "✅ " if selected else ""


def effective(s: Screen) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """Two buttons (the default first), the options spelled out in the text, and the hint
    to type a date."""
    d = s.draft
    kind = change_type(s.view.card.contract.value, Money(d.value_cents or 0))
    default = s.view.default_when.get(kind, EffectiveWhen.ON_FINALIZE)
    next_due = d.next_due()
    options = {
        EffectiveWhen.ON_FINALIZE: (
            s.tr("effective.on_finalize"),
            s.tr("effective.button_on_finalize"),
            d.effective == EffectiveWhen.ON_FINALIZE.value,
        ),
        EffectiveWhen.NEXT_DUE: (
            s.tr("effective.next_due", date=next_due.strftime("%d/%m")),
            s.tr("effective.button_next_due", date=next_due.strftime("%d/%m")),
            d.effective_on == next_due,
        ),
    }
    lines = [s.tr("effective.ask")]
    rows = []
    for when in (default, *(w for w in EffectiveWhen if w is not default)):
        text, label, chosen = options[when]
        if when is default:
            text = s.tr("effective.option_default", label=text, kind=s.tr(f"change_type.{kind}"))
        lines.append(f"• {text}")
        rows.append([s.button(_mark(chosen) + label, "ef", when.value)])
    last = d.working_day() + timedelta(days=MAX_DAYS_AHEAD)
    lines.append(s.tr("effective.type_hint", limit=last.strftime("%d/%m/%Y")))
    typed = d.effective_on
    if typed is not None and typed != next_due:
        when_text = s.tr("effective.when_date", date=typed.strftime("%d/%m/%Y"))
        lines.append(s.tr("effective.chosen", when=when_text))
    return esc("\n".join(lines)), rows
