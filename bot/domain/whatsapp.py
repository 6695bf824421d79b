"""WhatsApp click-to-chat links: Brazilian providers talk to their clients on WhatsApp, so the
acceptance link is offered there with the client's number already filled in.

``wa.me`` wants the number as bare digits with the country code (``5519987654321``); phones
reach us in every style (imported spreadsheets, typed by staff, the demo's ``+55 19 9…``).
"""

from __future__ import annotations

from urllib.parse import quote

from bot.domain.fields import InvalidField, normalize_phone

WA_ME = "https://wa.me/"


def whatsapp_number(phone: str | None) -> str | None:
    """The phone as ``55DDNNNNNNNNN`` for wa.me, or None when there is no usable number."""
    try:
        normalized = normalize_phone(phone or "")
    except InvalidField:
        return None
    digits = "".join(c for c in normalized if c.isdigit())
    return digits or None


def whatsapp_link(phone: str | None, text: str) -> str:
    """A wa.me link opening a chat with ``phone`` and ``text`` typed in; without a usable phone,
    WhatsApp's generic share link (the user picks the contact)."""
    number = whatsapp_number(phone) or ""
    return f"{WA_ME}{number}?text={quote(text, safe='')}"


__all__ = ["WA_ME", "whatsapp_link", "whatsapp_number"]
