"""Staff and catalog kept in memory: every update's staff gate and every wizard tap read them,
and they change rarely (an admin's edit, an import, the demo data).

Freshness: a change made through this process invalidates the copy at once
(``ReferenceCache.invalidate``, called by the services that write staff); a change made by
another process (the CLI, a second instance) bumps a version number in the database, which
is re-read at most every ``check_every`` seconds. So a deactivated staff member is refused on
their next tap when the bot itself deactivated them, and within a few seconds otherwise.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.domain.documents import PersonKind
from bot.domain.loyalty import LoyaltyTerm, terms_for
from bot.domain.models import (
    CatalogItem,
    ContractTemplate,
    Plan,
    PlanGroup,
    Role,
    Service,
    Staff,
)
from bot.domain.network import NetworkProfile
from bot.services.ports import UnitOfWork, UnitOfWorkFactory

CHECK_EVERY_SECONDS = 5.0


@dataclass(frozen=True)
class Catalog:
    """What the wizard offers, already filtered for one kind of client (PF or PJ)."""

    groups: tuple[PlanGroup, ...]
    plans: tuple[Plan, ...]
    services: dict[int, Service]
    templates: tuple[ContractTemplate, ...]
    loyalty_terms: tuple[LoyaltyTerm, ...]
    ticket_types: tuple[CatalogItem, ...]
    departments: tuple[CatalogItem, ...]
    technicians: tuple[Staff, ...]
    profiles: dict[int, NetworkProfile] = field(default_factory=dict)  # plan id → profile

    def profile(self, plan_id: int | None) -> NetworkProfile | None:
        """The plan's network profile (RADIUS group and attributes), shown in the wizard."""
        return self.profiles.get(plan_id) if plan_id is not None else None

    def plan(self, plan_id: int | None) -> Plan | None:
        return next((p for p in self.plans if p.id == plan_id), None)

    def plans_in(self, group_id: int | None) -> list[Plan]:
        return [p for p in self.plans if p.group_id == group_id]

    def template(self, template_id: int | None) -> ContractTemplate | None:
        return next((t for t in self.templates if t.id == template_id), None)

    def term(self, term_id: int | None) -> LoyaltyTerm | None:
        return next((t for t in self.loyalty_terms if t.id == term_id), None)

    def group(self, group_id: int | None) -> PlanGroup | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def ticket_type(self, item_id: int | None) -> CatalogItem | None:
        return next((i for i in self.ticket_types if i.id == item_id), None)

    def department(self, item_id: int | None) -> CatalogItem | None:
        return next((i for i in self.departments if i.id == item_id), None)

    def technician(self, staff_id: int | None) -> Staff | None:
        return next((s for s in self.technicians if s.id == staff_id), None)


@dataclass(frozen=True)
class Reference:
    """One consistent copy of staff and catalog, as of ``version``."""

    version: int
    staff: tuple[Staff, ...]
    groups: tuple[PlanGroup, ...]
    plans: tuple[Plan, ...]
    services: tuple[Service, ...]
    templates: tuple[ContractTemplate, ...]
    loyalty_terms: tuple[LoyaltyTerm, ...]
    ticket_types: tuple[CatalogItem, ...]
    departments: tuple[CatalogItem, ...]
    profiles: tuple[NetworkProfile, ...] = ()
    _by_telegram: dict[int, Staff] = field(default_factory=dict, repr=False)
    _catalogs: dict[PersonKind, Catalog] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_telegram.update({s.telegram_id: s for s in self.staff})
        technicians = tuple(s for s in self.staff if s.active and s.role is Role.TECHNICIAN)
        for kind in PersonKind:
            self._catalogs[kind] = Catalog(
                groups=self.groups,
                plans=self.plans,
                services={s.id: s for s in self.services},
                templates=tuple(t for t in self.templates if t.active and t.kind is kind),
                loyalty_terms=tuple(terms_for(kind, list(self.loyalty_terms))),
                ticket_types=self.ticket_types,
                departments=self.departments,
                technicians=technicians,
                profiles={p.plan_id: p for p in self.profiles},
            )

    def staff_member(self, telegram_id: int) -> Staff | None:
        """The staff member (active or not) with this Telegram id, if any."""
        return self._by_telegram.get(telegram_id)

    def catalog(self, kind: PersonKind) -> Catalog:
        return self._catalogs[kind]


async def load_reference(uow: UnitOfWork, version: int) -> Reference:
    return Reference(
        version=version,
        staff=tuple(await uow.staff.list()),
        groups=tuple(await uow.catalog.plan_groups()),
        plans=tuple(await uow.catalog.plans()),
        services=tuple(await uow.catalog.services()),
        templates=tuple(await uow.catalog.templates()),
        loyalty_terms=tuple(await uow.catalog.loyalty_terms()),
        ticket_types=tuple(await uow.catalog.ticket_types()),
        departments=tuple(await uow.catalog.departments()),
        profiles=tuple(await uow.network.profiles()),
    )


class ReferenceCache:
    """The process' copy of :class:`Reference`, refreshed when the database says it changed."""

    def __init__(
        self,
        check_every: float = CHECK_EVERY_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._check_every = check_every
        self._monotonic = monotonic
        self._current: Reference | None = None
        self._checked_at = 0.0
        self._invalidations = 0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """This process changed staff or catalog: read them again on the next use."""
        self._invalidations += 1
        self._checked_at = float("-inf")

    async def get(self, uow_factory: UnitOfWorkFactory, *, check: bool = False) -> Reference:
        """The copy; ``check`` asks the database's version now rather than within seconds."""
        if not check and self._fresh(self._current):
            assert self._current is not None
            return self._current
        asked_at = self._monotonic()
        async with self._lock:
            current = self._current
            if current is not None and self._checked_at >= asked_at:
                return current  # another task checked while we waited
            invalidations = self._invalidations
            async with uow_factory() as uow:
                version = await uow.catalog.reference_version()
                if current is None or version != current.version:
                    current = await load_reference(uow, version)
            self._current = current
            if invalidations == self._invalidations:  # else a change landed while reading
                self._checked_at = self._monotonic()
            return current

    def _fresh(self, current: Reference | None) -> bool:
        return current is not None and self._monotonic() - self._checked_at < self._check_every


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A small bounded map for immutable snapshots (least recently used entries go first)."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)
