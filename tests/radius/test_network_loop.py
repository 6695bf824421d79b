"""``contractbot run``'s network loop (``bot.jobs.schedule_network``): with RADIUS configured it
works a finalized change to the NAS on its own, and ends when asked to stop."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.app import Core
from bot.config import RadiusSettings, Settings
from bot.domain.network import JobOutcome, JobStatus, NetworkJob
from bot.jobs import schedule_network
from tests.radius.conftest import Network, online_and_finalized
from tests.radius.nas import NasStandIn

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def _job(net: Network) -> NetworkJob | None:
    async with net.ctx.uow() as uow:
        return await uow.network.latest_job(contract_id=net.contract.id)


async def test_the_loop_applies_a_finalized_change_and_stops(
    network: Network, nas: NasStandIn
) -> None:
    net = network
    await online_and_finalized(net, nas, session=("loop-1", None))

    url = net.radius.url.render_as_string(hide_password=False)
    settings = replace(Settings(), radius=RadiusSettings(database_url=url, coa_timeout=1))
    core = Core(settings, net.radius, net.ctx)
    stop = asyncio.Event()
    task = schedule_network(core, stop)
    assert task is not None and core.background == {task}
    for _ in range(200):  # the loop's first round starts at once
        job = await _job(net)
        if job is not None and job.status is not JobStatus.PENDING:
            break
        await asyncio.sleep(0.05)
    stop.set()
    await task

    job = await _job(net)
    assert job is not None and (job.status, job.outcome) == (JobStatus.APPLIED, JobOutcome.COA)
    assert [r.kind for r in nas.received] == ["coa"]
    assert core.background == set()


async def test_radius_off_starts_no_loop(network: Network) -> None:
    core = Core(Settings(), network.radius, network.ctx)
    assert schedule_network(core, asyncio.Event()) is None
    assert core.background == set()
