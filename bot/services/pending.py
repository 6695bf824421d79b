"""/pendentes: the team overview of open (pending and scheduled) actions, one page at a time.

Three filters: the actor's own actions, everyone's (the actor's first), and pending actions
stuck for more than ``stale_days`` days (a scheduled change waits for its date; it is not
stuck). Each page is read in a fixed number of queries (:func:`bot.services.overview.load_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.domain.models import ActionStatus
from bot.domain.overview import DEFAULT_STALE_DAYS
from bot.services.context import OFFICE_ROLES, ServiceContext, require_staff
from bot.services.overview import OverviewRow, load_rows
from bot.services.overview_ports import ActionQuery
from bot.services.search import PAGE_SIZE, Page, fetch_page


class ListFilter(StrEnum):
    MINE = "mine"
    ALL = "all"
    STALE = "stale"


@dataclass(frozen=True)
class OverviewPage(Page[OverviewRow]):
    filter: ListFilter = ListFilter.ALL
    stale_days: int = DEFAULT_STALE_DAYS


async def pending_actions(
    ctx: ServiceContext,
    actor_id: int,
    page: int = 0,
    page_size: int = PAGE_SIZE,
    *,
    list_filter: ListFilter = ListFilter.ALL,
    stale_days: int = DEFAULT_STALE_DAYS,
) -> OverviewPage:
    now = ctx.now()
    async with ctx.uow() as uow:
        me = await require_staff(uow, actor_id, *OFFICE_ROLES)
        if list_filter is ListFilter.STALE:
            query = ActionQuery(
                statuses=(ActionStatus.PENDING,),
                created_before=now - timedelta(days=stale_days),
                first_for=me.id,
            )
        elif list_filter is ListFilter.MINE:
            query = ActionQuery(owner=me.id)
        else:
            query = ActionQuery(first_for=me.id)

        async def fetch(offset: int, limit: int) -> tuple[list[OverviewRow], int]:
            actions, total = await uow.overview.open_actions(query, offset=offset, limit=limit)
            return await load_rows(uow, actions, me=me.id, now=now), total

        got = await fetch_page(fetch, page, page_size)
    return OverviewPage(got.items, got.total, got.page, page_size, list_filter, stale_days)
