"""When a plan change starts, and what the client pays in the billing cycle it starts in.

A change starts either when the action is finalized or on a chosen local date (the next due
date, or a date typed by the operator). The billing cycle runs from one due date (included)
to the next (excluded); a due day the month does not have (31 in April) falls on the month's
last day.

Pro-rata rounding rule (the only one): the cycle's total is rounded once, half up, from the
exact day-weighted sum ``(old × days_old + new × days_new) / days_in_cycle``; the old part is
rounded half up the same way, and the new part is the total minus the old part. So the parts
always add up to the total to the cent, the same value gives exactly that value, and neither
part is negative.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.change import ChangeType
from bot.domain.errors import InvalidInput
from bot.domain.money import Money

MAX_DAYS_AHEAD = 90
_TYPED_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


class EffectiveWhen(StrEnum):
    """The operator's choice in the wizard (a typed date is stored as the date itself)."""

    ON_FINALIZE = "now"
    NEXT_DUE = "due"


DEFAULT_WHEN: dict[ChangeType, EffectiveWhen] = {
    ChangeType.UPGRADE: EffectiveWhen.ON_FINALIZE,
    ChangeType.SAME_PRICE: EffectiveWhen.ON_FINALIZE,
    ChangeType.DOWNGRADE: EffectiveWhen.NEXT_DUE,
}


def due_date_in(year: int, month: int, due_day: int) -> date:
    """The due date of that month (the month's last day when it has no ``due_day``)."""
    return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def cycle_of(day: date, due_day: int) -> tuple[date, date]:
    """The billing cycle containing ``day``: its first day and the first day of the next."""
    this_month = due_date_in(day.year, day.month, due_day)
    if day >= this_month:
        start = this_month
    else:
        start = due_date_in(*_add_months(day.year, day.month, -1), due_day)
    end = due_date_in(*_add_months(start.year, start.month, 1), due_day)
    return start, end


def next_due_date(today: date, due_day: int) -> date:
    """The first due date after today (today's own due date has already been billed)."""
    return cycle_of(today, due_day)[1]


def check_effective_date(day: date, today: date) -> date:
    """A chosen date: not in the past and at most ``MAX_DAYS_AHEAD`` days ahead."""
    if day < today:
        raise InvalidInput("effective.in_past")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput("effective.too_far", days=MAX_DAYS_AHEAD)
    return day


def parse_effective_date(text: str, today: date) -> date:
    """A date typed as dd/mm/aaaa, checked against today (31/02 and text are refused)."""
    match = _TYPED_DATE.match(text or "")
    if match is None:
        raise InvalidInput("effective.not_a_date")
    day, month, year = (int(g) for g in match.groups())
    try:
        typed = date(year, month, day)
    except ValueError:
        raise InvalidInput("effective.not_a_date") from None
    return check_effective_date(typed, today)


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up (both non-negative)."""
    return (2 * numerator + denominator) // (2 * denominator)


@dataclass(frozen=True, slots=True)
class ProRata:
    """The billing cycle the change starts in, split at the effective date."""

    cycle_start: date
    cycle_end: date  # excluded: the next due date
    effective_on: date
    days_old: int
    days_new: int
    old_part: Money
    new_part: Money

    @property
    def total(self) -> Money:
        return self.old_part + self.new_part

    @property
    def days(self) -> int:
        return self.days_old + self.days_new


def pro_rata(old_value: Money, new_value: Money, due_day: int, effective_on: date) -> ProRata:
    """Old value until the day before ``effective_on``, new value from it (see the module)."""
    if old_value.cents < 0 or new_value.cents < 0:
        raise InvalidInput("errors.value_must_be_positive")
    start, end = cycle_of(effective_on, due_day)
    days = (end - start).days
    days_old = (effective_on - start).days
    days_new = days - days_old
    total = _half_up(old_value.cents * days_old + new_value.cents * days_new, days)
    old_part = _half_up(old_value.cents * days_old, days)
    return ProRata(
        cycle_start=start,
        cycle_end=end,
        effective_on=effective_on,
        days_old=days_old,
        days_new=days_new,
        old_part=Money(old_part),
        new_part=Money(total - old_part),
    )
