"""/pendentes: pending actions with what a list row shows, the operator's own first."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import ContractAction
from bot.services.context import OFFICE_ROLES, ServiceContext, require_staff
from bot.services.search import PAGE_SIZE, Page, fetch_page


@dataclass(frozen=True)
class PendingItem:
    action: ContractAction
    contract_number: str
    client_name: str
    mine: bool


async def pending_actions(
    ctx: ServiceContext, actor_id: int, page: int = 0, page_size: int = PAGE_SIZE
) -> Page[PendingItem]:
    async with ctx.uow() as uow:
        me = await require_staff(uow, actor_id, *OFFICE_ROLES)

        async def fetch(offset: int, limit: int) -> tuple[list[ContractAction], int]:
            return await uow.actions.list_pending(
                created_by=None, first_for=me.id, offset=offset, limit=limit
            )

        actions = await fetch_page(fetch, page, page_size)
        items = []
        for action in actions.items:
            contract = await uow.contracts.get(action.contract_id)
            client = await uow.clients.get(contract.client_id) if contract else None
            items.append(
                PendingItem(
                    action,
                    contract.number if contract else "?",
                    client.name if client else "?",
                    action.created_by == me.id,
                )
            )
    return Page(items, actions.total, actions.page, page_size)
