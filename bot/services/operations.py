"""Figures about the work in progress, for monitoring: pending actions by what blocks them."""

from __future__ import annotations

from collections import Counter

from bot.domain.models import ActionStatus
from bot.services.context import ServiceContext
from bot.services.overview import every_row
from bot.services.overview_ports import ActionQuery

READY = "ready"


async def pending_by_blocker(ctx: ServiceContext) -> dict[str, int]:
    """``{blocker: count}`` over every pending action, computed by the same
    :func:`~bot.domain.gates.finalize_blockers` the card and the finalize button use (through
    the overview's batch loader: a fixed number of queries per 500 actions, not per action);
    an action with nothing in the way counts as ``ready``, one with two blockers under both."""
    counts: Counter[str] = Counter()
    async with ctx.uow() as uow:
        query = ActionQuery(statuses=(ActionStatus.PENDING,))
        async for rows in every_row(uow, query, now=ctx.now()):
            for row in rows:
                counts.update([b.value for b in row.blockers] or [READY])
    return dict(counts)
