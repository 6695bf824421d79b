"""Signed, expiring links to the acceptance page as the staff see it ("visualização da equipe").

The page has no login. A client's link (``/aceite/<token>``) decides; the staff's preview
(``/aceite/equipe.<action>.<expiry>.<signature>``) only shows the proposal, marked as the staff's
view, with no identity form and no accept/decline. The signature (HMAC of the action id and the
expiry, keyed from the bot token) is what the bot puts on the action card's button, so only
someone who had the card can open it, and only until it expires.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from bot.config import Settings

PREVIEW_TTL = timedelta(hours=24)
# A browser that opened a staff preview is marked as a staff member's for this long: a client's
# link opened there shows the staff's view too, and decides nothing.
STAFF_MARK_TTL = timedelta(days=30)
STAFF_COOKIE = "contractbot_equipe"
STAFF_MARK_RE = re.compile(r"^(\d{1,12})\.([0-9a-f]{32})$")
PREVIEW_PREFIX = "equipe."  # /aceite/equipe.<token>: never a client's token (no "." in those)
PREVIEW_RE = re.compile(r"^(\d{1,10})\.(\d{1,12})\.([0-9a-f]{32})$")


def preview_secret(settings: Settings) -> bytes:
    """The signing key: stable across restarts and instances sharing the bot token. Without a
    token (the bot cannot run then) a random key: no preview link validates, none is forgeable."""
    if not settings.bot_token:
        return secrets.token_bytes(32)
    key = settings.bot_token.encode()
    return hmac.new(key, b"contractbot-staff-preview", hashlib.sha256).digest()


def _signature(secret: bytes, action_id: int, expires: int) -> str:
    message = f"preview:{action_id}:{expires}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def preview_token(secret: bytes, action_id: int, now: datetime) -> str:
    expires = int((now + PREVIEW_TTL).timestamp())
    return f"{action_id}.{expires}.{_signature(secret, action_id, expires)}"


def preview_action(secret: bytes, token: str, now: datetime) -> int | None:
    """The action a preview token shows, or None when forged, malformed or expired."""
    match = PREVIEW_RE.match(token or "")
    if match is None:
        return None
    action_id, expires = int(match.group(1)), int(match.group(2))
    if not hmac.compare_digest(match.group(3), _signature(secret, action_id, expires)):
        return None
    if expires <= now.timestamp():
        return None
    return action_id


def staff_mark(secret: bytes, now: datetime) -> str:
    """The signed cookie value that marks a browser as a staff member's (see STAFF_MARK_TTL)."""
    expires = int((now + STAFF_MARK_TTL).timestamp())
    signature = hmac.new(secret, f"staff-browser:{expires}".encode(), hashlib.sha256)
    return f"{expires}.{signature.hexdigest()[:32]}"


def is_staff_mark(secret: bytes, mark: str | None, now: datetime) -> bool:
    """Whether ``mark`` is a staff mark this bot signed and that has not expired."""
    match = STAFF_MARK_RE.match(mark or "")
    if match is None:
        return False
    expires = int(match.group(1))
    signature = hmac.new(secret, f"staff-browser:{expires}".encode(), hashlib.sha256)
    valid = hmac.compare_digest(match.group(2), signature.hexdigest()[:32])
    return valid and expires > now.timestamp()


def preview_url(settings: Settings, action_id: int, now: datetime) -> str:
    token = preview_token(preview_secret(settings), action_id, now)
    return f"{settings.public_url}/aceite/{PREVIEW_PREFIX}{token}"


__all__ = [
    "PREVIEW_PREFIX",
    "PREVIEW_TTL",
    "STAFF_COOKIE",
    "STAFF_MARK_TTL",
    "is_staff_mark",
    "preview_action",
    "preview_secret",
    "preview_token",
    "preview_url",
    "staff_mark",
]
