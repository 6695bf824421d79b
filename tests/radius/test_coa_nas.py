"""CoA and Disconnect through pyrad to the NAS stand-in, with the RADIUS tables on the test
database: attributes received, NAK → Disconnect, a silent NAS, a wrong shared secret."""

from __future__ import annotations

import pytest

from bot.domain.network import JobOutcome, JobReason, JobStatus, NakPolicy, NetworkJob
from bot.radius.coa import PyradCoaSender
from bot.radius.directory import SqlRadiusDirectory
from bot.services.network import NetworkPolicy, run_due_jobs
from bot.services.plan_update import create_plan_update, finalize_action
from tests.radius.conftest import LOGIN, NAS_SECRET, NEW_RATE, Network, open_session
from tests.radius.nas import NasStandIn
from tests.support.builders import plan_change

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def _online_and_finalized(net: Network, nas: NasStandIn, secret: str = NAS_SECRET) -> int:
    await open_session(net.radius, LOGIN, "s-77", "100.64.0.77")
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


async def _run(net: Network, policy: NetworkPolicy) -> NetworkJob:
    coa = PyradCoaSender(timeout=0.3, retries=1)
    await run_due_jobs(net.ctx, SqlRadiusDirectory(net.radius), coa, policy)
    async with net.ctx.uow() as uow:
        job = await uow.network.latest_job(contract_id=net.contract.id)
    assert job is not None
    return job


async def test_nak_is_followed_by_a_disconnect_request(network: Network, nas: NasStandIn) -> None:
    nas.coa = "nak"
    await _online_and_finalized(network, nas)

    job = await _run(network, NetworkPolicy())

    assert (job.status, job.outcome) == (JobStatus.APPLIED, JobOutcome.DISCONNECTED)
    assert [r.kind for r in nas.received] == ["coa", "disconnect"]
    disconnect = nas.received[1].attributes
    assert disconnect["User-Name"] == [LOGIN]
    assert disconnect["Acct-Session-Id"] == ["s-77"]
    assert "Mikrotik-Rate-Limit" not in disconnect
    assert nas.received[0].attributes["Mikrotik-Rate-Limit"] == [NEW_RATE]


async def test_nak_left_for_the_next_reconnect(network: Network, nas: NasStandIn) -> None:
    nas.coa = "nak"
    await _online_and_finalized(network, nas)
    job = await _run(network, NetworkPolicy(on_nak=NakPolicy.LEAVE))
    assert (job.status, job.outcome) == (JobStatus.APPLIED, JobOutcome.ON_RECONNECT)
    assert [r.kind for r in nas.received] == ["coa"]


async def test_silent_nas_is_retried_then_the_job_fails(network: Network, nas: NasStandIn) -> None:
    nas.coa = "silent"
    await _online_and_finalized(network, nas)

    first = await _run(network, NetworkPolicy(max_attempts=2))
    assert (first.status, first.reason, first.attempts) == (
        JobStatus.PENDING,
        JobReason.NO_ANSWER,
        1,
    )
    network.ctx.clock.now = first.next_attempt_at  # type: ignore[attr-defined]
    second = await _run(network, NetworkPolicy(max_attempts=2))

    assert (second.status, second.reason, second.attempts) == (
        JobStatus.FAILED,
        JobReason.NO_ANSWER,
        2,
    )
    assert len(nas.received) == 2 and {r.kind for r in nas.received} == {"coa"}


async def test_wrong_secret_gets_no_answer(network: Network, nas: NasStandIn) -> None:
    await _online_and_finalized(network, nas, secret="not-the-nas-secret")

    job = await _run(network, NetworkPolicy(max_attempts=1))

    assert (job.status, job.reason) == (JobStatus.FAILED, JobReason.NO_ANSWER)
    assert [r.authentic for r in nas.received] == [False]
