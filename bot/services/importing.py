"""Importing a provider's services, plans, clients or contracts from a table of text rows.

The file is read as a stream and handled a chunk at a time: each chunk is parsed and checked
(domain rules), its existing rows are fetched in one query and written back in bulk. Everything
runs in one transaction, committed only when no line was rejected (or ``skip_invalid`` says to
keep the valid ones) and it is not a dry run. Upserts go by the provider's external id (or the
natural key, for rows that predate it); nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.errors import DomainError
from bot.domain.import_layout import (
    LAYOUTS,
    PARSERS,
    FieldError,
    Kind,
    Record,
    RowInvalid,
    header_key,
    missing_columns,
    natural_key,
)
from bot.services.import_contracts import ContractHandler
from bot.services.import_kinds import ClientHandler, Handler, Outcome, PlanHandler, ServiceHandler
from bot.services.import_ports import ImportStoreFactory

CHUNK = 500
HANDLERS: dict[Kind, type[Handler]] = {
    Kind.SERVICES: ServiceHandler,
    Kind.PLANS: PlanHandler,
    Kind.CLIENTS: ClientHandler,
    Kind.CONTRACTS: ContractHandler,
}


class ImportRefused(DomainError):
    """The file as a whole does not fit the layout (missing columns, unknown map targets)."""

    key = "import.refused"


@dataclass(frozen=True)
class ColumnMap:
    """``--map``: other exports' column names onto the layout, and values fixed for every row."""

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Rejection:
    line: int
    errors: list[FieldError]
    cells: list[str]


@dataclass
class ImportResult:
    kind: Kind
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    held: list[tuple[int, str]] = field(default_factory=list)  # (line, contract number)
    committed: bool = False
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return self.created + self.updated


def column_positions(kind: Kind, header: list[str], cmap: ColumnMap) -> dict[str, int]:
    """Where each layout column is in the file; refuse the file if a required one is missing."""
    layout = LAYOUTS[kind]
    mapped = {header_key(src): header_key(dst) for src, dst in cmap.columns.items()}
    unknown = sorted(
        {d for d in (*mapped.values(), *map(header_key, cmap.values)) if d not in layout.columns}
    )
    if unknown:
        raise ImportRefused("import.map_unknown_columns", columns=", ".join(unknown))
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        key = header_key(name)
        key = mapped.get(key, key)
        if key in layout.columns and key not in positions:
            positions[key] = i
    present = set(positions) | {header_key(c) for c in cmap.values}
    missing = missing_columns(kind, present)
    if missing:
        raise ImportRefused("import.missing_columns", columns=", ".join(missing))
    return positions


def _cells(positions: dict[str, int], fixed: dict[str, str], row: list[str]) -> dict[str, str]:
    cells = {col: (row[i] if i < len(row) else "") for col, i in positions.items()}
    cells.update(fixed)
    return cells


async def run_import(
    stores: ImportStoreFactory,
    kind: Kind,
    header: list[str],
    rows: Iterable[tuple[int, list[str]]],
    *,
    now: datetime,
    cmap: ColumnMap | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Import every row; the result says what was (or, on a dry run, would be) done."""
    cmap = cmap or ColumnMap()
    positions = column_positions(kind, header, cmap)
    fixed = {header_key(k): v for k, v in cmap.values.items()}
    parse = PARSERS[kind]
    result = ImportResult(kind, dry_run=dry_run)
    seen_ids: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    async with stores() as store:
        handler = HANDLERS[kind](store, now)
        await handler.load()
        batch: list[tuple[int, list[str], Record]] = []

        async def flush() -> None:
            outcomes = await handler.chunk(batch)
            for (line, raw, _), outcome in zip(batch, outcomes, strict=True):
                _count(result, line, raw, outcome)
            if progress:
                progress(len(batch))
            batch.clear()

        for line, raw in rows:
            result.rows += 1
            try:
                record = parse(_cells(positions, fixed, raw))
                _check_unique(record, line, seen_ids, seen_keys)
            except RowInvalid as exc:
                result.rejected.append(Rejection(line, exc.errors, raw))
                if progress:
                    progress(1)
                continue
            batch.append((line, raw, record))
            if len(batch) >= CHUNK:
                await flush()
        if batch:
            await flush()
        await handler.finish()
        if not dry_run and (skip_invalid or not result.rejected):
            await store.commit()
            result.committed = True
    return result


def _check_unique(
    record: Record, line: int, seen_ids: dict[str, int], seen_keys: dict[str, int]
) -> None:
    column, key = natural_key(record)
    errors = []
    if (first := seen_ids.setdefault(record.external_id, line)) != line:
        errors.append(FieldError("id_externo", "import.duplicate_in_file", {"first": first}))
    if (first := seen_keys.setdefault(key, line)) != line:
        errors.append(FieldError(column, "import.duplicate_in_file", {"first": first}))
    if errors:
        raise RowInvalid(errors)


def _count(result: ImportResult, line: int, raw: list[str], outcome: Outcome) -> None:
    if isinstance(outcome, list):
        result.rejected.append(Rejection(line, outcome, raw))
    elif outcome == "created":
        result.created += 1
    elif outcome == "updated":
        result.updated += 1
    elif outcome == "unchanged":
        result.unchanged += 1
    else:
        result.held.append((line, outcome.removeprefix("held:")))
