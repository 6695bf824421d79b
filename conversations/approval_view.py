"""How a discount approval request looks in the chat: the figures an admin decides on (also
what the outbox sends) and its buttons."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup

from bot.domain.models import Staff
from bot.i18n import t
from bot.render import MessageRenderer
from bot.services.cards import ActionCard
from conversations.base import button, keyboard
from conversations.screens import approval_rows


def request_message(
    renderer: MessageRenderer,
    locale: str,
    card: ActionCard,
    staff: Staff,
    notice: str | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """The approval request with the figures, its decision once made, and the buttons."""
    text = renderer.render("approval_request", locale, card=card, notice=notice)
    decided = card.approval is not None and card.approval.approval.decided
    rows = [] if decided else approval_rows(locale, card, staff)
    rows.append([button(t("notify.view_action", locale), "pa", "c", card.action.id)])
    return text, keyboard(rows)
