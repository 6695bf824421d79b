"""Free text made safe to show: no bidirectional-control characters.

U+202E (RIGHT-TO-LEFT OVERRIDE) and its relatives make the rest of a line read backwards in the
chat, on the web page and in the PDF, so a name can hide or disguise what follows it (a value,
a plan, a CPF). Names, notes and reasons typed in Portuguese never need them, and Arabic or
Hebrew letters still show right to left without them, so they are removed: on input, before
anything is stored, and again when stored text is read, for rows written before this rule.
"""

from __future__ import annotations

from typing import Any

#: Embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the left-to-right and
#: right-to-left marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)

_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def strip_bidi(text: str) -> str:
    """``text`` without bidirectional-control characters (everything else kept as is)."""
    return text.translate(_REMOVE)


def strip_bidi_or_none(text: str | None) -> str | None:
    """:func:`strip_bidi` for optional fields."""
    return None if text is None else text.translate(_REMOVE)


def has_bidi(text: str) -> bool:
    """Whether ``text`` holds any bidirectional-control character."""
    return any(c in BIDI_CONTROLS for c in text)


def strip_bidi_json(value: Any) -> Any:
    """A JSON-like value (dicts, lists, strings) with :func:`strip_bidi` applied to every
    string inside it; keys and other values are kept."""
    if isinstance(value, str):
        return value.translate(_REMOVE)
    if isinstance(value, dict):
        return {k: strip_bidi_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [strip_bidi_json(v) for v in value]
    return value
