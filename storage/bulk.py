"""Set-based reads and writes for imports: one statement per chunk, never one per row.

Rows travel as plain dicts keyed by column name (the shapes documented on
``bot.services.import_ports``); inserts use executemany with RETURNING, updates the
executemany-by-primary-key form, all inside the one transaction an import runs in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.domain.models import ActionStatus
from storage import orm
from storage.db import session_factory
from storage.repositories import bump_reference_version, fold
from storage.uow import SessionScope

TABLES: dict[str, type[orm.Base]] = {
    "services": orm.ServiceRow,
    "plans": orm.PlanRow,
    "clients": orm.ClientRow,
    "contracts": orm.ContractRow,
}
CLIENT_COLUMNS = [
    "id",
    "external_id",
    "kind",
    "name",
    "document",
    "phone",
    "email",
    "street",
    "number",
    "complement",
    "district",
    "city",
    "state",
    "zip_code",
]
CONTRACT_COLUMNS = [
    "id",
    "external_id",
    "number",
    "client_id",
    "status",
    "plan_id",
    "value_cents",
    "template_id",
    "loyalty_term_id",
    "loyalty_months",
    "loyalty_benefit_cents",
    "loyalty_start",
    "loyalty_end",
    "due_day",
    "start_date",
    "version",
]
# Lookups take one service chunk (a few hundred keys) at a time; deletes are split the same way.
_IN_LIMIT = 900


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), _IN_LIMIT):
        yield values[i : i + _IN_LIMIT]


class SqlImportStore(SessionScope):
    """``async with SqlImportStore(engine) as store:`` one session, rolled back unless committed."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(session_factory(engine))

    @property
    def s(self) -> AsyncSession:
        return self.session

    # --- catalog: small, read whole -------------------------------------------------------

    async def groups(self) -> dict[str, int]:
        rows = await self.s.execute(select(orm.PlanGroupRow.name, orm.PlanGroupRow.id))
        return {name: gid for name, gid in rows}

    async def services(self) -> list[dict[str, Any]]:
        t = orm.ServiceRow
        rows = await self.s.execute(
            select(t.id, t.external_id, t.code, t.name, t.list_price_cents, t.active)
        )
        return [dict(r._mapping) for r in rows]

    async def plans(self) -> list[dict[str, Any]]:
        t = orm.PlanRow
        rows = await self.s.execute(
            select(
                t.id,
                t.external_id,
                t.name,
                t.group_id,
                t.download_mbps,
                t.upload_mbps,
                t.price_cents,
                t.active,
            )
        )
        plans = [dict(r._mapping) for r in rows]
        links = await self.s.execute(
            select(orm.PlanServiceRow.plan_id, orm.PlanServiceRow.service_id).order_by(
                orm.PlanServiceRow.plan_id, orm.PlanServiceRow.position
            )
        )
        by_plan: dict[int, list[int]] = defaultdict(list)
        for plan_id, service_id in links:
            by_plan[plan_id].append(service_id)
        for p in plans:
            p["service_ids"] = tuple(by_plan.get(p["id"], ()))
        return plans

    async def templates(self) -> list[dict[str, Any]]:
        t = orm.ContractTemplateRow
        rows = await self.s.execute(select(t.id, t.code, t.kind, t.active).order_by(t.id))
        return [dict(r._mapping) for r in rows]

    async def loyalty_terms(self) -> list[dict[str, Any]]:
        t = orm.LoyaltyTermRow
        rows = await self.s.execute(select(t.id, t.name, t.months, t.monthly_benefit_cents))
        return [dict(r._mapping) for r in rows]

    # --- clients and contracts: looked up a chunk at a time -------------------------------

    async def clients_by(
        self, external_ids: Sequence[str], documents: Sequence[str]
    ) -> list[dict[str, Any]]:
        t = orm.ClientRow
        cols = [getattr(t, c) for c in CLIENT_COLUMNS]
        stmt = select(*cols).where(
            or_(t.external_id.in_(list(external_ids)), t.document.in_(list(documents)))
        )
        found = {r.id: dict(r._mapping) for r in await self.s.execute(stmt)}
        return list(found.values())

    async def contracts_by(
        self, external_ids: Sequence[str], numbers: Sequence[str]
    ) -> list[dict[str, Any]]:
        t = orm.ContractRow
        cols = [getattr(t, c) for c in CONTRACT_COLUMNS]
        stmt = select(*cols).where(
            or_(t.external_id.in_(list(external_ids)), t.number.in_(list(numbers)))
        )
        found = {r.id: dict(r._mapping) for r in await self.s.execute(stmt)}
        if found:
            links = await self.s.execute(
                select(
                    orm.ContractServiceRow.contract_id,
                    orm.ContractServiceRow.service_id,
                    orm.ContractServiceRow.share_cents,
                )
                .where(orm.ContractServiceRow.contract_id.in_(list(found)))
                .order_by(orm.ContractServiceRow.contract_id, orm.ContractServiceRow.position)
            )
            for row in found.values():
                row["services"] = []
            for contract_id, service_id, cents in links:
                found[contract_id]["services"].append((service_id, cents))
            for row in found.values():
                row["services"] = tuple(row["services"])
        return list(found.values())

    async def pending_contracts(self, contract_ids: Sequence[int]) -> set[int]:
        t = orm.ContractActionRow
        ids: set[int] = set()
        for part in _chunks(list(contract_ids)):
            rows = await self.s.scalars(
                select(t.contract_id).where(
                    t.contract_id.in_(part), t.status == ActionStatus.PENDING.value
                )
            )
            ids.update(rows)
        return ids

    # --- writes ---------------------------------------------------------------------------

    async def insert(self, table: str, rows: list[dict[str, Any]]) -> list[int]:
        """Insert many rows; their new ids in the same order."""
        if not rows:
            return []
        model: Any = TABLES[table]
        result = await self.s.execute(
            insert(model).returning(model.id, sort_by_parameter_order=True),
            [_derived(table, r) for r in rows],
        )
        return [r[0] for r in result]

    async def update(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Update many rows by their ``id`` key."""
        if rows:
            await self.s.execute(update(TABLES[table]), [_derived(table, r) for r in rows])

    async def replace_plan_services(self, links: dict[int, Sequence[int]]) -> None:
        if not links:
            return
        t = orm.PlanServiceRow
        await self.s.execute(delete(t).where(t.plan_id.in_(list(links))))
        rows = [
            {"plan_id": pid, "service_id": sid, "position": pos}
            for pid, sids in links.items()
            for pos, sid in enumerate(sids)
        ]
        if rows:
            await self.s.execute(insert(t), rows)

    async def plan_profiles(self) -> dict[int, tuple[str, list[list[str]]]]:
        t = orm.PlanNetworkProfileRow
        rows = await self.s.execute(select(t.plan_id, t.radius_group, t.attributes))
        return {pid: (group, list(attrs)) for pid, group, attrs in rows}

    async def save_plan_profile(
        self, plan_id: int, group: str, attributes: list[list[str]]
    ) -> None:
        t = orm.PlanNetworkProfileRow
        await self.s.execute(delete(t).where(t.plan_id == plan_id))
        await self.s.execute(
            insert(t).values(plan_id=plan_id, radius_group=group, attributes=attributes)
        )

    async def replace_contract_services(
        self, links: dict[int, Sequence[tuple[int, int]]], *, fresh: bool = False
    ) -> None:
        """Each contract's (service id, share) lines; ``fresh`` skips deleting for new ones."""
        if not links:
            return
        t = orm.ContractServiceRow
        if not fresh:
            for part in _chunks(list(links)):
                await self.s.execute(delete(t).where(t.contract_id.in_(part)))
        rows = [
            {"contract_id": cid, "service_id": sid, "share_cents": cents, "position": pos}
            for cid, lines in links.items()
            for pos, (sid, cents) in enumerate(lines)
        ]
        if rows:
            await self.s.execute(insert(t), rows)

    async def add_revisions(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            await self.s.execute(insert(orm.ContractRevisionRow), rows)

    async def catalog_changed(self) -> None:
        await bump_reference_version(self.s)


def _derived(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """Search columns the client repository keeps next to name and phone."""
    if table != "clients":
        return row
    phone_digits = "".join(c for c in row["phone"] if c.isdigit())
    return {**row, "name_search": fold(row["name"]), "phone_digits": phone_digits}


def import_store_factory(engine: AsyncEngine) -> Any:
    """Zero-argument callable giving fresh stores (what the import service is handed)."""
    return lambda: SqlImportStore(engine)
