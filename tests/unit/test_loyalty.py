"""Loyalty terms: PF cap, express acceptance, calendar arithmetic, early termination fee."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.documents import PersonKind
from bot.domain.errors import LoyaltyNotAllowed
from bot.domain.loyalty import (
    PF_MAX_MONTHS,
    Loyalty,
    LoyaltyTerm,
    add_months,
    allowed_for,
    check_allowed,
    early_termination_fee,
    loyalty_from_term,
    months_elapsed,
    requires_acceptance,
    terms_for,
)
from bot.domain.money import Money
from bot.i18n import error_text

FAST = settings(max_examples=200, deadline=None)

NONE = LoyaltyTerm(1, "Sem fidelidade", 0, Money(0))
T12 = LoyaltyTerm(2, "12 meses", 12, Money(1000))
T24 = LoyaltyTerm(3, "24 meses", 24, Money(1500))
T6_OLD = LoyaltyTerm(4, "6 meses (antigo)", 6, Money(500), active=False)
T13 = LoyaltyTerm(5, "13 meses", 13, Money(1000))


def test_pf_max_is_twelve_months() -> None:
    assert PF_MAX_MONTHS == 12


def test_check_allowed_pf() -> None:
    check_allowed(PersonKind.PF, NONE)
    check_allowed(PersonKind.PF, T12)
    for term in (T13, T24):
        with pytest.raises(LoyaltyNotAllowed) as info:
            check_allowed(PersonKind.PF, term)
        err = info.value
        assert err.key == "loyalty.pf_max"
        assert err.params == {"months": term.months, "max": 12}
        assert "12 meses" in error_text(err)
        assert str(term.months) in error_text(err)


def test_check_allowed_pj_has_no_pf_cap() -> None:
    check_allowed(PersonKind.PJ, T12)
    check_allowed(PersonKind.PJ, T24)
    assert allowed_for(PersonKind.PJ, T24)
    assert not allowed_for(PersonKind.PF, T24)


def test_terms_for_filters_by_kind_and_active() -> None:
    catalog = [NONE, T12, T24, T6_OLD, T13]
    assert terms_for(PersonKind.PF, catalog) == [NONE, T12]
    assert terms_for(PersonKind.PJ, catalog) == [NONE, T12, T24, T13]
    assert terms_for(PersonKind.PF, []) == []


def test_requires_acceptance() -> None:
    assert requires_acceptance(T12)
    assert requires_acceptance(T24)
    assert not requires_acceptance(NONE)
    assert not requires_acceptance(None)


def test_term_properties() -> None:
    assert NONE.is_none
    assert not T12.is_none
    assert T12.total_benefit == Money(12000)
    assert NONE.total_benefit == Money(0)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 1, 30), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 1, 15), 12, date(2025, 1, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 31), 1, date(2025, 1, 31)),
        (date(2024, 5, 10), 0, date(2024, 5, 10)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 1, 15), -3, date(2023, 10, 15)),
        (date(2024, 1, 1), 36, date(2027, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "on", "expected"),
    [
        (date(2024, 1, 15), date(2024, 1, 15), 0),
        (date(2024, 1, 15), date(2024, 1, 1), 0),  # before the start
        (date(2024, 1, 15), date(2024, 2, 14), 0),  # a started month does not count
        (date(2024, 1, 15), date(2024, 2, 15), 1),
        (date(2024, 1, 15), date(2024, 3, 16), 2),
        (date(2024, 1, 15), date(2025, 1, 14), 11),
        (date(2024, 1, 15), date(2025, 1, 15), 12),
        (date(2023, 12, 20), date(2024, 1, 20), 1),
    ],
)
def test_months_elapsed(start: date, on: date, expected: int) -> None:
    assert months_elapsed(start, on) == expected


def test_loyalty_from_term() -> None:
    start = date(2024, 1, 31)
    got = loyalty_from_term(T12, start)
    assert got == Loyalty(2, 12, Money(1000), start, date(2025, 1, 31))
    assert got.active
    assert loyalty_from_term(NONE, start) == Loyalty.none()
    assert not Loyalty.none().active


def _loyalty(months: int, benefit: int, start: date) -> Loyalty:
    return Loyalty(1, months, Money(benefit), start, add_months(start, months))


@pytest.mark.parametrize(
    ("on", "fee"),
    [
        (date(2024, 1, 10), 0),  # the day it starts: nothing received yet
        (date(2024, 2, 10), 1000),  # 1 received, 11 left -> capped at 1 received
        (date(2024, 4, 10), 3000),  # 3 received, 9 left
        (date(2024, 7, 10), 6000),  # 6 and 6
        (date(2024, 10, 10), 3000),  # 9 received, 3 left -> proportional to 3 left
        (date(2024, 12, 10), 1000),  # 11 received, 1 left
        (date(2025, 1, 10), 0),  # term over
        (date(2026, 1, 10), 0),
    ],
)
def test_early_termination_fee_examples(on: date, fee: int) -> None:
    loyalty = _loyalty(12, 1000, date(2024, 1, 10))
    assert early_termination_fee(loyalty, on) == Money(fee)


def test_no_fee_without_loyalty() -> None:
    assert early_termination_fee(Loyalty.none(), date(2024, 1, 1)) == Money(0)
    no_start = Loyalty(1, 12, Money(1000), None, None)
    assert early_termination_fee(no_start, date(2024, 1, 1)) == Money(0)


starts = st.dates(min_value=date(2000, 1, 1), max_value=date(2060, 12, 31))


@FAST
@given(
    st.integers(min_value=1, max_value=36),
    st.integers(min_value=0, max_value=10**6),
    starts,
    st.integers(min_value=-400, max_value=40 * 31),
)
def test_fee_never_above_benefit_received_nor_months_left(
    months: int, benefit: int, start: date, offset: int
) -> None:
    loyalty = _loyalty(months, benefit, start)
    on = start + timedelta(days=offset)
    fee = early_termination_fee(loyalty, on)
    elapsed = min(months_elapsed(start, on), months)
    remaining = months - elapsed
    assert fee.cents >= 0
    assert fee <= Money(benefit).times(elapsed)  # never above the benefit received
    assert fee <= Money(benefit).times(remaining)  # proportional to the months left
    assert fee == min(Money(benefit).times(elapsed), Money(benefit).times(remaining))
    assert loyalty.end is not None
    if on > loyalty.end:
        assert fee == Money(0)


@FAST
@given(starts, st.integers(min_value=0, max_value=60))
def test_add_months_lands_on_the_right_month(start: date, months: int) -> None:
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day <= start.day
    if end.day < start.day:  # clamped: must be the last day of that month
        assert (end + timedelta(days=1)).day == 1


@FAST
@given(starts, st.integers(min_value=0, max_value=60))
def test_months_elapsed_on_unclamped_anniversaries(start: date, months: int) -> None:
    end = add_months(start, months)
    if end.day == start.day:
        assert months_elapsed(start, end) == months
        assert months_elapsed(start, end - timedelta(days=1)) == max(months - 1, 0)


# months_elapsed must agree with add_months when the end date was clamped to a shorter month:
# a term starting 31/01 "ends" on 28/02, and on that day a full month has elapsed.
@pytest.mark.parametrize(
    ("start", "months"),
    [
        (date(2023, 1, 31), 1),
        (date(2024, 1, 31), 1),
        (date(2023, 3, 31), 11),
        (date(2024, 5, 31), 1),
    ],
)
def test_months_elapsed_agrees_with_add_months(start: date, months: int) -> None:
    assert months_elapsed(start, add_months(start, months)) == months


def test_no_fee_on_the_loyalty_end_date_when_the_end_was_clamped() -> None:
    loyalty = _loyalty(11, 1000, date(2023, 3, 31))
    assert loyalty.end == date(2024, 2, 29)
    # Unclamped terms owe nothing on their end date (see the examples above) ...
    unclamped = _loyalty(11, 1000, date(2023, 3, 15))
    assert early_termination_fee(unclamped, date(2024, 2, 15)) == Money(0)
    # ... but this one charges R$ 10,00 on 29/02/2024, its end date.
    assert early_termination_fee(loyalty, loyalty.end) == Money(0)
