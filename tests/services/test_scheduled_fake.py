"""Scheduled plan changes over the fake unit of work: finalize schedules, the job applies once
at 00:00 local of the effective date (or on the first run after it), and never over a contract
that changed meanwhile."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.errors import InvalidInput
from bot.domain.loyalty import Loyalty
from bot.domain.models import ActionStatus
from bot.domain.money import Money
from bot.services.context import ServiceContext
from bot.services.plan_update import cancel_action, create_plan_update, finalize_action
from bot.services.printouts import amendment_printout
from bot.services.scheduled import CONTRACT_CHANGED, Outcome, apply_due
from tests.services.changes import make_ready, pf_change, simple_change
from tests.services.fakes import FakeStore, Seed, fake_ctx
from tests.support.clock import FakeClock

EFFECTIVE = date(2026, 12, 1)  # the clock starts on 20/11/2026, 10:00 in São Paulo
MIDNIGHT_LOCAL = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 00:00 of 01/12 in São Paulo


async def schedule(fctx: ServiceContext, seed: Seed, *, loyalty: bool = False) -> int:
    """An action effective on 01/12, finalized on 20/11 by operator2 (created by operator);
    with ``loyalty`` a new 12-month term, accepted by the client and its ticket closed."""
    if loyalty:
        change = pf_change(seed, effective_on=EFFECTIVE)
    else:
        change = simple_change(seed, effective_on=EFFECTIVE)
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    if loyalty:
        await make_ready(fctx, seed, created)
    result = await finalize_action(fctx, seed.operator2.id, created.action.id)
    assert result.scheduled and not result.already
    return created.action.id


async def test_finalize_with_a_future_date_schedules_and_leaves_the_contract(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    action_id = await schedule(fctx, seed)
    action = store.actions[action_id]
    assert action.status is ActionStatus.SCHEDULED
    assert (action.finalized_by, action.finalized_at, action.applied_at) == (
        seed.operator2.id,
        clock.now,
        None,
    )
    assert store.contracts[seed.pf_contract.id] == seed.pf_contract
    assert store.revisions == {}
    again = await finalize_action(fctx, seed.operator.id, action_id)
    assert again.already and store.actions[action_id].status is ActionStatus.SCHEDULED


async def test_applied_at_local_midnight_of_the_effective_date_exactly_once(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    action_id = await schedule(fctx, seed, loyalty=True)
    clock.now = MIDNIGHT_LOCAL - timedelta(minutes=1)
    assert await apply_due(fctx) == []  # 23:59 of 30/11: not yet
    assert store.contracts[seed.pf_contract.id].version == 1

    clock.now = MIDNIGHT_LOCAL
    assert await apply_due(fctx) == [Outcome(action_id, applied=True)]
    assert await apply_due(fctx) == []  # a second run finds nothing to do

    contract = store.contracts[seed.pf_contract.id]
    assert (contract.version, contract.plan_id, contract.value) == (
        2,
        seed.fibra_1g.id,
        Money(19990),
    )
    assert contract.loyalty == Loyalty(
        seed.loyalty_12.id, 12, Money(2000), EFFECTIVE, date(2027, 12, 1)
    )
    action = store.actions[action_id]
    assert (action.status, action.applied_at) == (ActionStatus.FINALIZED, MIDNIGHT_LOCAL)
    [revision] = store.revisions_of(seed.pf_contract.id)
    assert (revision.action_id, revision.staff_id, revision.version) == (
        action_id,
        seed.operator2.id,
        2,
    )
    [told] = [n for n in store.notifications.values() if n.kind == "scheduled_applied"]
    assert told.chat_id == seed.operator.telegram_id


async def test_a_bot_off_at_midnight_catches_up_with_the_effective_date_kept(
    clock: FakeClock, seed: Seed, store: FakeStore
) -> None:
    before = fake_ctx(clock, store)
    action_id = await schedule(before, seed, loyalty=True)
    clock.now = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)  # back two days later: a new process
    after_restart = fake_ctx(clock, store)

    assert await apply_due(after_restart) == [Outcome(action_id, applied=True)]
    contract = store.contracts[seed.pf_contract.id]
    assert contract.loyalty.start == EFFECTIVE  # not the day it was applied
    assert store.actions[action_id].applied_at == clock.now


async def test_a_contract_changed_meanwhile_is_not_overwritten(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    action_id = await schedule(fctx, seed)
    changed = replace(store.contracts[seed.pf_contract.id], version=2, value=Money(5000))
    store.contracts[seed.pf_contract.id] = changed  # e.g. an import updated it
    clock.now = MIDNIGHT_LOCAL

    assert await apply_due(fctx) == [Outcome(action_id, applied=False, failure=CONTRACT_CHANGED)]
    assert store.contracts[seed.pf_contract.id] == changed
    action = store.actions[action_id]
    assert (action.status, action.apply_failure) == (ActionStatus.CANCELLED, CONTRACT_CHANGED)
    [told] = [n for n in store.notifications.values() if n.kind == "scheduled_failed"]
    assert told.chat_id == seed.operator.telegram_id


async def test_cancel_before_the_date_keeps_the_contract_and_frees_it(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    action_id = await schedule(fctx, seed)
    cancelled = await cancel_action(fctx, seed.operator.id, action_id, "cliente desistiu")
    assert cancelled.action.status is ActionStatus.CANCELLED
    assert cancelled.action.cancel_reason == "cliente desistiu"
    clock.now = MIDNIGHT_LOCAL
    assert await apply_due(fctx) == []
    assert store.contracts[seed.pf_contract.id] == seed.pf_contract
    fresh = await create_plan_update(
        fctx, seed.operator.id, seed.pf_contract.id, simple_change(seed)
    )
    assert not fresh.existing


async def test_no_other_action_starts_while_one_is_scheduled(
    fctx: ServiceContext, seed: Seed
) -> None:
    action_id = await schedule(fctx, seed)
    again = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, pf_change(seed))
    assert again.existing and again.action.id == action_id


@pytest.mark.parametrize("effective", [date(2026, 11, 19), date(2027, 2, 19)])
async def test_an_effective_date_out_of_range_is_refused(
    fctx: ServiceContext, seed: Seed, store: FakeStore, effective: date
) -> None:
    change = simple_change(seed, effective_on=effective)
    with pytest.raises(InvalidInput):
        await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    assert store.actions == {}


async def test_today_as_effective_date_applies_on_finalize(
    fctx: ServiceContext, seed: Seed, store: FakeStore
) -> None:
    change = simple_change(seed, effective_on=date(2026, 11, 20))
    created = await create_plan_update(fctx, seed.operator.id, seed.pf_contract.id, change)
    result = await finalize_action(fctx, seed.operator.id, created.action.id)
    assert result.action.status is ActionStatus.FINALIZED and not result.scheduled
    assert store.contracts[seed.pf_contract.id].version == 2


async def test_the_amendment_of_an_applied_change_starts_on_its_effective_date(
    fctx: ServiceContext, seed: Seed, clock: FakeClock
) -> None:
    action_id = await schedule(fctx, seed)
    clock.now = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # applied three days late
    await apply_due(fctx)
    doc = await amendment_printout(fctx, action_id)
    assert doc.effective_on == EFFECTIVE
    invoice = doc.first_invoice
    assert invoice is not None
    # due day 10: cycle 10/11–10/12, 21 days at R$ 99,90 and 9 at R$ 199,90
    assert (invoice.cycle_start, invoice.cycle_end) == (date(2026, 11, 10), date(2026, 12, 10))
    assert (invoice.days_old, invoice.days_new) == (21, 9)
    assert (invoice.old_part, invoice.new_part, invoice.total) == (
        Money(6993),
        Money(5997),
        Money(12990),
    )


async def test_the_network_change_waits_for_the_effective_date(
    fctx: ServiceContext, seed: Seed, store: FakeStore, clock: FakeClock
) -> None:
    """With RADIUS on, the client's speed changes when the plan does: nothing is queued when
    the change is scheduled, the job is queued by the application at midnight."""
    nctx = replace(fctx, network_enabled=True)
    action_id = await schedule(nctx, seed)
    assert store.network_jobs == {}

    clock.now = MIDNIGHT_LOCAL
    assert await apply_due(nctx) == [Outcome(action_id, applied=True)]
    [job] = store.network_jobs.values()
    assert (job.action_id, job.contract_id) == (action_id, seed.pf_contract.id)
