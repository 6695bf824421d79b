"""Key/value JSON rows for the bot's conversation persistence (states and wizard drafts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import orm


class BotStateStore:
    """Small, self-contained transactions: each call commits on its own."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, namespace: str) -> dict[str, dict[str, Any]]:
        async with self._sessions() as s:
            rows = await s.scalars(
                select(orm.BotStateRow).where(orm.BotStateRow.namespace == namespace)
            )
            return {r.key: r.data for r in rows}

    async def load_one(self, namespace: str, key: str) -> dict[str, Any] | None:
        async with self._sessions() as s:
            row = await s.get(orm.BotStateRow, (namespace, key))
            return row.data if row else None

    async def save(
        self, namespace: str, key: str, data: dict[str, Any] | None, now: datetime
    ) -> None:
        """Upsert a row; ``None`` deletes it."""
        async with self._sessions() as s, s.begin():
            if data is None:
                await s.execute(
                    delete(orm.BotStateRow).where(
                        orm.BotStateRow.namespace == namespace, orm.BotStateRow.key == key
                    )
                )
                return
            row = await s.get(orm.BotStateRow, (namespace, key))
            if row is None:
                s.add(orm.BotStateRow(namespace=namespace, key=key, data=data, updated_at=now))
            else:
                row.data = data
                row.updated_at = now
