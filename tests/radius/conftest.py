"""Fixtures for the RADIUS tests: FreeRADIUS's tables (SQLite file, or the bot's own PostgreSQL
database), the demo ISP with network profiles and one login, and the NAS stand-in."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain.models import Contract
from bot.radius.directory import radius_engine
from bot.radius.tables import radcheck
from bot.services.context import ServiceContext
from bot.services.network import save_access, save_profile
from bot.services.plan_update import create_plan_update, finalize_action
from tests.radius.freeradius import create_sqlite_schema, require_freeradius, schema_statements
from tests.radius.nas import NasStandIn
from tests.support.builders import World, plan_change, world

LOGIN = "maria.pppoe"
PASSWORD = "s3nha-pppoe"
NAS_SECRET = "nas-s3cret"
OLD_RATE = "300M/150M"
NEW_RATE = "1G/500M"


@dataclass
class Network:
    ctx: ServiceContext
    w: World
    contract: Contract
    radius: AsyncEngine
    radius_target: str  # what FreeRADIUS's rlm_sql is pointed at
    new_plan: str


async def open_session(
    engine: AsyncEngine, login: str, session_id: str, framed_ip: str | None = None
) -> None:
    """An accounting start from the NAS at 127.0.0.1, as FreeRADIUS would have written it
    (PostgreSQL's schema types the addresses ``inet``)."""
    pg = engine.dialect.name == "postgresql"
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO radacct (acctsessionid, acctuniqueid, username, nasipaddress,"
                " framedipaddress, acctstarttime) VALUES (:sid, :uid, :login,"
                + (" CAST(:nas AS inet), CAST(:framed AS inet)," if pg else " :nas, :framed,")
                + " :start)"
            ),
            {
                "sid": session_id,
                "uid": f"u-{session_id}",
                "login": login,
                "nas": "127.0.0.1",
                "framed": framed_ip or (None if pg else ""),
                "start": datetime(2026, 11, 20, 8, 0),
            },
        )


async def online_and_finalized(
    net: Network,
    nas: NasStandIn,
    *,
    session: tuple[str, str | None] = ("s-77", "100.64.0.77"),
    secret: str = NAS_SECRET,
) -> int:
    """The login online at the NAS stand-in, then a plan update to the new plan finalized:
    the id of the action whose network job is now due."""
    await open_session(net.radius, LOGIN, *session)
    async with net.ctx.uow() as uow:
        await uow.network.save_nas("bng", "127.0.0.1", secret, nas.port, "mikrotik")
        await uow.commit()
    change = await plan_change(
        net.ctx,
        net.contract,
        plan_name=net.new_plan,
        channel=None,
        with_ticket=False,
        loyalty_months=None,
    )
    created = await create_plan_update(net.ctx, net.w.operator.id, net.contract.id, change)
    await finalize_action(net.ctx, net.w.operator.id, created.action.id)
    return created.action.id


@pytest.fixture
def freeradius_binary() -> str:
    return require_freeradius()


@pytest.fixture
async def network(
    ctx: ServiceContext, backend: str, tmp_path: Path, freeradius_binary: str
) -> AsyncIterator[Network]:
    """The demo ISP with profiles on two plans, a login on a PF contract (on the old plan), its
    password in ``radcheck`` (the provider's row) and network provisioning on."""
    if backend == "sqlite":
        path = tmp_path / "radius.db"
        create_sqlite_schema(path)
        url, target = f"sqlite+aiosqlite:///{path}", str(path)
    else:  # the bot's own database: RADIUS_DATABASE_URL may equal DATABASE_URL
        url = target = os.environ["TEST_POSTGRES_URL"]
    engine = radius_engine(url)
    if backend != "sqlite":
        async with engine.begin() as conn:
            for statement in schema_statements("postgresql"):
                await conn.execute(text(statement))
    async with engine.begin() as conn:
        await conn.execute(
            insert(radcheck).values(
                username=LOGIN, attribute="Cleartext-Password", op=":=", value=PASSWORD
            )
        )
    nctx = replace(ctx, network_enabled=True)
    w = await world(nctx)
    async with nctx.uow() as uow:
        plans = {p.name: p for p in await uow.catalog.plans()}
        old = next(p for p in plans.values() if p.id == w.contract.plan_id)
    new_plan = "Fibra 1 Giga" if old.name != "Fibra 1 Giga" else "Fibra 300 Mega"
    await save_profile(nctx, old.id, "plano-antigo", f'Mikrotik-Rate-Limit := "{OLD_RATE}"')
    await save_profile(
        nctx, plans[new_plan].id, "plano-novo", f'Mikrotik-Rate-Limit := "{NEW_RATE}"'
    )
    await save_access(nctx, w.contract.number, LOGIN)
    try:
        yield Network(nctx, w, w.contract, engine, target, new_plan)
    finally:
        await engine.dispose()


@pytest.fixture
async def nas() -> AsyncIterator[NasStandIn]:
    stand_in = await NasStandIn(secret=NAS_SECRET).start()
    try:
        yield stand_in
    finally:
        stand_in.close()
