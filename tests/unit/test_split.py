"""Distribution of the contract value among services: exact to the cent, never negative."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import InvalidSplit
from bot.domain.money import Money
from bot.domain.split import (
    ServiceLine,
    Share,
    SplitStrategy,
    compute_split,
    split_all_on_main,
    split_manual,
    split_proportional,
    validate_split,
)
from bot.i18n import error_text

FAST = settings(max_examples=200, deadline=None)

INTERNET = ServiceLine(1, "Internet", Money(9990))
PHONE = ServiceLine(2, "Telefonia", Money(2990))
TV = ServiceLine(3, "TV", Money(4990))


def amounts(shares: tuple[Share, ...]) -> list[int]:
    return [s.amount.cents for s in shares]


# --- validate_split -------------------------------------------------------------------------


def test_validate_split_accepts_exact_sum() -> None:
    shares = [Share(1, "Internet", Money(7000)), Share(2, "Telefonia", Money(3000))]
    assert validate_split(Money(10000), shares) == tuple(shares)


def test_validate_split_missing_mentions_amounts() -> None:
    shares = [Share(1, "Internet", Money(7000)), Share(2, "Telefonia", Money(2000))]
    with pytest.raises(InvalidSplit) as info:
        validate_split(Money(10000), shares)
    err = info.value
    assert err.key == "split.missing"
    msg = error_text(err)
    assert "R$\u00a090,00" in msg  # got
    assert "R$\u00a0100,00" in msg  # total
    assert "R$\u00a010,00" in msg  # missing
    assert "faltam" in msg
    assert "R$\u00a010,00" in error_text(err, "en")


def test_validate_split_exceeds_mentions_amounts() -> None:
    shares = [Share(1, "Internet", Money(7000)), Share(2, "Telefonia", Money(3050))]
    with pytest.raises(InvalidSplit) as info:
        validate_split(Money(10000), shares)
    err = info.value
    assert err.key == "split.exceeds"
    msg = error_text(err)
    assert "R$\u00a0100,50" in msg
    assert "R$\u00a0100,00" in msg
    assert "R$\u00a00,50" in msg
    assert "passa" in msg


def test_validate_split_off_by_one_cent_is_refused() -> None:
    with pytest.raises(InvalidSplit) as info:
        validate_split(Money(10000), [Share(1, "Internet", Money(9999))])
    assert info.value.key == "split.missing"
    assert "R$\u00a00,01" in error_text(info.value)


def test_validate_split_negative_share_names_the_service() -> None:
    shares = [Share(1, "Internet", Money(10100)), Share(2, "Telefonia", Money(-100))]
    with pytest.raises(InvalidSplit) as info:
        validate_split(Money(10000), shares)
    assert info.value.key == "split.negative"
    assert "Telefonia" in error_text(info.value)


def test_validate_split_needs_a_service() -> None:
    with pytest.raises(InvalidSplit) as info:
        validate_split(Money(0), [])
    assert info.value.key == "split.no_services"
    assert "pelo menos um serviço" in error_text(info.value)


def test_validate_split_refuses_duplicates() -> None:
    shares = [Share(1, "Internet", Money(5000)), Share(1, "Internet", Money(5000))]
    with pytest.raises(InvalidSplit) as info:
        validate_split(Money(10000), shares)
    assert info.value.key == "split.duplicate_service"


def test_validate_split_zero_shares_are_fine() -> None:
    shares = [Share(1, "Internet", Money(10000)), Share(2, "Telefonia", Money(0))]
    assert amounts(validate_split(Money(10000), shares)) == [10000, 0]


# --- strategies -------------------------------------------------------------------------------


def test_split_all_on_main() -> None:
    shares = split_all_on_main(Money(12345), [INTERNET, PHONE, TV])
    assert amounts(shares) == [12345, 0, 0]
    assert [s.service_id for s in shares] == [1, 2, 3]
    assert [s.name for s in shares] == ["Internet", "Telefonia", "TV"]


def test_split_all_on_main_needs_a_service() -> None:
    with pytest.raises(InvalidSplit) as info:
        split_all_on_main(Money(100), [])
    assert info.value.key == "split.no_services"


def test_split_all_on_main_refuses_duplicate_services() -> None:
    with pytest.raises(InvalidSplit) as info:
        split_all_on_main(Money(100), [INTERNET, INTERNET])
    assert info.value.key == "split.duplicate_service"


def test_split_proportional_three_equal_prices() -> None:
    services = [ServiceLine(i, f"S{i}", Money(5000)) for i in (1, 2, 3)]
    shares = split_proportional(Money(10000), services)
    assert amounts(shares) == [3334, 3333, 3333]


def test_split_proportional_follows_list_prices() -> None:
    services = [ServiceLine(1, "A", Money(3000)), ServiceLine(2, "B", Money(1000))]
    assert amounts(split_proportional(Money(10000), services)) == [7500, 2500]


def test_split_proportional_remainder_goes_to_largest_fraction() -> None:
    # weights 1:2:2, total 1,00 -> exact 20, 40, 40
    services = [
        ServiceLine(1, "A", Money(100)),
        ServiceLine(2, "B", Money(200)),
        ServiceLine(3, "C", Money(200)),
    ]
    assert amounts(split_proportional(Money(100), services)) == [20, 40, 40]
    # total 0,03 over 1:1:1 -> one cent each; 0,02 -> the first two by order
    equal = [ServiceLine(i, f"S{i}", Money(100)) for i in (1, 2, 3)]
    assert amounts(split_proportional(Money(3), equal)) == [1, 1, 1]
    assert amounts(split_proportional(Money(2), equal)) == [1, 1, 0]
    # weights 1:3, total 0,03 -> exact 0.75 and 2.25: the 0.75 fraction wins the cent
    lop = [ServiceLine(1, "A", Money(100)), ServiceLine(2, "B", Money(300))]
    assert amounts(split_proportional(Money(3), lop)) == [1, 2]


def test_split_proportional_all_zero_prices_spread_evenly() -> None:
    services = [ServiceLine(i, f"S{i}", Money(0)) for i in (1, 2, 3, 4)]
    assert amounts(split_proportional(Money(10002), services)) == [2501, 2501, 2500, 2500]


def test_split_proportional_zero_priced_service_gets_nothing() -> None:
    services = [INTERNET, ServiceLine(9, "IP fixo", Money(0))]
    assert amounts(split_proportional(Money(12000), services)) == [12000, 0]


def test_split_proportional_is_deterministic() -> None:
    services = [INTERNET, PHONE, TV]
    first = split_proportional(Money(10001), services)
    for _ in range(5):
        assert split_proportional(Money(10001), services) == first


def test_split_proportional_refuses_negative_total_and_no_services() -> None:
    with pytest.raises(InvalidSplit) as info:
        split_proportional(Money(-1), [INTERNET])
    assert info.value.key == "split.negative"
    with pytest.raises(InvalidSplit) as info:
        split_proportional(Money(100), [])
    assert info.value.key == "split.no_services"


def test_split_manual() -> None:
    shares = split_manual(Money(10000), [INTERNET, PHONE], [Money(8000), Money(2000)])
    assert amounts(shares) == [8000, 2000]
    assert [s.service_id for s in shares] == [1, 2]


def test_split_manual_count_mismatch() -> None:
    with pytest.raises(InvalidSplit) as info:
        split_manual(Money(10000), [INTERNET, PHONE, TV], [Money(10000)])
    err = info.value
    assert err.key == "split.count_mismatch"
    assert "3 serviços" in error_text(err)
    assert "recebi 1" in error_text(err)


def test_split_manual_wrong_sum() -> None:
    with pytest.raises(InvalidSplit) as info:
        split_manual(Money(10000), [INTERNET, PHONE], [Money(8000), Money(1000)])
    assert info.value.key == "split.missing"


def test_compute_split_dispatches() -> None:
    services = [INTERNET, PHONE]
    assert amounts(compute_split(SplitStrategy.MAIN, Money(100), services)) == [100, 0]
    assert compute_split(SplitStrategy.PROPORTIONAL, Money(100), services) == (
        split_proportional(Money(100), services)
    )
    manual = compute_split(SplitStrategy.MANUAL, Money(100), services, [Money(40), Money(60)])
    assert amounts(manual) == [40, 60]
    with pytest.raises(InvalidSplit) as info:
        compute_split(SplitStrategy.MANUAL, Money(100), services)
    assert info.value.key == "split.count_mismatch"


# --- properties -------------------------------------------------------------------------------

totals = st.integers(min_value=0, max_value=10**9).map(Money)
service_lists = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8).map(
    lambda prices: [ServiceLine(i + 1, f"S{i + 1}", Money(p)) for i, p in enumerate(prices)]
)


def _check(total: Money, services: list[ServiceLine], shares: tuple[Share, ...]) -> None:
    assert sum(s.amount.cents for s in shares) == total.cents
    assert all(s.amount.cents >= 0 for s in shares)
    assert [s.service_id for s in shares] == [s.service_id for s in services]


@FAST
@given(totals, service_lists)
def test_all_on_main_property(total: Money, services: list[ServiceLine]) -> None:
    shares = split_all_on_main(total, services)
    _check(total, services, shares)
    assert shares[0].amount == total


@FAST
@given(totals, service_lists)
def test_proportional_property(total: Money, services: list[ServiceLine]) -> None:
    shares = split_proportional(total, services)
    _check(total, services, shares)
    assert split_proportional(total, services) == shares  # deterministic
    weights = [s.list_price.cents for s in services]
    weight_sum = sum(weights) or len(services)
    if sum(weights) == 0:
        weights = [1] * len(services)
    for share, w in zip(shares, weights, strict=True):
        # never a whole cent or more away from the exact share total * w / weight_sum
        assert abs(share.amount.cents * weight_sum - total.cents * w) < weight_sum
        if w == 0:
            assert share.amount.cents == 0


@FAST
@given(totals, service_lists, st.data())
def test_manual_property(total: Money, services: list[ServiceLine], data: st.DataObject) -> None:
    # Any way of cutting the total into len(services) non-negative pieces is accepted as is.
    cuts = sorted(
        data.draw(
            st.lists(
                st.integers(min_value=0, max_value=total.cents),
                min_size=len(services) - 1,
                max_size=len(services) - 1,
            )
        )
    )
    bounds = [0, *cuts, total.cents]
    pieces = [Money(b - a) for a, b in itertools.pairwise(bounds)]
    shares = split_manual(total, services, pieces)
    _check(total, services, shares)
    assert [s.amount for s in shares] == pieces
    for strategy in SplitStrategy:
        _check(total, services, compute_split(strategy, total, services, pieces))
