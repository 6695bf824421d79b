"""Message catalogs (Brazilian Portuguese default, English selectable).

Catalogs are TOML files in ``bot/locales``; keys are dotted (``money.empty``) and values are
``str.format`` templates. A key missing from a non-default locale falls back to Portuguese,
so a half-translated catalog never shows a raw key to a user.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_LOCALE = "pt_BR"
LOCALES = ("pt_BR", "en")
_DIR = Path(__file__).parent / "locales"


def _flatten(prefix: str, data: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in data.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@cache
def catalog(locale: str) -> dict[str, str]:
    """Load one locale's catalog as a flat ``key -> template`` mapping."""
    path = _DIR / f"{normalize_locale(locale)}.toml"
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    out: dict[str, str] = {}
    _flatten("", raw, out)
    return out


def normalize_locale(locale: str | None) -> str:
    """Map things like ``pt-br``, ``pt``, ``en-US`` to a supported locale."""
    if not locale:
        return DEFAULT_LOCALE
    low = locale.replace("-", "_").lower()
    if low.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def t(key: str, locale: str | None = None, /, **params: Any) -> str:
    """Translate ``key`` into ``locale`` and fill in ``params``."""
    loc = normalize_locale(locale)
    template = catalog(loc).get(key)
    if template is None:
        template = catalog(DEFAULT_LOCALE).get(key)
    if template is None:
        raise KeyError(f"missing message key {key!r}")
    return template.format(**params) if params else template


def has_key(key: str, locale: str | None = None) -> bool:
    return key in catalog(normalize_locale(locale))
