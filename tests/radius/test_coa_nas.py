"""CoA and Disconnect through pyrad to the NAS stand-in, with the RADIUS tables on the test
database: attributes received, NAK → Disconnect, a silent NAS, a wrong shared secret."""

from __future__ import annotations

import pytest

from bot.domain.network import JobOutcome, JobReason, JobStatus, NakPolicy, NetworkJob
from bot.radius.coa import PyradCoaSender
from bot.radius.directory import SqlRadiusDirectory
from bot.services.network import NetworkPolicy, run_due_jobs
from tests.radius.conftest import LOGIN, NEW_RATE, Network, online_and_finalized
from tests.radius.nas import NasStandIn

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def _run(net: Network, policy: NetworkPolicy) -> NetworkJob:
    coa = PyradCoaSender(timeout=0.3, retries=1)
    await run_due_jobs(net.ctx, SqlRadiusDirectory(net.radius), coa, policy)
    async with net.ctx.uow() as uow:
        job = await uow.network.latest_job(contract_id=net.contract.id)
    assert job is not None
    return job


async def test_nak_is_followed_by_a_disconnect_request(network: Network, nas: NasStandIn) -> None:
    nas.coa = "nak"
    await online_and_finalized(network, nas)

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
    await online_and_finalized(network, nas)
    job = await _run(network, NetworkPolicy(on_nak=NakPolicy.LEAVE))
    assert (job.status, job.outcome) == (JobStatus.APPLIED, JobOutcome.ON_RECONNECT)
    assert [r.kind for r in nas.received] == ["coa"]


async def test_silent_nas_is_retried_then_the_job_fails(network: Network, nas: NasStandIn) -> None:
    nas.coa = "silent"
    await online_and_finalized(network, nas)

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
    await online_and_finalized(network, nas, secret="not-the-nas-secret")

    job = await _run(network, NetworkPolicy(max_attempts=1))

    assert (job.status, job.reason) == (JobStatus.FAILED, JobReason.NO_ANSWER)
    assert [r.authentic for r in nas.received] == [False]
