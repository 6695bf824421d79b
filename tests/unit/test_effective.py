"""Effective date and pro-rata: exact cents, one rounding rule, dates checked as the user types."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, load_settings
from bot.domain.change import ChangeType
from bot.domain.effective import (
    MAX_DAYS_AHEAD,
    EffectiveWhen,
    cycle_of,
    next_due_date,
    parse_effective_date,
    pro_rata,
)
from bot.domain.errors import InvalidInput
from bot.domain.money import Money
from bot.i18n import error_text

FAST = settings(max_examples=300, deadline=None)

values = st.integers(min_value=0, max_value=10_000_000).map(Money)
due_days = st.integers(min_value=1, max_value=31)
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


@FAST
@given(values, values, due_days, days)
def test_parts_add_up_to_the_total_and_are_never_negative(
    old: Money, new: Money, due: int, day: date
) -> None:
    split = pro_rata(old, new, due, day)
    assert split.old_part + split.new_part == split.total
    assert split.old_part.cents >= 0 and split.new_part.cents >= 0
    assert split.days_old + split.days_new == (split.cycle_end - split.cycle_start).days
    assert min(old, new) <= split.total <= max(old, new)


@FAST
@given(values, values, due_days, days)
def test_a_change_at_the_start_of_a_cycle_costs_the_full_new_value(
    old: Money, new: Money, due: int, day: date
) -> None:
    start, _ = cycle_of(day, due)
    split = pro_rata(old, new, due, start)
    assert split.total == new and split.old_part == Money(0) and split.days_old == 0


@FAST
@given(values, due_days, days)
def test_the_same_value_makes_no_difference(value: Money, due: int, day: date) -> None:
    assert pro_rata(value, value, due, day).total == value


def test_half_way_through_a_30_day_cycle() -> None:
    split = pro_rata(Money(10000), Money(20000), 10, date(2026, 11, 25))
    assert (split.cycle_start, split.cycle_end) == (date(2026, 11, 10), date(2026, 12, 10))
    assert (split.days_old, split.days_new) == (15, 15)
    assert (split.old_part, split.new_part, split.total) == (
        Money(5000),
        Money(10000),
        Money(15000),
    )


def test_rounding_is_half_up_once_on_the_total() -> None:
    # 31-day cycle, 1 day old: 9990 × 1/31 = 322.26 → 322; total (9990 + 14990 × 30)/31 = 14828.7
    split = pro_rata(Money(9990), Money(14990), 5, date(2026, 12, 6))
    assert split.old_part == Money(322)
    assert split.total == Money(14829)
    assert split.new_part == Money(14829 - 322)


def test_a_due_day_the_month_lacks_falls_on_its_last_day() -> None:
    assert cycle_of(date(2027, 2, 28), 31) == (date(2027, 2, 28), date(2027, 3, 31))
    assert cycle_of(date(2027, 2, 27), 31) == (date(2027, 1, 31), date(2027, 2, 28))
    assert next_due_date(date(2026, 12, 31), 31) == date(2027, 1, 31)


def test_next_due_date_is_after_today() -> None:
    assert next_due_date(date(2026, 11, 10), 10) == date(2026, 12, 10)
    assert next_due_date(date(2026, 11, 9), 10) == date(2026, 11, 10)


TODAY = date(2026, 11, 29)


def test_typed_dates_are_read_as_dd_mm_yyyy() -> None:
    assert parse_effective_date("05/12/2026", TODAY) == date(2026, 12, 5)
    assert parse_effective_date(" 29/11/2026 ", TODAY) == TODAY
    limit = TODAY + timedelta(days=MAX_DAYS_AHEAD)
    assert parse_effective_date(limit.strftime("%d/%m/%Y"), TODAY) == limit


@pytest.mark.parametrize(
    ("text", "key", "shown"),
    [
        ("28/11/2026", "effective.in_past", "já passou"),
        ("31/02/2027", "effective.not_a_date", "dd/mm/aaaa"),
        ("amanhã", "effective.not_a_date", "dd/mm/aaaa"),
        ("", "effective.not_a_date", "dd/mm/aaaa"),
        ("28/02/2027", "effective.too_far", "90"),
    ],
)
def test_bad_dates_are_refused_with_a_clear_message(text: str, key: str, shown: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_effective_date(text, TODAY)
    assert caught.value.key == key
    assert shown in error_text(caught.value, "pt_BR")


def test_the_default_per_change_type_is_configurable() -> None:
    assert load_settings({}).effective_defaults == {
        ChangeType.UPGRADE: EffectiveWhen.ON_FINALIZE,
        ChangeType.DOWNGRADE: EffectiveWhen.NEXT_DUE,
        ChangeType.SAME_PRICE: EffectiveWhen.ON_FINALIZE,
    }
    custom = load_settings({"EFFECTIVE_UPGRADE": "due", "EFFECTIVE_DOWNGRADE": "NOW"})
    assert custom.effective_defaults[ChangeType.UPGRADE] is EffectiveWhen.NEXT_DUE
    assert custom.effective_defaults[ChangeType.DOWNGRADE] is EffectiveWhen.ON_FINALIZE
    with pytest.raises(ConfigError, match="EFFECTIVE_SAME_PRICE"):
        load_settings({"EFFECTIVE_SAME_PRICE": "amanhã"})
