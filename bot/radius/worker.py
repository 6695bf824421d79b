"""The network job loop of the active instance: every 2 s (at once after a busy round), work
the jobs that are due."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.radius.coa import PyradCoaSender
from bot.radius.directory import SqlRadiusDirectory, radius_engine
from bot.services.context import ServiceContext
from bot.services.network import NetworkPolicy, run_due_jobs

log = logging.getLogger(__name__)


async def run_forever(
    ctx: ServiceContext,
    database_url: str,
    policy: NetworkPolicy,
    stop: asyncio.Event,
    *,
    coa_timeout: float,
    coa_retries: int,
    interval: float = 2.0,
) -> None:
    engine = radius_engine(database_url)
    directory = SqlRadiusDirectory(engine)
    coa = PyradCoaSender(timeout=coa_timeout, retries=coa_retries)
    try:
        while not stop.is_set():
            try:
                worked = await run_due_jobs(ctx, directory, coa, policy)
            except Exception:  # one bad round must not end provisioning for good
                log.exception("network jobs round failed")
                worked = 0
            if worked:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)
    finally:
        await engine.dispose()
