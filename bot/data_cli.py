"""``contractbot import`` and ``export``: a provider's data in from files, and out again.

Wired into ``bot/__main__.py`` through :func:`add_parsers` and :data:`COMMANDS`. The terminal
shows the encoding used, a progress bar, every rejected line with its column and reason, and a
summary table; ``--skip-invalid`` also writes the rejected lines next to the input.
"""

from __future__ import annotations

import argparse
import csv
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from bot.domain.errors import DomainError
from bot.domain.fields import parse_date
from bot.domain.import_layout import Kind
from bot.domain.models import ActionStatus
from bot.i18n import t
from bot.services.exporting import changes_table, layout_table
from bot.services.importing import ColumnMap, ImportRefused, ImportResult, run_import
from bot.spreadsheet import ExportRefused, write_table
from bot.tabular import open_table
from storage.bulk import import_store_factory
from storage.exports import export_reader_factory

if TYPE_CHECKING:
    from bot.app import Core

MAX_ERRORS_SHOWN = 50
KIND_NAMES = {k.value: k for k in (Kind.PLANS, Kind.SERVICES, Kind.CLIENTS, Kind.CONTRACTS)}


def add_parsers(subparsers: Any) -> None:
    imp = subparsers.add_parser("import", help="importa serviços, planos, clientes ou contratos")
    imp.add_argument("kind", choices=list(KIND_NAMES), help="o que o arquivo contém")
    imp.add_argument("file", type=Path, help="arquivo .csv ou .xlsx")
    imp.add_argument("--dry-run", action="store_true", help="confere e conta, sem gravar nada")
    imp.add_argument("--map", type=Path, help="TOML que mapeia as colunas de outra exportação")
    imp.add_argument(
        "--skip-invalid",
        action="store_true",
        help="grava as linhas válidas e salva as rejeitadas em <arquivo>.rejeitadas.csv",
    )
    exp = subparsers.add_parser("export", help="exporta alterações, clientes ou contratos")
    exp.add_argument("what", choices=["changes", "clients", "contracts"])
    exp.add_argument("-o", "--output", type=Path, required=True, help="arquivo .xlsx ou .csv")
    exp.add_argument("--from", dest="start", help="changes: criadas a partir de dd/mm/aaaa")
    exp.add_argument("--to", dest="end", help="changes: criadas até dd/mm/aaaa (inclusive)")
    exp.add_argument("--status", choices=[s.value for s in ActionStatus], help="changes: situação")
    exp.add_argument(
        "--full-document", action="store_true", help="changes: CPF/CNPJ completo (sem máscara)"
    )


def load_map(path: Path) -> ColumnMap:
    """``[columns]`` "their name" = "layout column"; ``[values]`` layout column = fixed value."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ImportRefused("import.bad_map", reason=str(exc)) from None
    columns, values = data.get("columns", {}), data.get("values", {})
    if not isinstance(columns, dict) or not isinstance(values, dict):
        raise ImportRefused("import.bad_map", reason="[columns] e [values] são tabelas")
    return ColumnMap(
        {str(k): str(v) for k, v in columns.items()}, {str(k): str(v) for k, v in values.items()}
    )


def rejected_path(source: Path) -> Path:
    return source.with_name(f"{source.stem}.rejeitadas.csv")


def write_rejected(result: ImportResult, header: list[str], path: Path) -> None:
    """The rejected lines as they were, after line/column/reason: fix them and import this file."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, delimiter=";")
        out.writerow(
            [
                t("import.rejected_line"),
                t("import.rejected_column"),
                t("import.rejected_reason"),
                *header,
            ]
        )
        for r in result.rejected:
            columns = ", ".join(dict.fromkeys(e.column for e in r.errors))
            reasons = " | ".join(t(e.key, None, **e.params) for e in r.errors)
            out.writerow([r.line, columns, reasons, *r.cells])


def summary_table(result: ImportResult) -> RichTable:
    table = RichTable(title=t("import.title"))
    for key in ("kind", "created", "updated", "unchanged", "rejected", "held"):
        table.add_column(t(f"import.col_{key}"), justify="left" if key == "kind" else "right")
    table.add_row(
        t(f"import.kind_{result.kind.value}"),
        str(result.created),
        str(result.updated),
        str(result.unchanged),
        str(len(result.rejected)),
        str(len(result.held)),
    )
    return table


async def _import(core: Core, args: argparse.Namespace) -> int:
    console = Console(highlight=False, soft_wrap=True)
    kind = KIND_NAMES[args.kind]
    cmap = load_map(args.map) if args.map else ColumnMap()
    table = open_table(args.file)
    if table.encoding:
        console.print(
            t(
                "import.encoding",
                None,
                name=args.file.name,
                encoding=table.encoding,
                delimiter=table.delimiter,
            )
        )
    else:
        console.print(t("import.encoding_xlsx", None, name=args.file.name))
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(
                t("import.progress", None, kind=t(f"import.kind_{kind.value}")),
                total=table.estimated_rows,
            )
            result = await run_import(
                import_store_factory(core.engine),
                kind,
                table.header,
                table.rows(),
                now=core.ctx.now(),
                cmap=cmap,
                dry_run=args.dry_run,
                skip_invalid=args.skip_invalid,
                progress=lambda n: bar.advance(task, n),
            )
    finally:
        table.close()
    return _report(console, result, table.header, args)


def _report(console: Console, result: ImportResult, header: list[str], args: Any) -> int:
    shown = 0
    for r in result.rejected:
        for e in r.errors:
            if shown < MAX_ERRORS_SHOWN:
                reason = t(e.key, None, **e.params)
                console.print(
                    t("import.line_error", None, line=r.line, column=e.column, reason=reason)
                )
            shown += 1
    if shown > MAX_ERRORS_SHOWN:
        console.print(t("import.more_errors", None, count=shown - MAX_ERRORS_SHOWN))
    for line, number in result.held:
        console.print(t("import.held_line", None, line=line, number=number))
    console.print(summary_table(result))
    if result.rejected and args.skip_invalid:
        path = rejected_path(args.file)
        write_rejected(result, header, path)
        console.print(t("import.rejected_file", None, path=path))
    if result.dry_run:
        console.print(t("import.dry_run"))
    elif not result.committed:
        console.print(t("import.rolled_back"))
        return 1
    elif result.changed == 0:
        console.print(t("import.nothing_changed"))
    else:
        console.print(t("import.committed"))
    return 1 if result.rejected and not args.skip_invalid else 0


def _day(text: str | None, option: str) -> Any:
    if not text:
        return None
    try:
        return parse_date(text)
    except DomainError:
        raise ExportRefused("export.bad_date", value=text, option=option) from None


async def _export(core: Core, args: argparse.Namespace) -> int:
    readers = export_reader_factory(core.engine)
    if args.what == "changes":
        table = await changes_table(
            core.ctx,
            readers,
            start=_day(args.start, "--from"),
            end=_day(args.end, "--to"),
            status=args.status,
            full_document=args.full_document,
        )
    else:
        table = await layout_table(readers, Kind(args.what))
    count = await write_table(table, args.output)
    print(t("export.written", None, count=count, path=args.output))
    return 0


COMMANDS: dict[str, Callable[[Core, argparse.Namespace], Awaitable[int]]] = {
    "import": _import,
    "export": _export,
}
