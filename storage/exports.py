"""Set-based reads for exports: plan-update actions with everything a spreadsheet row needs,
and clients and contracts in the import layout, streamed a page at a time.

Rows are plain dicts (documented on ``bot.services.exporting``); names of staff, plans and
terms come from small lookup tables read once, never one query per row.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage import orm
from storage.db import session_factory

PAGE = 1000


class SqlExportReader:
    """Reads in one session, rolled back at the end; ``async with SqlExportReader(engine)``."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> SqlExportReader:
        self._session = self._sessions()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self._session is not None
        await self._session.rollback()
        await self._session.close()
        self._session = None

    @property
    def s(self) -> AsyncSession:
        assert self._session is not None
        return self._session

    async def names(self) -> dict[str, dict[int, Any]]:
        """Small tables as id → row dict: staff, plans, groups, services, templates, terms."""
        out: dict[str, dict[int, Any]] = {}
        for key, model in (
            ("staff", orm.StaffRow),
            ("plans", orm.PlanRow),
            ("groups", orm.PlanGroupRow),
            ("services", orm.ServiceRow),
            ("templates", orm.ContractTemplateRow),
            ("terms", orm.LoyaltyTermRow),
        ):
            table: Any = model.__table__
            rows = await self.s.execute(select(table))
            out[key] = {r.id: dict(r._mapping) for r in rows}
        return out

    async def actions(
        self, start: datetime | None, end: datetime | None, status: str | None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Plan-update actions created in [start, end), a page at a time (keyset on id), each
        with its contract, client, newest acceptance request, ticket and revision."""
        a, k, c = orm.ContractActionRow, orm.ContractRow, orm.ClientRow
        stmt = (
            select(
                a,
                k.number,
                k.plan_id.label("contract_plan_id"),
                k.value_cents.label("contract_value_cents"),
                k.loyalty_term_id.label("contract_term_id"),
                c.name.label("client_name"),
                c.document,
            )
            .join(k, k.id == a.contract_id)
            .join(c, c.id == k.client_id)
            .order_by(a.id)
            .limit(PAGE)
        )
        if start is not None:
            stmt = stmt.where(a.created_at >= start)
        if end is not None:
            stmt = stmt.where(a.created_at < end)
        if status:
            stmt = stmt.where(a.status == status)
        last = 0
        while True:
            rows = []
            for r in await self.s.execute(stmt.where(a.id > last)):
                row = {col.name: getattr(r[0], col.name) for col in a.__table__.columns}
                row.update({k2: v for k2, v in r._mapping.items() if k2 != "ContractActionRow"})
                rows.append(row)
            if not rows:
                return
            last = rows[-1]["id"]
            await self._attach(rows)
            yield rows

    async def _attach(self, rows: list[dict[str, Any]]) -> None:
        ids = [r["id"] for r in rows]
        acc = await self._by_action(orm.AcceptanceRequestRow, ids)
        tickets = await self._by_action(orm.TicketRow, ids)
        revisions = await self._by_action(orm.ContractRevisionRow, ids)
        for r in rows:
            r["acceptance"] = acc.get(r["id"])
            r["ticket"] = tickets.get(r["id"])
            r["revision"] = revisions.get(r["id"])

    async def _by_action(self, model: Any, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        rows = await self.s.execute(
            select(model.__table__).where(model.action_id.in_(list(ids))).order_by(model.id)
        )
        return {r.action_id: dict(r._mapping) for r in rows}  # the last (newest) wins

    async def clients(self) -> AsyncIterator[list[dict[str, Any]]]:
        t = orm.ClientRow
        last = 0
        while rows := [
            dict(r._mapping)
            for r in await self.s.execute(
                select(t.__table__).where(t.id > last).order_by(t.id).limit(PAGE)
            )
        ]:
            last = rows[-1]["id"]
            yield rows

    async def contracts(self) -> AsyncIterator[list[dict[str, Any]]]:
        k, c = orm.ContractRow, orm.ClientRow
        stmt = (
            select(k.__table__, c.external_id.label("client_external_id"), c.document)
            .join(c, c.id == k.client_id)
            .order_by(k.id)
            .limit(PAGE)
        )
        last = 0
        while rows := [dict(r._mapping) for r in await self.s.execute(stmt.where(k.id > last))]:
            last = rows[-1]["id"]
            links = await self.s.execute(
                select(orm.ContractServiceRow)
                .where(orm.ContractServiceRow.contract_id.in_([r["id"] for r in rows]))
                .order_by(orm.ContractServiceRow.contract_id, orm.ContractServiceRow.position)
            )
            by_contract: dict[int, list[int]] = {}
            for link in links.scalars():
                by_contract.setdefault(link.contract_id, []).append(link.service_id)
            for r in rows:
                r["service_ids"] = by_contract.get(r["id"], [])
            yield rows


def export_reader_factory(engine: AsyncEngine) -> Any:
    return lambda: SqlExportReader(engine)
