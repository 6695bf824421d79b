"""The network job's rules over the fake store: queued in the finalize transaction, skipped with
a reason, CoA → Disconnect fallback, retries with backoff, failure told to the owner, retry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.network import (
    ContractAccess,
    JobOutcome,
    JobReason,
    JobStatus,
    NakPolicy,
    NetworkJob,
    Session,
)
from bot.services.context import ServiceContext
from bot.services.network import (
    Answer,
    NetworkPolicy,
    retry_job,
    run_due_jobs,
    save_access,
    save_profile,
)
from bot.services.plan_update import create_plan_update, finalize_action
from tests.services.changes import simple_change
from tests.services.fakes import FakeStore, Seed
from tests.services.network_fakes import FakeCoa, FakeDirectory
from tests.support.clock import FakeClock

SESSION = Session("10.0.0.1", "sess-1", "100.64.0.9")


@pytest.fixture
def nctx(fctx: ServiceContext) -> ServiceContext:
    return replace(fctx, network_enabled=True)


async def _provision(ctx: ServiceContext, seed: Seed, store: FakeStore) -> None:
    await save_profile(ctx, seed.fibra_300.id, "fibra300", 'Mikrotik-Rate-Limit := "300M/150M"')
    await save_profile(ctx, seed.fibra_1g.id, "fibra1g", 'Mikrotik-Rate-Limit := "1G/500M"')
    async with ctx.uow() as uow:
        await uow.network.save_nas("bng-centro", "10.0.0.1", "s3cret", 3799, "mikrotik")
        await uow.commit()
    await save_access(ctx, seed.pf_contract.number, "maria.pppoe", "bng-centro")


async def _finalize(ctx: ServiceContext, seed: Seed) -> int:
    created = await create_plan_update(
        ctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    await finalize_action(ctx, seed.operator.id, created.action.id)
    return created.action.id


def _job(store: FakeStore) -> NetworkJob:
    [job] = store.network_jobs.values()
    return job


async def test_finalize_queues_the_new_plans_group_for_the_login(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(nctx, seed, store)
    action_id = await _finalize(nctx, seed)

    job = _job(store)
    assert (job.action_id, job.login, job.group, job.status) == (
        action_id,
        "maria.pppoe",
        "fibra1g",
        JobStatus.PENDING,
    )
    assert [a.text() for a in job.attributes] == ['Mikrotik-Rate-Limit := "1G/500M"']


async def test_network_off_writes_no_job(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(fctx, seed, store)
    await _finalize(fctx, seed)
    assert store.network_jobs == {}


async def test_a_change_that_keeps_the_plan_sends_nothing_to_the_network(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(nctx, seed, store)
    change = simple_change(seed, plan_id=seed.fibra_300.id)
    created = await create_plan_update(nctx, seed.operator.id, seed.pf_contract.id, change)
    await finalize_action(nctx, seed.operator.id, created.action.id)
    assert store.contracts[seed.pf_contract.id].version == 2
    assert store.network_jobs == {}


async def test_plan_without_profile_is_skipped_and_finalize_still_works(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await save_access(nctx, seed.pf_contract.number, "maria.pppoe")
    await _finalize(nctx, seed)

    assert store.contracts[seed.pf_contract.id].plan_id == seed.fibra_1g.id
    job = _job(store)
    assert (job.status, job.reason) == (JobStatus.SKIPPED, JobReason.NO_PROFILE)


async def test_contract_without_login_is_skipped(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await save_profile(nctx, seed.fibra_1g.id, "fibra1g", 'Mikrotik-Rate-Limit := "1G/500M"')
    await _finalize(nctx, seed)
    job = _job(store)
    assert (job.status, job.reason) == (JobStatus.SKIPPED, JobReason.NO_LOGIN)


@pytest.mark.parametrize(
    "attributes",
    ["Mikrotik-Rate-Limit 300M", 'Rate := "a"b"', "", ":= 300M", 'X := "300M\nY"'],
)
async def test_invalid_attributes_are_refused_when_saved(
    fctx: ServiceContext, seed: Seed, store: FakeStore, attributes: str
) -> None:
    with pytest.raises(InvalidInput):
        await save_profile(fctx, seed.fibra_1g.id, "fibra1g", attributes)
    assert store.profiles == {}


async def test_bad_group_and_login_are_refused(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    with pytest.raises(InvalidInput):
        await save_profile(fctx, seed.fibra_1g.id, "fibra 1g", "Session-Timeout = 60")
    with pytest.raises(InvalidInput):
        await save_access(fctx, seed.pf_contract.number, 'maria"; drop')
    assert store.profiles == {} and store.access == {}


async def test_coa_ack_applies_with_the_time(
    nctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    await _provision(nctx, seed, store)
    await _finalize(nctx, seed)
    directory = FakeDirectory(sessions={"maria.pppoe": SESSION})
    coa = FakeCoa()

    assert await run_due_jobs(nctx, directory, coa, NetworkPolicy()) == 1

    job = _job(store)
    assert (job.status, job.outcome, job.applied_at) == (
        JobStatus.APPLIED,
        JobOutcome.COA,
        clock.now,
    )
    assert directory.members == {"maria.pppoe": "fibra1g"}
    assert coa.sent == [("coa", "bng-centro", "maria.pppoe")]


async def test_offline_login_gets_the_group_for_its_next_connection(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(nctx, seed, store)
    await _finalize(nctx, seed)
    coa = FakeCoa()
    await run_due_jobs(nctx, FakeDirectory(), coa, NetworkPolicy())
    assert (_job(store).status, _job(store).outcome) == (JobStatus.APPLIED, JobOutcome.NO_SESSION)
    assert coa.sent == []


async def test_nak_falls_back_to_disconnect(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(nctx, seed, store)
    await _finalize(nctx, seed)
    coa = FakeCoa(coa=Answer.NAK)
    await run_due_jobs(nctx, FakeDirectory(sessions={"maria.pppoe": SESSION}), coa, NetworkPolicy())
    assert _job(store).outcome is JobOutcome.DISCONNECTED
    assert [kind for kind, _, _ in coa.sent] == ["coa", "disconnect"]


async def test_nak_left_to_the_next_reconnect_when_configured(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(nctx, seed, store)
    await _finalize(nctx, seed)
    coa = FakeCoa(coa=Answer.NAK)
    policy = NetworkPolicy(on_nak=NakPolicy.LEAVE)
    await run_due_jobs(nctx, FakeDirectory(sessions={"maria.pppoe": SESSION}), coa, policy)
    assert _job(store).outcome is JobOutcome.ON_RECONNECT
    assert [kind for kind, _, _ in coa.sent] == ["coa"]


async def test_silent_nas_retries_with_backoff_then_fails_and_tells_the_owner(
    nctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    await _provision(nctx, seed, store)
    action_id = await _finalize(nctx, seed)
    directory = FakeDirectory(sessions={"maria.pppoe": SESSION})
    coa = FakeCoa(coa=Answer.TIMEOUT)
    policy = NetworkPolicy(max_attempts=3)

    await run_due_jobs(nctx, directory, coa, policy)
    job = _job(store)
    assert (job.status, job.reason, job.attempts) == (JobStatus.PENDING, JobReason.NO_ANSWER, 1)
    assert await run_due_jobs(nctx, directory, coa, policy) == 0  # not due yet
    for _ in range(2):
        clock.now = _job(store).next_attempt_at
        await run_due_jobs(nctx, directory, coa, policy)

    job = _job(store)
    assert (job.status, job.reason, job.attempts) == (JobStatus.FAILED, JobReason.NO_ANSWER, 3)
    assert store.kinds_for(seed.operator.telegram_id)[-1] == "network_failed"
    assert store.notifications_for(seed.operator.telegram_id)[-1].payload["action_id"] == action_id

    again = await retry_job(nctx, seed.operator.id, job.id)
    assert (again.status, again.attempts) == (JobStatus.PENDING, 0)
    coa.coa = Answer.ACK
    await run_due_jobs(nctx, directory, coa, policy)
    assert _job(store).status is JobStatus.APPLIED


async def test_database_down_waits_and_does_not_undo_the_finalize(
    nctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    await _provision(nctx, seed, store)
    await _finalize(nctx, seed)
    directory = FakeDirectory(down=True)
    await run_due_jobs(nctx, directory, FakeCoa(), NetworkPolicy(max_attempts=1))

    job = _job(store)
    assert (job.status, job.reason) == (JobStatus.PENDING, JobReason.DATABASE_DOWN)
    assert job.next_attempt_at > clock.now
    assert store.contracts[seed.pf_contract.id].plan_id == seed.fibra_1g.id
    directory.down = False
    clock.now = job.next_attempt_at
    await run_due_jobs(nctx, directory, FakeCoa(), NetworkPolicy())
    assert _job(store).status is JobStatus.APPLIED


async def test_session_on_an_unknown_nas_fails_with_the_reason(
    nctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    await _provision(nctx, seed, store)
    store.access[seed.pf_contract.id] = ContractAccess(seed.pf_contract.id, "maria.pppoe")
    await _finalize(nctx, seed)
    directory = FakeDirectory(sessions={"maria.pppoe": Session("10.9.9.9", None, None)})
    await run_due_jobs(nctx, directory, FakeCoa(), NetworkPolicy())
    assert (_job(store).status, _job(store).reason) == (JobStatus.FAILED, JobReason.NAS_UNKNOWN)
