"""CPF and CNPJ: check digits, normalisation and masking for display.

Search accepts a document typed with or without punctuation; screens show it masked so a phone
screen in the street does not leak a full CPF.
"""

from __future__ import annotations

import re
from enum import StrEnum

from bot.domain.errors import InvalidDocument


class PersonKind(StrEnum):
    PF = "PF"  # pessoa física (CPF)
    PJ = "PJ"  # pessoa jurídica (CNPJ)


def only_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def _cpf_digit(digits: str) -> int:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    rest = (total * 10) % 11
    return 0 if rest == 10 else rest


def _cnpj_digit(digits: str) -> int:
    weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(digits) :]
    total = sum(int(d) * w for d, w in zip(digits, weights, strict=True))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def is_valid_cpf(text: str) -> bool:
    d = only_digits(text)
    if len(d) != 11 or d == d[0] * 11:
        return False
    return _cpf_digit(d[:9]) == int(d[9]) and _cpf_digit(d[:10]) == int(d[10])


def is_valid_cnpj(text: str) -> bool:
    d = only_digits(text)
    if len(d) != 14 or d == d[0] * 14:
        return False
    return _cnpj_digit(d[:12]) == int(d[12]) and _cnpj_digit(d[:13]) == int(d[13])


def cpf_check_digits(base9: str) -> str:
    """The two check digits for a 9-digit CPF base (used by demo data)."""
    first = _cpf_digit(base9)
    return f"{first}{_cpf_digit(base9 + str(first))}"


def cnpj_check_digits(base12: str) -> str:
    first = _cnpj_digit(base12)
    return f"{first}{_cnpj_digit(base12 + str(first))}"


def normalize_document(text: str) -> tuple[PersonKind, str]:
    """Return the kind and the bare digits of a valid CPF or CNPJ, or raise."""
    d = only_digits(text)
    if len(d) == 11:
        if is_valid_cpf(d):
            return PersonKind.PF, d
        raise InvalidDocument("document.invalid_cpf")
    if len(d) == 14:
        if is_valid_cnpj(d):
            return PersonKind.PJ, d
        raise InvalidDocument("document.invalid_cnpj")
    raise InvalidDocument("document.invalid_length")


def format_document(digits: str) -> str:
    d = only_digits(digits)
    if len(d) == 11:
        return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"
    if len(d) == 14:
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"
    return d


def mask_document(digits: str) -> str:
    """``***.456.789-**`` for a CPF; a CNPJ keeps the company's branch visible."""
    d = only_digits(digits)
    if len(d) == 11:
        return f"***.{d[3:6]}.{d[6:9]}-**"
    if len(d) == 14:
        return f"**.{d[2:5]}.{d[5:8]}/{d[8:12]}-**"
    return "***"
