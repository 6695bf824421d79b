"""The change reaches the network: a real FreeRADIUS answers the old plan's rate limit before
the finalize and the new one after, and the NAS stand-in receives the CoA."""

from __future__ import annotations

from sqlalchemy import insert, select

from bot.domain.network import JobOutcome, JobStatus
from bot.radius import sync
from bot.radius.coa import PyradCoaSender
from bot.radius.directory import SqlRadiusDirectory
from bot.radius.tables import radusergroup
from bot.services.network import NetworkPolicy, run_due_jobs
from bot.services.plan_update import create_plan_update, finalize_action
from tests.radius.conftest import (
    LOGIN,
    NAS_SECRET,
    NEW_RATE,
    OLD_RATE,
    PASSWORD,
    Network,
    open_session,
)
from tests.radius.freeradius import FreeRadius
from tests.radius.nas import NasStandIn
from tests.support.builders import plan_change


async def _sync(net: Network) -> sync.SyncReport:
    async with net.ctx.uow() as uow:
        profiles = await uow.network.profiles()
        members = await uow.network.memberships()
    report = await sync.compare(net.radius, profiles, members)
    await sync.apply(net.radius, profiles, members, report)
    return report


async def test_access_request_answers_the_new_rate_after_finalize(
    network: Network, nas: NasStandIn, freeradius_binary: str, tmp_path
) -> None:
    net = network
    report = await _sync(net)
    assert report.added == [(LOGIN, "plano-antigo")]
    assert await sync.compare(net.radius, *await _desired(net)) == sync.SyncReport()
    async with net.radius.begin() as conn:  # the provider's own group, and an open session
        await conn.execute(
            insert(radusergroup).values(username=LOGIN, groupname="provedor-ipv6", priority=5)
        )
    await open_session(net.radius, LOGIN, "81a00001", "100.64.3.7")
    async with net.ctx.uow() as uow:
        await uow.network.save_nas("bng-teste", "127.0.0.1", NAS_SECRET, nas.port, "mikrotik")
        await uow.commit()

    with FreeRadius(freeradius_binary, tmp_path / "raddb", net.radius_target) as server:
        assert server.authenticate(LOGIN, PASSWORD) == (
            "Access-Accept",
            {"Mikrotik-Rate-Limit": OLD_RATE},
        )
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
        coa = PyradCoaSender(timeout=2, retries=1)
        await run_due_jobs(net.ctx, SqlRadiusDirectory(net.radius), coa, NetworkPolicy())

        assert server.authenticate(LOGIN, PASSWORD) == (
            "Access-Accept",
            {"Mikrotik-Rate-Limit": NEW_RATE},
        )
    async with net.ctx.uow() as uow:
        job = await uow.network.latest_job(action_id=created.action.id)
    assert job is not None
    assert (job.status, job.outcome) == (JobStatus.APPLIED, JobOutcome.COA)
    [received] = nas.received
    assert received.kind == "coa" and received.authentic
    assert received.attributes["User-Name"] == [LOGIN]
    assert received.attributes["Acct-Session-Id"] == ["81a00001"]
    assert received.attributes["Framed-IP-Address"] == ["100.64.3.7"]
    assert received.attributes["Mikrotik-Rate-Limit"] == [NEW_RATE]
    async with net.radius.begin() as conn:
        groups = sorted(
            g
            for (g,) in await conn.execute(
                select(radusergroup.c.groupname).where(radusergroup.c.username == LOGIN)
            )
        )
    assert groups == ["plano-novo", "provedor-ipv6"]  # the provider's row is untouched


async def _desired(net: Network) -> tuple[list, list]:  # type: ignore[type-arg]
    async with net.ctx.uow() as uow:
        return await uow.network.profiles(), await uow.network.memberships()
