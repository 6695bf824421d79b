"""Field parsing for imports: the shapes Brazilian ERP exports and spreadsheets write."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import fields as f
from bot.domain.documents import PersonKind
from bot.domain.errors import DomainError
from bot.domain.import_layout import (
    Kind,
    RowInvalid,
    header_key,
    missing_columns,
    parse_client,
    parse_contract,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("05/03/2025", date(2025, 3, 5)),
        ("5/3/2025", date(2025, 3, 5)),
        ("2025-03-05", date(2025, 3, 5)),
    ],
)
def test_dates_in_brazilian_and_iso_form(text: str, expected: date) -> None:
    assert f.parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("31/02/2025", "import.impossible_date"),
        ("2025/03/05", "import.bad_date"),
        ("ontem", "import.bad_date"),
    ],
)
def test_impossible_and_unknown_dates_are_refused(text: str, key: str) -> None:
    with pytest.raises(DomainError) as exc:
        f.parse_date(text)
    assert exc.value.key == key


@pytest.mark.parametrize(
    "text",
    ["(19) 98765-4321", "19987654321", "+55 19 98765-4321", "5519987654321", "019 98765 4321"],
)
def test_mobile_phones_in_any_usual_form(text: str) -> None:
    assert f.normalize_phone(text) == "+55 19 98765-4321"


def test_landline_and_empty_phone() -> None:
    assert f.normalize_phone("(19) 3232-1010") == "+55 19 3232-1010"
    assert f.normalize_phone("  ") == ""


@pytest.mark.parametrize("text", ["98765-4321", "(19) 8765-43210", "(10) 98765-4321"])
def test_phones_without_ddd_or_malformed_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as exc:
        f.normalize_phone(text)
    assert exc.value.key == "import.bad_phone"


def test_cep_with_or_without_dash_and_lost_leading_zero() -> None:
    assert f.normalize_cep("13010123") == "13010-123"
    assert f.normalize_cep("13010-123") == "13010-123"
    assert f.normalize_cep("1310123") == "01310-123"
    with pytest.raises(DomainError):
        f.normalize_cep("1301")


def test_documents_with_punctuation_or_as_spreadsheet_numbers() -> None:
    assert f.parse_document("123.456.789-09") == (PersonKind.PF, "12345678909")
    assert f.parse_document("11.222.333/0001-81") == (PersonKind.PJ, "11222333000181")
    # CPF 012.345.678-90 stored as a number in Excel: 1234567890
    assert f.parse_document("1234567890")[1] == "01234567890"
    with pytest.raises(DomainError):
        f.parse_document("123.456.789-00")


def test_header_names_are_folded_to_layout_keys() -> None:
    assert header_key("\ufeffCPF/CNPJ ") == "cpf_cnpj"
    assert header_key("Código") == "codigo"
    assert missing_columns(Kind.CLIENTS, {"cpf_cnpj"}) == ["id_externo", "nome"]


def test_a_row_reports_every_bad_column_at_once() -> None:
    with pytest.raises(RowInvalid) as exc:
        parse_client({"id_externo": "C1", "cpf_cnpj": "111.111.111-11", "nome": "", "cep": "1"})
    got = {(e.column, e.key) for e in exc.value.errors}
    assert got == {
        ("cpf_cnpj", "document.invalid_cpf"),
        ("nome", "import.required"),
        ("cep", "import.bad_cep"),
    }


def test_negative_money_and_impossible_dates_on_a_contract_row() -> None:
    row = {
        "id_externo": "K1",
        "numero": "1",
        "cliente": "C1",
        "plano": "Fibra",
        "valor": "-10,00",
        "vencimento": "10",
        "data_inicio": "30/02/2025",
    }
    with pytest.raises(RowInvalid) as exc:
        parse_contract(row)
    got = {(e.column, e.key) for e in exc.value.errors}
    assert got == {("valor", "money.negative"), ("data_inicio", "import.impossible_date")}


def test_contract_row_money_forms() -> None:
    base = {"id_externo": "K1", "numero": "1", "cliente": "C1", "plano": "P", "vencimento": "10"}
    base["data_inicio"] = "2025-01-01"
    for text, cents in [
        ("1.234,56", 123456),
        ("1234,56", 123456),
        ("R$ 99,90", 9990),
        ("99.90", 9990),
    ]:
        assert parse_contract({**base, "valor": text}).value_cents == cents
