"""Open actions as the team overview shows them, loaded in a fixed number of queries.

``/pendentes``, the daily digest and ``/metrics`` all need, for many actions at once, what
stops each one (the same :func:`~bot.domain.gates.finalize_blockers` the card and the
Finalizar button use), its contract, client and owner. :func:`load_rows` reads them by batch
(see :mod:`bot.services.overview_ports`): eight statements for a page of one or of a thousand.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from bot.domain.approval import Approval
from bot.domain.gates import Blocker, BlockerGroup, finalize_blockers, last_answer
from bot.domain.models import AcceptanceRequest, ActionStatus, ContractAction, Staff, Ticket
from bot.domain.overview import Age, age_of, blocker_groups
from bot.services.overview_ports import ActionQuery
from bot.services.ports import UnitOfWork

BATCH = 500  # actions read per round when every open action is needed


@dataclass(frozen=True)
class OverviewRow:
    """One open action as a list row shows it."""

    action: ContractAction
    contract_number: str
    client_name: str
    owner_name: str  # first name
    mine: bool
    blockers: list[Blocker]  # empty for a scheduled action (nothing left to finalize)
    age: Age
    acceptance: AcceptanceRequest | None  # the latest request
    ticket: Ticket | None
    approval: Approval | None = None  # the discount approval, when the value needed one

    @property
    def groups(self) -> list[BlockerGroup]:
        return blocker_groups(self.blockers)

    @property
    def scheduled_on(self) -> date | None:
        if self.action.status is not ActionStatus.SCHEDULED:
            return None
        return self.action.change.effective_on

    @property
    def ready(self) -> bool:
        return self.action.status is ActionStatus.PENDING and not self.blockers


def first_name(staff: Staff | None) -> str:
    return staff.name.split()[0] if staff and staff.name.strip() else "?"


async def load_rows(
    uow: UnitOfWork, actions: Sequence[ContractAction], *, me: int | None, now: datetime
) -> list[OverviewRow]:
    """``actions`` as rows, in the same order; an action whose contract is gone is left out."""
    ids = [a.id for a in actions]
    contracts = await uow.overview.contracts([a.contract_id for a in actions])
    clients = await uow.clients.by_ids([c.client_id for c in contracts.values()])
    requests = await uow.overview.acceptances(ids)
    tickets = await uow.overview.tickets(ids)
    approvals = await uow.approvals.for_actions(ids)
    staff = {s.id: s for s in await uow.staff.list()} if actions else {}
    rows = []
    for action in actions:
        contract = contracts.get(action.contract_id)
        if contract is None:
            continue
        client = clients.get(contract.client_id)
        asked = requests.get(action.id, [])
        latest = asked[-1] if asked else None
        ticket = tickets.get(action.id)
        blockers = (
            finalize_blockers(
                action,
                contract,
                latest,
                ticket,
                answer=last_answer(asked),
                approval=approvals.get(action.id),
            )
            if action.status is ActionStatus.PENDING
            else []
        )
        rows.append(
            OverviewRow(
                action=action,
                contract_number=contract.number,
                client_name=client.name if client else "?",
                owner_name=first_name(staff.get(action.created_by)),
                mine=action.created_by == me,
                blockers=blockers,
                age=age_of(action.created_at, now),
                acceptance=latest,
                ticket=ticket,
                approval=approvals.get(action.id),
            )
        )
    return rows


async def every_row(
    uow: UnitOfWork, query: ActionQuery, *, now: datetime
) -> AsyncIterator[list[OverviewRow]]:
    """Every action ``query`` selects, :data:`BATCH` at a time (for ``/metrics`` and the
    digest, which look at all of them)."""
    offset = 0
    while True:
        actions, total = await uow.overview.open_actions(query, offset=offset, limit=BATCH)
        if actions:
            yield await load_rows(uow, actions, me=None, now=now)
        offset += len(actions)
        if not actions or offset >= total:
            return
