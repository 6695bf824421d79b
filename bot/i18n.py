"""Message catalogs (Brazilian Portuguese default, English selectable).

Catalogs are TOML files in ``bot/locales``; keys are dotted (``money.empty``) and values are
``str.format`` templates. A key missing from a non-default locale falls back to Portuguese,
so a half-translated catalog never shows a raw key to a user.

This is an edge: the domain and the services raise errors that carry a key and parameters, and
:func:`error_text` turns them into the reader's language where they are shown.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from bot.domain.errors import DomainError, Term
from bot.domain.locales import DEFAULT_LOCALE, LOCALES, normalize_locale

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


def t(key: str, locale: str | None = None, /, **params: Any) -> str:
    """Translate ``key`` into ``locale`` and fill in ``params``."""
    loc = normalize_locale(locale)
    template = catalog(loc).get(key)
    if template is None:
        template = catalog(DEFAULT_LOCALE).get(key)
    if template is None:
        raise KeyError(f"missing message key {key!r}")
    return template.format(**params) if params else template


def days_text(count: int, locale: str | None = None) -> str:
    """``1 dia`` / ``N dias`` in ``locale`` (the catalog's ``effective.days``)."""
    return (
        t("effective.days.one", locale)
        if count == 1
        else t("effective.days.other", locale, n=count)
    )


def has_key(key: str, locale: str | None = None) -> bool:
    return key in catalog(normalize_locale(locale))


def error_text(err: DomainError, locale: str | None = None) -> str:
    """What the user reads for a domain error, in ``locale`` (Portuguese by default)."""
    lines = [
        t(
            reason.key,
            locale,
            **{name: _word(value, locale) for name, value in reason.params.items()},
        )
        for reason in err.reasons
    ]
    if len(lines) == 1 and not err.listed:
        return lines[0]
    return "\n".join(f"• {line}" for line in lines)


def _word(value: Any, locale: str | None) -> Any:
    return t(value.key, locale) if isinstance(value, Term) else value


__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "catalog",
    "error_text",
    "has_key",
    "normalize_locale",
    "t",
]
