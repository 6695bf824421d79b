"""``make bench``: timings of the operations staff wait for, on a fresh SQLite demo database.

Not a test (nothing asserts): numbers for the notes and for spotting regressions.
Run with ``BENCH_POSTGRES_URL=postgresql+asyncpg://...`` to measure PostgreSQL too.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.domain.models import PersonKind
from bot.pdf import PdfRenderer
from bot.services import printouts
from bot.services.acceptance import record_in_person
from bot.services.cards import action_card, contract_card
from bot.services.plan_update import create_plan_update, finalize_action
from bot.services.search import search_clients
from bot.templating import TEMPLATES_DIR
from storage.db import create_engine, migrate, session_factory
from storage.uow import uow_factory
from tests import bench_wizard
from tests.conftest import seed
from tests.support.builders import plan_change, world
from tests.support.clock import FakeClock

Timed = Callable[[], Awaitable[Any]]


async def timed(label: str, fn: Timed, runs: int) -> float:
    """Run ``fn`` ``runs`` times, print p50/p95/max, return the p50 in ms."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    print(
        f"  {label:<44} n={runs:<4} p50={statistics.median(samples):8.2f} ms"
        f"  p95={p95:8.2f} ms  max={samples[-1]:8.2f} ms"
    )
    return statistics.median(samples)


async def bench(url: str, name: str) -> None:
    from bot.services.context import ServiceContext

    engine = create_engine(url, pool_size=25) if name == "postgres" else create_engine(url)
    if name == "postgres":
        from sqlalchemy import text

        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    await migrate(engine)
    clock = FakeClock()
    ctx = ServiceContext(uow=uow_factory(session_factory(engine)), clock=clock)
    await seed(ctx)
    w = await world(ctx, PersonKind.PF)
    print(f"\n{name}:")
    await timed("search by name ('silva')", lambda: search_clients(ctx, "silva"), 200)
    await timed("search by CPF prefix", lambda: search_clients(ctx, "513.133"), 200)
    await timed("contract card", lambda: contract_card(ctx, w.contract.id), 200)

    async def cycle() -> None:
        change = await plan_change(
            ctx, w.contract, channel=None, with_ticket=False, loyalty_months=None
        )
        created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
        await action_card(ctx, created.action.id)
        await record_in_person(ctx, w.operator.id, created.action.id, "assinado")
        await finalize_action(ctx, w.operator.id, created.action.id)
        nonlocal_contract[0] = created

    nonlocal_contract: list[Any] = [None]
    await timed("create → card → accept → finalize", cycle, 30)

    async def concurrent() -> None:
        change = await plan_change(
            ctx, w.contract, channel=None, with_ticket=False, loyalty_months=None
        )
        created = await create_plan_update(ctx, w.operator.id, w.contract.id, change)
        await asyncio.gather(
            *[finalize_action(ctx, w.operator.id, created.action.id) for _ in range(20)]
        )

    await timed("20 concurrent finalizes of one action", concurrent, 10)
    with tempfile.TemporaryDirectory() as tmp:
        pdf = PdfRenderer(TEMPLATES_DIR, None, Path(tmp), None)
        doc = await printouts.contract_printout(ctx, w.contract.id)
        html = pdf.contract_html(doc)
        await _direct(html)  # WeasyPrint's own one-time start-up (fonts), outside both timings
        ours = await timed("contract PDF, cold render", lambda: _cold(doc), 5)
        anchor = await timed("anchor: WeasyPrint alone, same HTML", lambda: _direct(html), 5)
        print(f"  contract PDF cold render vs WeasyPrint alone: {ours / anchor:.2f}×")
        await timed("contract PDF, cached", lambda: pdf.contract_pdf(doc), 50)
        pdf.close()
    await engine.dispose()


async def _cold(doc: Any) -> bytes:
    """A renderer with no cache at all: the full WeasyPrint cost."""
    renderer = PdfRenderer(TEMPLATES_DIR, None, None, None, memory_items=0)
    try:
        return await renderer.contract_pdf(doc)
    finally:
        renderer.close()


async def _direct(html: str) -> bytes | None:
    """The anchor: WeasyPrint called directly on the same HTML, in this thread, no cache."""
    from weasyprint import HTML

    return HTML(string=html, base_url=(TEMPLATES_DIR / "contracts").as_uri() + "/").write_pdf()


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite+aiosqlite:///{tmp}/bench.db", "sqlite")
    if url := os.environ.get("BENCH_POSTGRES_URL"):
        await bench(url, "postgres")
    await bench_wizard.main(os.environ.get("BENCH_POSTGRES_URL"))


if __name__ == "__main__":
    asyncio.run(main())
