"""What an admin may add to the catalog: names, loyalty months and benefit."""

from __future__ import annotations

import pytest

from bot.domain.catalog_base import (
    MAX_NAME,
    NewLoyaltyTerm,
    clean_name,
    name_key,
    new_loyalty_term,
    offered_to,
)
from bot.domain.errors import InvalidInput, InvalidMoney
from bot.domain.models import PersonKind
from bot.domain.money import Money


def test_names_differing_in_case_accents_or_spacing_are_one() -> None:
    assert name_key(" Rural  RÁDIO ") == name_key("rural radio")
    assert name_key("Fibra 300") != name_key("Fibra 500")


def test_a_name_is_one_line_without_bidi_controls() -> None:
    assert clean_name("  Residencial\n  Fibra\u202e ") == "Residencial Fibra"
    with pytest.raises(InvalidInput) as caught:
        clean_name("\u200f \t")
    assert caught.value.key == "catalog.name_empty"
    assert clean_name("x" * MAX_NAME) == "x" * MAX_NAME
    with pytest.raises(InvalidInput) as caught:
        clean_name("x" * (MAX_NAME + 1))
    assert caught.value.params == {"max": MAX_NAME, "length": MAX_NAME + 1}


@pytest.mark.parametrize(
    ("months", "benefit", "expected"),
    [
        ("12", "20,00", NewLoyaltyTerm("F", 12, Money(2000))),
        (" 0 ", "0", NewLoyaltyTerm("F", 0, Money(0))),
        ("36", "R$ 1.234,56", NewLoyaltyTerm("F", 36, Money(123456))),
    ],
)
def test_loyalty_terms_as_brazilians_type_them(
    months: str, benefit: str, expected: NewLoyaltyTerm
) -> None:
    assert new_loyalty_term("F", months, benefit) == expected


@pytest.mark.parametrize(
    ("months", "benefit", "key"),
    [
        ("-1", "10", "catalog.bad_months"),
        ("1.5", "10", "catalog.bad_months"),
        ("37", "10", "catalog.bad_months"),
        ("", "10", "catalog.bad_months"),
        ("12", "0,00", "catalog.loyalty_needs_benefit"),
        ("0", "0,01", "catalog.benefit_needs_loyalty"),
    ],
)
def test_bad_loyalty_terms_are_refused(months: str, benefit: str, key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        new_loyalty_term("F", months, benefit)
    assert caught.value.key == key


def test_a_bad_benefit_keeps_the_money_reason() -> None:
    with pytest.raises(InvalidMoney) as caught:
        new_loyalty_term("F", "12", "vinte")
    assert caught.value.key == "money.invalid"


def test_more_than_twelve_months_is_for_business_clients_only() -> None:
    assert offered_to(NewLoyaltyTerm("F", 12, Money(1))) == (PersonKind.PF, PersonKind.PJ)
    assert offered_to(NewLoyaltyTerm("F", 13, Money(1))) == (PersonKind.PJ,)
