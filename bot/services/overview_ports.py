"""What the team overview and the daily digest need from storage, by batch.

A list of open actions shows each one's contract, client, acceptance and ticket. Read one by
one that is four queries a row; these reads take the ids of a whole page (or of every open
action, for ``/metrics`` and the digest) and answer in one query each, so the cost of a list
does not grow with its length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.models import (
    AcceptanceRequest,
    ActionStatus,
    Contract,
    ContractAction,
    Ticket,
)


@dataclass(frozen=True)
class ActionQuery:
    """Which open actions to list: ``statuses`` (pending and/or scheduled), only ``owner``'s
    when set, only those created before ``created_before`` when set; ``first_for``'s own
    first, then oldest first."""

    statuses: tuple[ActionStatus, ...] = (ActionStatus.PENDING, ActionStatus.SCHEDULED)
    owner: int | None = None
    created_before: datetime | None = None
    first_for: int | None = None


class OverviewRepo(Protocol):
    async def open_actions(
        self, query: ActionQuery, *, offset: int, limit: int
    ) -> tuple[list[ContractAction], int]:
        """One page of the actions ``query`` selects, and how many it selects in all."""
        ...

    async def contracts(self, ids: Sequence[int]) -> dict[int, Contract]: ...
    async def acceptances(self, action_ids: Sequence[int]) -> dict[int, list[AcceptanceRequest]]:
        """Every acceptance request of each action, oldest first (absent: none)."""
        ...

    async def tickets(self, action_ids: Sequence[int]) -> dict[int, Ticket]:
        """Each action's latest ticket, without its notes (absent: none)."""
        ...

    async def open_tickets(self, created_before: datetime) -> list[Ticket]:
        """Tickets still open (or in progress) that were opened before ``created_before``."""
        ...

    async def claim_digest_day(self, day: date, now: datetime) -> bool:
        """Record that the digest of ``day`` went into the outbox; False when it already had
        (this or another process, now or before a restart). Part of the caller's transaction."""
        ...
