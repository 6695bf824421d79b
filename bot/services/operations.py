"""Figures about the work in progress, for monitoring: pending actions by what blocks them."""

from __future__ import annotations

from collections import Counter

from bot.domain.gates import finalize_blockers, last_answer
from bot.services.context import ServiceContext

READY = "ready"
_BATCH = 500


async def pending_by_blocker(ctx: ServiceContext) -> dict[str, int]:
    """``{blocker: count}`` over every pending action, computed by the same
    :func:`~bot.domain.gates.finalize_blockers` the card and the finalize button use; an
    action with nothing in the way counts as ``ready``, one with two blockers under both."""
    counts: Counter[str] = Counter()
    async with ctx.uow() as uow:
        offset = 0
        while True:
            actions, total = await uow.actions.list_pending(
                created_by=None, first_for=None, offset=offset, limit=_BATCH
            )
            for action in actions:
                contract = await uow.contracts.get(action.contract_id)
                if contract is None:
                    continue
                requests = await uow.acceptances.for_action(action.id)
                blockers = finalize_blockers(
                    action,
                    contract,
                    await uow.acceptances.latest_for_action(action.id),
                    await uow.tickets.for_action(action.id),
                    answer=last_answer(requests),
                    approval=await uow.approvals.for_action(action.id),
                )
                counts.update([b.value for b in blockers] or [READY])
            offset += len(actions)
            if not actions or offset >= total:
                break
    return dict(counts)
