"""Exports as typed tables: the change history for billing and audits, and clients and
contracts in the import layout (so export → import into another database round-trips).

Cells carry values, not text: money in cents, dates as dates, times in the provider's local
time; the file writer formats them and translates the columns marked as enums.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.domain.documents import mask_document
from bot.domain.import_layout import LAYOUTS, Kind
from bot.services.context import ServiceContext

Row = dict[str, Any]


class CellKind(StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"  # cents
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"  # a value the writer translates (export.value_<value>)


@dataclass(frozen=True)
class Column:
    key: str
    kind: CellKind = CellKind.TEXT


@dataclass
class Table:
    """Columns and the rows, a page at a time; ``label_columns`` says whether headers are
    message keys (``export.col_<key>``) or layout names used as they are."""

    columns: list[Column]
    pages: AsyncIterator[list[list[Any]]]
    label_columns: bool


class ExportReader(Protocol):
    async def names(self) -> dict[str, dict[int, Any]]: ...

    def actions(
        self, start: datetime | None, end: datetime | None, status: str | None
    ) -> AsyncIterator[list[Row]]: ...

    def clients(self) -> AsyncIterator[list[Row]]: ...

    def contracts(self) -> AsyncIterator[list[Row]]: ...


ReaderFactory = Callable[[], AbstractAsyncContextManager[ExportReader]]

C, M, D, T, E = CellKind.TEXT, CellKind.MONEY, CellKind.DATE, CellKind.DATETIME, CellKind.ENUM
CHANGE_COLUMNS = [
    Column("action", CellKind.INT),
    Column("contract"),
    Column("client"),
    Column("document"),
    Column("status", E),
    Column("created_by"),
    Column("created_at", T),
    Column("finalized_by"),
    Column("finalized_at", T),
    Column("cancelled_by"),
    Column("cancelled_at", T),
    Column("old_plan"),
    Column("new_plan"),
    Column("old_value", M),
    Column("new_value", M),
    Column("difference", M),
    Column("loyalty"),
    Column("acceptance_channel", E),
    Column("acceptance_status", E),
    Column("acceptance_at", T),
    Column("evidence_sha256"),
    Column("ticket", CellKind.INT),
    Column("ticket_status", E),
    Column("cancel_reason"),
    Column("effective_on", D),  # the chosen start date (empty: on finalizing)
    Column("applied_at", T),  # when the contract was updated
]
LAYOUT_KINDS = {
    "id_externo": C,
    "valor": M,
    "data_inicio": D,
    "inicio_fidelidade": D,
    "vencimento": CellKind.INT,
}


def local_range(
    tz: ZoneInfo, start: date | None, end: date | None
) -> tuple[datetime | None, datetime | None]:
    """``--from``/``--to`` are whole local days, both included."""
    lo = datetime.combine(start, time.min, tz) if start else None
    hi = datetime.combine(end + timedelta(days=1), time.min, tz) if end else None
    return lo, hi


async def changes_table(
    ctx: ServiceContext,
    readers: ReaderFactory,
    *,
    start: date | None = None,
    end: date | None = None,
    status: str | None = None,
    full_document: bool = False,
) -> Table:
    """One row per plan-update action created in the period (local days, inclusive)."""
    lo, hi = local_range(ctx.timezone, start, end)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(ctx.timezone).replace(tzinfo=None) if value else None

    async def pages() -> AsyncIterator[list[list[Any]]]:
        async with readers() as reader:
            names = await reader.names()
            async for rows in reader.actions(lo, hi, status):
                yield [_change_row(r, names, local, full_document) for r in rows]

    return Table(CHANGE_COLUMNS, pages(), label_columns=True)


def _change_row(
    r: Row,
    names: dict[str, dict[int, Any]],
    local: Callable[[datetime | None], datetime | None],
    full_document: bool,
) -> list[Any]:
    staff, plans, terms = names["staff"], names["plans"], names["terms"]

    def who(staff_id: int | None) -> str:
        return staff[staff_id]["name"] if staff_id in staff else ""

    change, rev = r["change"], r["revision"]
    before = rev["before"] if rev else None
    old_plan_id = before["plan_id"] if before else r["contract_plan_id"]
    old_value = before["value_cents"] if before else r["contract_value_cents"]
    new_value = int(change["value_cents"])
    term_id = change.get("loyalty_term_id")
    acc, ticket = r["acceptance"], r["ticket"]
    document = r["document"] if full_document else mask_document(r["document"])
    return [
        r["id"],
        r["number"],
        r["client_name"],
        document,
        r["status"],
        who(r["created_by"]),
        local(r["created_at"]),
        who(r["finalized_by"]),
        local(r["finalized_at"]),
        who(r["cancelled_by"]),
        local(r["cancelled_at"]),
        plans.get(old_plan_id, {}).get("name", ""),
        plans.get(int(change["plan_id"]), {}).get("name", ""),
        old_value,
        new_value,
        new_value - old_value,
        terms[term_id]["name"] if term_id in terms else "",
        acc["channel"] if acc else None,
        acc["status"] if acc else None,
        local(acc["decided_at"]) if acc else None,
        (acc or {}).get("document_sha256") or "",
        ticket["id"] if ticket else None,
        ticket["status"] if ticket else None,
        r["cancel_reason"] or "",
        date.fromisoformat(change["effective_on"]) if change.get("effective_on") else None,
        local(r.get("applied_at")),
    ]


async def layout_table(readers: ReaderFactory, kind: Kind) -> Table:
    """Clients or contracts with the import's columns and values it reads back."""
    layout = LAYOUTS[kind].columns
    columns = [Column(c, LAYOUT_KINDS.get(c, C)) for c in layout]

    async def pages() -> AsyncIterator[list[list[Any]]]:
        async with readers() as reader:
            names = await reader.names()
            source = reader.clients() if kind is Kind.CLIENTS else reader.contracts()
            async for rows in source:
                build = _client_cells if kind is Kind.CLIENTS else _contract_cells
                yield [[build(r, names).get(c, "") for c in layout] for r in rows]

    return Table(columns, pages(), label_columns=False)


def _client_cells(r: Row, _names: dict[str, dict[int, Any]]) -> dict[str, Any]:
    return {
        "id_externo": r["external_id"] or r["document"],
        "cpf_cnpj": r["document"],
        "nome": r["name"],
        "telefone": r["phone"],
        "email": r["email"],
        "logradouro": r["street"],
        "numero": r["number"],
        "complemento": r["complement"],
        "bairro": r["district"],
        "cidade": r["city"],
        "uf": r["state"],
        "cep": r["zip_code"],
    }


def _contract_cells(r: Row, names: dict[str, dict[int, Any]]) -> dict[str, Any]:
    plan = names["plans"][r["plan_id"]]
    term = names["terms"].get(r["loyalty_term_id"]) if r["loyalty_term_id"] else None
    services = names["services"]
    return {
        "id_externo": r["external_id"] or r["number"],
        "numero": r["number"],
        "cliente": r["client_external_id"] or r["document"],
        "plano": plan["name"],
        "grupo": names["groups"][plan["group_id"]]["name"],
        "valor": r["value_cents"],
        "vencimento": r["due_day"],
        "data_inicio": r["start_date"],
        "situacao": r["status"],
        "servicos": "|".join(services[s]["code"] for s in r["service_ids"]),
        "modelo": names["templates"][r["template_id"]]["code"],
        "fidelidade": term["name"] if term else "",
        "inicio_fidelidade": r["loyalty_start"],
    }
