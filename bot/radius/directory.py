"""The bot's side of FreeRADIUS's SQL tables: its plans' groups (``radgroupreply``) and its
logins' membership of those groups (``radusergroup``). Rows of other groups, and every
``radcheck``/``radreply`` row, belong to the provider and are only read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager

from sqlalchemy import delete, insert, make_url, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.domain.network import ReplyAttribute, Session
from bot.radius.tables import radacct, radgroupreply, radusergroup
from bot.services.network import RadiusUnavailable

CHUNK = 500


def radius_engine(url: str) -> AsyncEngine:
    """An engine for ``RADIUS_DATABASE_URL``; plain ``postgresql://`` and ``sqlite:///`` URLs
    get the async drivers. On SQLite, FreeRADIUS reads the same file: writers wait for it."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    if parsed.get_backend_name() == "sqlite":
        return create_async_engine(parsed, connect_args={"timeout": 15})
    return create_async_engine(parsed, pool_pre_ping=True)


@asynccontextmanager
async def transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    try:
        async with engine.begin() as conn:
            yield conn
    except (OSError, TimeoutError, SQLAlchemyError) as exc:
        raise RadiusUnavailable(type(exc).__name__) from exc


def chunks(items: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


async def write_group(
    conn: AsyncConnection, group: str, attributes: tuple[ReplyAttribute, ...]
) -> None:
    await conn.execute(delete(radgroupreply).where(radgroupreply.c.groupname == group))
    await conn.execute(
        insert(radgroupreply),
        [
            {"groupname": group, "attribute": a.name, "op": a.op, "value": a.value}
            for a in attributes
        ],
    )


async def write_memberships(
    conn: AsyncConnection, pairs: list[tuple[str, str]], owned: frozenset[str]
) -> None:
    """Each login in ``pairs`` ends up in its group only, among the owned groups."""
    logins = [login for login, _ in pairs]
    for chunk in chunks(logins):
        await conn.execute(
            delete(radusergroup).where(
                radusergroup.c.username.in_(chunk), radusergroup.c.groupname.in_(owned)
            )
        )
    if pairs:
        await conn.execute(
            insert(radusergroup),
            [{"username": u, "groupname": g, "priority": 1} for u, g in pairs],
        )


class SqlRadiusDirectory:
    """Implements :class:`bot.services.network.RadiusDirectory`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def apply(
        self,
        login: str,
        group: str,
        attributes: tuple[ReplyAttribute, ...],
        owned_groups: frozenset[str],
    ) -> None:
        async with transaction(self.engine) as conn:
            await write_group(conn, group, attributes)
            await write_memberships(conn, [(login, group)], owned_groups)

    async def session(self, login: str) -> Session | None:
        async with transaction(self.engine) as conn:
            row = (
                await conn.execute(
                    select(
                        radacct.c.nasipaddress, radacct.c.acctsessionid, radacct.c.framedipaddress
                    )
                    .where(radacct.c.username == login, radacct.c.acctstoptime.is_(None))
                    .order_by(radacct.c.acctstarttime.desc())
                    .limit(1)
                )
            ).first()
        if row is None:
            return None
        nas, session_id, framed = row
        # PostgreSQL's schema types the addresses ``inet`` (ipaddress objects), SQLite's text.
        return Session(str(nas), session_id or None, str(framed) if framed else None)
