"""The notification outbox: rows the dispatcher claims, sends, retries, skips or fails."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from bot.domain.models import Notification, NotificationStatus
from storage import mappers, orm
from storage.repositories.base import _Repo


class SqlNotificationRepo(_Repo):
    async def add(
        self, *, chat_id: int, kind: str, payload: dict[str, Any], now: datetime
    ) -> Notification:
        row = orm.NotificationRow(
            chat_id=chat_id,
            kind=kind,
            payload=payload,
            status=NotificationStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        return mappers.notification(row)

    async def due(self, now: datetime, limit: int) -> list[Notification]:
        rows = await self.s.scalars(
            select(orm.NotificationRow)
            .where(
                orm.NotificationRow.status == NotificationStatus.PENDING.value,
                orm.NotificationRow.next_attempt_at <= now,
            )
            .order_by(orm.NotificationRow.next_attempt_at, orm.NotificationRow.id)
            .limit(limit)
        )
        return [mappers.notification(r) for r in rows]

    async def mark_sent(self, notification_id: int, now: datetime) -> None:
        await self.s.execute(
            update(orm.NotificationRow)
            .where(orm.NotificationRow.id == notification_id)
            .values(
                status=NotificationStatus.SENT.value,
                sent_at=now,
                attempts=orm.NotificationRow.attempts + 1,
            )
        )

    async def mark_retry(
        self, notification_id: int, *, next_attempt_at: datetime, error: str, attempt: bool = True
    ) -> None:
        await self.s.execute(
            update(orm.NotificationRow)
            .where(orm.NotificationRow.id == notification_id)
            .values(
                next_attempt_at=next_attempt_at,
                last_error=error[:1000],
                attempts=orm.NotificationRow.attempts + (1 if attempt else 0),
            )
        )

    async def mark_failed(self, notification_id: int, *, error: str) -> None:
        await self.s.execute(
            update(orm.NotificationRow)
            .where(
                orm.NotificationRow.id == notification_id,
                orm.NotificationRow.status != NotificationStatus.SKIPPED.value,
            )
            .values(
                status=NotificationStatus.FAILED.value,
                last_error=error[:1000],
                attempts=orm.NotificationRow.attempts + 1,
            )
        )

    async def mark_skipped(self, notification_id: int, *, reason: str) -> None:
        await self.s.execute(
            update(orm.NotificationRow)
            .where(
                orm.NotificationRow.id == notification_id,
                orm.NotificationRow.status == NotificationStatus.PENDING.value,
            )
            .values(status=NotificationStatus.SKIPPED.value, last_error=reason[:1000])
        )

    async def for_chat(self, chat_id: int, kind: str) -> list[Notification]:
        rows = await self.s.scalars(
            select(orm.NotificationRow)
            .where(orm.NotificationRow.chat_id == chat_id, orm.NotificationRow.kind == kind)
            .order_by(orm.NotificationRow.id)
        )
        return [mappers.notification(r) for r in rows]

    async def claim(self, notification_id: int, *, now: datetime, lease_until: datetime) -> bool:
        result = await self.s.execute(
            update(orm.NotificationRow)
            .where(
                orm.NotificationRow.id == notification_id,
                orm.NotificationRow.status == NotificationStatus.PENDING.value,
                orm.NotificationRow.next_attempt_at <= now,
            )
            .values(next_attempt_at=lease_until)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def all(self) -> list[Notification]:
        rows = await self.s.scalars(select(orm.NotificationRow).order_by(orm.NotificationRow.id))
        return [mappers.notification(r) for r in rows]
