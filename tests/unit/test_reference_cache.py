"""The in-memory reference copy (staff and catalog the wizard reads): a change made by this
process is seen at once after ``invalidate()``, a change made elsewhere once the copy is older
than ``check_every`` seconds, including when the invalidation lands during a refresh."""

from __future__ import annotations

import asyncio
from typing import Any, Self

from bot.domain.models import Plan
from bot.domain.money import Money
from bot.services.reference import ReferenceCache

FIBRA_2_GIGA = Plan(
    id=11, group_id=1, name="Fibra 2 Giga", download_mbps=2000, upload_mbps=1000, price=Money(29990)
)


class Store:
    """The database as the cache sees it: a version number and the plans."""

    def __init__(self) -> None:
        self.version = 1
        self.plans: list[Plan] = []
        self.reads = 0
        self.pause_reads = False
        self.reading = asyncio.Event()
        self.resume = asyncio.Event()


class Catalog:
    def __init__(self, store: Store) -> None:
        self.store = store

    async def reference_version(self) -> int:
        version = self.store.version  # read now, returned after a pause if asked
        self.store.reads += 1
        if self.store.pause_reads:
            self.store.reading.set()
            await self.store.resume.wait()
        return version

    async def plans(self) -> list[Plan]:
        return list(self.store.plans)

    async def _empty(self) -> list[Any]:
        return []

    plan_groups = services = templates = loyalty_terms = ticket_types = departments = _empty


class Staff:
    async def list(self) -> list[Any]:
        return []


class Network:
    async def profiles(self) -> list[Any]:
        return []


class Uow:
    def __init__(self, store: Store) -> None:
        self.catalog = Catalog(store)
        self.staff = Staff()
        self.network = Network()  # plans' network profiles are part of the reference

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def setup() -> tuple[ReferenceCache, Store, Clock, Any]:
    store, clock = Store(), Clock()
    cache = ReferenceCache(check_every=5.0, monotonic=clock)
    return cache, store, clock, lambda: Uow(store)


def add_plan(store: Store) -> None:
    """An admin's new plan and the version bump, in one transaction."""
    store.plans.append(FIBRA_2_GIGA)
    store.version += 1


async def test_a_change_made_elsewhere_is_seen_once_the_copy_is_old() -> None:
    cache, store, clock, uow = setup()
    assert (await cache.get(uow)).plans == ()
    add_plan(store)
    clock.now += 5.1
    reference = await cache.get(uow)
    assert reference.version == 2 and reference.plans == (FIBRA_2_GIGA,)


async def test_a_fresh_copy_reads_nothing() -> None:
    cache, store, clock, uow = setup()
    await cache.get(uow)
    reads = store.reads
    clock.now += 4.9
    await cache.get(uow)
    assert store.reads == reads


async def test_a_change_made_by_this_process_is_seen_at_once_after_invalidate() -> None:
    cache, store, _, uow = setup()
    await cache.get(uow)
    add_plan(store)
    cache.invalidate()
    reference = await cache.get(uow)  # the clock did not move
    assert reference.version == 2 and reference.plans == (FIBRA_2_GIGA,)


async def test_an_invalidation_during_a_refresh_is_not_lost() -> None:
    """A refresh read the version just before this process committed its change and called
    ``invalidate()``: the refresh must not mark its (old) copy as freshly checked."""
    cache, store, clock, uow = setup()
    await cache.get(uow)
    clock.now += 5.1  # the copy is old: the next use checks the version
    store.pause_reads = True
    refresh = asyncio.create_task(cache.get(uow))
    await store.reading.wait()  # the refresh has read version 1 …
    add_plan(store)  # … when this process commits a new plan (version 2)
    cache.invalidate()  # and says its copy is stale
    store.resume.set()
    await refresh
    store.pause_reads = False

    reference = await cache.get(uow)  # the next use, at the same instant

    assert reference.version == 2, "the invalidation was overwritten by the refresh"
    assert reference.plans == (FIBRA_2_GIGA,)
