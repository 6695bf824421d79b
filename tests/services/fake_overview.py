"""In-memory :class:`bot.services.overview_ports.OverviewRepo` over a ``FakeStore``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.domain.models import AcceptanceRequest, Contract, ContractAction, Ticket
from bot.services.overview_ports import ActionQuery

if TYPE_CHECKING:
    from tests.services.fakes import FakeStore


class FakeOverviewRepo:
    def __init__(self, uow: Any) -> None:
        self._uow = uow

    @property
    def db(self) -> FakeStore:
        return self._uow.work  # type: ignore[no-any-return]

    async def open_actions(
        self, query: ActionQuery, *, offset: int, limit: int
    ) -> tuple[list[ContractAction], int]:
        rows = [
            a
            for a in self.db.actions.values()
            if a.status in query.statuses
            and query.owner in (None, a.created_by)
            and (query.created_before is None or a.created_at < query.created_before)
        ]
        rows.sort(key=lambda a: (a.created_by != query.first_for, a.created_at, a.id))
        return rows[offset : offset + limit], len(rows)

    async def contracts(self, ids: Sequence[int]) -> dict[int, Contract]:
        return {i: self.db.contracts[i] for i in ids if i in self.db.contracts}

    async def acceptances(self, action_ids: Sequence[int]) -> dict[int, list[AcceptanceRequest]]:
        out: dict[int, list[AcceptanceRequest]] = {}
        for request in sorted(self.db.acceptances.values(), key=lambda r: r.id):
            if request.action_id in action_ids:
                out.setdefault(request.action_id, []).append(request)
        return out

    async def tickets(self, action_ids: Sequence[int]) -> dict[int, Ticket]:
        out: dict[int, Ticket] = {}
        for ticket in sorted(self.db.tickets.values(), key=lambda t: t.id):
            if ticket.action_id is not None and ticket.action_id in action_ids:
                out[ticket.action_id] = ticket
        return out

    async def open_tickets(self, created_before: datetime) -> list[Ticket]:
        rows = [t for t in self.db.tickets.values() if t.is_open and t.created_at < created_before]
        return sorted(rows, key=lambda t: (t.created_at, t.id))

    async def claim_digest_day(self, day: date, now: datetime) -> bool:
        if day.isoformat() in self.db.digest_days:
            return False
        self.db.digest_days[day.isoformat()] = now
        return True
