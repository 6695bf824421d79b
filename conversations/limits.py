"""Telegram's size limits on what the bot sends, and the last line of defence against them.

Every screen bounds the stored and typed text it shows (the ticket card keeps the latest notes
that fit, refusals quote an excerpt); ``fit`` only keeps a missed case from failing the whole
update with "Algo deu errado".
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 4096  # a message's text (UTF-16 units, after parsing)
MAX_ALERT_CHARS = 200  # a callback answer (alert or toast)
EXCERPT_CHARS = 40


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """At most ``limit`` characters of what a user typed, to echo back in a reply: a pasted
    page of text is quoted by its beginning, never whole."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


_TAG = re.compile(r"<[^>]*>?")
_DANGLING_ENTITY = re.compile(r"&[#\w]*$")


def length(text: str) -> int:
    """A message's length as Telegram counts it (UTF-16 code units: an emoji may be two). The
    HTML source is measured, which is never shorter than the text Telegram shows."""
    return len(text.encode("utf-16-le")) // 2


def fits(text: str, limit: int = MAX_MESSAGE_CHARS) -> bool:
    return length(text) <= limit


def _prefix(text: str, units: int) -> str:
    """The longest beginning of ``text`` that is at most ``units`` UTF-16 code units long."""
    used = 0
    for i, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > units:
            return text[:i]
    return text


def fit(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """The last line of defence for Telegram's length limit: cut an overlong HTML message at a
    line break and mark the cut with "…". Every screen bounds its own stored and typed text;
    this only keeps a missed case from failing the whole update ("Algo deu errado")."""
    if fits(text, limit):
        return text
    head = _prefix(text, limit - 2)
    cut = head.rfind("\n")
    if cut >= limit // 2:
        return head[:cut] + "\n…"
    # One huge line: drop its markup (a tag may be cut in half) and any half entity.
    line_start = cut + 1 if cut >= 0 else 0
    partial = _DANGLING_ENTITY.sub("", _TAG.sub("", head[line_start:]))
    return head[:line_start] + partial + "…"


def fit_alert(text: str) -> str:
    """An alert Telegram accepts: at most ``MAX_ALERT_CHARS`` characters, the cut marked."""
    return text if len(text) <= MAX_ALERT_CHARS else text[: MAX_ALERT_CHARS - 1] + "…"
