"""Writing export tables as .xlsx (typed cells, BRL format, frozen header, filters) or as .csv
in the convention Excel uses in Brazil (``;``, decimal comma, UTF-8 with BOM).

Rows are written as they come (openpyxl's write-only mode), so a large export does not sit in
memory.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.domain.errors import DomainError
from bot.i18n import t
from bot.services.exporting import CellKind, Column, Table

BRL_FORMAT = '"R$" #,##0.00;-"R$" #,##0.00'
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
SUFFIXES = (".xlsx", ".csv")


class ExportRefused(DomainError):
    key = "export.bad_suffix"


def header(table: Table, locale: str | None) -> list[str]:
    if not table.label_columns:
        return [c.key for c in table.columns]
    return [t(f"export.col_{c.key}", locale) for c in table.columns]


def _enum(value: Any, locale: str | None) -> str:
    return t(f"export.value_{value}", locale) if value else ""


async def write_table(table: Table, path: Path, locale: str | None = None) -> int:
    """Write every row to ``path`` (.xlsx or .csv); return how many rows were written."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ExportRefused("export.bad_suffix", suffix=suffix or "(nenhuma)")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        return await _csv(table, path, locale)
    return await _xlsx(table, path, locale)


async def xlsx_bytes(table: Table, locale: str | None = None) -> tuple[bytes, int]:
    """The workbook in memory (a chat document) and how many rows it has."""
    buffer = io.BytesIO()
    count = await _xlsx(table, buffer, locale)
    return buffer.getvalue(), count


async def _xlsx(table: Table, path: Path | IO[bytes], locale: str | None) -> int:
    wb = Workbook(write_only=True)
    ws: Worksheet = wb.create_sheet()
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    head = []
    for text in header(table, locale):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        head.append(cell)
    ws.append(head)
    count = 0
    async for page in table.pages:
        for row in page:
            ws.append(
                [_xlsx_cell(ws, col, v, locale) for col, v in zip(table.columns, row, strict=True)]
            )
            count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{count + 1}"
    wb.save(path)
    return count


def _xlsx_cell(ws: Worksheet, column: Column, value: Any, locale: str | None) -> Any:
    if value is None or value == "":
        return None
    kind = column.kind
    if kind is CellKind.ENUM:
        return _enum(value, locale)
    if kind is CellKind.MONEY:
        cell = WriteOnlyCell(ws, value=Decimal(int(value)) / 100)
        cell.number_format = BRL_FORMAT
        return cell
    if kind in (CellKind.DATE, CellKind.DATETIME):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT if kind is CellKind.DATE else DATETIME_FORMAT
        return cell
    return value


def csv_text(column: Column, value: Any, locale: str | None) -> str:
    """One cell as Excel in Brazil writes it: 1234,56 · 05/03/2025 · 05/03/2025 14:30."""
    if value is None:
        return ""
    kind = column.kind
    if kind is CellKind.ENUM:
        return _enum(value, locale)
    if kind is CellKind.MONEY:
        cents = int(value)
        sign = "-" if cents < 0 else ""
        return f"{sign}{abs(cents) // 100},{abs(cents) % 100:02d}"
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


async def _csv(table: Table, path: Path, locale: str | None) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(header(table, locale))
        async for page in table.pages:
            for row in page:
                out.writerow(
                    [csv_text(col, v, locale) for col, v in zip(table.columns, row, strict=True)]
                )
                count += 1
    return count
