"""Support tickets and their notes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, update

from bot.domain.models import Priority, Ticket, TicketNote, TicketStatus
from bot.domain.safe_text import strip_bidi
from storage import mappers, orm
from storage.repositories.base import _Repo


class SqlTicketRepo(_Repo):
    async def add(
        self,
        *,
        client_id: int,
        contract_id: int,
        action_id: int | None,
        type_id: int,
        department_id: int,
        assignee_id: int | None,
        priority: Priority,
        description: str,
        now: datetime,
    ) -> Ticket:
        row = orm.TicketRow(
            client_id=client_id,
            contract_id=contract_id,
            action_id=action_id,
            type_id=type_id,
            department_id=department_id,
            assignee_id=assignee_id,
            priority=priority.value,
            description=strip_bidi(description),
            status=TicketStatus.OPEN.value,
            created_at=now,
        )
        self.s.add(row)
        await self.s.flush()
        return mappers.ticket(row)

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.s.get(orm.TicketRow, ticket_id, populate_existing=True)
        if row is None:
            return None
        notes = await self.s.scalars(
            select(orm.TicketNoteRow)
            .where(orm.TicketNoteRow.ticket_id == ticket_id)
            .order_by(orm.TicketNoteRow.id)
        )
        return mappers.ticket(
            row, tuple(TicketNote(n.author_id, strip_bidi(n.text), n.created_at) for n in notes)
        )

    async def for_action(self, action_id: int) -> Ticket | None:
        ticket_id = await self.s.scalar(
            select(orm.TicketRow.id)
            .where(orm.TicketRow.action_id == action_id)
            .order_by(orm.TicketRow.id.desc())
            .limit(1)
        )
        return await self.get(ticket_id) if ticket_id is not None else None

    async def transition(
        self,
        ticket_id: int,
        *,
        from_statuses: Sequence[TicketStatus],
        to: TicketStatus,
        now: datetime,
        fields: dict[str, Any] | None = None,
    ) -> bool:
        values = {k: strip_bidi(v) if isinstance(v, str) else v for k, v in (fields or {}).items()}
        values["status"] = to.value
        result = await self.s.execute(
            update(orm.TicketRow)
            .where(
                orm.TicketRow.id == ticket_id,
                orm.TicketRow.status.in_([s.value for s in from_statuses]),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def assign(self, ticket_id: int, assignee_id: int, *, only_if_unassigned: bool) -> bool:
        stmt = update(orm.TicketRow).where(orm.TicketRow.id == ticket_id)
        if only_if_unassigned:
            stmt = stmt.where(orm.TicketRow.assignee_id.is_(None))
        result = await self.s.execute(
            stmt.values(assignee_id=assignee_id).execution_options(synchronize_session=False)
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    async def add_note(
        self, ticket_id: int, author_id: int | None, text: str, now: datetime
    ) -> None:
        self.s.add(
            orm.TicketNoteRow(
                ticket_id=ticket_id, author_id=author_id, text=strip_bidi(text), created_at=now
            )
        )
        await self.s.flush()

    async def list_open(
        self, *, assignee_id: int | None, unassigned: bool = False, offset: int, limit: int
    ) -> tuple[list[Ticket], int]:
        where: list[Any] = [
            orm.TicketRow.status.in_([TicketStatus.OPEN.value, TicketStatus.IN_PROGRESS.value])
        ]
        if unassigned:
            where.append(orm.TicketRow.assignee_id.is_(None))
        elif assignee_id is not None:
            where.append(orm.TicketRow.assignee_id == assignee_id)
        total = (
            await self.s.scalar(select(func.count()).select_from(orm.TicketRow).where(*where)) or 0
        )
        rank = case({p.value: p.rank for p in Priority}, value=orm.TicketRow.priority, else_=9)
        rows = await self.s.scalars(
            select(orm.TicketRow)
            .where(*where)
            .order_by(rank, orm.TicketRow.created_at, orm.TicketRow.id)
            .offset(offset)
            .limit(limit)
        )
        return [mappers.ticket(r) for r in rows], total
