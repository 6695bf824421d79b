"""Setting up the catalog the import and the wizard name: ``contractbot catalog``.

A provider starting from an empty database creates the base catalog (templates, "Sem
fidelidade", ticket types, departments), then its plan groups and loyalty terms, then imports
services, plans, clients and contracts. Every write bumps the reference version in its
transaction (the repositories do it), so a running bot sees the change within seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import catalog_base as base
from bot.domain.errors import Conflict
from bot.domain.loyalty import LoyaltyTerm
from bot.domain.models import CatalogItem, ContractTemplate, PlanGroup
from bot.domain.money import Money
from bot.services.context import ServiceContext


@dataclass(frozen=True)
class CatalogOverview:
    """Everything ``catalog list`` shows, inactive entries included."""

    groups: list[PlanGroup]
    templates: list[ContractTemplate]
    loyalty_terms: list[LoyaltyTerm]
    ticket_types: list[CatalogItem]
    departments: list[CatalogItem]


@dataclass(frozen=True)
class InitResult:
    """How many entries of each kind ``init_base_catalog`` created (all zero: nothing new)."""

    templates: int = 0
    loyalty_terms: int = 0
    ticket_types: int = 0
    departments: int = 0

    @property
    def total(self) -> int:
        return self.templates + self.loyalty_terms + self.ticket_types + self.departments


def _missing(wanted: tuple[str, ...], existing: list[str]) -> list[str]:
    have = {base.name_key(name) for name in existing}
    return [name for name in wanted if base.name_key(name) not in have]


async def init_base_catalog(ctx: ServiceContext) -> InitResult:
    """Create what is missing of the base catalog; a second run creates nothing."""
    async with ctx.uow() as uow:
        cat = uow.catalog
        codes = {t.code for t in await cat.templates()}
        templates = [spec for spec in base.TEMPLATES if spec.code not in codes]
        for spec in templates:
            await cat.add_template(spec.code, spec.name, spec.kind, spec.file)
        terms = _missing((base.NO_LOYALTY,), [t.name for t in await cat.loyalty_terms()])
        for name in terms:
            await cat.add_loyalty_term(name, 0, Money.zero())
        types = _missing(base.TICKET_TYPES, [i.name for i in await cat.ticket_types()])
        for name in types:
            await cat.add_ticket_type(name)
        departments = _missing(base.DEPARTMENTS, [i.name for i in await cat.departments()])
        for name in departments:
            await cat.add_department(name)
        result = InitResult(len(templates), len(terms), len(types), len(departments))
        if result.total:
            await uow.commit()
    if result.total:
        ctx.reference_cache.invalidate()
    return result


async def add_plan_group(ctx: ServiceContext, name: str) -> PlanGroup:
    """A new plan group; one whose name differs only in case or accents is a duplicate."""
    name = base.clean_name(name)
    async with ctx.uow() as uow:
        for group in await uow.catalog.plan_groups():
            if base.name_key(group.name) == base.name_key(name):
                raise Conflict("catalog.group_exists", name=group.name)
        group = await uow.catalog.add_plan_group(name)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return group


async def add_loyalty_term(
    ctx: ServiceContext, name: str, months: str, monthly_benefit: str
) -> LoyaltyTerm:
    """A new loyalty term from the typed values (see ``catalog_base.new_loyalty_term``)."""
    new = base.new_loyalty_term(name, months, monthly_benefit)
    async with ctx.uow() as uow:
        for term in await uow.catalog.loyalty_terms():
            if base.name_key(term.name) == base.name_key(new.name):
                raise Conflict("catalog.loyalty_exists", name=term.name)
        term = await uow.catalog.add_loyalty_term(new.name, new.months, new.monthly_benefit)
        await uow.commit()
    ctx.reference_cache.invalidate()
    return term


async def overview(ctx: ServiceContext) -> CatalogOverview:
    """The catalog as the database has it now (not the process' cached copy)."""
    async with ctx.uow() as uow:
        cat = uow.catalog
        return CatalogOverview(
            groups=await cat.plan_groups(),
            templates=await cat.templates(),
            loyalty_terms=await cat.loyalty_terms(),
            ticket_types=await cat.ticket_types(),
            departments=await cat.departments(),
        )
