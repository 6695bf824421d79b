"""SQL side of :class:`bot.services.overview_ports.OverviewRepo`: batch reads by ids (one
statement each, whatever the number of ids) and the digest's once-a-day mark."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.models import AcceptanceRequest, Contract, ContractAction, Ticket
from bot.domain.models import TicketStatus as TS
from bot.services.overview_ports import ActionQuery
from storage import mappers, orm
from storage.bot_state import insert_for
from storage.repositories import SqlContractRepo

DIGEST_NAMESPACE = "digest"


class SqlOverviewRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.s = session

    async def open_actions(
        self, query: ActionQuery, *, offset: int, limit: int
    ) -> tuple[list[ContractAction], int]:
        row = orm.ContractActionRow
        where: list[Any] = [row.status.in_([s.value for s in query.statuses])]
        if query.owner is not None:
            where.append(row.created_by == query.owner)
        if query.created_before is not None:
            where.append(row.created_at < query.created_before)
        total = await self.s.scalar(select(func.count()).select_from(row).where(*where)) or 0
        order: list[Any] = []
        if query.first_for is not None:
            order.append(case((row.created_by == query.first_for, 0), else_=1))
        order += [row.created_at, row.id]
        rows = await self.s.scalars(
            select(row).where(*where).order_by(*order).offset(offset).limit(limit)
        )
        return [mappers.action(r) for r in rows], int(total)

    async def contracts(self, ids: Sequence[int]) -> dict[int, Contract]:
        if not ids:
            return {}
        rows = list(
            await self.s.scalars(
                select(orm.ContractRow)
                .where(orm.ContractRow.id.in_(set(ids)))
                .execution_options(populate_existing=True)
            )
        )
        shares = await SqlContractRepo(self.s).shares([r.id for r in rows])
        return {r.id: mappers.contract(r, shares.get(r.id, ())) for r in rows}

    async def acceptances(self, action_ids: Sequence[int]) -> dict[int, list[AcceptanceRequest]]:
        out: dict[int, list[AcceptanceRequest]] = {}
        if not action_ids:
            return out
        row = orm.AcceptanceRequestRow
        rows = await self.s.scalars(
            select(row)
            .where(row.action_id.in_(set(action_ids)))
            .order_by(row.id)
            .execution_options(populate_existing=True)
        )
        for r in rows:
            out.setdefault(r.action_id, []).append(mappers.acceptance(r))
        return out

    async def tickets(self, action_ids: Sequence[int]) -> dict[int, Ticket]:
        if not action_ids:
            return {}
        row = orm.TicketRow
        rows = await self.s.scalars(
            select(row)
            .where(row.action_id.in_(set(action_ids)))
            .order_by(row.id)
            .execution_options(populate_existing=True)
        )
        return {r.action_id: mappers.ticket(r) for r in rows if r.action_id is not None}

    async def open_tickets(self, created_before: datetime) -> list[Ticket]:
        row = orm.TicketRow
        rows = await self.s.scalars(
            select(row)
            .where(
                row.status.in_([TS.OPEN.value, TS.IN_PROGRESS.value]),
                row.created_at < created_before,
            )
            .order_by(row.created_at, row.id)
        )
        return [mappers.ticket(r) for r in rows]

    async def claim_digest_day(self, day: date, now: datetime) -> bool:
        """A ``bot_state`` row keyed by the day: the primary key lets one insert win, also
        between two processes (the loser's insert does nothing and it sends nothing)."""
        stmt = (
            insert_for(self.s)(orm.BotStateRow)
            .values(
                namespace=DIGEST_NAMESPACE,
                key=day.isoformat(),
                data={"queued_at": now.isoformat()},
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["namespace", "key"])
        )
        result = await self.s.execute(stmt)
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]
