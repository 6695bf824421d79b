"""The daily digest: what needs someone's attention today, once a day, through the outbox.

At ``DIGEST_TIME`` (local time where the provider is) the active instance queues one message
for the staff group (everything) and one for each owner of pending actions (their own items):
actions ready to finalize, actions stuck for more than ``stale_days`` days, acceptance links
expiring in the next 24 hours, tickets open for more than a day; each admin also gets the
discounts waiting for their approval. Someone with nothing to report gets nothing.

Once a day: the day is claimed (:meth:`~bot.services.overview_ports.OverviewRepo.claim_digest_day`)
in the same transaction that queues the messages, so a restart, a second instance or a second
run of the job the same day finds the claim and queues nothing; a crash before the commit
leaves neither the claim nor the messages, and the next run does both. Delivery (and its
retries) is the outbox's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.domain.approval import may_decide
from bot.domain.models import AcceptanceStatus, ActionStatus, Role, Ticket
from bot.domain.overview import DEFAULT_STALE_DAYS
from bot.services.context import ServiceContext
from bot.services.outbox import notify_staff
from bot.services.overview import OverviewRow, every_row, first_name
from bot.services.overview_ports import ActionQuery
from bot.services.ports import UnitOfWork

KIND = "digest"
EXPIRING_WITHIN = timedelta(hours=24)
TICKET_OPEN_FOR = timedelta(days=1)


@dataclass(frozen=True)
class DigestPolicy:
    at: time | None  # local time; None: no digest
    stale_days: int = DEFAULT_STALE_DAYS
    group_chat_id: int | None = None


@dataclass(frozen=True)
class Item:
    """One line of the digest (an action, or a ticket when ``ticket_id`` is set)."""

    action_id: int | None
    number: str
    client: str
    who: str  # the action's owner, or the ticket's technician (first names)
    days: int = 0  # how long it has been waiting, in whole days
    groups: list[str] = field(default_factory=list)  # what blocks a stuck action
    expires_at: str | None = None  # ISO, for an expiring acceptance link
    ticket_id: int | None = None


@dataclass
class Digest:
    ready: list[Item] = field(default_factory=list)
    approvals: list[Item] = field(default_factory=list)  # discounts waiting for a supervisor
    stuck: list[Item] = field(default_factory=list)
    expiring: list[Item] = field(default_factory=list)
    tickets: list[Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.ready or self.approvals or self.stuck or self.expiring or self.tickets)

    def payload(self, day: date, stale_days: int, *, team: bool) -> dict[str, Any]:
        """The outbox row's payload (the message is written at delivery, in the reader's
        language); ``team``: the staff group's, whose lines name each action's owner."""
        return {"day": day.isoformat(), "stale_days": stale_days, "team": team, **asdict(self)}


def due_day(ctx: ServiceContext, at: time) -> date | None:
    """Today where the provider is, once the local time has reached ``at``."""
    local = ctx.now().astimezone(ctx.timezone)
    return local.date() if local.time() >= at else None


async def queue_digest(ctx: ServiceContext, policy: DigestPolicy) -> int | None:
    """Queue today's digests if it is time and nobody did yet. Returns how many recipients had
    something to report (None: off, not time yet, or already done today)."""
    day = due_day(ctx, policy.at) if policy.at is not None else None
    if day is None:
        return None
    now = ctx.now()
    async with ctx.uow() as uow:
        if not await uow.overview.claim_digest_day(day, now):
            return None
        everyone, by_owner = await _gather(uow, policy, now)
        queued = 0
        for owner_id, digest in by_owner.items():
            if digest:
                payload = digest.payload(day, policy.stale_days, team=False)
                await notify_staff(uow, owner_id, KIND, now, **payload)
                queued += 1
        if policy.group_chat_id is not None and everyone:
            payload = everyone.payload(day, policy.stale_days, team=True)
            await uow.notifications.add(
                chat_id=policy.group_chat_id, kind=KIND, payload=payload, now=now
            )
            queued += 1
        await uow.commit()
    return queued


async def _gather(
    uow: UnitOfWork, policy: DigestPolicy, now: datetime
) -> tuple[Digest, dict[int, Digest]]:
    """The team's digest and each owner's, from every pending action and old open ticket."""
    team = Digest()
    by_owner: dict[int, Digest] = {}
    mine: dict[int, int] = {}  # action id → owner id
    stale = timedelta(days=policy.stale_days)
    admins = [s.id for s in await uow.staff.list(active_only=True) if s.role is Role.ADMIN]
    async for rows in every_row(uow, ActionQuery(statuses=(ActionStatus.PENDING,)), now=now):
        for row in rows:
            owner = row.action.created_by
            mine[row.action.id] = owner
            own = by_owner.setdefault(owner, Digest())
            for section, item in _action_items(row, now, stale):
                getattr(team, section).append(item)
                getattr(own, section).append(item)
            if row.approval is not None and not row.approval.decided:
                item = _item(row, now)
                team.approvals.append(item)
                for admin in admins:
                    if may_decide(row.approval, admin, len(admins)):
                        by_owner.setdefault(admin, Digest()).approvals.append(item)
    old_tickets = await uow.overview.open_tickets(now - TICKET_OPEN_FOR)
    for item in await _ticket_items(uow, old_tickets, now):
        team.tickets.append(item)
        if item.action_id in mine:
            by_owner[mine[item.action_id]].tickets.append(item)
    return team, by_owner


def _item(row: OverviewRow, now: datetime) -> Item:
    return Item(
        row.action.id,
        row.contract_number,
        row.client_name,
        row.owner_name,
        days=(now - row.action.created_at).days,
    )


def _action_items(row: OverviewRow, now: datetime, stale: timedelta) -> Iterable[tuple[str, Item]]:
    base = _item(row, now)
    if row.ready:
        yield "ready", base
    elif now - row.action.created_at > stale:
        yield "stuck", replace(base, groups=[g.value for g in row.groups])
    request = row.acceptance
    if (
        request is not None
        and request.status is AcceptanceStatus.PENDING
        and now < request.expires_at <= now + EXPIRING_WITHIN
    ):
        yield "expiring", replace(base, expires_at=request.expires_at.isoformat())


async def _ticket_items(uow: UnitOfWork, tickets: list[Ticket], now: datetime) -> list[Item]:
    contracts = await uow.overview.contracts([t.contract_id for t in tickets])
    clients = await uow.clients.by_ids([t.client_id for t in tickets])
    staff = {s.id: s for s in await uow.staff.list()} if tickets else {}
    return [
        Item(
            t.action_id,
            contracts[t.contract_id].number if t.contract_id in contracts else "?",
            clients[t.client_id].name if t.client_id in clients else "?",
            first_name(staff.get(t.assignee_id)) if t.assignee_id else "",
            days=(now - t.created_at).days,
            ticket_id=t.id,
        )
        for t in tickets
    ]
