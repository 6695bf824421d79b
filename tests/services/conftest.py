"""Fixtures for service tests: the in-memory unit of work (``fakes.py``) and, for
``test_services_db.py``, a faster ``ctx`` over the real database.

``ctx`` here has the meaning of ``tests/conftest.py``'s (a migrated database with the demo ISP,
on SQLite and on PostgreSQL) but builds the SQLite database once per session, through the same
migrations and demo loader, and gives each test a fresh copy of the file: the Alembic run and
the demo load are most of a database test's time.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services.context import ServiceContext
from storage.db import create_engine, migrate
from tests.conftest import make_ctx
from tests.conftest import seed as load_demo
from tests.services.fakes import FakeStore, Seed, fake_ctx, seed_fake
from tests.support.clock import FakeClock
from tests.support.db import migrated_engine


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def seed(store: FakeStore) -> Seed:
    return seed_fake(store)


@pytest.fixture
def fctx(clock: FakeClock, store: FakeStore, seed: Seed) -> ServiceContext:
    """Service context over the fake store, seeded with the small catalog of ``seed_fake``."""
    return fake_ctx(clock, store)


@pytest.fixture(scope="session")
def sqlite_demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the demo data, built once (same clock as ``clock``)."""
    path = tmp_path_factory.mktemp("demo-template") / "demo.db"

    async def build() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{path}")
        try:
            await migrate(engine, "upgrade", "head")
            await load_demo(make_ctx(engine, FakeClock()))
        finally:
            await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture
async def ctx(
    backend: str, tmp_path: Path, clock: FakeClock, sqlite_demo_template: Path
) -> AsyncIterator[ServiceContext]:
    """Service context over the real database with the demo ISP loaded."""
    if backend == "sqlite":
        target = tmp_path / "test.db"
        for part in sqlite_demo_template.parent.glob(sqlite_demo_template.name + "*"):
            shutil.copy(part, target.with_name(target.name + part.name[len("demo.db") :]))
        engine = create_engine(f"sqlite+aiosqlite:///{target}")
        try:
            yield make_ctx(engine, clock)
        finally:
            await engine.dispose()
        return
    async with migrated_engine(backend, tmp_path) as engine:
        context = make_ctx(engine, clock)
        await load_demo(context)
        yield context
