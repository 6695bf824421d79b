"""Exact money in Brazilian reais, stored as integer cents.

Staff type values on phones in every style ("1.234,56", "R$ 99,90", "99.90", "100"); anything
ambiguous or malformed is refused with a message rather than guessed at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from bot.domain.errors import InvalidMoney

MAX_CENTS = 100_000_000_00  # R$ 100 milhões: far above any contract, catches typos

_PLAIN = re.compile(r"^\d+$")
_DECIMAL_COMMA = re.compile(r"^(\d+),(\d{1,2})$")
_DECIMAL_DOT = re.compile(r"^(\d+)\.(\d{1,2})$")
_THOUSANDS = re.compile(r"^(\d{1,3}(?:\.\d{3})+)(?:,(\d{1,2}))?$")
_TOO_MANY_DECIMALS = re.compile(r"^[\d.]*[.,]\d{3,}$")


@total_ordering
@dataclass(frozen=True, slots=True)
class Money:
    """An amount of BRL in cents; arithmetic stays exact."""

    cents: int

    @classmethod
    def zero(cls) -> Money:
        return cls(0)

    @classmethod
    def parse(cls, text: str | None) -> Money:
        return parse_money(text)

    def __add__(self, other: Money) -> Money:
        return Money(self.cents + other.cents)

    def __sub__(self, other: Money) -> Money:
        return Money(self.cents - other.cents)

    def __lt__(self, other: Money) -> bool:
        return self.cents < other.cents

    def __bool__(self) -> bool:
        return self.cents != 0

    def times(self, factor: int) -> Money:
        return Money(self.cents * factor)

    def format(self) -> str:
        return format_brl(self.cents)

    def __str__(self) -> str:
        return self.format()


ECHO_CHARS = 30


def _echo(raw: str) -> str:
    """What a refusal quotes of the typed text: its beginning only (a pasted page must not
    turn the refusal into a message longer than the chat allows)."""
    flat = " ".join(raw.split())
    return flat if len(flat) <= ECHO_CHARS else flat[: ECHO_CHARS - 1] + "…"


def parse_money(text: str | None) -> Money:
    """Parse a typed BRL amount; raise :class:`InvalidMoney` with a friendly reason."""
    raw = (text or "").strip()
    cleaned = (
        re.sub(r"^r\$\s*", "", raw, flags=re.IGNORECASE).replace(" ", "").replace("\u00a0", "")
    )
    if not cleaned:
        raise InvalidMoney("money.empty")
    if cleaned.startswith("-"):
        raise InvalidMoney("money.negative")
    if _TOO_MANY_DECIMALS.match(cleaned) and not _THOUSANDS.match(cleaned):
        raise InvalidMoney("money.too_many_decimals", value=_echo(raw))
    cents: int | None = None
    if _PLAIN.match(cleaned):
        cents = int(cleaned) * 100
    elif m := _DECIMAL_COMMA.match(cleaned):
        cents = int(m.group(1)) * 100 + int(m.group(2).ljust(2, "0"))
    elif m := _THOUSANDS.match(cleaned):
        whole = int(m.group(1).replace(".", ""))
        cents = whole * 100 + int((m.group(2) or "0").ljust(2, "0"))
    elif m := _DECIMAL_DOT.match(cleaned):
        cents = int(m.group(1)) * 100 + int(m.group(2).ljust(2, "0"))
    if cents is None:
        raise InvalidMoney("money.invalid", value=_echo(raw))
    if cents > MAX_CENTS:
        raise InvalidMoney("money.too_large", value=_echo(raw))
    return Money(cents)


def format_brl(cents: int) -> str:
    """Format cents the Brazilian way: ``R$ 1.234,56`` (``-R$ 5,00`` for negatives).

    The space after ``R$`` is a non-breaking one (U+00A0), so "R$" never ends a line on a
    phone screen, in a chat bubble or in a PDF column.
    """
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", ".")
    return f"{sign}R$\u00a0{grouped},{frac:02d}"
