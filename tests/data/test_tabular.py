"""Reading ERP exports: encodings, separators, spreadsheets and files that must be refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.domain.errors import DomainError
from bot.i18n import error_text
from bot.tabular import open_table

ROWS = "id_externo;nome\nC1;João da Conceição\nC2;Ação Ltda.\n"


def _read(path: Path) -> tuple[str | None, str | None, list[str], list[tuple[int, list[str]]]]:
    table = open_table(path)
    rows = list(table.rows())
    return table.encoding, table.delimiter, table.header, rows


def test_windows_1252_is_detected_and_decoded(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(ROWS.encode("cp1252"))
    encoding, delimiter, header, rows = _read(path)
    assert (encoding, delimiter, header) == ("cp1252", ";", ["id_externo", "nome"])
    assert rows == [(2, ["C1", "João da Conceição"]), (3, ["C2", "Ação Ltda."])]


def test_utf8_with_bom_keeps_the_first_column_name_clean(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ROWS.encode("utf-8"))
    encoding, _, header, rows = _read(path)
    assert encoding == "utf-8-sig"
    assert header == ["id_externo", "nome"]
    assert rows[0] == (2, ["C1", "João da Conceição"])


def test_utf8_without_bom_and_comma_separator(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('id_externo,nome\nC1,"Silva, Ana"\n\nC2,Bia\n', encoding="utf-8")
    encoding, delimiter, _, rows = _read(path)
    assert (encoding, delimiter) == ("utf-8", ",")
    assert rows == [(2, ["C1", "Silva, Ana"]), (4, ["C2", "Bia"])]


def test_xlsx_cells_come_as_the_text_an_export_would_have(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id_externo", "valor", "data_inicio", "cpf_cnpj"])
    ws.append(["K1", 99.9, date(2025, 3, 5), 12345678909])
    wb.save(path)
    encoding, _, header, rows = _read(path)
    assert encoding is None
    assert header == ["id_externo", "valor", "data_inicio", "cpf_cnpj"]
    assert rows == [(2, ["K1", "99.9", "2025-03-05", "12345678909"])]


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("c.txt", b"a;b\n", "import.bad_file_type"),
        ("c.csv", b"", "import.empty_file"),
        ("c.csv", b"\n\n", "import.empty_file"),
        ("c.xlsx", b"not a zip", "import.bad_xlsx"),
    ],
)
def test_unusable_files_are_refused_by_name(
    tmp_path: Path, name: str, content: bytes, key: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DomainError) as exc:
        open_table(path)
    assert exc.value.key == key


def test_a_200_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:  # sparse: no disk used
        fh.truncate(200 * 1024 * 1024)
    with pytest.raises(DomainError) as exc:
        open_table(path)
    assert exc.value.key == "import.file_too_large"
    assert "200 MB" in error_text(exc.value, "pt_BR")
