"""The daily digest as a chat message (the outbox composes it at delivery, in the reader's
language; the figures were gathered at digest time, see :mod:`bot.services.digest`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from telegram import InlineKeyboardMarkup

from bot.domain.models import Notification
from bot.i18n import t
from conversations.base import AppServices, button, keyboard
from conversations.pending_list import ICONS

CAP = 8  # items per section (a message holds 4096 characters); the rest is counted


def digest_message(
    services: AppServices, n: Notification, locale: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The digest for ``n``'s chat, and its keyboard: a private one has a button to the
    owner's own list; the group's has none (like every group notification)."""
    d = n.payload
    renderer = services.renderer

    def icons(groups: Iterable[str]) -> str:  # StrEnum keys: a group's value finds its icon
        return "".join(ICONS.get(g, "") for g in groups)  # type: ignore[call-overload]

    def expires(iso: str) -> str:  # within a day: no year needed
        return datetime.fromisoformat(iso).astimezone(renderer.timezone).strftime("%d/%m %H:%M")

    text = renderer.render(
        "digest",
        locale,
        d=d,
        day=date.fromisoformat(d["day"]).strftime("%d/%m"),
        cap=CAP,
        icons=icons,
        expires=expires,
    )
    if d.get("team"):
        return text, None
    return text, keyboard([[button(t("digest.open_list", locale), "pa", "l", "m", 0)]])
