"""Reading ERP exports and spreadsheets (.csv, .xlsx) as a stream of text rows.

CSV files from Brazilian systems come as UTF-8 (with or without BOM) or Windows-1252, with
``;`` or ``,`` between fields. The encoding is checked over the whole file before any row is
read, so a file is never half-decoded with the wrong one; the one used is reported.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from bot.domain.errors import DomainError

MAX_FILE_BYTES = 100 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx")
_CHUNK = 1 << 20


class FileProblem(DomainError):
    """The file as a whole cannot be read (type, size, encoding, emptiness)."""

    key = "import.file_unreadable"


@dataclass
class Table:
    """A header and a lazily read body; ``rows()`` yields (line number, cells)."""

    path: Path
    header: list[str]
    encoding: str | None  # None for .xlsx
    delimiter: str | None
    _rows: Iterator[tuple[int, list[str]]]
    _closer: Any = None
    estimated_rows: int | None = None  # for a progress bar; quoted line breaks make it approximate

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        return self._rows

    def close(self) -> None:
        if self._closer is not None:
            self._closer()


def open_table(path: Path) -> Table:
    """Check the file and open it; raise :class:`FileProblem` naming what is wrong."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem("import.bad_file_type", suffix=suffix or "(nenhuma)")
    if not path.is_file():
        raise FileProblem("import.no_file", path=str(path))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileProblem(
            "import.file_too_large", size_mb=size // (1024 * 1024), limit_mb=MAX_FILE_BYTES >> 20
        )
    if size == 0:
        raise FileProblem("import.empty_file")
    return _open_xlsx(path) if suffix == ".xlsx" else _open_csv(path)


def count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(_CHUNK), b""))


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` (BOM), ``utf-8`` if every byte decodes, else ``cp1252`` (or ``latin-1``)."""
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        fh.seek(0)
        cp = codecs.getincrementaldecoder("cp1252")()
        try:
            while chunk := fh.read(_CHUNK):
                cp.decode(chunk)
            return "cp1252"
        except UnicodeDecodeError:
            return "latin-1"


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _open_csv(path: Path) -> Table:
    encoding = detect_encoding(path)
    fh: IO[str] = path.open("r", encoding=encoding, newline="")
    first = fh.readline()
    if not first.strip():
        fh.close()
        raise FileProblem("import.empty_file")
    delimiter = _delimiter(first)
    fh.seek(0)
    reader = csv.reader(fh, delimiter=delimiter)
    header = next(reader)

    def body() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, cells
        finally:
            fh.close()

    return Table(path, header, encoding, delimiter, body(), fh.close, count_lines(path))


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would have had."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "sim" if value else "não"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    return str(value)


def _open_xlsx(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:
        raise FileProblem("import.bad_xlsx") from None
    sheet = wb.worksheets[0]
    it = sheet.iter_rows(values_only=True)
    try:
        header = [cell_text(v) for v in next(it)]
    except StopIteration:
        wb.close()
        raise FileProblem("import.empty_file") from None

    def body() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, values in enumerate(it, start=2):
                cells = [cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    yield line, cells
        finally:
            wb.close()

    rows = sheet.max_row - 1 if sheet.max_row else None
    return Table(path, header, None, None, body(), wb.close, rows)
