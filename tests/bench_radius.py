"""RADIUS provisioning speed: Confirmar → CoA-ACK on loopback, and ``radius sync`` of 50,000
logins.

Run: ``python -m tests.bench_radius``. Not a test (nothing asserts). Needs the FreeRADIUS SQL
schema files (Debian's ``freeradius`` package); with ``TEST_POSTGRES_URL`` set the sync is also
measured with FreeRADIUS's tables in PostgreSQL.

* Confirmar → CoA-ACK: the demo ISP on SQLite, one contract after another finalized through
  the service (what the Confirmar button calls), then the network jobs worked with the real
  FreeRADIUS tables and pyrad sending to a NAS stand-in on 127.0.0.1 that answers CoA-ACK.
  In ``contractbot run`` the loop picks a new job within its polling interval (2 s) on top.
* sync: 50,000 active contracts with logins across 10 plan profiles; the first sync writes
  every membership, the second finds nothing to do.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from bot.radius import sync
from bot.radius.coa import PyradCoaSender
from bot.radius.directory import SqlRadiusDirectory, radius_engine
from bot.services.network import (
    NetworkPolicy,
    desired_state,
    run_due_jobs,
    save_access,
    save_profile,
)
from bot.services.plan_update import create_plan_update, finalize_action
from storage.db import create_engine, migrate
from tests.conftest import make_ctx, seed
from tests.radius.conftest import open_session
from tests.radius.freeradius import create_sqlite_schema, schema_statements
from tests.radius.nas import NasStandIn
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock

FINALIZES = 30
LOGINS = 50_000
PROFILES = 10


async def confirm_to_ack(tmp: Path) -> list[float]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'bot.db'}")
    await migrate(engine, "upgrade", "head")
    ctx = make_ctx(engine, FakeClock())
    await seed(ctx)
    ctx = replace(ctx, network_enabled=True)
    create_sqlite_schema(tmp / "radius.db")
    radius = radius_engine(f"sqlite+aiosqlite:///{tmp / 'radius.db'}")
    nas = await NasStandIn(secret="bench").start()
    async with ctx.uow() as uow:
        await uow.network.save_nas("bng", "127.0.0.1", "bench", nas.port, "mikrotik")
        plans = await uow.catalog.plans()
        contracts = [
            c
            for client_id in range(1, 400)
            for c in await uow.contracts.for_client(client_id)
            if c.status.value == "ativo"
        ]
        await uow.commit()
    for i, plan in enumerate(plans):
        await save_profile(ctx, plan.id, f"plano-{i}", f'Mikrotik-Rate-Limit := "{i + 1}M/1M"')
    w = await world(ctx)
    directory = SqlRadiusDirectory(radius)
    coa = PyradCoaSender(timeout=2, retries=1)
    timings = []
    for n, contract in enumerate(contracts[:FINALIZES]):
        login = f"bench{n}"
        await save_access(ctx, contract.number, login, "bng")
        await open_session(radius, login, f"s{n}", f"100.64.0.{n + 1}")
        target = next(p for p in plans if p.id != contract.plan_id)
        change = await plan_change(
            ctx,
            contract,
            plan_name=target.name,
            channel=None,
            with_ticket=False,
            loyalty_months=None,
        )
        created = await create_plan_update(ctx, w.operator.id, contract.id, change)
        start = time.perf_counter()
        await finalize_action(ctx, w.operator.id, created.action.id)
        await run_due_jobs(ctx, directory, coa, NetworkPolicy())
        timings.append(time.perf_counter() - start)
    acks = len(nas.received)
    nas.close()
    await radius.dispose()
    await engine.dispose()
    assert acks == FINALIZES, acks
    return timings


async def sync_50k(tmp: Path, radius_url: str) -> tuple[float, float, float]:
    path = tmp / "sync.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await migrate(engine, "upgrade", "head")
    ctx = make_ctx(engine, FakeClock())
    await seed(ctx)
    await engine.dispose()
    with sqlite3.connect(path) as db:
        plan_ids = [r[0] for r in db.execute("SELECT id FROM plans ORDER BY id")][:PROFILES]
        client_id, template_id = db.execute(
            "SELECT client_id, template_id FROM contracts LIMIT 1"
        ).fetchone()
        base = db.execute("SELECT max(id) FROM contracts").fetchone()[0]
        db.executemany(
            "INSERT INTO contracts (id, number, client_id, status, plan_id, value_cents,"
            " template_id, loyalty_months, loyalty_benefit_cents, due_day, start_date, version)"
            " VALUES (?, ?, ?, 'ativo', ?, 9990, ?, 0, 0, 10, '2026-01-01', 1)",
            [
                (base + i + 1, f"B{i:06d}", client_id, plan_ids[i % PROFILES], template_id)
                for i in range(LOGINS)
            ],
        )
        db.executemany(
            "INSERT INTO contract_access (contract_id, login) VALUES (?, ?)",
            [(base + i + 1, f"cliente{i:06d}") for i in range(LOGINS)],
        )
        db.executemany(
            "INSERT INTO plan_network_profiles (plan_id, radius_group, attributes)"
            " VALUES (?, ?, ?)",
            [
                (pid, f"plano-{pid}", f'[["Mikrotik-Rate-Limit", ":=", "{pid}M/1M"]]')
                for pid in plan_ids
            ],
        )
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    ctx = make_ctx(engine, FakeClock())
    radius = radius_engine(radius_url)
    try:
        start = time.perf_counter()
        profiles, members = await desired_state(ctx)
        report = await sync.compare(radius, profiles, members)
        dry = time.perf_counter() - start
        await sync.apply(radius, profiles, members, report)
        first = time.perf_counter() - start
        assert len(report.added) == LOGINS, len(report.added)
        start = time.perf_counter()
        profiles, members = await desired_state(ctx)
        again = await sync.compare(radius, profiles, members)
        second = time.perf_counter() - start
        assert again.clean
    finally:
        await radius.dispose()
        await engine.dispose()
    return dry, first, second


async def postgres_radius(url: str) -> str:
    engine = radius_engine(url)
    async with engine.begin() as conn:
        for table in (
            "radacct",
            "radcheck",
            "radgroupcheck",
            "radgroupreply",
            "radreply",
            "radusergroup",
            "radpostauth",
            "nas",
            "nasreload",
        ):
            await conn.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
        for statement in schema_statements("postgresql"):
            await conn.execute(text(statement))
    await engine.dispose()
    return url


async def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        timings = await confirm_to_ack(tmp)
        ms = sorted(t * 1000 for t in timings)
        print(
            f"Confirmar → CoA-ACK (finalize + RADIUS tables + CoA on loopback), {len(ms)} runs: "
            f"median {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9) - 1]:.1f} ms, "
            f"max {ms[-1]:.1f} ms"
        )
        create_sqlite_schema(tmp / "radius-sync.db")
        targets = [("SQLite", f"sqlite+aiosqlite:///{tmp / 'radius-sync.db'}")]
        pg = os.environ.get("TEST_POSTGRES_URL")
        if pg:
            targets.append(("PostgreSQL", await postgres_radius(pg)))
        for name, url in targets:
            dry, first, second = await _sync(tmp, name, url)
            print(
                f"radius sync, {LOGINS} logins, RADIUS tables on {name}: --dry-run {dry:.2f} s, "
                f"first sync (all written) {first:.2f} s, second (nothing to do) {second:.2f} s"
            )


async def _sync(tmp: Path, name: str, url: str) -> tuple[float, float, float]:
    folder = tmp / name
    folder.mkdir()
    return await sync_50k(folder, url)


if __name__ == "__main__":
    asyncio.run(main())
