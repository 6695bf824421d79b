"""Aggregates for ``/metrics`` read straight from the tables (one query each, no rows loaded):
the outbox queue and acceptance requests by channel and outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain.models import NotificationStatus
from storage import orm


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_age_seconds: float  # 0 when nothing waits


async def outbox_stats(sessions: async_sessionmaker[AsyncSession], now: datetime) -> OutboxStats:
    row = orm.NotificationRow
    async with sessions() as session:
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(row.created_at)).where(
                    row.status == NotificationStatus.PENDING.value
                )
            )
        ).one()
    if not count or oldest is None:
        return OutboxStats(0, 0.0)
    return OutboxStats(int(count), max((now - oldest).total_seconds(), 0.0))


async def acceptance_counts(
    sessions: async_sessionmaker[AsyncSession],
) -> dict[tuple[str, str], int]:
    """``{(channel, status): count}`` over every acceptance request."""
    row = orm.AcceptanceRequestRow
    async with sessions() as session:
        result = await session.execute(
            select(row.channel, row.status, func.count()).group_by(row.channel, row.status)
        )
        return {(channel, status): int(n) for channel, status, n in result.all()}
