"""CPF and CNPJ: check digits, normalisation and masking for display.

Search accepts a document typed with or without punctuation; screens show it masked so a phone
screen in the street does not leak a full CPF. Since July 2026 the Receita Federal also issues
alphanumeric CNPJs (``12.ABC.345/01DE-35``: letters in the first twelve positions, numeric
check digits); they are stored upper-case, 14 characters like a numeric one. Validation is
``validate-docbr`` 2.x, which checks both CNPJ forms; the digit helpers below only generate
documents (demo data, tests) and are checked against it in the tests.
"""

from __future__ import annotations

import re
from enum import StrEnum

from validate_docbr import CNPJ, CPF

from bot.domain.errors import InvalidDocument

_CPF = CPF()
_CNPJ = CNPJ()
_ALNUM_CNPJ = re.compile(r"^[0-9A-Z]{12}[0-9]{2}$")


class PersonKind(StrEnum):
    PF = "PF"  # pessoa física (CPF)
    PJ = "PJ"  # pessoa jurídica (CNPJ)


def only_digits(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def document_chars(text: str) -> str:
    """Letters and digits of a typed document, upper-case (punctuation and spaces dropped)."""
    return re.sub(r"[^0-9A-Za-z]", "", text or "").upper()


def looks_like_alphanumeric_cnpj(text: str) -> bool:
    """A typed text that is a valid alphanumeric CNPJ (so search must not treat it as a name)."""
    chars = document_chars(text)
    return not chars.isdigit() and bool(_ALNUM_CNPJ.match(chars)) and _CNPJ.validate(chars)


def _cpf_digit(digits: str) -> int:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    rest = (total * 10) % 11
    return 0 if rest == 10 else rest


def _cnpj_digit(chars: str) -> int:
    """Receita Federal rule: each character is worth its ASCII code minus 48 ("A" = 17)."""
    weights = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2][-len(chars) :]
    total = sum((ord(c) - 48) * w for c, w in zip(chars, weights, strict=True))
    rest = total % 11
    return 0 if rest < 2 else 11 - rest


def is_valid_cpf(text: str) -> bool:
    d = only_digits(text)
    return len(d) == 11 and bool(_CPF.validate(d))


def is_valid_cnpj(text: str) -> bool:
    """Numeric or alphanumeric CNPJ, with or without punctuation."""
    chars = document_chars(text)
    return bool(_ALNUM_CNPJ.match(chars)) and bool(_CNPJ.validate(chars))


def cpf_check_digits(base9: str) -> str:
    """The two check digits for a 9-digit CPF base (used by demo data)."""
    first = _cpf_digit(base9)
    return f"{first}{_cpf_digit(base9 + str(first))}"


def cnpj_check_digits(base12: str) -> str:
    """The two check digits for a 12-character CNPJ base, numeric or alphanumeric."""
    base = base12.upper()
    first = _cnpj_digit(base)
    return f"{first}{_cnpj_digit(base + str(first))}"


def normalize_document(text: str) -> tuple[PersonKind, str]:
    """Return the kind and the stored form (digits; upper-case for an alphanumeric CNPJ).

    Letters count only when they make a valid alphanumeric CNPJ, so "CPF: 529.982.247-25"
    is still the CPF it always was.
    """
    chars = document_chars(text)
    d = only_digits(text)
    if len(chars) == 14 and not chars.isdigit():
        if is_valid_cnpj(chars):
            return PersonKind.PJ, chars
        if len(d) not in (11, 14):
            raise InvalidDocument("document.invalid_cnpj")
    if len(d) == 11:
        if is_valid_cpf(d):
            return PersonKind.PF, d
        raise InvalidDocument("document.invalid_cpf")
    if len(d) == 14:
        if is_valid_cnpj(d):
            return PersonKind.PJ, d
        raise InvalidDocument("document.invalid_cnpj")
    raise InvalidDocument("document.invalid_length")


def format_document(stored: str) -> str:
    d = document_chars(stored)
    if len(d) == 11:
        return f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}"
    if len(d) == 14:
        return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"
    return d


def mask_document(stored: str) -> str:
    """``***.456.789-**`` for a CPF; a CNPJ keeps the company's branch visible."""
    d = document_chars(stored)
    if len(d) == 11:
        return f"***.{d[3:6]}.{d[6:9]}-**"
    if len(d) == 14:
        return f"**.{d[2:5]}.{d[5:8]}/{d[8:12]}-**"
    return "***"
