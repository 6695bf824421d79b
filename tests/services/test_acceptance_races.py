"""A new acceptance link must never outlive its action: "Reenviar aceite" racing finalize (and
a link opened after the action closed) on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import update

from bot.domain.models import AcceptanceChannel, AcceptanceStatus, ActionStatus
from bot.domain.tokens import hash_token
from bot.services.acceptance import (
    AcceptanceUnavailable,
    decide_by_token,
    expire_overdue,
    open_by_token,
    resend_acceptance,
)
from bot.services.context import ServiceContext
from bot.services.plan_update import cancel_action, create_plan_update, finalize_action
from storage import orm
from storage.uow import SqlUnitOfWork
from tests.services.changes import DOC_HASH, TG_EVIDENCE
from tests.support.builders import World, plan_change, world
from tests.support.clock import FakeClock

ROUNDS = 20


async def _optional_acceptance_expired(ctx: ServiceContext, clock: FakeClock, w: World) -> int:
    """A pending action whose optional Telegram acceptance has expired: finalize may go ahead."""
    async with ctx.uow() as uow:
        contract = await uow.contracts.get(w.contract.id)
    assert contract is not None
    change = await plan_change(
        ctx,
        contract,
        channel=AcceptanceChannel.TELEGRAM,
        require_acceptance=False,
        with_ticket=False,
        require_ticket_closed=False,
        loyalty_months=None,
    )
    created = await create_plan_update(ctx, w.operator.id, contract.id, change)
    clock.advance(days=8)
    await expire_overdue(ctx)
    async with ctx.uow() as uow:
        request = await uow.acceptances.latest_for_action(created.action.id)
    assert request is not None and request.status is AcceptanceStatus.EXPIRED
    return created.action.id


async def _live_link_left(ctx: ServiceContext, w: World, action_id: int, token: str) -> str | None:
    """What is wrong after the race, or None: a closed action's link must show and record
    nothing and tell no one."""
    async with ctx.uow() as uow:
        action = await uow.actions.get(action_id)
        before = len(await uow.notifications.all())
    assert action is not None and action.status is ActionStatus.FINALIZED  # optional acceptance
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token))
    assert request is not None
    if request.status is AcceptanceStatus.PENDING:
        return "a pending request stays behind a finalized action"
    try:
        await open_by_token(ctx, token)
        return "the link of a finalized action still opens"
    except AcceptanceUnavailable:
        pass
    try:
        await decide_by_token(
            ctx, token, accept=True, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
        )
        return "the link of a finalized action recorded an acceptance"
    except AcceptanceUnavailable:
        pass
    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token))
        after = await uow.notifications.all()
    assert request is not None and request.status is AcceptanceStatus.CANCELLED
    if len(after) != before:
        return f"opening a dead link queued {[n.kind for n in after[before:]]}"
    return None


async def test_resend_racing_finalize_leaves_no_live_link(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    w = await world(ctx)
    problems: list[str] = []
    for _ in range(ROUNDS):
        action_id = await _optional_acceptance_expired(ctx, clock, w)
        resent, finalized = await asyncio.gather(
            resend_acceptance(ctx, w.operator.id, action_id),
            finalize_action(ctx, w.operator2.id, action_id),
            return_exceptions=True,
        )
        assert not isinstance(finalized, BaseException), finalized
        if isinstance(resent, AcceptanceUnavailable):
            assert resent.key == "acceptance.not_pending"
            continue
        assert not isinstance(resent, BaseException), resent
        _, token = resent
        assert token is not None
        problem = await _live_link_left(ctx, w, action_id, token)
        if problem:
            problems.append(problem)
    assert not problems, f"{len(problems)}/{ROUNDS} races: {sorted(set(problems))}"


async def test_link_of_a_cancelled_action_reveals_nothing(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    """A pending request whose action was closed behind its back (as lost races left them
    before finalize and cancel took the action's requests with them) is refused by the page and
    the chat, records nothing and is not announced as expired."""
    w = await world(ctx)
    action_id = await _optional_acceptance_expired(ctx, clock, w)
    _, token = await resend_acceptance(ctx, w.operator.id, action_id)
    assert token is not None
    async with ctx.uow() as uow:  # the row as an older version left it: only the action closed
        assert isinstance(uow, SqlUnitOfWork)
        await uow.session.execute(
            update(orm.ContractActionRow)
            .where(orm.ContractActionRow.id == action_id)
            .values(status=ActionStatus.FINALIZED.value)
        )
        await uow.commit()
        before = len(await uow.notifications.all())

    with pytest.raises(AcceptanceUnavailable) as err:
        await open_by_token(ctx, token)
    assert err.value.key == "acceptance.not_pending"
    with pytest.raises(AcceptanceUnavailable):
        await decide_by_token(
            ctx, token, accept=True, evidence=TG_EVIDENCE, document_sha256=DOC_HASH
        )
    clock.advance(days=8)
    await expire_overdue(ctx)

    async with ctx.uow() as uow:
        request = await uow.acceptances.by_token_hash(hash_token(token))
        after = await uow.notifications.all()
    assert request is not None and request.status is AcceptanceStatus.CANCELLED
    assert request.evidence.telegram_user_id is None
    assert [n.kind for n in after[before:]] == []


async def test_resend_after_cancel_is_refused(ctx: ServiceContext, clock: FakeClock) -> None:
    w = await world(ctx)
    action_id = await _optional_acceptance_expired(ctx, clock, w)
    await cancel_action(ctx, w.operator.id, action_id, "cliente desistiu")
    with pytest.raises(AcceptanceUnavailable) as err:
        await resend_acceptance(ctx, w.operator.id, action_id)
    assert err.value.key == "acceptance.not_pending"
