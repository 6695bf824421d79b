"""CPF and CNPJ: check digits, normalisation, formatting and masking."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.domain.documents import (
    PersonKind,
    cnpj_check_digits,
    cpf_check_digits,
    format_document,
    is_valid_cnpj,
    is_valid_cpf,
    mask_document,
    normalize_document,
    only_digits,
)
from bot.domain.errors import InvalidDocument
from bot.i18n import error_text

FAST = settings(max_examples=200, deadline=None)

# Real-world style examples (published as valid examples of the algorithm).
VALID_CPFS = ["529.982.247-25", "52998224725", "123.456.789-09", "111.444.777-35"]
VALID_CNPJS = ["11.222.333/0001-81", "11222333000181", "45.723.174/0001-10"]


def _cpf(base9: str) -> str:
    return base9 + cpf_check_digits(base9)


def _cnpj(base12: str) -> str:
    return base12 + cnpj_check_digits(base12)


def test_check_digit_helpers_match_known_documents() -> None:
    assert cpf_check_digits("529982247") == "25"
    assert cpf_check_digits("123456789") == "09"
    assert cpf_check_digits("111444777") == "35"
    assert cnpj_check_digits("112223330001") == "81"
    assert cnpj_check_digits("457231740001") == "10"


@pytest.mark.parametrize("doc", VALID_CPFS)
def test_valid_cpf(doc: str) -> None:
    assert is_valid_cpf(doc)
    assert not is_valid_cnpj(doc)


@pytest.mark.parametrize("doc", VALID_CNPJS)
def test_valid_cnpj(doc: str) -> None:
    assert is_valid_cnpj(doc)
    assert not is_valid_cpf(doc)


@pytest.mark.parametrize(
    "doc",
    [
        "529.982.247-24",  # last check digit wrong
        "529.982.247-15",  # first check digit wrong
        "529.982.248-25",  # body changed
        "123.456.789-00",
        "5299822472",  # 10 digits
        "529982247250",  # 12 digits
        "",
        "abc.def.ghi-jk",
    ],
)
def test_invalid_cpf(doc: str) -> None:
    assert not is_valid_cpf(doc)


@pytest.mark.parametrize(
    "doc",
    [
        "11.222.333/0001-80",
        "11.222.333/0001-71",
        "11.222.333/0002-81",
        "1122233300018",  # 13 digits
        "112223330001811",  # 15 digits
        "",
    ],
)
def test_invalid_cnpj(doc: str) -> None:
    assert not is_valid_cnpj(doc)


@pytest.mark.parametrize("digit", "0123456789")
def test_repeated_digits_are_rejected(digit: str) -> None:
    # Every repeated-digit sequence passes the CPF check-digit arithmetic; it must still fail.
    assert not is_valid_cpf(digit * 11)
    assert not is_valid_cnpj(digit * 14)
    with pytest.raises(InvalidDocument) as info:
        normalize_document(digit * 11)
    assert info.value.key == "document.invalid_cpf"
    with pytest.raises(InvalidDocument) as info:
        normalize_document(digit * 14)
    assert info.value.key == "document.invalid_cnpj"


@pytest.mark.parametrize(
    ("text", "kind", "digits"),
    [
        ("529.982.247-25", PersonKind.PF, "52998224725"),
        ("52998224725", PersonKind.PF, "52998224725"),
        (" 529 982 247 25 ", PersonKind.PF, "52998224725"),
        ("CPF: 529.982.247/25", PersonKind.PF, "52998224725"),
        ("11.222.333/0001-81", PersonKind.PJ, "11222333000181"),
        ("11222333000181", PersonKind.PJ, "11222333000181"),
        ("11.222.333 0001 81", PersonKind.PJ, "11222333000181"),
    ],
)
def test_normalize_document(text: str, kind: PersonKind, digits: str) -> None:
    assert normalize_document(text) == (kind, digits)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("529.982.247-26", "document.invalid_cpf"),
        ("11.222.333/0001-82", "document.invalid_cnpj"),
        ("123", "document.invalid_length"),
        ("", "document.invalid_length"),
        ("5299822472", "document.invalid_length"),
        ("529982247251", "document.invalid_length"),
    ],
)
def test_normalize_document_rejects(text: str, key: str) -> None:
    with pytest.raises(InvalidDocument) as info:
        normalize_document(text)
    assert info.value.key == key
    assert error_text(info.value) != key
    assert "CPF" in error_text(info.value) or "CNPJ" in error_text(info.value)


def test_only_digits() -> None:
    assert only_digits("529.982.247-25") == "52998224725"
    assert only_digits("") == ""
    assert only_digits("abc") == ""


def test_format_document() -> None:
    assert format_document("52998224725") == "529.982.247-25"
    assert format_document("529.982.247-25") == "529.982.247-25"
    assert format_document("11222333000181") == "11.222.333/0001-81"
    assert format_document("11.222.333/0001-81") == "11.222.333/0001-81"
    assert format_document("123") == "123"


def test_mask_document() -> None:
    assert mask_document("12345678909") == "***.456.789-**"
    assert mask_document("123.456.789-09") == "***.456.789-**"
    assert mask_document("52998224725") == "***.982.247-**"
    masked_cnpj = mask_document("11222333000181")
    assert masked_cnpj == "**.222.333/0001-**"
    assert mask_document("123") == "***"
    assert mask_document("") == "***"


def test_mask_hides_first_and_check_digits() -> None:
    masked = mask_document("52998224725")
    assert "529" not in masked
    assert not masked.endswith("25")
    assert len(masked) == len("529.982.247-25")


cpf_bases = st.text(alphabet="0123456789", min_size=9, max_size=9)
cnpj_bases = st.text(alphabet="0123456789", min_size=12, max_size=12)


@FAST
@given(cpf_bases)
def test_any_cpf_base_with_computed_check_digits_is_valid(base: str) -> None:
    doc = _cpf(base)
    assume(len(set(doc)) > 1)
    assert is_valid_cpf(doc)
    assert is_valid_cpf(format_document(doc))
    assert normalize_document(format_document(doc)) == (PersonKind.PF, doc)
    assert mask_document(doc) == f"***.{doc[3:6]}.{doc[6:9]}-**"


@FAST
@given(cpf_bases, st.sampled_from([9, 10]), st.integers(min_value=1, max_value=9))
def test_changing_a_cpf_check_digit_makes_it_invalid(base: str, pos: int, delta: int) -> None:
    doc = _cpf(base)
    wrong = doc[:pos] + str((int(doc[pos]) + delta) % 10) + doc[pos + 1 :]
    assert not is_valid_cpf(wrong)
    with pytest.raises(InvalidDocument):
        normalize_document(wrong)


@FAST
@given(cnpj_bases)
def test_any_cnpj_base_with_computed_check_digits_is_valid(base: str) -> None:
    doc = _cnpj(base)
    assume(len(set(doc)) > 1)
    assert is_valid_cnpj(doc)
    assert normalize_document(format_document(doc)) == (PersonKind.PJ, doc)


@FAST
@given(cnpj_bases, st.sampled_from([12, 13]), st.integers(min_value=1, max_value=9))
def test_changing_a_cnpj_check_digit_makes_it_invalid(base: str, pos: int, delta: int) -> None:
    doc = _cnpj(base)
    wrong = doc[:pos] + str((int(doc[pos]) + delta) % 10) + doc[pos + 1 :]
    assert not is_valid_cnpj(wrong)
    with pytest.raises(InvalidDocument):
        normalize_document(wrong)
