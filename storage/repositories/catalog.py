"""The catalog (plans, services, templates, loyalty terms, ticket types, departments); each
write bumps the reference version so running processes reload it."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.domain.errors import Conflict
from bot.domain.loyalty import LoyaltyTerm
from bot.domain.models import CatalogItem, ContractTemplate, PersonKind, Plan, PlanGroup, Service
from bot.domain.money import Money
from storage import mappers, orm
from storage.repositories.base import _Repo, bump_reference_version


class SqlCatalogRepo(_Repo):
    async def reference_version(self) -> int:
        """Bumped by every change to staff or catalog (see ``bump_reference_version``)."""
        version = await self.s.scalar(
            select(orm.ReferenceVersionRow.version).where(orm.ReferenceVersionRow.id == 1)
        )
        return int(version or 0)

    async def plan_groups(self) -> list[PlanGroup]:
        rows = await self.s.scalars(select(orm.PlanGroupRow).order_by(orm.PlanGroupRow.id))
        return [mappers.plan_group(r) for r in rows]

    async def _plan_service_ids(self, plan_ids: Sequence[int]) -> dict[int, tuple[int, ...]]:
        out: dict[int, list[int]] = {pid: [] for pid in plan_ids}
        if not plan_ids:
            return {}
        rows = await self.s.execute(
            select(orm.PlanServiceRow.plan_id, orm.PlanServiceRow.service_id)
            .where(orm.PlanServiceRow.plan_id.in_(plan_ids))
            .order_by(orm.PlanServiceRow.plan_id, orm.PlanServiceRow.position)
        )
        for plan_id, service_id in rows:
            out[plan_id].append(service_id)
        return {k: tuple(v) for k, v in out.items()}

    async def plans(self, group_id: int | None = None, *, active_only: bool = True) -> list[Plan]:
        stmt = select(orm.PlanRow).order_by(orm.PlanRow.price_cents, orm.PlanRow.id)
        if group_id is not None:
            stmt = stmt.where(orm.PlanRow.group_id == group_id)
        if active_only:
            stmt = stmt.where(orm.PlanRow.active.is_(True))
        rows = list(await self.s.scalars(stmt))
        services = await self._plan_service_ids([r.id for r in rows])
        return [mappers.plan(r, services.get(r.id, ())) for r in rows]

    async def plan(self, plan_id: int) -> Plan | None:
        row = await self.s.get(orm.PlanRow, plan_id)
        if row is None:
            return None
        services = await self._plan_service_ids([row.id])
        return mappers.plan(row, services.get(row.id, ()))

    async def services(self, *, active_only: bool = True) -> list[Service]:
        stmt = select(orm.ServiceRow).order_by(orm.ServiceRow.id)
        if active_only:
            stmt = stmt.where(orm.ServiceRow.active.is_(True))
        return [mappers.service(r) for r in await self.s.scalars(stmt)]

    async def templates(self) -> list[ContractTemplate]:
        rows = await self.s.scalars(
            select(orm.ContractTemplateRow).order_by(orm.ContractTemplateRow.id)
        )
        return [mappers.template(r) for r in rows]

    async def template(self, template_id: int) -> ContractTemplate | None:
        row = await self.s.get(orm.ContractTemplateRow, template_id)
        return mappers.template(row) if row else None

    async def loyalty_terms(self) -> list[LoyaltyTerm]:
        rows = await self.s.scalars(
            select(orm.LoyaltyTermRow).order_by(orm.LoyaltyTermRow.months, orm.LoyaltyTermRow.id)
        )
        return [mappers.loyalty_term(r) for r in rows]

    async def loyalty_term(self, term_id: int) -> LoyaltyTerm | None:
        row = await self.s.get(orm.LoyaltyTermRow, term_id)
        return mappers.loyalty_term(row) if row else None

    async def ticket_types(self) -> list[CatalogItem]:
        rows = await self.s.scalars(select(orm.TicketTypeRow).order_by(orm.TicketTypeRow.id))
        return [mappers.catalog_item(r) for r in rows]

    async def departments(self) -> list[CatalogItem]:
        rows = await self.s.scalars(select(orm.DepartmentRow).order_by(orm.DepartmentRow.id))
        return [mappers.catalog_item(r) for r in rows]

    async def _insert(self, row: orm.Base, name: str) -> None:
        """Add a catalog row and tell every process (same transaction); a name another
        writer took meanwhile is refused as a duplicate, like the one the service saw."""
        self.s.add(row)
        try:
            await self.s.flush()
        except IntegrityError:
            raise Conflict("catalog.duplicate", name=name) from None
        await bump_reference_version(self.s)

    async def add_plan_group(self, name: str) -> PlanGroup:
        row = orm.PlanGroupRow(name=name)
        await self._insert(row, name)
        return mappers.plan_group(row)

    async def add_template(
        self, code: str, name: str, kind: PersonKind, file: str
    ) -> ContractTemplate:
        row = orm.ContractTemplateRow(code=code, name=name, kind=kind.value, file=file, active=True)
        await self._insert(row, code)
        return mappers.template(row)

    async def add_loyalty_term(self, name: str, months: int, monthly_benefit: Money) -> LoyaltyTerm:
        row = orm.LoyaltyTermRow(
            name=name, months=months, monthly_benefit_cents=monthly_benefit.cents, active=True
        )
        await self._insert(row, name)
        return mappers.loyalty_term(row)

    async def add_ticket_type(self, name: str) -> CatalogItem:
        row = orm.TicketTypeRow(name=name)
        await self._insert(row, name)
        return mappers.catalog_item(row)

    async def add_department(self, name: str) -> CatalogItem:
        row = orm.DepartmentRow(name=name)
        await self._insert(row, name)
        return mappers.catalog_item(row)
