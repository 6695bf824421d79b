"""Money: typed BRL input, exact cents, Brazilian formatting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.errors import DomainError, InvalidMoney
from bot.domain.money import MAX_CENTS, Money, format_brl, parse_money
from bot.i18n import error_text

FAST = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234,56", 123456),
        ("1.234,56", 123456),
        ("R$ 99,90", 9990),
        ("r$99,90", 9990),
        ("R$99,90", 9990),
        ("R$\u00a099,90", 9990),
        ("  R$ 1.234,56  ", 123456),
        ("99.90", 9990),
        ("100", 10000),
        ("0,5", 50),
        ("0,05", 5),
        ("12,3", 1230),
        ("1.234", 123400),  # dot as thousands separator: R$ 1.234,00
        ("1.234.567,89", 123456789),
        ("1.234,5", 123450),
        ("0", 0),
        ("100.000.000,00", MAX_CENTS),  # exactly the limit is still accepted
    ],
)
def test_parse_money_accepts(text: str, cents: int) -> None:
    assert parse_money(text) == Money(cents)
    assert Money.parse(text) == Money(cents)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("-5", "money.negative"),
        ("-5,00", "money.negative"),
        ("R$ -5,00", "money.negative"),
        ("-R$ 5,00", "money.negative"),
        ("abc", "money.invalid"),
        ("12a", "money.invalid"),
        ("R$ dez", "money.invalid"),
        ("1,234", "money.too_many_decimals"),
        ("9,999", "money.too_many_decimals"),
        ("1.234,567", "money.too_many_decimals"),
        ("1234.567", "money.too_many_decimals"),
        ("", "money.empty"),
        ("   ", "money.empty"),
        ("\t\n", "money.empty"),
        ("R$", "money.empty"),
        ("R$   ", "money.empty"),
        (None, "money.empty"),
        ("1,2,3", "money.invalid"),
        ("12.34.56", "money.invalid"),
        ("1,234.56", "money.invalid"),  # US style is not guessed at
        ("100000001", "money.too_large"),
        ("100.000.000,01", "money.too_large"),
        ("99999999999999999999", "money.too_large"),
    ],
)
def test_parse_money_rejects_with_key(text: str | None, key: str) -> None:
    with pytest.raises(InvalidMoney) as info:
        parse_money(text)
    err = info.value
    assert isinstance(err, DomainError)
    assert err.key == key
    message = error_text(err)
    assert message and message != key  # a real catalog text, not the raw key
    assert str(err).startswith(key)  # str() is for logs: the key, untranslated


@pytest.mark.parametrize("text", ["1.23.456", "1..234", ".", ",", "1.", ",50", "1 234,5 6x"])
def test_malformed_separators_are_refused(text: str) -> None:
    with pytest.raises(InvalidMoney) as info:
        parse_money(text)
    assert info.value.key in {"money.invalid", "money.too_many_decimals"}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Digite um valor"),
        ("-5", "não pode ser negativo"),
        ("1,234", "mais de duas casas decimais"),
        ("abc", "Não entendi"),
        ("100000001", "alto demais"),
    ],
)
def test_money_errors_speak_portuguese_by_default(text: str, fragment: str) -> None:
    with pytest.raises(InvalidMoney) as info:
        parse_money(text)
    assert fragment in error_text(info.value)
    assert fragment in error_text(info.value, "pt_BR")


def test_money_error_message_quotes_the_typed_value() -> None:
    with pytest.raises(InvalidMoney) as info:
        parse_money("9,999")
    assert '"9,999"' in error_text(info.value)
    assert '"9,999"' in error_text(info.value, "en")
    assert "decimal places" in error_text(info.value, "en")

    with pytest.raises(InvalidMoney) as info:
        parse_money("R$ dez")
    assert '"R$ dez"' in error_text(info.value)


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (123456, "R$\u00a01.234,56"),
        (5, "R$\u00a00,05"),
        (0, "R$\u00a00,00"),
        (-500, "-R$\u00a05,00"),
        (-5, "-R$\u00a00,05"),
        (9990, "R$\u00a099,90"),
        (100000, "R$\u00a01.000,00"),
        (99999, "R$\u00a0999,99"),
        (123456789, "R$\u00a01.234.567,89"),
        (100_000_000_00, "R$\u00a0100.000.000,00"),
        (1_234_567_890_12, "R$\u00a01.234.567.890,12"),
    ],
)
def test_format_brl(cents: int, text: str) -> None:
    assert format_brl(cents) == text
    assert " " not in text  # a non-breaking space: "R$" never ends a line
    if abs(cents) <= MAX_CENTS:
        assert parse_money(text.removeprefix("-")) == Money(abs(cents))  # what we write reads
    assert Money(cents).format() == text
    assert str(Money(cents)) == text


def test_money_arithmetic_is_exact() -> None:
    assert Money(10) + Money(20) == Money(30)
    assert Money(10) - Money(25) == Money(-15)
    assert Money(333).times(3) == Money(999)
    assert Money.zero() == Money(0)
    assert not Money.zero()
    assert Money(1)
    assert Money(1) < Money(2) <= Money(2) < Money(3)
    assert Money(3) > Money(2) >= Money(2)
    assert max(Money(5), Money(7), Money(6)) == Money(7)
    # 0,10 + 0,20 must be exactly 0,30 (the float trap)
    assert parse_money("0,10") + parse_money("0,20") == parse_money("0,30")


@FAST
@given(st.integers(min_value=0, max_value=10**10))
def test_round_trip_through_brazilian_format(cents: int) -> None:
    assert parse_money(format_brl(cents)) == Money(cents)


@FAST
@given(st.integers(min_value=0, max_value=10**10))
def test_round_trip_through_plain_comma_form(cents: int) -> None:
    whole, frac = divmod(cents, 100)
    assert parse_money(f"{whole},{frac:02d}") == Money(cents)


@FAST
@given(st.integers(min_value=0, max_value=10**10))
def test_round_trip_through_dot_decimal_form(cents: int) -> None:
    whole, frac = divmod(cents, 100)
    text = f"{whole}.{frac:02d}"
    # "1.234" style (exactly three digits after one dot) would be thousands; two never are.
    assert parse_money(text) == Money(cents)


@FAST
@given(st.integers(min_value=MAX_CENTS + 1, max_value=10**14))
def test_anything_over_the_limit_is_too_large(cents: int) -> None:
    with pytest.raises(InvalidMoney) as info:
        parse_money(format_brl(cents))
    assert info.value.key == "money.too_large"


@FAST
@given(st.integers(min_value=1, max_value=10**9))
def test_negative_input_is_always_refused(cents: int) -> None:
    with pytest.raises(InvalidMoney) as info:
        parse_money(format_brl(-cents).replace("-R$ ", "-"))
    assert info.value.key == "money.negative"
