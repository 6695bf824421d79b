"""The alphanumeric CNPJ (issued since July 2026): validated by validate-docbr, shown like a
numeric one; the generator used by demo data and tests agrees with the library."""

from __future__ import annotations

import pytest
from validate_docbr import CNPJ

from bot.domain.documents import (
    PersonKind,
    cnpj_check_digits,
    format_document,
    is_valid_cnpj,
    looks_like_alphanumeric_cnpj,
    mask_document,
    normalize_document,
)
from bot.domain.errors import InvalidDocument

EXAMPLE = "12.ABC.345/01DE-35"  # the Receita Federal's published example


def test_the_published_example_is_valid_in_any_typing() -> None:
    for typed in (EXAMPLE, "12ABC34501DE35", "12.abc.345/01de-35", " 12 ABC 345 01DE 35 "):
        assert normalize_document(typed) == (PersonKind.PJ, "12ABC34501DE35")


def test_a_wrong_check_digit_or_a_letter_in_the_check_digits_is_refused() -> None:
    for typed in ("12.ABC.345/01DE-36", "12.ABC.345/01DE-3A"):
        with pytest.raises(InvalidDocument) as exc:
            normalize_document(typed)
        assert exc.value.key == "document.invalid_cnpj"
    assert not is_valid_cnpj("AAAAAAAAAAAA00")


def test_shown_formatted_and_masked_like_a_numeric_cnpj() -> None:
    assert format_document("12ABC34501DE35") == EXAMPLE
    assert mask_document("12ABC34501DE35") == "**.ABC.345/01DE-**"


def test_search_tells_an_alphanumeric_cnpj_from_a_name() -> None:
    assert looks_like_alphanumeric_cnpj(EXAMPLE)
    assert not looks_like_alphanumeric_cnpj("Padaria Pão de Mel")
    assert not looks_like_alphanumeric_cnpj("11.222.333/0001-81")  # numeric: a digit search


@pytest.mark.parametrize("base", ["12ABC34501DE", "ZZZZZZZZ0001", "112223330001", "A1B2C3D4E5F6"])
def test_generator_agrees_with_the_library(base: str) -> None:
    assert CNPJ().validate(base + cnpj_check_digits(base))
    assert cnpj_check_digits("12ABC34501DE") == "35"
