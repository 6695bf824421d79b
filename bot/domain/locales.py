"""Which languages a staff member may choose, and how a client's language tag maps to one.

Pure data: the catalogs themselves (and translating) live in :mod:`bot.i18n`, at the edges.
"""

from __future__ import annotations

DEFAULT_LOCALE = "pt_BR"
LOCALES = ("pt_BR", "en")


def normalize_locale(locale: str | None) -> str:
    """Map things like ``pt-br``, ``pt``, ``en-US`` to a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    low = locale.replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LOCALE
