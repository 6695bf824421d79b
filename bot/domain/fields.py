"""Field values as Brazilian ERP exports and spreadsheets write them, parsed strictly.

Every parser takes the cell text and returns the stored form or raises :class:`InvalidField`
with a catalog key, so an import can say which line and column is wrong and why.
"""

from __future__ import annotations

import re
from datetime import date

from bot.domain.documents import PersonKind, normalize_document
from bot.domain.errors import DomainError
from bot.domain.money import Money, parse_money


class InvalidField(DomainError):
    key = "import.invalid_value"


UFS = frozenset(
    [
        "AC",
        "AL",
        "AP",
        "AM",
        "BA",
        "CE",
        "DF",
        "ES",
        "GO",
        "MA",
        "MT",
        "MS",
        "MG",
        "PA",
        "PB",
        "PR",
        "PE",
        "PI",
        "RJ",
        "RN",
        "RS",
        "RO",
        "RR",
        "SC",
        "SP",
        "SE",
        "TO",
    ]
)
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_BR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TRUE = frozenset({"sim", "s", "1", "true", "verdadeiro", "ativo", "yes", "y"})
_FALSE = frozenset({"nao", "não", "n", "0", "false", "falso", "inativo", "no"})


def parse_date(text: str) -> date:
    """``dd/mm/aaaa`` or ISO ``aaaa-mm-dd``; 31/02 is an error, not 03/03."""
    raw = text.strip()
    if m := _BR.match(raw):
        day, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
    elif m := _ISO.match(raw):
        year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        raise InvalidField("import.bad_date", value=raw)
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidField("import.impossible_date", value=raw) from None


def parse_amount(text: str) -> Money:
    """Money in any usual form; the money module's own reasons (negative, too many decimals)."""
    return parse_money(text)


def parse_int(text: str, low: int, high: int) -> int:
    raw = text.strip()
    if raw.endswith(".0"):  # spreadsheet numbers read as floats
        raw = raw[:-2]
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise InvalidField("import.bad_integer", value=text.strip(), low=low, high=high)
    return int(raw)


def parse_bool(text: str) -> bool:
    raw = text.strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InvalidField("import.bad_bool", value=text.strip())


def parse_document(text: str) -> tuple[PersonKind, str]:
    """CPF or CNPJ with or without punctuation.

    Spreadsheets store documents as numbers and drop leading zeros, so a bare number one or two
    digits short is padded back before the check digits are verified.
    """
    raw = text.strip()
    if raw.endswith(".0"):
        raw = raw[:-2]
    if raw.isdigit():
        if 8 <= len(raw) < 11:
            raw = raw.zfill(11)
        elif 11 < len(raw) < 14:
            raw = raw.zfill(14)
    return normalize_document(raw)


def normalize_phone(text: str) -> str:
    """Any usual Brazilian phone as ``+55 DD NNNNN-NNNN`` (empty stays empty)."""
    raw = text.strip()
    if not raw:
        return ""
    digits = re.sub(r"\D", "", raw)
    if len(digits) in (12, 13) and digits.startswith("55"):
        digits = digits[2:]
    elif len(digits) in (11, 12) and digits.startswith("0"):
        digits = digits[1:]
    if len(digits) not in (10, 11) or digits[0] == "0" or digits[1] == "0":
        raise InvalidField("import.bad_phone", value=raw)
    ddd, number = digits[:2], digits[2:]
    if len(number) == 9 and number[0] != "9":
        raise InvalidField("import.bad_phone", value=raw)
    return f"+55 {ddd} {number[:-4]}-{number[-4:]}"


def normalize_cep(text: str) -> str:
    raw = text.strip()
    if not raw:
        return ""
    digits = re.sub(r"\D", "", raw)
    if raw.endswith(".0"):
        digits = digits[:-1]
    if len(digits) == 7:  # a CEP stored as a number lost its leading zero
        digits = "0" + digits
    if len(digits) != 8:
        raise InvalidField("import.bad_cep", value=raw)
    return f"{digits[:5]}-{digits[5:]}"


def normalize_uf(text: str) -> str:
    raw = text.strip().upper()
    if raw and raw not in UFS:
        raise InvalidField("import.bad_uf", value=text.strip())
    return raw


def check_email(text: str) -> str:
    raw = text.strip()
    if raw and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", raw):
        raise InvalidField("import.bad_email", value=raw)
    return raw


def codes(text: str) -> tuple[str, ...]:
    """A list of codes in one cell: ``SCM|WIFI``, ``SCM, WIFI`` or ``SCM WIFI``."""
    return tuple(c for c in re.split(r"[|,;\s]+", text.strip().upper()) if c)
