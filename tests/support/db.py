"""Databases for tests: a fresh migrated SQLite file, or a clean PostgreSQL schema.

PostgreSQL runs when ``TEST_POSTGRES_URL`` is set. Without it those cases skip locally; under
``CI=true`` a missing or unreachable server is a failure, never a silent skip.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import create_engine, migrate

BACKENDS = ["sqlite", "postgres"]


def postgres_url() -> str | None:
    url = os.environ.get("TEST_POSTGRES_URL", "").strip()
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but TEST_POSTGRES_URL is not set: PostgreSQL tests must run in CI")
    pytest.skip("TEST_POSTGRES_URL not set: PostgreSQL cases skipped locally")
    return None  # pragma: no cover


async def _reset_postgres(engine: AsyncEngine) -> None:
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    except Exception as exc:
        await engine.dispose()
        msg = f"PostgreSQL at TEST_POSTGRES_URL is unreachable: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)


@asynccontextmanager
async def migrated_engine(backend: str, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database at the latest schema, created only through the Alembic migrations."""
    if backend == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'test.db'}")
    else:
        url = postgres_url()
        assert url is not None
        engine = create_engine(url, pool_size=25, max_overflow=5)
        await _reset_postgres(engine)
    try:
        await migrate(engine, "upgrade", "head")
        yield engine
    finally:
        await engine.dispose()


@contextmanager
def sql_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement ``engine`` sends while the block runs (to check that a screen costs
    the same few queries whatever its length)."""
    statements: list[str] = []

    def record(_conn: object, _cursor: object, sql: str, *_args: object) -> None:
        statements.append(sql)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
