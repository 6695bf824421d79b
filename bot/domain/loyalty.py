"""Loyalty terms (fidelidade) and the consumer rules around them.

Anatel's consumer rules (Res. 765/2023) say a loyalty period needs the client's express
acceptance, caps it at 12 months for individuals, and the early-termination fee must be
proportional to the time left and never above the benefit actually received.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from bot.domain.documents import PersonKind
from bot.domain.errors import LoyaltyNotAllowed
from bot.domain.money import Money

PF_MAX_MONTHS = 12


@dataclass(frozen=True, slots=True)
class LoyaltyTerm:
    id: int
    name: str
    months: int
    monthly_benefit: Money
    active: bool = True

    @property
    def is_none(self) -> bool:
        return self.months == 0

    @property
    def total_benefit(self) -> Money:
        return self.monthly_benefit.times(self.months)


@dataclass(frozen=True, slots=True)
class Loyalty:
    """A contract's loyalty period as applied."""

    term_id: int | None
    months: int
    monthly_benefit: Money
    start: date | None
    end: date | None

    @classmethod
    def none(cls) -> Loyalty:
        return cls(None, 0, Money.zero(), None, None)

    @property
    def active(self) -> bool:
        return self.months > 0

    def in_force(self, on: date) -> bool:
        """Still binding on ``on`` (a finished period no longer is, though it stays recorded)."""
        return self.active and (self.end is None or on < self.end)


def new_term_period(term: LoyaltyTerm, start: date) -> tuple[date, date] | None:
    """(start, end) of a new loyalty period beginning on ``start``; None for "sem fidelidade"."""
    if term.is_none:
        return None
    return start, add_months(start, term.months)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def allowed_for(kind: PersonKind, term: LoyaltyTerm) -> bool:
    return not (kind is PersonKind.PF and term.months > PF_MAX_MONTHS)


def check_allowed(kind: PersonKind, term: LoyaltyTerm) -> None:
    if not allowed_for(kind, term):
        raise LoyaltyNotAllowed("loyalty.pf_max", months=term.months, max=PF_MAX_MONTHS)


def terms_for(kind: PersonKind, terms: list[LoyaltyTerm]) -> list[LoyaltyTerm]:
    """The catalog terms a client of this kind may be offered."""
    return [term for term in terms if term.active and allowed_for(kind, term)]


def requires_acceptance(term: LoyaltyTerm | None) -> bool:
    """A new loyalty period can only start with the client's express acceptance."""
    return term is not None and term.months > 0


def loyalty_from_term(term: LoyaltyTerm, start: date) -> Loyalty:
    if term.months == 0:
        return Loyalty.none()
    return Loyalty(
        term.id, term.months, term.monthly_benefit, start, add_months(start, term.months)
    )


def months_elapsed(start: date, on: date) -> int:
    """Whole months from ``start`` up to ``on``, counted the way ``add_months`` steps them.

    A month counts once its anniversary is reached; an anniversary clamped to a shorter month
    (31/01 → 28/02) is reached on that clamped day, so a loyalty period is complete on its end date.
    """
    if on <= start:
        return 0
    months = (on.year - start.year) * 12 + (on.month - start.month)
    if add_months(start, months) > on:
        months -= 1
    return max(months, 0)


def early_termination_fee(loyalty: Loyalty, on: date) -> Money:
    """Fee for leaving on ``on``: proportional to months left, capped by benefit received."""
    if not loyalty.active or loyalty.start is None:
        return Money.zero()
    elapsed = min(months_elapsed(loyalty.start, on), loyalty.months)
    remaining = loyalty.months - elapsed
    proportional = loyalty.monthly_benefit.times(remaining)
    received = loyalty.monthly_benefit.times(elapsed)
    return min(proportional, received)
