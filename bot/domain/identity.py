"""The client's identity check before answering an acceptance link.

Whoever holds a link could answer it; typing the client's CPF/CNPJ (or the part the provider
configures, e.g. its first 5 characters) shows the person knows it. Only whether it matched is
ever recorded, never what was typed.
"""

from __future__ import annotations

import re

MAX_IDENTITY_TRIES = 5
"""Wrong documents allowed on one request; the last one locks it (staff send a new link)."""

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def _plain(text: str) -> str:
    return _NOT_ALNUM.sub("", (text or "").upper())


def document_matches(document: str, typed: str, prefix: int = 0) -> bool:
    """Whether ``typed`` is the client's document (punctuation ignored), or, with ``prefix``,
    exactly its first ``prefix`` characters."""
    expected, given = _plain(document), _plain(typed)
    if not expected or not given:
        return False
    if prefix > 0:
        return given == expected[:prefix]
    return given == expected


__all__ = ["MAX_IDENTITY_TRIES", "document_matches"]
