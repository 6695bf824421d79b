"""Fixtures shared by every test folder."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.services.context import ServiceContext
from storage.db import session_factory
from storage.demo import load_demo_data
from storage.uow import SqlUnitOfWork, uow_factory
from tests.support.clock import FakeClock
from tests.support.db import BACKENDS, migrated_engine


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Storage tests run on SQLite always and on PostgreSQL when it is there (always in CI)."""
    return str(request.param)


@pytest.fixture
async def engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(backend, tmp_path) as eng:
        yield eng


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine("sqlite", tmp_path) as eng:
        yield eng


def make_ctx(engine: AsyncEngine, clock: FakeClock) -> ServiceContext:
    return ServiceContext(
        uow=uow_factory(session_factory(engine)),
        clock=clock,
        timezone=ZoneInfo("America/Sao_Paulo"),
    )


@pytest.fixture
async def ctx(engine: AsyncEngine, clock: FakeClock) -> ServiceContext:
    """Service context over the real database, with the demo ISP loaded."""
    context = make_ctx(engine, clock)
    await seed(context)
    return context


async def seed(context: ServiceContext) -> None:
    async with context.uow() as uow:
        assert isinstance(uow, SqlUnitOfWork)
        await load_demo_data(uow.session, context.today(), context.now())
        await uow.commit()
