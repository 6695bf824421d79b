"""Key/value JSON rows for the bot's conversation persistence (states and wizard drafts)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage import orm

StateKey = tuple[str, str]  # (namespace, key)


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

    async def save_many(
        self, changes: Mapping[StateKey, dict[str, Any] | None], now: datetime
    ) -> None:
        """Upsert the rows with data and delete the ``None`` ones, in one transaction of at
        most two statements (one upsert for all rows, one delete)."""
        upserts = [
            {"namespace": ns, "key": key, "data": data, "updated_at": now}
            for (ns, key), data in changes.items()
            if data is not None
        ]
        deletes = [(ns, key) for (ns, key), data in changes.items() if data is None]
        async with self._sessions() as s, s.begin():
            if upserts:
                insert = insert_for(s)
                stmt = insert(orm.BotStateRow).values(upserts)
                await s.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["namespace", "key"],
                        set_={"data": stmt.excluded.data, "updated_at": stmt.excluded.updated_at},
                    )
                )
            if deletes:
                pair = tuple_(orm.BotStateRow.namespace, orm.BotStateRow.key)
                await s.execute(delete(orm.BotStateRow).where(pair.in_(deletes)))


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT DO UPDATE`` (both dialects spell it so)."""
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert
